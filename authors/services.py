"""Creating and changing author profiles: the only writers, named <entity>_<action>."""

from django.db import transaction

from authors.models import SLUG_MAX_LENGTH, AuthorProfile
from blog.metadata import account_name
from blog.models import slug_from, unique_slug


def author_slug(name, *, exclude_pk=None):
    """A free slug for an author called ``name``, under the blog's one slug rule."""
    base = slug_from(name, fallback="author", max_length=SLUG_MAX_LENGTH)
    return unique_slug(
        base, taken=AuthorProfile.objects.exclude(pk=exclude_pk), max_length=SLUG_MAX_LENGTH
    )


@transaction.atomic
def author_profile_ensure(*, user, **fields):
    """The user's profile, created from their name if they have none (``fields`` fill a new
    profile only: an existing one is left as its author wrote it)."""
    existing = AuthorProfile.objects.filter(user=user).first()
    if existing is not None:
        return existing
    profile = AuthorProfile(user=user, display_name=account_name(user), **fields)
    return author_profile_save(profile=profile)


@transaction.atomic
def author_profile_save(*, profile):
    """Validate and save ``profile``; an empty slug is made from the display name."""
    profile.full_clean(exclude=["slug"] if not profile.slug else None)
    if not profile.slug:
        profile.slug = author_slug(profile.display_name, exclude_pk=profile.pk)
        profile.full_clean()
    profile.save()
    return profile


def may_write_posts(user):
    """Users who may add posts get a profile: their posts' bylines link to it."""
    return user.is_active and user.is_staff and user.has_perm("blog.add_post")
