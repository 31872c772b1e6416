"""Labels (taggit's Tag, as the ``blog.Label`` proxy) in the admin, under the roles' rules.

They are listed under the Blog section. taggit's own TagAdmin lets any staff member merge or
rename labels across every post (its merge view checks only is_staff). Here: no bulk
actions and no merge view; Authors see the labels of the posts they may see, and only
Editors change or delete labels, since a label belongs to every post that carries it.
Permissions stay taggit's (``taggit.change_tag``...), which the roles migration grants.

Adding a label never tells an author that a label they may not see exists: a name that
is taken (in any case) is answered like a new one, and the slug is made by the one rule
with a silent suffix.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from taggit.models import Tag, TaggedItem

from blog.forms import AnySlugField
from blog.label_addresses import label_address_remember
from blog.models import (
    LABEL_SLUG_MAX_LENGTH,
    Label,
    LabelAddress,
    Post,
    label_for_name,
    label_slug,
)
from roles import policy


class LabelAddForm(forms.ModelForm):
    class Meta:
        model = Label
        fields = ("name",)

    def validate_unique(self):
        """Skipped: ``LabelAdmin.save_model`` reuses a label that has this name."""


class LabelChangeForm(forms.ModelForm):
    slug = AnySlugField(
        max_length=LABEL_SLUG_MAX_LENGTH,
        required=False,
        help_text="The last part of the label's address, made by the one rule from what you "
        "type (as in WordPress: \u201cMultiple Sclerosis\u201d becomes "
        "\u201cmultiple-sclerosis\u201d; letters of any script); left empty, made from the "
        "name. Changing it changes the address; the old address then leads to the new one "
        "(its page and feeds), so links and feed subscriptions keep working.",
    )

    class Meta:
        model = Label
        fields = ("name", "slug")

    def clean_name(self):
        """Only Editors rename labels, and they see every label: naming the twin is fine."""
        name = " ".join(self.cleaned_data.get("name", "").split())
        twin = Label.objects.exclude(pk=self.instance.pk).named(name)
        if twin is not None:
            raise forms.ValidationError(
                f"The label \u201c{twin.name}\u201d already exists (capitals do not make a "
                "new label). Use it on the posts instead, or delete this one."
            )
        return name

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if not slug:
            return label_slug(self.cleaned_data.get("name", ""), exclude_pk=self.instance.pk)
        owner = Tag.objects.exclude(pk=self.instance.pk).filter(slug=slug).first()
        if owner is not None:
            raise forms.ValidationError(
                f"/labels/{slug}/ is the address of the label \u201c{owner.name}\u201d. "
                "Choose another slug, or leave it empty to make one from the name."
            )
        return slug


class LabelAddressInline(admin.TabularInline):
    """The label's old addresses, each leading to it: an Editor deletes a mistaken one (a
    typo kept for a minute). One that another label now has is shown as that label's."""

    model = LabelAddress
    fields = ("address", "created_at")
    readonly_fields = ("address", "created_at")
    extra = 0
    verbose_name = "old address"
    verbose_name_plural = "Old addresses (each leads to this label; delete one to free it)"

    @admin.display(description="Address")
    def address(self, old):
        taken = Tag.objects.exclude(pk=old.label_id).filter(slug=old.slug).first()
        if taken is not None:
            return f"/labels/{old.slug}/ (now the label \u201c{taken.name}\u201d: not redirected)"
        return f"/labels/{old.slug}/"

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return LabelAdmin.may(request, "view") or LabelAdmin.may(request, "change")

    def has_change_permission(self, request, obj=None):
        return LabelAdmin.may(request, "change") and policy.is_editor(request.user)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


class LabelAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    actions = None

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = LabelChangeForm if obj is not None else LabelAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ("name", "slug") if obj is not None else ("name",)

    def get_inlines(self, request, obj):
        return [LabelAddressInline] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            with transaction.atomic():
                taken_from = (
                    LabelAddress.objects.filter(slug=obj.slug)
                    .exclude(label=obj)
                    .select_related("label")
                    .first()
                )
                super().save_model(request, obj, form, change)
                label_address_remember(label=obj, previous_slug=form.initial.get("slug"))
            if taken_from is not None:
                self.message_user(
                    request,
                    f"/labels/{obj.slug}/ was an old address of the label "
                    f"\u201c{taken_from.label.name}\u201d and led readers there; it now shows "
                    "this label. Choose another slug if those links should keep their way.",
                    messages.WARNING,
                )
            return
        label = label_for_name(obj.name)
        # The name stays as typed: the stored one's capitals would tell it existed.
        obj.pk, obj.slug = label.pk, label.slug
        obj._state.adding = False

    def response_add(self, request, obj, post_url_continue=None):
        """The same answer whether the name was new or taken (by a label this user may
        not see): back to the list, which shows only the labels they may see."""
        self.message_user(
            request,
            f"The label \u201c{obj.name}\u201d is ready: add it to a post to use it.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:blog_label_changelist"))

    def get_queryset(self, request):
        labels = super().get_queryset(request)
        if policy.is_editor(request.user):
            return labels
        visible_posts = policy.posts_visible_to(request.user, Post.objects.all())
        tagged = TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Post),
            object_id__in=visible_posts.values("pk"),
        )
        return labels.filter(pk__in=tagged.values("tag_id"))

    @staticmethod
    def may(request, action):
        """taggit's own permission for ``action`` (the roles migration grants them)."""
        return request.user.has_perm(f"taggit.{action}_tag")

    def has_view_permission(self, request, obj=None):
        return self.may(request, "view") or self.may(request, "change")

    def has_add_permission(self, request):
        return self.may(request, "add")

    def has_change_permission(self, request, obj=None):
        return self.may(request, "change") and policy.is_editor(request.user)

    def has_delete_permission(self, request, obj=None):
        return self.may(request, "delete") and policy.is_editor(request.user)


def register(site=admin.site):
    if site.is_registered(Tag):
        site.unregister(Tag)
    site.register(Label, LabelAdmin)
