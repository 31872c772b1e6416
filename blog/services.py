"""Actions on posts that carry a rule, named <entity>_<action>.

The admin's actions and the demo loader call these, so the publication rule
(``Post.clean()``: no publishing without a disclosure) is checked on every path.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from blog.models import Disclosure, Post, PostAddress


def post_live_address(post_pk):
    """The (year, month, slug) readers know the stored post by, or None if it is not live
    (a draft, a scheduled post or no post: nobody can have its address yet)."""
    if post_pk is None:
        return None
    stored = Post.objects.published().filter(pk=post_pk).only("slug", "published_at").first()
    return stored.address_parts if stored is not None else None


@transaction.atomic
def post_address_remember(*, post, previous):
    """After ``post`` was saved: if it was live at ``previous`` (from ``post_live_address``
    before the save) and now has another address, the old one redirects to it (301).

    The post's own current address is never kept as an old one, so moving a post back
    does not loop.
    """
    current = post.address_parts
    PostAddress.objects.filter(
        post=post, year=current[0], month=current[1], slug=current[2]
    ).delete()
    if previous is None or tuple(previous) == current:
        return
    year, month, slug = previous
    PostAddress.objects.update_or_create(year=year, month=month, slug=slug, defaults={"post": post})


@transaction.atomic
def post_publish(*, post, when=None):
    """Publish ``post`` (at ``when`` if given; a future date schedules it).

    Raises ValidationError, saving nothing, when the post has no disclosure.
    """
    address = post_live_address(post.pk)
    previous = (post.status, post.published_at)
    post.status = Post.Status.PUBLISHED
    if when is not None:
        post.published_at = when
    try:
        post.full_clean()
    except ValidationError:
        post.status, post.published_at = previous
        raise
    post.save()
    post_address_remember(post=post, previous=address)
    return post


@transaction.atomic
def post_unpublish(*, post):
    """Return ``post`` to draft; its disclosures and comments stay."""
    post.status = Post.Status.DRAFT
    post.full_clean()
    post.save()
    return post


@transaction.atomic
def post_upsert(*, slug, author, fields, labels=(), disclosures=()):
    """Create or update the post with ``slug`` so that it matches the given data exactly.

    ``fields`` are Post field values (not status: publish with ``post_publish``);
    ``disclosures`` are dicts of Disclosure fields, in order. Nothing is written when
    the stored post already matches, so ``updated_at`` moves only on a real change.
    Returns ``(post, changed)``.
    """
    post = Post.objects.filter(slug=slug).first()
    address = post_live_address(post.pk if post else None)
    created = post is None
    if created:
        post = Post(slug=slug, status=Post.Status.DRAFT)
    changed = created
    if post.author_id != author.pk:
        post.author = author
        changed = True
    for name, value in fields.items():
        if getattr(post, name) != value:
            setattr(post, name, value)
            changed = True
    if changed:
        post.full_clean()
        post.save()
        post_address_remember(post=post, previous=address)

    if _disclosure_rows(post.disclosures.all()) != _disclosure_rows(disclosures):
        post.disclosures.all().delete()
        for position, data in enumerate(disclosures):
            disclosure = Disclosure(post=post, **{"position": position, **data})
            disclosure.full_clean()
            disclosure.save()
        changed = True

    wanted = sorted(labels)
    if sorted(post.tags.names()) != wanted:
        post.tags.set(wanted)
        changed = True
    return post, changed


_DISCLOSURE_FIELDS = ("person", "relationship", "organisations", "statement")


def _disclosure_rows(disclosures):
    return [tuple(_field(d, name) for name in _DISCLOSURE_FIELDS) for d in disclosures]


def _field(disclosure, name):
    if isinstance(disclosure, dict):
        return disclosure.get(name, "")
    return getattr(disclosure, name)
