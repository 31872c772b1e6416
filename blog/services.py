"""Actions on posts that carry a rule, named <entity>_<action>.

The admin and the demo loader call these, so the publication rule
(``blog.publication_rule``) and the change-note rule (``blog.corrections``) are checked,
and a revision recorded (``blog.revisions``), on every path that writes a post.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from blog import revisions
from blog.corrections import check_change_note
from blog.line_endings import normalise_line_endings
from blog.models import Disclosure, Post, PostAddress
from blog.publication_rule import check_post_publishable


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


def post_seen_snapshot(post_pk):
    """The snapshot readers last saw of this post, or None if they never saw it."""
    number = revisions.last_seen_number(post_pk) if post_pk else None
    return revisions.snapshot(post_pk, number) if number else None


@transaction.atomic
def post_revision_record(*, post, editor=None, change_kind="", change_note="", restored_from=None):
    """After ``post`` (and its disclosures and labels) were saved: check the publication
    rule and the change-note rule against what is now stored, and record the revision.

    Raises ValidationError when a rule is broken; callers run inside a transaction, so
    the save is undone. Call ``revisions.ensure_baseline(post)`` before saving, so that a
    post without history gets its state before the change recorded first.
    """
    after = revisions.snapshot_of(post)
    check_post_publishable(status=post.status, disclosure_count=len(after["disclosures"]))
    announced = check_change_note(
        seen=post_seen_snapshot(post.pk), after=after, kind=change_kind, note=change_note
    )
    revision = revisions.append(
        post,
        after,
        editor=editor,
        kind=change_kind or "",
        note=(change_note or "").strip(),
        announced=announced,
        restored_from=restored_from,
    )
    if announced and revision is not None:
        post.announced_at = revision.created_at
        Post.objects.filter(pk=post.pk).update(announced_at=revision.created_at)
    return revision


@transaction.atomic
def post_publish(*, post, when=None, editor=None, change_kind="", change_note=""):
    """Publish ``post`` (at ``when`` if given; a future date schedules it).

    Raises ValidationError, saving nothing, when the post has no disclosure, or when it
    says something other than what readers saw before and no change note is given.
    """
    revisions.ensure_baseline(post)
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
    try:
        with transaction.atomic():
            post.save()
            post_address_remember(post=post, previous=address)
            post_revision_record(
                post=post, editor=editor, change_kind=change_kind, change_note=change_note
            )
    except ValidationError:
        post.status, post.published_at = previous
        raise
    return post


@transaction.atomic
def post_unpublish(*, post, editor=None):
    """Return ``post`` to draft; its disclosures and comments stay."""
    revisions.ensure_baseline(post)
    post.status = Post.Status.DRAFT
    post.full_clean()
    post.save()
    post_revision_record(post=post, editor=editor)
    return post


@transaction.atomic
def post_upsert(
    *,
    slug,
    author,
    fields,
    labels=(),
    disclosures=(),
    editor=None,
    change_kind="",
    change_note="",
):
    """Create or update the post with ``slug`` so that it matches the given data exactly.

    ``fields`` are Post field values (not status: publish with ``post_publish``);
    ``disclosures`` are dicts of Disclosure fields, in order. Nothing is written when
    the stored post already matches, so ``updated_at`` moves only on a real change.
    A change to a post readers have seen needs ``change_kind`` and ``change_note``
    (``blog.corrections``); removing every disclosure of a published post is refused.
    Either way a refusal raises ValidationError and writes nothing. Returns ``(post, changed)``.
    """
    fields = normalise_line_endings(dict(fields))
    disclosures = normalise_line_endings([dict(row) for row in disclosures])
    post = Post.objects.filter(slug=slug).first()
    if post is not None:
        revisions.ensure_baseline(post)
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
        _disclosures_replace(post, disclosures)
        changed = True

    wanted = sorted(labels)
    if sorted(post.tags.names()) != wanted:
        post.tags.set(wanted)
        changed = True
    if changed:
        post_revision_record(
            post=post, editor=editor, change_kind=change_kind, change_note=change_note
        )
    return post, changed


def _disclosures_replace(post, disclosures):
    """The new rows first, then the old ones go: the post is never without a disclosure
    in between (``DisclosureQuerySet.delete`` holds deletes to the publication rule)."""
    old = list(post.disclosures.values_list("pk", flat=True))
    for position, data in enumerate(disclosures):
        disclosure = Disclosure(post=post, **{"position": position, **data})
        disclosure.full_clean()
        disclosure.save()
    post.disclosures.filter(pk__in=old).delete()


@transaction.atomic
def post_restore(*, post, number, editor=None, change_kind="", change_note=""):
    """Bring back what revision ``number`` said (text, source, disclosures, labels) as a new
    revision. The publishing state (status, date, slug) stays as it is now.

    Raises ValidationError when the revision does not exist or a rule refuses the change.
    """
    data = normalise_line_endings(revisions.snapshot(post.pk, number))
    if data is None:
        raise ValidationError(f"This post has no revision {number}.")
    revisions.ensure_baseline(post)
    for name in ("title", "summary", "plain_summary", "body", *revisions.SOURCE_FIELDS):
        setattr(post, name, _field_value(name, data.get(name, "")))
    post.full_clean()
    post.save()
    _disclosures_replace(post, data["disclosures"])
    post.tags.set(data["labels"])
    return post_revision_record(
        post=post,
        editor=editor,
        change_kind=change_kind,
        change_note=change_note,
        restored_from=number,
    )


def _field_value(name, value):
    if name == "source_date":
        return date.fromisoformat(value) if value else None
    return value


_DISCLOSURE_FIELDS = ("person", "relationship", "organisations", "statement")


def _disclosure_rows(disclosures):
    return [tuple(_field(d, name) for name in _DISCLOSURE_FIELDS) for d in disclosures]


def _field(disclosure, name):
    if isinstance(disclosure, dict):
        return disclosure.get(name, "")
    return getattr(disclosure, name)
