"""Author profiles in the admin: authors edit their own, editors everyone's.

The same rules as posts (roles.policy): an Author's list holds only their own profile (made
for them, through the service, the first time they open it), so a hand-made request for
another author's profile is refused like the missing link. Saving goes through
``authors.services``. New staff who may write posts get a profile when an administrator
saves them in the Users admin (``WriterUserAdmin``), not through a signal.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse

from authors.models import AuthorProfile, StandingInterest
from authors.services import author_profile_ensure, author_profile_save, may_write_posts
from roles import policy


def _may_edit(user, profile):
    return policy.is_editor(user) or (profile is not None and profile.user_id == user.pk)


class StandingInterestInline(admin.StackedInline):
    """Stacked, two fields a line: as a table (five columns, a statement box, two date
    pickers) it ran 270 px past a 1,280 px screen beside the admin's side menu."""

    model = StandingInterest
    fields = (("organisation", "relationship"), "statement", ("declared_on", "ended_on"))
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})},
    }
    extra = 1
    max_num = 100
    verbose_name_plural = "standing interests (not tied to one post)"

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.max_num)
        return super().get_formset(request, obj, **kwargs)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (
            obj is None or _may_edit(request.user, obj)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or _may_edit(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or _may_edit(request.user, obj)
        )


class AuthorProfileForm(forms.ModelForm):
    """The ORCID iD may be pasted in any usual spelling: ``authors.orcid.OrcidField``
    reads it and stores its address, or gives one message."""

    class Meta:
        model = AuthorProfile
        fields = (
            "user",
            "display_name",
            "slug",
            "affiliation",
            "orcid",
            "bio",
            "email_on_responses",
        )


@admin.register(AuthorProfile)
class AuthorProfileAdmin(admin.ModelAdmin):
    form = AuthorProfileForm
    inlines = [StandingInterestInline]
    list_display = ("display_name", "affiliation", "orcid", "user")
    search_fields = ("display_name", "affiliation")
    fields = ("user", "display_name", "slug", "affiliation", "orcid", "bio", "email_on_responses")

    def get_queryset(self, request):
        profiles = super().get_queryset(request).select_related("user")
        if policy.is_editor(request.user):
            return profiles
        return profiles.filter(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        if policy.is_editor(request.user) and obj is None:
            return ()
        return ("user",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = get_user_model().objects.filter(
                is_staff=True, author_profile__isnull=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and policy.is_editor(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or _may_edit(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and policy.is_editor(request.user)

    def changelist_view(self, request, extra_context=None):
        """An Author goes straight to their own profile (made for them if they have none)."""
        user = request.user
        if not policy.is_editor(user) and may_write_posts(user):
            profile = author_profile_ensure(user=user)
            return redirect(reverse("admin:authors_authorprofile_change", args=[profile.pk]))
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        author_profile_save(profile=obj)


User = get_user_model()


class WriterUserAdmin(UserAdmin):
    """Django's user admin, plus: staff who may write posts get an author profile."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # groups are saved here
        user = form.instance
        for cached in ("_perm_cache", "_user_perm_cache", "_group_perm_cache", "_role_names"):
            user.__dict__.pop(cached, None)  # the groups just saved must count
        if may_write_posts(user):
            author_profile_ensure(user=user)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, WriterUserAdmin)
