"""A WordPress export (WXR 1.0, 1.1 and 1.2) read into a ``ParsedFile``.

WXR is RSS 2.0 with WordPress's own elements: the channel carries the blog's address and its
authors (``wp:author``), each ``<item>`` is a post, a page, an attachment, a menu entry...
(``wp:post_type``) with its comments (``wp:comment``). Only posts and pages become records;
every other kind is skipped and counted in one report line per kind. Where the format is
silent or a file is odd, this module does what WordPress's own importer does, and says so in
a report line rather than guess quietly.

The file is read through ``imports.safe_xml`` (defusedxml: no entities, no DTD, a size cap).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

from django.utils import timezone

from blog.models import EARLIEST_YEAR, LATEST_YEAR
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

FORMAT = "wxr"
SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2")

# Post meta keys written by imports.wxr_export, read back into ItemRecord.meta.
MARKDOWN_META = "_trialpress_markdown"
DISCLOSURES_META = "_trialpress_disclosures"
FIELDS_META = "_trialpress_fields"
COMPETING_INTERESTS_META = "_trialpress_competing_interests"
OLD_ADDRESSES_META = "_trialpress_old_addresses"
PUBLISHED_AT_META = "_trialpress_published_at"  # ISO 8601 with microseconds (WXR: seconds)
META_KEYS = {
    MARKDOWN_META: "markdown",
    DISCLOSURES_META: "disclosures",
    FIELDS_META: "fields",
    OLD_ADDRESSES_META: "old_addresses",
    PUBLISHED_AT_META: "published_at",
}
OLD_ADDRESSES_MAX = 1000
"""Most old addresses read for one post (a post rarely has more than a few)."""
COMMENT_STATUS_OPEN = {"open": True, "closed": False}

_FIXED_PREFIXES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}
_WP_URI_STARTS = ("http://wordpress.org/export/", "https://wordpress.org/export/")

ITEM_STATUSES = {
    "publish": ItemStatus.PUBLISHED,
    "draft": ItemStatus.DRAFT,
    "auto-draft": ItemStatus.DRAFT,
    "future": ItemStatus.SCHEDULED,
    "private": ItemStatus.PRIVATE,
    "pending": ItemStatus.PENDING,
    "trash": ItemStatus.TRASH,
}
COMMENT_STATUSES = {
    "1": CommentStatus.APPROVED,
    "approve": CommentStatus.APPROVED,
    "0": CommentStatus.HELD,
    "hold": CommentStatus.HELD,
    "spam": CommentStatus.SPAM,
    "trash": CommentStatus.REJECTED,
    "post-trashed": CommentStatus.REJECTED,
}
COMMENT_KINDS = {
    "": "comment",
    "comment": "comment",
    "pingback": "pingback",
    "trackback": "trackback",
}
LABEL_DOMAINS = ("category", "post_tag", "tag")  # "tag" is WXR 1.0's name for post_tag

SKIP_REASONS = {
    "attachment": "media files are not imported from the export (use --media for images)",
    "nav_menu_item": "menus are not imported",
    "wp_navigation": "block-theme navigation is not imported",
    "wp_global_styles": "theme styles are not imported",
    "wp_template": "theme templates are not imported",
    "wp_template_part": "theme templates are not imported",
    "wp_block": "reusable blocks are not imported",
    "revision": "revisions are not imported",
}

_ZERO_DATE_SLACK = dt.timedelta(days=1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MAX_DATE_TEXT = 40


def parse_wxr(path: Path | str) -> ParsedFile:
    """The export at ``path`` as records; ``ImportFileError`` for a file that is not one."""
    try:
        root = parse_xml(Path(path))
    except ImportFileError as error:
        raise ImportFileError(_explain(str(error))) from error
    try:
        return read_wxr(root)
    except ImportFileError as error:
        raise ImportFileError(f"{path}: {error} Nothing was imported.") from error


def _explain(message):
    """WordPress.com exports of 2008 use ``excerpt:`` without declaring it: say how to mend."""
    if "unbound prefix" not in message:
        return message
    return (
        f"{message} The file uses a namespace prefix it never declares (old WordPress.com "
        "exports do this with excerpt:). To mend it, add "
        'xmlns:excerpt="http://wordpress.org/export/1.0/excerpt/" (or the missing '
        "prefix's declaration) to the <rss> element and import it again."
    )


def read_wxr(root) -> ParsedFile:
    """The records of a parsed WXR document (``root`` is its ``<rss>`` element)."""
    channel = root.find("channel") if _name(root.tag) == "rss" else None
    if root.tag == "{http://www.w3.org/2005/Atom}feed":
        raise ImportFileError(
            "Not a WordPress export: it is an Atom feed, as Blogger's backups are. For a "
            "Blogger backup use: manage.py import_blogger FILE."
        )
    if channel is None:
        raise ImportFileError(
            f"Not a WordPress export: the document is <{_name(root.tag)}>, not <rss><channel>."
        )
    fields = _first_children(channel)
    version = _text(fields, "wp:wxr_version")
    if not version and not any(name.startswith("wp:") for name in fields):
        raise ImportFileError(
            "Not a WordPress export: an RSS feed without WordPress's elements "
            "(wp:wxr_version). Export it from WordPress under Tools > Export."
        )
    site_url = _url(
        _text(fields, "wp:base_blog_url")
        or _text(fields, "wp:base_site_url")
        or _text(fields, "link")
    )
    parsed = ParsedFile(
        format=FORMAT,
        site_url=site_url,
        site_title=_plain(_text(fields, "title")),
        generator=_text(fields, "generator").strip()[:200],
    )
    if version and version not in SUPPORTED_VERSIONS:
        parsed.skipped.append(
            f"WXR version {version[:20]!r}: not one this importer knows (1.0-1.2); read as 1.2."
        )
    reader = _ItemReader(parsed=parsed, authors=_authors(channel))
    for child in channel:
        if _name(child.tag) == "item":
            reader.read(child)
            child.clear()  # the record holds what is needed; free the element's text
    reader.finish(channel)
    return parsed


# --- Elements ------------------------------------------------------------------------------
def _name(tag):
    """``{uri}local`` as the prefix WordPress writes (``wp:post_id``), whatever the WXR
    version's namespace URI; other elements keep their plain or ``{uri}`` name."""
    if not isinstance(tag, str):  # comments and processing instructions
        return ""
    if not tag.startswith("{"):
        return tag
    uri, _, local = tag[1:].partition("}")
    if uri.startswith(_WP_URI_STARTS):
        return ("excerpt:" if uri.rstrip("/").endswith("/excerpt") else "wp:") + local
    prefix = _FIXED_PREFIXES.get(uri)
    return f"{prefix}:{local}" if prefix else tag


