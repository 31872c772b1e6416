"""A Blogger backup (the Atom file "Back up content" gives) -> ``ParsedFile``.

Entries are told apart by their kind category (post, page, comment; settings and the
template are skipped); drafts by ``app:control/app:draft``; labels are the categories in
Blogger's own scheme; comments find their post by ``thr:in-reply-to`` (its ``ref``, else its
address with http and https alike: ``thr:total`` is not trusted) and their parent by the
``related`` link. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from imports.html_to_markdown import html_to_text
from imports.records import (
    AuthorRecord,
    CommentRecord,
    CommentStatus,
    ItemKind,
    ItemRecord,
    ItemStatus,
    ParsedFile,
)
from imports.safe_xml import ImportFileError, parse_xml

ATOM = "{http://www.w3.org/2005/Atom}"
THR = "{http://purl.org/syndication/thread/1.0}"
GD = "{http://schemas.google.com/g/2005}"
APP_NAMESPACES = ("{http://purl.org/atom/app#}", "{http://www.w3.org/2007/app}")
KIND_SCHEME = "http://schemas.google.com/g/2005#kind"
KIND_PREFIX = "http://schemas.google.com/blogger/2008/kind#"
LABEL_SCHEME = "http://www.blogger.com/atom/ns#"
NOREPLY = "noreply@blogger.com"


BROKEN_HINT = (
    " Blogger writes its backups well-formed: this one was probably cut short by the download "
    "or changed by hand. Download it again (Blogger: Settings > Back up content) and import "
    "the new file; or open it in an XML-aware editor at that line and mend it."
)


def parse_blogger(path) -> ParsedFile:
    try:
        root = parse_xml(Path(path))
    except ImportFileError as error:
        if "not well-formed" not in str(error):
            raise
        raise ImportFileError(f"{error}{BROKEN_HINT}") from error
    if root.tag == "rss":
        raise ImportFileError(
            f"{path} is not a Blogger backup: it is an RSS file, as WordPress exports are. "
            "For a WordPress export use: manage.py import_wxr FILE. Nothing was imported."
        )
    if root.tag != f"{ATOM}feed":
        raise ImportFileError(
            f"{path} is not a Blogger backup: it is XML, but not an Atom feed "
            f"(its root element is {root.tag!r}). Nothing was imported."
        )
    parsed = ParsedFile(format="blogger")
    parsed.site_title = _text(root, "title")
    feed_id = _text(root, "id")
    parsed.site_url = _blog_id(feed_id) or _link(root, "alternate")
    posts, comments, other = [], [], Counter()
    authors = {}
    for entry in root.iterfind(f"{ATOM}entry"):
        kind = _kind(entry)
        if kind in ("post", "page"):
            posts.append(entry)
        elif kind == "comment":
            comments.append(entry)
        else:
            other[kind or "unknown"] += 1
        author = _author(entry)
        if author is not None and kind in ("post", "page"):
            authors.setdefault(author.login, author)
    parsed.skipped_entries = sum(other.values())
    for kind, n in sorted(other.items()):
        parsed.skipped.append(f"{n} {kind} entr{'y' if n == 1 else 'ies'} (not posts)")
    parsed.authors = list(authors.values())
    threads = _threads(posts, comments, parsed)
    # Blogger writes a post's "replies" links only while its comments are on: when other
    # published posts have them, a published post without them had its comments off.
    says_comments = any(_link(e, "replies") for e in posts if _kind(e) == "post")
    for entry in posts:
        item = _item(entry, threads.get(_text(entry, "id"), []))
        if (
            says_comments
            and item.kind == ItemKind.POST
            and item.status == ItemStatus.PUBLISHED
            and not _link(entry, "replies")
        ):
            item = replace(item, comments_open=False)
        parsed.items.append(item)
    return parsed


# ------------------------------------------------------------------ entries
def _kind(entry):
    for category in entry.iterfind(f"{ATOM}category"):
        if category.get("scheme") == KIND_SCHEME:
            term = category.get("term", "")
            return term[len(KIND_PREFIX) :] if term.startswith(KIND_PREFIX) else term
    return ""


def _text(element, name):
    found = element.find(f"{ATOM}{name}")
    return (found.text or "").strip() if found is not None else ""


def _link(element, rel):
    for link in element.iterfind(f"{ATOM}link"):
        if link.get("rel") == rel:
            return (link.get("href") or "").strip()
    return ""


def _blog_id(feed_id):
    """``tag:blogger.com,1999:blog-123.archive`` -> ``blog-123`` (stable when the blog's
    address changes)."""
    marker = feed_id.find("blog-")
    if marker < 0:
        return ""
    rest = feed_id[marker:]
    return rest.split(".", 1)[0]


def _author(entry):
    found = entry.find(f"{ATOM}author")
    if found is None:
        return None
    name = _text(found, "name")
    uri = _text(found, "uri")
    email = _text(found, "email")
    if email.casefold() == NOREPLY:
        email = ""
    return AuthorRecord(login=name or uri, display_name=name, email=email)


def _draft(entry):
    for namespace in APP_NAMESPACES:
        control = entry.find(f"{namespace}control")
        if control is not None:
            draft = control.find(f"{namespace}draft")
            if draft is not None and (draft.text or "").strip().lower() == "yes":
                return True
    return False


def parse_date(text):
    """An aware datetime from Blogger's ISO 8601 (``2008-11-11T16:01:25.943-08:00``) and a
    few looser forms; None when it cannot be read."""
    text = (text or "").strip()
    if not text:
        return None
    candidates = [text, text.replace(" ", "T", 1)]
    if text.endswith("Z"):
        candidates.append(text[:-1] + "+00:00")
    for candidate in candidates:
        try:
            value = dt.datetime.fromisoformat(candidate)
        except ValueError:
            continue
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value
    for form in ("%a, %d %b %Y %H:%M:%S %z", "%Y/%m/%d %H:%M:%S", "%d %b %Y"):
        try:
            value = dt.datetime.strptime(text, form)
        except ValueError:
            continue
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None


def _dates(entry, problems, what):
    published_text, updated_text = _text(entry, "published"), _text(entry, "updated")
    published, updated = parse_date(published_text), parse_date(updated_text)
    if published is None and published_text:
        problems.append(f"{what}: the date {published_text[:40]!r} cannot be read")
    if updated is None and updated_text:
        problems.append(f"{what}: the updated date {updated_text[:40]!r} cannot be read")
    return published, updated


def _slug(url):
    path = urlsplit(url).path
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return last[: -len(".html")] if last.endswith(".html") else last


def _item(entry, comments):
    kind = ItemKind.PAGE if _kind(entry) == "page" else ItemKind.POST
    problems = []
    published, updated = _dates(entry, problems, "published date")
    status = ItemStatus.DRAFT if _draft(entry) else ItemStatus.PUBLISHED
    if (
        status == ItemStatus.PUBLISHED
        and published is not None
        and published > dt.datetime.now(dt.UTC)
    ):
        status = ItemStatus.SCHEDULED
    url = _link(entry, "alternate")
    author = _author(entry)
    content = entry.find(f"{ATOM}content")
    body = content.text or "" if content is not None else ""
    if content is not None and content.get("type") == "text":
        body = _escape_text(body)
    labels = tuple(
        category.get("term", "").strip()
        for category in entry.iterfind(f"{ATOM}category")
        if category.get("scheme") == LABEL_SCHEME and category.get("term", "").strip()
    )
    return ItemRecord(
        source_id=_text(entry, "id"),
        kind=kind,
        title=_title(entry),
        body_html=body,
        status=status,
        author_login=author.login if author else "",
        slug=_slug(url) if url else "",
        published_at=published,
        updated_at=updated,
        old_urls=(url,) if url else (),
        labels=labels,
        comments=tuple(comments),
        problems=tuple(problems),
    )


def _title(entry):
    """The title as plain text: an HTML title (``type="html"``) loses its tags."""
    title = entry.find(f"{ATOM}title")
    if title is None:
        return ""
    text = title.text or ""
    return html_to_text(text) if title.get("type") in ("html", "xhtml") else text


def _escape_text(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ------------------------------------------------------------------ comments
def _address(url):
    """An address with http and https alike (and no fragment or query)."""
    parts = urlsplit((url or "").strip())
    return f"{parts.netloc.lower()}{parts.path}"


def _number(entry_id):
    """The comment's own number: the last ``post-<n>`` of its id or the last path part."""
    tail = entry_id.rsplit("post-", 1)[-1] if "post-" in entry_id else entry_id
    return tail.rstrip("/").rsplit("/", 1)[-1]


