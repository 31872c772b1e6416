"""What a byline or a post's metadata needs to know of an author, without a query per post.

``author_cards()`` maps user ids to ``AuthorCard`` (page address, name, ORCID iD) for every
profile. Like the blog's sidebar it is kept in the shared cache for the current page-cache
generation (any saved profile moves the generation on: ``pagecache.watch`` in apps.py), and
once per request on the request: a page pays one small cache read, and one query when the
cache is cold, whatever the number of posts or authors it shows.
"""

from dataclasses import dataclass

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
    current = pagecache.generation()
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
