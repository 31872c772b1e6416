"""Load the demo posts in blog/demo/*.md into the database.

By default only what is missing is created: a demo post that already exists (matched by
slug) is left exactly as it is, so edits made in the admin survive ``make run``, which
loads the demo on every start. ``reset=True`` (``load_demo --reset``) rewrites the demo
posts, and the demo accounts that wrote them, from their files instead; both are idempotent.

A demo post says what it was when written: its "last modified" date (``updated_at``, shown
as ``dateModified`` and in the feeds) is its publication date, not the moment it was loaded;
an edit made afterwards moves it as usual.

Each file is a front matter block between two ``---`` lines, then the Markdown body::

    ---
    title: CARE MS-2: more news on alemtuzumab
    slug: care-ms-2-more-news-on-alemtuzumab
    status: published
    published_at: 2012-11-02T09:00:00Z
    labels: multiple sclerosis, alemtuzumab
    author: barts-pi
    author_name: The trial's principal investigator at Barts Health
    author_email: barts-pi@example.org
    disclosure:
      person: The trial's principal investigator at Barts Health
      relationship: consultancy
      organisations: Genzyme, Sanofi
    ---
    The body, in Markdown.

A line is ``key: value`` (split at the first colon, so values may contain colons).
``disclosure:`` with no value starts a new disclosure; the indented lines under it are
its fields. Lines starting with ``#`` are comments.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from blog import extensions
from blog.models import Post, PostRevision
from blog.publication_rule import check_post_publishable
from blog.services import post_publish, post_unpublish, post_upsert

DEMO_DIR = Path(__file__).resolve().parent / "demo"

# Front matter keys copied to Post fields as text.
TEXT_FIELDS = (
    "title",
    "summary",
    "plain_summary",
    "source_citation",
    "source_title",
    "source_authors",
    "source_journal",
    "doi",
    "trial_registration",
)
LIST_KEYS = {"disclosure"}
# ``key: |`` then indented lines: a Markdown text of several lines (the plain-words summary).
BLOCK_KEYS = {"plain_summary"}
KNOWN_KEYS = {
    *TEXT_FIELDS,
    "slug",
    "status",
    "published_at",
    "source_date",
    "last_reviewed",
    "next_review_due",
    "comments_open",
    "labels",
    "author",
    "author_name",
    "author_email",
    *LIST_KEYS,
}
DISCLOSURE_KEYS = {"person", "relationship", "organisations", "statement"}

# Demo accounts of earlier versions, old username -> new. ``load_demo --reset`` renames an
# old one (if it is still a demo account: it never had a password) so that an old install's
# demo posts, disclosures and comments pass to the new attribution.
RENAMED_DEMO_AUTHORS = {"gavin": "barts-pi"}
# Addresses the loader itself hands out (RFC 2606): replacing one loses no real mailbox.
PLACEHOLDER_EMAIL_DOMAINS = ("@example.org", "@example.com", "@example.net")


RESET_NOTE = "Brought back to the text of the demo file (load_demo --reset)."


class FrontMatterError(ValueError):
    """A demo file that cannot be read; the message names the file and line."""


@dataclass
class DemoPost:
    slug: str
    author_username: str
    author_name: str
    author_email: str
    status: str
    fields: dict
    labels: list = field(default_factory=list)
    disclosures: list = field(default_factory=list)


def parse_front_matter(text, *, name="<text>"):
    """Split ``text`` into (metadata dict, body). Repeated entries become lists of dicts."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError(f"{name}: the file must start with a '---' line")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise FrontMatterError(f"{name}: the front matter has no closing '---' line") from None

    meta, current, block, block_key = {}, None, None, ""
    for number, line in enumerate(lines[1:end], start=2):
        if block is not None and (not line.strip() or line[:1].isspace()):
            block.append(line[2:] if line.startswith("  ") else line.strip())
            continue
        if block is not None:
            meta[block_key] = "\n".join(block).strip()
            block = None
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise FrontMatterError(f"{name}:{number}: expected 'key: value', got {line!r}")
        indented = line[:1].isspace()
        key, value = key.strip(), value.strip()
        if indented:
            if current is None:
                raise FrontMatterError(f"{name}:{number}: indented line outside an entry")
            current[key] = value
        elif key in BLOCK_KEYS and value == "|":
            if key in meta:
                raise FrontMatterError(f"{name}:{number}: '{key}' appears twice")
            current, block, block_key = None, [], key
            meta[key] = ""
        elif key in LIST_KEYS:
            if value:
                raise FrontMatterError(f"{name}:{number}: '{key}:' takes indented lines")
            current = {}
            meta.setdefault(key, []).append(current)
        else:
            if key in meta:
                raise FrontMatterError(f"{name}:{number}: '{key}' appears twice")
            current = None
            meta[key] = value
    if block is not None:
        meta[block_key] = "\n".join(block).strip()
    body = "\n".join(lines[end + 1 :]).strip() + "\n"
    return meta, body