def _threads(posts, comments, parsed):
    by_id = {_text(entry, "id"): entry for entry in posts}
    by_address = {}
    for entry in posts:
        url = _link(entry, "alternate")
        if url:
            by_address.setdefault(_address(url), _text(entry, "id"))
    numbers = {_number(_text(c, "id")): _text(c, "id") for c in comments}
    threads = {}
    for entry in comments:
        comment_id = _text(entry, "id")
        reply = entry.find(f"{THR}in-reply-to")
        post_id = ""
        if reply is not None:
            ref = (reply.get("ref") or "").strip()
            post_id = ref if ref in by_id else by_address.get(_address(reply.get("href")), "")
        if not post_id:
            parsed.skipped.append(f"comment {comment_id}: its post is not in the file")
            continue
        threads.setdefault(post_id, []).append(_comment(entry, comment_id, numbers))
    return threads


def _comment(entry, comment_id, numbers):
    problems = []
    created, _updated = _dates(entry, problems, f"comment {comment_id}")
    parent = ""
    related = _link(entry, "related")
    if related:
        number = related.rstrip("/").rsplit("/", 1)[-1]
        parent = numbers.get(number, number)
    author = entry.find(f"{ATOM}author")
    name = _text(author, "name") if author is not None else ""
    uri = _text(author, "uri") if author is not None else ""
    email = _text(author, "email") if author is not None else ""
    removed = any(
        prop.get("name") == "blogger.contentRemoved" and prop.get("value") == "true"
        for prop in entry.iterfind(f"{GD}extendedProperty")
    )
    content = entry.find(f"{ATOM}content")
    body = content.text or "" if content is not None else ""
    if content is not None and content.get("type") == "text":
        body = _escape_text(body)
    return CommentRecord(
        source_id=comment_id,
        author_name=name or "Anonymous",
        body_html=body,
        created_at=created,
        status=CommentStatus.REJECTED if removed else CommentStatus.APPROVED,
        parent_source_id=parent,
        author_email="" if email.casefold() == NOREPLY else email,
        author_url=uri if uri.startswith(("http://", "https://")) else "",
    )