def _first_children(element):
    """Each child's first occurrence by name (WXR 1.1 sometimes repeats wp:post_name)."""
    found = {}
    for child in element:
        found.setdefault(_name(child.tag), child)
    return found


def _children_named(element, name):
    return [child for child in element if _name(child.tag) == name]


def _text(fields, name):
    element = fields.get(name)
    return (element.text or "") if element is not None else ""


def _plain(text):
    """Text WordPress stores HTML-escaped (titles, names): unescaped, spaces collapsed."""
    return " ".join(html.unescape(text).split())


def _url(text):
    """An address as written, without the line breaks re-indented files put around it."""
    return "".join(text.split())


def _http_url(text):
    url = _url(text)
    return url if url.lower().startswith(("http://", "https://")) else ""


# --- Authors -------------------------------------------------------------------------------
def _authors(channel):
    authors = {}
    for element in _children_named(channel, "wp:author"):
        fields = _first_children(element)
        login = _text(fields, "wp:author_login").strip()
        if login and login not in authors:
            authors[login] = AuthorRecord(
                login=login,
                display_name=_plain(_text(fields, "wp:author_display_name")),
                email=_text(fields, "wp:author_email").strip(),
                first_name=_plain(_text(fields, "wp:author_first_name")),
                last_name=_plain(_text(fields, "wp:author_last_name")),
            )
    return authors


# --- Dates ---------------------------------------------------------------------------------
def _parse_date(text):
    """A naive or aware datetime, None for WordPress's "no date", ValueError when odd."""
    text = text.strip()
    if not text or text.startswith("0000-00-00"):
        return None
    if len(text) > _MAX_DATE_TEXT:
        raise ValueError(text)
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return dt.datetime.fromisoformat(text)


def _is_zero_timestamp(value):
    """1969-12-31 16:00 and the like: a Unix timestamp of 0 shown in some time zone."""
    return abs(value - _EPOCH) <= _ZERO_DATE_SLACK


