"""The authors' side: writing, scheduling and publishing posts with their disclosures.

Who may touch which post is decided by roles.policy: the changelist lists only the posts
a user may see, and every permission check with a post in hand asks the policy, so a
hand-made POST to another author's post is refused like the missing button.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from blog import extensions, label_admin, markup, paper_status_admin, revisions
from blog.forms import (
    CHANGE_FIELDS,
    MAIN_FIELDS,
    PLAIN_FIELDS,
    PUBLISHING_FIELDS,
    SOURCE_FIELDS,
    DisclosureForm,
    DisclosureInlineFormSet,
    PostAdminForm,
)
from blog.metadata import author_name
from blog.models import Disclosure, Post, labels_prefetch
from blog.readability import readability
from blog.revision_admin import PostRecordAdminMixin
from blog.services import (
    post_address_remember,
    post_live_address,
    post_publish,
    post_revision_record,
    post_unpublish,
)
from roles import policy


class PrefilledDisclosureFormSet(DisclosureInlineFormSet):
    """Every new row, also the ones "Add another" copies from the empty form, starts with
    the author's name as "Who" (``initial``, given for every possible row). A new row left
    as it started, or with only "Who" emptied, is not a disclosure and is not saved."""

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is None and self.initial_extra:
            kwargs["initial"] = self.initial_extra[0]
        return kwargs

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.is_bound and i >= self.initial_form_count():
            typed = self.data.get(form.add_prefix("person"), "")
            if not str(typed).strip():
                form.initial = {k: v for k, v in form.initial.items() if k != "person"}
        return form


class DisclosureInline(admin.TabularInline):
    model = Disclosure
    form = DisclosureForm
    formset = PrefilledDisclosureFormSet
    fields = ("person", "relationship", "organisations", "statement", "position")
    extra = 1
    max_num = 30
    verbose_name = "conflict-of-interest disclosure"
    verbose_name_plural = "conflict-of-interest disclosures (at least one to publish)"
    formfield_overrides = {
        # Statements are shown verbatim; a small box keeps the table readable.
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 40})},
    }

    # ``obj`` is the post: its disclosures are as editable as the post itself.
    def has_add_permission(self, request, obj=None):
        allowed = super().has_add_permission(request, obj)
        return allowed and (obj is None or policy.can_edit_post(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or policy.can_edit_post(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or policy.can_edit_post(request.user, obj))

    def get_formset(self, request, obj=None, **kwargs):
        # A forged TOTAL_FORMS would otherwise build and render up to max_num + 1000 forms.
        kwargs.setdefault("absolute_max", self.max_num)
        return super().get_formset(request, obj, **kwargs)


@admin.register(Post)
class PostAdmin(PostRecordAdminMixin, admin.ModelAdmin):
    form = PostAdminForm
    inlines = [DisclosureInline]
    prepopulated_fields = {"slug": ("title",)}
    list_display = (
        "title",
        "publication_state",
        "published_at",
        "labels",
        "comment_count",
        "author",
    )
    # Only the labels of posts the user may see: a label can name an unannounced trial.
    list_filter = ("status", ("tags", admin.RelatedOnlyFieldListFilter), "published_at")
    list_select_related = ("author",)
    search_fields = ("title", "summary", "body")
    date_hierarchy = "published_at"
    actions = ("publish_selected", "unpublish_selected")
    save_on_top = True

    main_fields = MAIN_FIELDS
    publishing_fields = PUBLISHING_FIELDS
    source_fields = SOURCE_FIELDS

    def get_inlines(self, request, obj):
        return [*self.inlines, *extensions.post_inlines()]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": self.main_fields}),
            (
                "In plain words",
                {
                    "fields": (*PLAIN_FIELDS, *(("plain_readability",) if obj else ())),
                    "description": "For a person with MS or their family: what was compared "
                    "in whom, how much better as \u201cout of 100 people\u201d, the main "
                    "risks, who paid, your ties, who it applies to (\u201ctalk to your MS "
                    "team\u201d) and how current it is. Shown in a box before the body. "
                    "Review dates: a post past its next review (or never reviewed and over "
                    "three years old) tells readers so.",
                },
            ),
            (
                "Publishing",
                {
                    "fields": (*self.publishing_fields, *(("author",) if obj else ())),
                    "description": "A post is published only with at least one disclosure "
                    "below. A publish date in the future schedules it.",
                },
            ),
            ("Source", {"fields": self.source_fields}),
        ]
        if obj is not None:
            fieldsets.append(
                (
                    "Change note",
                    {
                        "fields": (*CHANGE_FIELDS, "revision_history"),
                        "description": "Once readers have seen the post, a change to what "
                        "it says is listed under it with its kind, date and note.",
                    },
                )
            )
            fieldsets.append(
                (
                    "Preview (as last saved)",
                    {"fields": ("body_preview",), "classes": ("collapse",)},
                )
            )
        return fieldsets

    def view_on_site(self, obj):
        """The admin's checked redirect (config.admin_shortcut), but no link at all for a
        post stored around the admin's checks that no address can hold."""
        if not obj.has_address:
            return None
        content_type = ContentType.objects.get_for_model(obj)
        return reverse("admin:view_on_site", args=[content_type.pk, obj.pk])

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("body_preview",)
        return ("author", "body_preview", "revision_history", "plain_readability")

    def get_queryset(self, request):
        posts = (
            super()
            .get_queryset(request)
            .select_related("author")
            .prefetch_related(labels_prefetch())
        )
        return policy.posts_visible_to(request.user, posts)

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or policy.can_view_post(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or policy.can_edit_post(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        seen = revisions.last_seen_number(obj.pk) is not None
        return policy.can_delete_post(request.user, obj, seen_by_readers=seen)

    def get_actions(self, request):
        # Bulk deletion checks no post's own rule: only Editors get it. Authors delete their
        # never-public drafts one at a time, from the post's page (roles.policy).
        actions = super().get_actions(request)
        if not policy.is_editor(request.user):
            actions.pop("delete_selected", None)
        return actions

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, DisclosureInline):
            # A new disclosure is most likely the author's own: under their public name.
            author = obj.author if obj.pk is not None else request.user
            kwargs["initial"] = [{"person": author_name(author)}] * inline.max_num
        return kwargs

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        previous = post_live_address(obj.pk)
        super().save_model(request, obj, form, change)
        post_address_remember(post=obj, previous=previous)
        for note in markup.post_notes(obj.body, obj.body_html):  # plain text, dropped links
            self.message_user(request, f"\u201c{obj}\u201d: {note}", messages.WARNING)

    def save_related(self, request, form, formsets, change):
        """After the post, its disclosures and labels: the revision (blog.services)."""
        super().save_related(request, form, formsets, change)
        post_revision_record(
            post=form.instance,
            editor=request.user,
            change_kind=form.cleaned_data.get("change_kind", ""),
            change_note=form.cleaned_data.get("change_note", ""),
        )

    @admin.display(description="history")
    def revision_history(self, obj):
        return self.revision_links(obj)

    @admin.display(description="status", ordering="status")
    def publication_state(self, obj):
        if obj.status == Post.Status.PUBLISHED and obj.published_at > timezone.now():
            return "Scheduled"
        return obj.get_status_display()

    @admin.display(description="labels")
    def labels(self, obj):
        return ", ".join(sorted(tag.name for tag in obj.labels))

    @admin.display(description="readability (as last saved)")
    def plain_readability(self, obj):
        """Advice, never a block: the figures for the saved plain-words summary."""
        figures = readability(obj.plain_summary) if obj else None
        if figures is None:
            return "Write a plain-words summary and save to see how easy it is to read."
        return format_html('<span class="plain-readability">{}</span>', figures.advice())

    @admin.display(description="rendered body")
    def body_preview(self, obj):
        if obj is None or not obj.body_html:
            return "Save the post to see it rendered."
        notes = format_html_join(
            "",
            '<p class="errornote">{}</p>',
            ((n,) for n in markup.post_notes(obj.body, obj.body_html)),
        )
        # body_html is the sanitised output of blog.markup: the one thing marked safe.
        plain = (
            format_html(
                '<h2>In plain words</h2><p class="plain-readability">{}</p>'
                '<div class="post-preview">{}</div>',
                readability(obj.plain_summary).advice(),
                mark_safe(obj.plain_summary_html),  # noqa: S308 (sanitised by blog.markup)
            )
            if obj.plain_summary_html and readability(obj.plain_summary)
            else ""
        )
        return format_html(
            '{}{}<div class="post-preview">{}</div>',
            plain,
            notes,
            mark_safe(obj.body_html),  # noqa: S308
        )

    @admin.action(description="Publish selected posts", permissions=["change"])
    def publish_selected(self, request, queryset):
        self._apply(request, queryset, post_publish, "published")

    @admin.action(description="Unpublish selected posts", permissions=["change"])
    def unpublish_selected(self, request, queryset):
        self._apply(request, queryset, post_unpublish, "returned to draft")

    def _apply(self, request, queryset, service, done):
        self._report_hidden_selection(request, queryset, done)
        succeeded = 0
        for post in queryset:
            if not policy.can_edit_post(request.user, post):
                self.message_user(
                    request,
                    f"\u201c{post}\u201d was not {done}: you may not change it.",
                    messages.ERROR,
                )
                continue
            try:
                service(post=post, editor=request.user)
            except ValidationError as exc:
                reasons = " ".join(exc.messages)
                self.message_user(
                    request, f"\u201c{post}\u201d was not {done}: {reasons}", messages.ERROR
                )
            else:
                succeeded += 1
        if succeeded:
            noun = "post was" if succeeded == 1 else "posts were"
            self.message_user(request, f"{succeeded} {noun} {done}.", messages.SUCCESS)

    def _report_hidden_selection(self, request, queryset, done):
        """Selected ids outside the user's posts (a forged form) are refused, by count only:
        naming them would tell an author the titles of posts they may not see."""
        selected = set()
        for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
            try:
                selected.add(int(value))
            except ValueError:
                continue
        refused = len(selected - set(queryset.values_list("pk", flat=True)))
        if refused:
            noun, them = ("post was", "it") if refused == 1 else ("posts were", "them")
            self.message_user(
                request,
                f"{refused} selected {noun} not {done}: you may not change {them}.",
                messages.ERROR,
            )


label_admin.register()
paper_status_admin.register()
