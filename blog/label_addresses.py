"""A label's old addresses: after an Editor changes a label's slug, its old page and feeds
answer with a 301 to the new ones (as a post's old address does, ``PostAddress``).

The redirect is looked up only when nothing answers at the address. A label that has the
slug now owns it, even before a published post carries it. A redirect leads only to a label
a published post carries, so an old slug never tells a reader the new slug of a label used
only on drafts. Editors prune old addresses on the label's admin page.
"""

from functools import wraps

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from taggit.models import Tag

from blog.models import LabelAddress
from blog.navigation import label_in_use_or_none


@transaction.atomic
def label_address_remember(*, label, previous_slug):
    """After ``label`` was saved: its previous slug, if it changed, now redirects to it.
    The label's own slug is never kept as an old one, so changing it back does not loop."""
    LabelAddress.objects.filter(slug=label.slug).delete()
    if previous_slug and previous_slug != label.slug:
        LabelAddress.objects.update_or_create(slug=previous_slug, defaults={"label": label})


def moved_label_slug(slug):
    """The slug now of the published label that used to have ``slug``, or None. None too
    when a label has that slug now, used or not: it owns the address (one query)."""
    owned = Tag.objects.filter(slug=OuterRef("slug"))
    old = LabelAddress.objects.filter(~Exists(owned), slug=slug).select_related("label").first()
    if old is None or label_in_use_or_none(old.label.slug) is None:
        return None
    return old.label.slug


def follows_renamed_labels(view):
    """Wraps a view with a ``slug`` argument (a label's page or feed): where it finds no
    label, a label that had that slug answers with a 301 to the same view under its slug
    now, the query string kept (``?page=2``)."""

    @wraps(view)
    def answer(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404:
            slug = moved_label_slug(kwargs["slug"])
            if slug is None:
                raise
            match = request.resolver_match
            address = reverse(match.view_name, args=args, kwargs={**kwargs, "slug": slug})
            query = request.GET.urlencode()
            return HttpResponsePermanentRedirect(f"{address}?{query}" if query else address)

    return answer
