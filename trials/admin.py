"""Trial records in the admin.

The post's page lists its trial records (a summary and a link); each record has its own
page with its arms, outcomes and harms as inlines. Per-arm numbers are columns of the
outcome and harm forms (trials.forms). Who may edit a record is who may edit its post
(roles.policy): an Author edits the records of their own posts only. A save is one
transaction (Django's change form is atomic): an error anywhere saves nothing, and after
a save the record's snapshot (what readers see) is refreshed.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.forms.formsets import (
    DELETION_FIELD_NAME,
    INITIAL_FORM_COUNT,
    TOTAL_FORM_COUNT,
    ManagementForm,
)
from django.forms.models import BaseInlineFormSet
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import format_html

from blog.corrections import NOTE_MAX_LENGTH
from blog.models import Post, PostRevision
from roles import policy
from trials import sponsors
from trials.forms import numbers_form, trial_formfield
from trials.models import (
    Arm,
    Harm,
    HarmResult,
    Outcome,
    OutcomeResult,
    TrialRecord,
    comparator_problem,
)
from trials.services import (
    trial_record_refresh,
    trial_records_change_check,
    trial_records_revision_record,
)

ARMS_FIRST = (
    "Numbers for each arm appear here once the arms are saved: add the arms above, press "
    "\u201cSave and continue editing\u201d, then fill in each group's numbers."
)


def _arms_of(request, record):
    """The record's saved arms, read once per request."""
    if record is None or record.pk is None:
        return []
    cache = request.__dict__.setdefault("_trial_arms", {})
    if record.pk not in cache:
        cache[record.pk] = list(record.arms.all())
    return cache[record.pk]


class RecordChildInline:
    """Editable exactly when the record's post is (``obj`` is the record)."""

    def _may_edit(self, request, obj):
        return obj is None or policy.can_edit_post(request.user, obj.post)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.max_num)
        kwargs.setdefault("formfield_callback", trial_formfield)
        return super().get_formset(request, obj, **kwargs)


def _arm_deletion_refused(arm):
    """Why ``arm`` may not be deleted, or "": an arm with numbers would take them with it
    and leave a comparison with one group (the database refuses too: RESTRICT)."""
    rows = arm.rows_with_numbers() if arm.pk is not None else []
    if not rows:
        return ""
    return (
        f"Remove this arm's numbers first: {arm.name} has numbers in {', '.join(rows)}. "
        "Empty them in the outcomes and harms below and save; then delete the arm."
    )


class ArmFormSet(BaseInlineFormSet):
    """Two or more arms have exactly one comparator (checked once each arm's own fields are
    valid, so a missing role gets its one message)."""

    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk is not None
            if not (form.cleaned_data or {}).get(DELETION_FIELD_NAME)
        ]
        if any(form.errors for form in kept):
            return
        if problem := comparator_problem(form.cleaned_data.get("role") for form in kept):
            raise ValidationError(problem)


class ArmInline(RecordChildInline, admin.StackedInline):
    """Stacked: each field keeps its own label (a tabular inline's columns have none)."""

    model = Arm
    formset = ArmFormSet
    fields = (
        ("name", "role", "position"),
        "sentence_name",
        "intervention",
        ("randomised", "analysed"),
    )
    extra = 0
    max_num = 12

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class ArmForm(formset.form):
            def hand_clean_DELETE(self):
                """The admin's own check names "protected related objects"; say it plainly."""
                if self.cleaned_data.get(DELETION_FIELD_NAME) and (
                    reason := _arm_deletion_refused(self.instance)
                ):
                    raise ValidationError(reason, code="deleting_protected")
                super().hand_clean_DELETE()

        formset.form = ArmForm
        return formset

    verbose_name_plural = (
        "arms (groups compared): add them, then \u201cSave and continue editing\u201d to "
        "enter each group's numbers in the outcomes and harms below"
    )


class NumbersInline(RecordChildInline, admin.StackedInline):
    """An inline whose forms carry one row of numbers per arm."""

    result_model = OutcomeResult
    main_fields = ()
    extra = 0
    max_num = 60

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": self.main_fields})]
        arms = _arms_of(request, obj)
        for arm in arms:
            fieldsets.append(
                (
                    f"{arm.name} ({arm.get_role_display().lower()})",
                    {
                        "fields": [
                            tuple(f"arm{arm.pk}_{n}" for n in self.result_model.number_fields)
                        ]
                    },
                )
            )
        if not arms:
            fieldsets[0] = (None, {"fields": self.main_fields, "description": ARMS_FIRST})
        return fieldsets

    def get_formset(self, request, obj=None, **kwargs):
        base = kwargs.pop("form", self.form)
        kwargs["form"] = numbers_form(
            base, arms=_arms_of(request, obj), result_model=self.result_model
        )
        return super().get_formset(request, obj, **kwargs)


