"""Revisions of a post: what it said after each save, stored compactly, read back whole.

A snapshot is a dict of what a reader or an editor would want back: the text, labels,
disclosures, the source and the publishing state. It is stored as zlib-compressed JSON;
every ``KEYFRAME_EVERY``-th revision whole, the others compressed with the revision before
as zlib's preset dictionary, so each costs about the size of its change. 1,000 saves of the
CARE-MS II post, each changing one word, store about 0.13 MB this way against 2.7 MB as whole
compressed snapshots (``python -m benchmarks.revisions``). Reading one revision decompresses
at most ``KEYFRAME_EVERY`` small blobs from one query.
"""

import json
import zlib

from django.db import transaction
from django.utils import timezone

from blog.models import Post, PostRevision

KEYFRAME_EVERY = 50

SOURCE_FIELDS = (
    "source_citation",
    "source_title",
    "source_authors",
    "source_journal",
    "source_date",
    "doi",
    "trial_registration",
)
# What readers read: a change to any of these on a public post needs a change note.
READER_FIELDS = ("title", "summary", "body", "disclosures", *SOURCE_FIELDS)
DISCLOSURE_FIELDS = ("person", "relationship", "organisations", "statement")


# Parts other apps add to every snapshot (the trials app: the trial record and its
# results), each a function of the post giving JSON-ready data. Readers read them, so a
# change to one on a public post needs a change note too (blog.corrections).
snapshot_parts = {}
part_labels = {}  # name: the heading a diff shows it under ("Trial records")


def register_snapshot_part(name, read, *, label=None):
    """From an app's ``ready()``: ``read(post)`` is stored in each revision as ``name``.
    A string reads best in a diff (compared line by line, then word by word)."""
    if name in READER_FIELDS or name in ("slug", "status", "published_at", "labels"):
        raise ValueError(f"{name!r} is already a part of every revision")
    snapshot_parts[name] = read
    part_labels[name] = label or name


def reader_fields():
    """The fields a change note is needed for: the post's own, then the registered parts."""
    return (*READER_FIELDS, *snapshot_parts)


def snapshot_of(post, *, disclosures=None, labels=None):
    """The post as a revision records it. ``disclosures`` (dicts, in order) and ``labels``
    (names) default to what is stored; a form passes what it is about to save."""
    if disclosures is None:
        disclosures = list(post.disclosures.values(*DISCLOSURE_FIELDS)) if post.pk else []
    if labels is None:
        labels = list(post.tags.names()) if post.pk else []
    return {
        "title": post.title,
        "slug": post.slug,
        "summary": post.summary,
        "body": post.body,
        "status": post.status,
        "published_at": (
            post.published_at.replace(microsecond=0).isoformat() if post.published_at else ""
        ),
        "comments_open": bool(post.comments_open),
        "labels": sorted(labels, key=str.casefold),
        "disclosures": [
            {name: str(row.get(name) or "") for name in DISCLOSURE_FIELDS} for row in disclosures
        ],
        **{name: _text(getattr(post, name)) for name in SOURCE_FIELDS},
        **{name: read(post) for name, read in snapshot_parts.items() if post.pk},
    }


def _text(value):
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _dumps(snapshot):
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True).encode()


def encode(data, *, previous=None):
    """Compressed ``data`` (bytes); against ``previous`` (bytes) when given."""
    if previous is None:
        return zlib.compress(data, 9)
    packer = zlib.compressobj(9, zdict=previous)
    return packer.compress(data) + packer.flush()


def decode(blob, *, previous=None):
    if previous is None:
        return zlib.decompress(blob)
    unpacker = zlib.decompressobj(zdict=previous)
    return unpacker.decompress(blob) + unpacker.flush()


def _keyframe_number(number):
    return ((number - 1) // KEYFRAME_EVERY) * KEYFRAME_EVERY + 1


def _raw_snapshots(post_id, numbers):
    """{number: JSON bytes} for the wanted revision numbers, in one query."""
    if not numbers:
        return {}
    wanted = set(numbers)
    rows = (
        PostRevision.objects.filter(
            post_id=post_id,
            number__gte=_keyframe_number(min(wanted)),
            number__lte=max(wanted),
        )
        .order_by("number")
        .values_list("number", "is_keyframe", "snapshot")
    )
    found, previous = {}, None
    for number, is_keyframe, blob in rows:
        previous = decode(bytes(blob), previous=None if is_keyframe else previous)
        if number in wanted:
            found[number] = previous
    return found


def snapshots(post_id, numbers):
    """{number: snapshot dict} for these revision numbers of one post."""
    return {n: json.loads(raw) for n, raw in _raw_snapshots(post_id, numbers).items()}


def snapshot(post_id, number):
    return snapshots(post_id, [number]).get(number)


def last_seen_number(post_id, *, before=None, now=None):
    """The newest revision readers have seen (published, its date reached before the next
    revision replaced it), or None if the post has never been public. With ``before`` (a
    revision), the newest they saw before that revision replaced it."""
    end = now or timezone.now()
    rows = PostRevision.objects.filter(post_id=post_id)
    if before is not None:
        rows = rows.filter(number__lt=before.number)
        end = before.created_at
    rows = rows.order_by("-number").values_list("number", "status", "published_at", "created_at")
    for number, status, published_at, created_at in rows:
        if status == Post.Status.PUBLISHED and published_at <= end:
            return number
        end = created_at
    return None


@transaction.atomic
def ensure_baseline(post):
    """Before the first recorded change of a post that has no history yet (saved before
    revisions existed, or around the services), record what is stored now."""
    if post.pk is None or PostRevision.objects.filter(post_id=post.pk).exists():
        return
    stored = Post.objects.get(pk=post.pk)
    _append(stored, snapshot_of(stored), editor=None, created_at=stored.updated_at)


@transaction.atomic
def append(post, data, *, editor=None, kind="", note="", announced=False, restored_from=None):
    """Store ``data`` (a snapshot of ``post`` as just saved) as its next revision.

    A save that changed nothing and says nothing stores nothing. Returns the revision, or
    None when nothing was stored.
    """
    return _append(
        post,
        data,
        editor=editor,
        kind=kind,
        note=note,
        announced=announced,
        restored_from=restored_from,
    )


def _append(post, data, *, editor, created_at=None, **fields):
    Post.objects.select_for_update().filter(pk=post.pk).values_list("pk").first()
    last = (
        PostRevision.objects.filter(post_id=post.pk)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    raw = _dumps(data)
    previous = _raw_snapshots(post.pk, [last]).get(last) if last else None
    if previous == raw and not fields.get("note") and not fields.get("restored_from"):
        return None
    number = (last or 0) + 1
    keyframe = number == _keyframe_number(number)
    return PostRevision.objects.create(
        post=post,
        number=number,
        created_at=created_at or timezone.now(),
        editor=editor,
        status=post.status,
        published_at=post.published_at,
        snapshot=encode(raw, previous=None if keyframe else previous),
        is_keyframe=keyframe,
        **fields,
    )
