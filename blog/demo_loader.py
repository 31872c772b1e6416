"""Load the demo posts in blog/demo/*.md into the database.

By default only what is missing is created: a demo post that already exists (matched by
slug) is left exactly as it is, so edits made in the admin survive ``make run``, which
loads the demo on every start. ``reset=True`` (``load_demo --reset``) rewrites the demo
posts from their files instead; both are idempotent.

Each file is a front matter block between two ``---`` lines, then the Markdown body::

    ---
    title: CARE MS-2: more news on alemtuzumab
    slug: care-ms-2-more-news-on-alemtuzumab
    status: published
    published_at: 2012-11-02T09:00:00Z
    labels: multiple sclerosis, alemtuzumab
    author: gavin
    author_name: Gavin Giovannoni
    author_email: gavin.giovannoni@example.org
    disclosure:
      person: Gavin Giovannoni
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
from django.db import transaction

from blog.models import Post
from blog.services import post_publish, post_unpublish, post_upsert

DEMO_DIR = Path(__file__).resolve().parent / "demo"

# Front matter keys copied to Post fields as text.
TEXT_FIELDS = (
    "title",
    "summary",
    "source_citation",
    "source_title",
    "source_authors",
    "source_journal",
    "doi",
    "trial_registration",
)
LIST_KEYS = {"disclosure"}
KNOWN_KEYS = {
    *TEXT_FIELDS,
    "slug",
    "status",
    "published_at",
    "source_date",
    "comments_open",
    "labels",
    "author",
    "author_name",
    "author_email",
    *LIST_KEYS,
}
DISCLOSURE_KEYS = {"person", "relationship", "organisations", "statement"}


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

    meta, current = {}, None
    for number, line in enumerate(lines[1:end], start=2):
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
    fields["source_date"] = _date(meta.get("source_date", ""), name)
    fields["comments_open"] = meta.get("comments_open", "yes").lower() in {"yes", "true", "1"}
    status = meta.get("status", Post.Status.DRAFT)
    if status not in Post.Status.values:
        raise FrontMatterError(f"{name}: status must be one of {', '.join(Post.Status.values)}")
    if status == Post.Status.PUBLISHED and not disclosures:
        raise FrontMatterError(f"{name}: a published post needs at least one disclosure")
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


def _date(value, name):
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FrontMatterError(f"{name}: source_date {value!r} is not a YYYY-MM-DD date") from None


def _datetime(value, name):
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise FrontMatterError(f"{name}: published_at {value!r} is not an ISO date") from None
    if moment.tzinfo is None:
        raise FrontMatterError(f"{name}: published_at needs a time zone, e.g. 09:00:00Z")
    return moment


def demo_author(*, username, full_name, email=""):
    """The demo author: a staff user with a name and an email address (so moderation mail
    has a recipient), and an unusable password.

    An existing user is left alone, except that a missing email address is filled in.
    """
    user = get_user_model().objects.filter(username=username).first()
    if user is not None:
        _fill_missing_email(user, email)
        return user
    first, _, last = full_name.partition(" ")
    user = get_user_model()(
        username=username, first_name=first, last_name=last, email=email, is_staff=True
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


def _fill_missing_email(user, email):
    """Demo authors created before they had addresses get one; a set address is kept."""
    if email and not user.email:
        user.email = email
        user.save(update_fields=["email"])


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
    author = demo_author(
        username=demo.author_username, full_name=demo.author_name, email=demo.author_email
    )
    post, changed = post_upsert(
        slug=demo.slug,
        author=author,
        fields=demo.fields,
        labels=demo.labels,
        disclosures=demo.disclosures,
    )
    if demo.status != post.status:
        if demo.status == Post.Status.PUBLISHED:
            post_publish(post=post)
        else:
            post_unpublish(post=post)
        changed = True
    return post, changed


def load_demo(directory=DEMO_DIR, *, reset=False):
    """Load every ``*.md`` in ``directory``, in name order; returns [(post, changed)].

    Creates the missing demo posts; with ``reset``, also rewrites the existing ones.
    """
    demos = [read_demo_post(path) for path in sorted(Path(directory).glob("*.md"))]
    return [load_demo_post(demo, reset=reset) for demo in demos]