def read_demo_post(path):
    """Read one demo file into a DemoPost, checking its keys."""
    name = Path(path).name
    meta, body = parse_front_matter(Path(path).read_text(encoding="utf-8"), name=name)
    unknown = set(meta) - KNOWN_KEYS
    if unknown:
        raise FrontMatterError(f"{name}: unknown keys {', '.join(sorted(unknown))}")
    for required in ("title", "slug", "author", "published_at"):
        if not meta.get(required):
            raise FrontMatterError(f"{name}: '{required}' is required")
    disclosures = []
    for entry in meta.get("disclosure", []):
        unknown = set(entry) - DISCLOSURE_KEYS
        if unknown:
            raise FrontMatterError(f"{name}: unknown disclosure keys {', '.join(sorted(unknown))}")
        disclosures.append({key: entry.get(key, "") for key in sorted(DISCLOSURE_KEYS)})

    fields = {key: meta.get(key, "") for key in TEXT_FIELDS}
    fields["body"] = body
    fields["published_at"] = _datetime(meta["published_at"], name)
    for key in ("source_date", "last_reviewed", "next_review_due"):
        fields[key] = _date(meta.get(key, ""), name, key=key)
    fields["comments_open"] = meta.get("comments_open", "yes").lower() in {"yes", "true", "1"}
    status = meta.get("status", Post.Status.DRAFT)
    if status not in Post.Status.values:
        raise FrontMatterError(f"{name}: status must be one of {', '.join(Post.Status.values)}")
    try:
        check_post_publishable(status=status, disclosure_count=len(disclosures))
    except ValidationError as exc:
        raise FrontMatterError(f"{name}: {' '.join(exc.messages)}") from None
    return DemoPost(
        slug=meta["slug"],
        author_username=meta["author"],
        author_name=meta.get("author_name", ""),
        author_email=meta.get("author_email", ""),
        status=status,
        fields=fields,
        labels=[label.strip() for label in meta.get("labels", "").split(",") if label.strip()],
        disclosures=disclosures,
    )


def _date(value, name, *, key="source_date"):
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FrontMatterError(f"{name}: {key} {value!r} is not a YYYY-MM-DD date") from None


def _datetime(value, name):
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise FrontMatterError(f"{name}: published_at {value!r} is not an ISO date") from None
    if moment.tzinfo is None:
        raise FrontMatterError(f"{name}: published_at needs a time zone, e.g. 09:00:00Z")
    return moment


def demo_author(*, username, full_name, email="", refresh=False):
    """The demo author: a staff user with a display name and an email address (so
    moderation mail has a recipient), and an unusable password.

    The display name is kept whole in ``first_name``: it need not be a person's first and
    last name ("The trial's principal investigator at Barts Health").

    An existing user is left alone, except that a missing email address is filled in.
    With ``refresh`` (a reset), a user that is still a demo account (no usable password)
    also takes the file's name, and the file's address in place of a placeholder one.
    """
    user = get_user_model().objects.filter(username=username).first()
    if user is not None:
        if refresh and not user.has_usable_password():
            _refresh_demo_account(user, full_name, email)
        _fill_missing_email(user, email)
        return user
    user = get_user_model()(username=username, first_name=full_name, email=email, is_staff=True)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


def _fill_missing_email(user, email):
    """Demo authors created before they had addresses get one; a set address is kept."""
    if email and not user.email:
        user.email = email
        user.save(update_fields=["email"])


def _refresh_demo_account(user, full_name, email):
    fields = []
    if full_name and user.get_full_name() != full_name:
        user.first_name, user.last_name = full_name, ""
        fields += ["first_name", "last_name"]
    if email and user.email != email and user.email.lower().endswith(PLACEHOLDER_EMAIL_DOMAINS):
        user.email = email
        fields.append("email")
    if fields:
        user.save(update_fields=fields)


def _rename_old_demo_account(username):
    """An old install's demo account for ``username``, renamed; a real account is kept."""
    users = get_user_model().objects
    if users.filter(username=username).exists():
        return
    for old, new in RENAMED_DEMO_AUTHORS.items():
        account = users.filter(username=old).first() if new == username else None
        if account is not None and not account.has_usable_password():
            account.username = username
            account.save(update_fields=["username"])
            return


@transaction.atomic
def load_demo_post(demo, *, reset=False):
    """Bring one demo post into the database; returns (post, changed).

    Without ``reset`` an existing post is returned untouched: an editor may have changed
    it (or unpublished it) on purpose.
    """
    existing = Post.objects.filter(slug=demo.slug).first()
    if existing is not None and not reset:
        author = get_user_model().objects.filter(username=demo.author_username).first()
        if author is not None:
            _fill_missing_email(author, demo.author_email)
        return existing, False
    if reset:
        _rename_old_demo_account(demo.author_username)
    author = demo_author(
        username=demo.author_username,
        full_name=demo.author_name,
        email=demo.author_email,
        refresh=reset,
    )
    post, changed = post_upsert(
        slug=demo.slug,
        author=author,
        fields=demo.fields,
        labels=demo.labels,
        disclosures=demo.disclosures,
        # A reset that changes what readers saw says so, as any other change would.
        change_kind=PostRevision.Kind.UPDATE if existing else "",
        change_note=RESET_NOTE if existing else "",
    )
    if demo.status != post.status:
        if demo.status == Post.Status.PUBLISHED:
            post_publish(post=post)
        else:
            post_unpublish(post=post)
        changed = True
    if changed:
        # As written in its file: last modified when it was published (or now, if later).
        post.updated_at = min(post.published_at, timezone.now())
        Post.objects.filter(pk=post.pk).update(updated_at=post.updated_at)
    return post, changed


def load_demo(directory=DEMO_DIR, *, reset=False):
    """Load every ``*.md`` in ``directory``, in name order; returns [(post, changed)].

    Creates the missing demo posts; with ``reset``, also rewrites the existing ones.
    """
    demos = [read_demo_post(path) for path in sorted(Path(directory).glob("*.md"))]
    loaded = [load_demo_post(demo, reset=reset) for demo in demos]
    for post, _changed in loaded:  # what other apps add to a demo post (blog.extensions)
        extensions.run_demo_steps(post=post, reset=reset)
    return loaded
