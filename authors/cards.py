"""What a byline or a post's metadata needs to know of an author, without a query per post.

``card_for(user)`` reads the profile the blog selected with the post's author (blog's
querysets select ``author__author_profile``: ``AuthorsConfig`` registers the relation with
``blog.extensions.register_author_name``), so it costs no query; for a user loaded without
it, it falls back to ``author_cards()``. ``public_name(user)`` is the profile's display
name: what ``blog.metadata.author_name`` answers everywhere.

``author_cards()`` maps user ids to ``AuthorCard`` (page address, name, ORCID iD) for every
profile. Like the blog's sidebar it is kept in the shared cache for the current page-cache
generation (any saved profile moves the generation on: ``pagecache.watch`` in apps.py), and
once per request on the request: a page pays one small cache read, and one query when the
cache is cold, whatever the number of posts or authors it shows.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

import pagecache
from authors.orcid import orcid_url

CARDS_CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class AuthorCard:
    slug: str
    name: str
    orcid: str

    @property
    def url(self):
        return reverse("authors:detail", kwargs={"slug": self.slug})

    @property
    def orcid_url(self):
        return orcid_url(self.orcid)


def _load():
    from authors.models import AuthorProfile

    rows = AuthorProfile.objects.values_list("user_id", "slug", "display_name", "orcid")
    return {user_id: AuthorCard(slug, name, orcid) for user_id, slug, name, orcid in rows}


def author_cards(request=None):
    memo = getattr(request, "_author_cards", None)
    if memo is not None:
        return memo
    current = pagecache.generation_for(request)
    key = f"authors:cards:{current}"
    cards = cache.get(key) if current is not None else None
    if cards is None:
        cards = _load()
        if current is not None:
            cache.set(key, cards, CARDS_CACHE_SECONDS)
    if request is not None:
        request._author_cards = cards
    return cards


def author_card(user_id, request=None):
    return author_cards(request).get(user_id)


def _profile_relation():
    return get_user_model().author_profile.related


def card_for(user, request=None):
    """The user's card, from the profile selected with them when there is one (no query)."""
    if getattr(user, "pk", None) is None:
        return None
    relation = _profile_relation()
    if relation.is_cached(user):
        profile = relation.get_cached_value(user)
        if profile is None:
            return None
        return AuthorCard(profile.slug, profile.display_name, profile.orcid)
    return author_card(user.pk, request)


def public_name(user):
    """The profile's display name, or "" for a user with no profile."""
    card = card_for(user)
    return card.name if card is not None else ""


def page_card(user, request=None):
    """The card of an author whose page readers can open (a profile, an active user)."""
    card = card_for(user, request)
    if card is None or not card.slug or not user.is_active:
        return None
    return card


def profiles_changed():
    """The newest change to any profile (an expression): a renamed author changes the
    feeds' items, so the feeds' ETag and Last-Modified include it."""
    from django.db.models import Subquery

    from authors.models import AuthorProfile

    return Subquery(AuthorProfile.objects.order_by("-updated_at").values("updated_at")[:1])