class OutcomeInline(NumbersInline):
    model = Outcome
    result_model = OutcomeResult
    main_fields = (
        ("name", "category", "position"),
        ("outcome_type", "time_frame", "event_is_good"),
        ("effect_measure", "estimate", "ci_level", "ci_lower", "ci_upper", "p_value_text"),
        "note",
        "source_quote",
    )


class HarmInline(NumbersInline):
    model = Harm
    result_model = HarmResult
    main_fields = (("name", "time_frame", "position"), "note", "source_quote")


class ChangeNoteForm(forms.Form):
    """The kind and note of a change to a public post's trial record (as the post's own
    "Change note" fieldset: blog.corrections decides when they are needed)."""

    change_kind = forms.ChoiceField(
        label="kind of change",
        required=False,
        choices=[("", "\u2014")] + PostRevision.Kind.choices,
        help_text="Needed once readers have seen the post: a change to its trial record "
        "changes what it says. A minor typo fix is kept in the history, not announced.",
    )
    change_note = forms.CharField(
        label="change note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="What changed and why, in a sentence: shown to readers in the "
        "post\u2019s corrections box.",
    )


class TrialRecordForm(ChangeNoteForm, forms.ModelForm):
    """The record's own fields, and the change note a post readers have seen needs: checked
    here, before anything is saved, against the record and its inlines (the admin hands
    their formsets over as ``instance.pending_formsets``), so a refusal keeps the typing."""

    changed_post_list = ()  # set by the check: the posts whose revisions this save adds to

    def _post_clean(self):
        super()._post_clean()  # the model's clean: the values as they will be stored
        self._check_change_note()

    def _stored(self):
        if self.instance.pk is None:
            return None
        return TrialRecord.objects.select_related("post").get(pk=self.instance.pk)

    def _changes_something(self, stored):
        if stored is None:
            return True
        fields = [name for name in TrialRecordForm.Meta.fields if name != "post"]
        if stored.post_id != self.instance.post_id:
            return True
        if any(getattr(stored, name) != getattr(self.instance, name) for name in fields):
            return True
        formsets = getattr(self.instance, "pending_formsets", [])
        return any(formset.has_changed() for formset in formsets)

    def _check_change_note(self):
        stored = self._stored()
        if not self._changes_something(stored):
            return
        posts = (self.cleaned_data.get("post"), stored and stored.post)
        self.changed_post_list = list({post.pk: post for post in posts if post}.values())
        kind = self.cleaned_data.get("change_kind", "")
        note = self.cleaned_data.get("change_note", "")
        for post in self.changed_post_list:
            try:
                trial_records_change_check(post=post, kind=kind, note=note)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    if field not in self.errors:
                        self.add_error(field, messages)

    class Meta:
        model = TrialRecord
        fields = (
            "post",
            "name",
            "registry_id",
            "position",
            "phase",
            "allocation",
            "masking",
            "follow_up",
            "funders",
            "decimal_mark",
            "notes",
            "source_quote",
        )
        widgets = {
            "funders": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "notes": forms.Textarea(attrs={"rows": 3, "cols": 80}),
            "source_quote": forms.Textarea(attrs={"rows": 3, "cols": 80}),
        }