def _resolve_date(*, gmt_text, local_text, what, problems):
    """Prefer the GMT date; else the local one, read in this site's time zone (as
    WordPress's importer does); else None with a report line."""
    odd = []
    for text, zone in ((gmt_text, dt.UTC), (local_text, timezone.get_current_timezone())):
        try:
            value = _parse_date(text)
        except ValueError:
            odd.append(text.strip()[:_MAX_DATE_TEXT])
            continue
        if value is None:
            continue
        if timezone.is_naive(value):
            value = value.replace(tzinfo=zone)
        if _is_zero_timestamp(value):
            odd.append(text.strip())
            continue
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            odd.append(text.strip())
            continue
        return value
    if odd or gmt_text.strip() or local_text.strip():
        shown = ", ".join(repr(t) for t in dict.fromkeys(odd)) or repr(
            local_text.strip() or gmt_text.strip()
        )
        problems.append(f"{what}: no usable date ({shown}); left to the importer's default.")
    return None


# --- Items ---------------------------------------------------------------------------------
class _ItemReader:
    """Reads ``<item>`` elements one at a time into ``parsed``, remembering what it skipped."""

    def __init__(self, *, parsed, authors):
        self.parsed = parsed
        self.authors = {}
        self.logins = {}  # casefolded login -> login
        for author in authors.values():
            self._add_author(author)
        self.creators_are_authors = not authors
        self.skipped_kinds = Counter()
        self.item_ids = {}  # source id -> (title, date), to tell duplicates apart
        self.comment_ids = set()
        self.used_labels = set()
        self.unknown_creators = {}
        self.position = 0

    def read(self, element):
        self.position += 1
        fields = _first_children(element)
        post_type = _text(fields, "wp:post_type").strip()
        title = html_to_text(_text(fields, "title"))  # WordPress titles are HTML
        label = f"item {self.position} ({title[:60]!r})" if title else f"item {self.position}"
        if post_type not in ("post", "page", "draft"):
            self.skipped_kinds[post_type or "(no post type)"] += 1
            self.parsed.skipped_entries += 1
            return
        source_id = _text(fields, "wp:post_id").strip() or _url(_text(fields, "guid"))
        if not source_id:
            self.parsed.skipped.append(f"{label}: no wp:post_id or guid, skipped.")
            self.parsed.skipped_entries += 1
            return
        problems = []
        identity = (title, _text(fields, "wp:post_date").strip())
        if source_id in self.item_ids:
            if self.item_ids[source_id] == identity:
                self.parsed.skipped.append(
                    f"{label}: a second copy of item {source_id[:40]!r} (same title and "
                    "date), skipped."
                )
                self.parsed.skipped_entries += 1
                return
            # WordPress's importer tells posts apart by title and date, not by id: a
            # different post that reuses an id is imported too, under an id of its own.
            original, n = source_id, 2
            while f"{original}~{n}" in self.item_ids:
                n += 1
            source_id = f"{original}~{n}"
            problems.append(f"wp:post_id {original[:40]!r} is used twice: read as {source_id!r}.")
        self.item_ids[source_id] = identity
        status = self._status(fields, post_type, problems)
        published_at = _resolve_date(
            gmt_text=_text(fields, "wp:post_date_gmt"),
            local_text=_text(fields, "wp:post_date"),
            what="date",
            problems=problems,
        )
        updated_at = _resolve_date(
            gmt_text=_text(fields, "wp:post_modified_gmt"),
            local_text=_text(fields, "wp:post_modified"),
            what="modified date",
            problems=[],  # WordPress often omits it: not worth a report line
        )
        labels = self._labels(element)
        comments = self._comments(element, problems)
        self.parsed.items.append(
            ItemRecord(
                source_id=source_id,
                kind=ItemKind.PAGE if post_type == "page" else ItemKind.POST,
                title=title,
                body_html=_text(fields, "content:encoded"),
                status=status,
                author_login=self._author(_text(fields, "dc:creator"), problems),
                slug=unquote(_text(fields, "wp:post_name").strip()),
                excerpt=_text(fields, "excerpt:encoded").strip(),
                published_at=published_at,
                updated_at=updated_at,
                old_urls=self._old_urls(fields, source_id, post_type),
                labels=labels,
                comments=comments,
                comments_open=COMMENT_STATUS_OPEN.get(
                    _text(fields, "wp:comment_status").strip().lower()
                ),
                meta=self._meta(element, problems),
                problems=tuple(problems),
            )
        )

    def _status(self, fields, post_type, problems):
        if post_type == "draft":  # WXR 1.0 from WordPress MU wrote drafts as a post type
            return ItemStatus.DRAFT
        raw = _text(fields, "wp:status").strip()
        status = ITEM_STATUSES.get(raw)
        if status is None:
            problems.append(f"status {raw[:30]!r} unknown: imported as a draft.")
            status = ItemStatus.DRAFT
        if _text(fields, "wp:post_password").strip():
            problems.append(
                "password-protected in WordPress: imported as a draft, never published "
                "(Trialpress has no post passwords)."
            )
            status = ItemStatus.DRAFT
        return status

    def _author(self, creator, problems):
        """The login of the item's author. Logins match without case, as WordPress's
        (MySQL's) do; a WXR 1.0 file lists no authors, so its creators are the authors."""
        creator = creator.strip()
        if self.creators_are_authors and creator and creator.casefold() not in self.logins:
            self._add_author(AuthorRecord(login=creator, display_name=creator))
        logins = self.logins
        if creator.casefold() in logins:
            return logins[creator.casefold()]
        mended = creator.strip("<> \t").casefold()
        if mended and mended in logins:
            problems.append(f"author {creator[:60]!r} is malformed: read as {logins[mended]!r}.")
            return logins[mended]
        return self._fallback_author(problems, creator)

    def _add_author(self, author):
        self.authors[author.login] = author
        self.logins.setdefault(author.login.casefold(), author.login)

    def _fallback_author(self, problems, creator):
        if not self.authors:
            self._add_author(AuthorRecord(login="wordpress", display_name="WordPress import"))
        fallback = next(iter(self.authors))
        problems.append(
            f"author {creator[:60]!r} matches no author in the file: given to {fallback!r}."
        )
        return fallback

    def _old_urls(self, fields, source_id, post_type):
        urls = [_http_url(_text(fields, "link"))]
        guid = fields.get("guid")
        if guid is not None and guid.get("isPermaLink", "true").strip().lower() != "false":
            urls.append(_http_url(guid.text or ""))
        if self.parsed.site_url and source_id.isdigit():
            base = self.parsed.site_url.rstrip("/")
            urls.append(f"{base}/?p={source_id}")
            if post_type == "page":
                urls.append(f"{base}/?page_id={source_id}")
        return tuple(dict.fromkeys(url for url in urls if url))

    def _labels(self, element):
        names = {}
        for category in _children_named(element, "category"):
            domain = category.get("domain")
            if domain is not None and domain not in LABEL_DOMAINS:
                continue  # post_format, nav_menu and custom taxonomies are not labels
            name = _plain(category.text or "")
            if name:
                names.setdefault(name.casefold(), name)
        self.used_labels.update(names)
        return tuple(names.values())

    def _meta(self, element, problems):
        """Trialpress's own post meta (written by imports.wxr_export), when present."""
        meta = {}
        for entry in _children_named(element, "wp:postmeta"):
            fields = _first_children(entry)
            key = META_KEYS.get(_text(fields, "wp:meta_key").strip())
            if key and key not in meta:
                meta[key] = _text(fields, "wp:meta_value")
        if "disclosures" in meta and not _valid_disclosures(meta["disclosures"]):
            del meta["disclosures"]
            problems.append(f"{DISCLOSURES_META} is not a list of disclosures: ignored.")
        if "old_addresses" in meta:
            addresses = _old_addresses(meta["old_addresses"])
            if addresses is None:
                del meta["old_addresses"]
                problems.append(f"{OLD_ADDRESSES_META} is not a list of addresses: ignored.")
            else:
                meta["old_addresses"] = json.dumps(addresses)
        return meta

    def _comments(self, element, problems):
        records = []
        for position, entry in enumerate(_children_named(element, "wp:comment"), 1):
            record = self._comment(entry, position, problems)
            if record is not None:
                records.append(record)
        return _threaded(records, problems)

    def _comment(self, entry, position, problems):
        fields = _first_children(entry)
        source_id = _text(fields, "wp:comment_id").strip()
        what = f"comment {source_id[:40] or position}"
        if not source_id:
            problems.append(f"comment {position}: no wp:comment_id, skipped.")
            return None
        if source_id in self.comment_ids:
            problems.append(f"{what}: duplicate wp:comment_id, skipped (the first kept).")
            return None
        raw_type = _text(fields, "wp:comment_type").strip()
        kind = COMMENT_KINDS.get(raw_type)
        if kind is None:
            problems.append(f"{what}: comment type {raw_type[:30]!r} is not a comment, skipped.")
            return None
        self.comment_ids.add(source_id)
        raw_status = _text(fields, "wp:comment_approved").strip()
        status = COMMENT_STATUSES.get(raw_status)
        if status is None:
            problems.append(f"{what}: approval {raw_status[:30]!r} unknown: held.")
            status = CommentStatus.HELD
        parent = _text(fields, "wp:comment_parent").strip()
        meta = {}
        for entry_meta in _children_named(entry, "wp:commentmeta"):
            meta_fields = _first_children(entry_meta)
            meta.setdefault(
                _text(meta_fields, "wp:meta_key").strip(), _text(meta_fields, "wp:meta_value")
            )
        return CommentRecord(
            markdown=meta.get(MARKDOWN_META, ""),
            competing_interests=meta.get(COMPETING_INTERESTS_META, ""),
            source_id=source_id,
            author_name=_plain(_text(fields, "wp:comment_author")),
            body_html=_text(fields, "wp:comment_content"),
            created_at=_resolve_date(
                gmt_text=_text(fields, "wp:comment_date_gmt"),
                local_text=_text(fields, "wp:comment_date"),
                what=what,
                problems=problems,
            ),
            status=status,
            parent_source_id="" if parent in ("", "0") else parent,
            author_email=_text(fields, "wp:comment_author_email").strip(),
            author_url=_url(_text(fields, "wp:comment_author_url")),
            author_ip=_text(fields, "wp:comment_author_IP").strip(),
            kind=kind,
        )

    def finish(self, channel):
        self.parsed.authors = list(self.authors.values())
        for kind, count in sorted(self.skipped_kinds.items()):
            reason = SKIP_REASONS.get(kind, "a custom post type, not a post or page")
            noun = "item" if count == 1 else "items"
            self.parsed.skipped.append(f"{kind}: {count} {noun} skipped ({reason}).")
        unused = 0
        for element in channel:
            name = _name(element.tag)
            if name in ("wp:category", "wp:tag"):
                fields = _first_children(element)
                term = _plain(_text(fields, "wp:cat_name") or _text(fields, "wp:tag_name"))
                if term and term.casefold() not in self.used_labels:
                    unused += 1
        if unused:
            self.parsed.skipped.append(
                f"categories and tags: {unused} used by no post or page, not created "
                "(a Trialpress label exists through its posts)."
            )


