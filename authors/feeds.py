"""An Atom feed per author: the blog's full-content Atom feed, filtered to their posts."""

import hashlib

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.views.decorators.http import condition

from authors.models import AuthorProfile
from blog.feeds import FEED_LENGTH, AtomPostFeed, feed_etag
from blog.metadata import absolute_url
from blog.models import Post, with_addresses


class AuthorAtomFeed(AtomPostFeed):
    def get_object(self, request, slug):
        profile = AuthorProfile.objects.filter(slug=slug, user__is_active=True).first()
        if profile is None:
            raise Http404("No author at this address.")
        return profile

    def title(self, profile):
        return f"{settings.SITE_NAME}: posts by {profile.display_name}"

    def subtitle(self, profile):
        return f"Posts by {profile.display_name} on {settings.SITE_NAME}."

    def link(self, profile):
        return absolute_url(profile.get_absolute_url())

    def feed_url(self, profile):
        return absolute_url(reverse("authors:feed_atom", kwargs={"slug": profile.slug}))

    def items(self, profile):
        return with_addresses(
            Post.objects.published()
            .filter(author_id=profile.user_id)
            .for_listing()
            .prefetch_related("disclosures")[:FEED_LENGTH]
        )


def _author_etag(request, slug):
    """The blog's feed ETag, plus when the profile changed (its name is the feed's title)."""
    changed = AuthorProfile.objects.filter(slug=slug).values_list("updated_at", flat=True)
    return f"{feed_etag(request)}-{hashlib.sha256(str(list(changed)).encode()).hexdigest()[:8]}"


author_atom_feed = condition(etag_func=_author_etag)(AuthorAtomFeed())