@admin.register(TrialRecord)
class TrialRecordAdmin(admin.ModelAdmin):
    form = TrialRecordForm

    class Media:
        css = {"all": ["trials/admin.css"]}

    inlines = [ArmInline, OutcomeInline, HarmInline]
    list_display = ("name", "registry_id", "post", "phase")
    list_select_related = ("post",)
    search_fields = ("name", "registry_id", "post__title")
    save_on_top = True
    fieldsets = (
        (None, {"fields": ("post", "name", "registry_id", "position")}),
        (
            "Design",
            {
                "fields": (
                    "phase",
                    "allocation",
                    "masking",
                    "follow_up",
                    "funders",
                    "funders_read_as",
                )
            },
        ),
        ("Presentation", {"fields": ("decimal_mark", "notes", "source_quote")}),
        (
            "Change note",
            {
                "fields": ("change_kind", "change_note"),
                "description": "Once readers have seen the post, a change to its trial "
                "record is listed under it with its kind, date and note, like any other "
                "change to what it says. Drafts need none.",
            },
        ),
    )

    readonly_fields = ("funders_read_as",)

    @admin.display(description="funders, read as")
    def funders_read_as(self, obj):
        """How the funder line was split into organisations (what the sponsor notice and
        the JSON-LD use), so an author sees a wrong reading before a reader does."""
        names = sponsors.split_organisations(obj.funders if obj else "")
        if not names:
            return "Shown here after saving: each organisation the funder line names."
        return "; ".join(names)

    def get_queryset(self, request):
        records = super().get_queryset(request).select_related("post")
        return records.filter(post__in=policy.posts_visible_to(request.user, Post.objects.all()))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "post":
            kwargs["queryset"] = policy.posts_editable_by(request.user, Post.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or policy.can_view_post(request.user, obj.post))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or policy.can_edit_post(request.user, obj.post))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or policy.can_edit_post(request.user, obj.post))

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("decimal_mark", TrialRecord.DecimalMark.POINT)
        return initial

    def save_related(self, request, form, formsets, change):
        """Outcomes and harms before arms (an arm is deleted only once it has no numbers:
        ArmFormSet), then the snapshot readers see."""
        form.save_m2m()
        arms_last = sorted(formsets, key=lambda formset: formset.model is Arm)
        for formset in arms_last:
            self.save_formset(request, form, formset, change=change)
        trial_record_refresh(record=form.instance)
        for post in form.changed_post_list:
            trial_records_revision_record(
                post=post,
                editor=request.user,
                change_kind=form.cleaned_data.get("change_kind", ""),
                change_note=form.cleaned_data.get("change_note", ""),
            )

    def get_actions(self, request):
        """No "delete selected": a record of a public post is deleted with a change note,
        from its own page."""
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        """Deleting the record of a post readers have seen needs a kind and a note, like
        any change to it; refused with a form error (nothing deleted) without them."""
        record = self.get_object(request, unquote(object_id))
        if record is None or not self.has_delete_permission(request, record):
            return super().delete_view(request, object_id, extra_context)
        posted = request.method == "POST" and "post" in request.POST
        form = ChangeNoteForm(request.POST if posted else None)
        if posted and not (form.is_valid() and self._deletion_checked(form, record)):
            request.POST = QueryDict()  # the admin deletes on any POST data: show the form
        if record.post.status == Post.Status.PUBLISHED or form.errors:
            extra_context = {**(extra_context or {}), "change_note_form": form}
        request.trial_record_change = form
        return super().delete_view(request, object_id, extra_context)

    @staticmethod
    def _deletion_checked(form, record):
        try:
            trial_records_change_check(
                post=record.post,
                kind=form.cleaned_data["change_kind"],
                note=form.cleaned_data["change_note"],
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field, messages)
            return False
        return True

    def delete_model(self, request, obj):
        """Then the post's revision, with the note the delete page asked for."""
        post = obj.post
        super().delete_model(request, obj)
        form = getattr(request, "trial_record_change", None)
        data = form.cleaned_data if form is not None and form.is_bound else {}
        trial_records_revision_record(
            post=post,
            editor=request.user,
            change_kind=data.get("change_kind", ""),
            change_note=data.get("change_note", ""),
        )

    def _create_formsets(self, request, obj, change):
        """Hand the inlines' formsets to the record form (it validates after them being
        built), so its change-note check sees a change to an arm or a number too."""
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        obj.pending_formsets = formsets
        return formsets, inline_instances


class ReadOnlyListFormSet(BaseInlineFormSet):
    """The post page's list of records sends nothing back: it is read-only, so a post
    saved without its management form (an older form, a script) is not refused for it."""

    @property
    def management_form(self):
        prefix = f"{self.prefix}-{TOTAL_FORM_COUNT}"
        if self.is_bound and prefix not in self.data:
            form = ManagementForm(
                {f"{self.prefix}-{TOTAL_FORM_COUNT}": 0, f"{self.prefix}-{INITIAL_FORM_COUNT}": 0},
                auto_id=self.auto_id,
                prefix=self.prefix,
            )
            form.full_clean()
            return form
        return super().management_form


class TrialRecordPostInline(admin.TabularInline):
    """On the post's page: its trial records, each linking to its own page."""

    model = TrialRecord
    formset = ReadOnlyListFormSet
    fields = ("name", "registry_id", "summary", "edit_link")
    readonly_fields = ("name", "registry_id", "summary", "edit_link")
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name = "trial record"
    verbose_name_plural = "trial records (results tables, absolute effects, forest plot)"
    template = "admin/trials/trialrecord_post_inline.html"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("trials.view_trialrecord") or request.user.has_perm(
            "trials.change_trialrecord"
        )

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("position", "pk")

    @admin.display(description="arms, outcomes, harms")
    def summary(self, obj):
        snapshot = obj.snapshot or {}
        counts = [(len(snapshot.get(part, [])), part) for part in ("arms", "outcomes", "harms")]
        return ", ".join(f"{n} {part if n != 1 else part[:-1]}" for n, part in counts)

    @admin.display(description="")
    def edit_link(self, obj):
        url = reverse("admin:trials_trialrecord_change", args=[obj.pk])
        return format_html('<a href="{}">Edit the trial record</a>', url)