DISCLOSURE_TEXT_FIELDS = ("person", "relationship", "organisations", "statement")


def _old_addresses(text):
    """The JSON list of old addresses imports.wxr_export writes (each a path of at most 500
    characters), or None when it is something else."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, list) or len(value) > OLD_ADDRESSES_MAX:
        return None
    if not all(isinstance(path, str) and 0 < len(path) <= 500 for path in value):
        return None
    return value


def _valid_disclosures(text):
    """True for the JSON imports.wxr_export writes: a list of objects whose fields are
    text (and a whole-number position). The pipeline validates the values themselves."""
    try:
        value = json.loads(text)
    except ValueError:
        return False
    return isinstance(value, list) and all(
        isinstance(entry, dict)
        and all(isinstance(entry.get(name, ""), str) for name in DISCLOSURE_TEXT_FIELDS)
        and isinstance(entry.get("position", 0), int)
        for entry in value
    )


def _threaded(records, problems):
    """The comments with every parent inside the same post and before its replies.

    A reply whose parent is missing (or part of a loop) becomes a top-level comment with a
    report line, as the pipeline would make it; sorting by depth (stable) puts parents
    first and keeps the file's order among siblings. Linear: each depth is computed once.
    """
    by_id = {record.source_id: record for record in records}
    depth = {}
    mended = {}
    for record in records:
        chain, in_chain = [], set()
        current = record
        while current.source_id not in depth:
            if current.source_id in in_chain:  # a loop: cut it at this comment
                problems.append(
                    f"comment {current.source_id[:40]}: its chain of parents loops back to "
                    "it; made a top-level comment."
                )
                mended[current.source_id] = ""
                depth[current.source_id] = 0
                break
            chain.append(current.source_id)
            in_chain.add(current.source_id)
            parent_id = mended.get(current.source_id, current.parent_source_id)
            if not parent_id:
                depth[current.source_id] = 0
                break
            parent = by_id.get(parent_id)
            if parent is None:
                problems.append(
                    f"comment {current.source_id[:40]}: parent {parent_id[:40]} is not in "
                    "this post; made a top-level comment."
                )
                mended[current.source_id] = ""
                depth[current.source_id] = 0
                break
            current = parent
        for source_id in reversed(chain):
            if source_id not in depth:
                parent_id = mended.get(source_id, by_id[source_id].parent_source_id)
                depth[source_id] = depth[parent_id] + 1
    result = []
    for record in records:
        if record.source_id in mended:
            record = replace(record, parent_source_id="")
        result.append(record)
    result.sort(key=lambda record: depth[record.source_id])
    return tuple(result)
