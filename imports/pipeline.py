"""Records -> posts, labels, comments, images and old addresses: the one import pipeline.

Every format's parser hands a ``ParsedFile`` (``imports.records``) to ``import_parsed``.
The whole import is one transaction: a failure anywhere, or ``dry_run``, leaves the
database as it was. ``ImportedItem`` rows make it idempotent: a second run of the same
file updates what the first created and never duplicates it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from blog import services as blog_services
from blog.models import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    Disclosure,
    Label,
    Post,
    label_for_name,
    slug_from,
    unique_slug,
)
from comments.models import Comment
from comments.services import comment_import, post_recount_comments
from imports.addresses import legacy_key
from imports.authors import Authors
from imports.html_to_markdown import Converted, html_to_markdown, html_to_text
from imports.invisible import strip_invisible
from imports.media import MediaFolder
from imports.models import ImportedItem, LegacyAddress
from imports.records import CommentRecord, CommentStatus, ItemKind, ItemRecord, ParsedFile
from imports.records import ItemStatus as Status
from imports.report import ImportReport
from imports.shortcodes import expand_shortcodes
from imports.wxr import FIELDS_META
from imports.wxr_export import EXTRA_FIELDS

PAGE_LABEL = "page"
UNTITLED = "Untitled"
# Notes that repeat per post: several alike are one line in the report (imports.report).
CLOSED_HERE = "comments were closed on the old blog: closed here"
PAGE_AS_POST = "is a page: imported as a post labelled \u201cpage\u201d"
NOT_APPLIED = (
    "already has a disclosure (from an earlier import or an editor): the one given with "
    "--publish-with-disclosure was not applied (change it in the admin)"
)
EMPTY_BODY = "*(This post had no text in the export.)*"
TITLE_MAX = Post._meta.get_field("title").max_length
SLUG_MAX = Post._meta.get_field("slug").max_length
SUMMARY_MAX = 500
REIMPORT_NOTE = "Updated from a new import of the blog's {format} export."
IMPORTED_STATEMENT = "Imported post: {text}"


class _DryRun(Exception):
    pass


def import_parsed(
    parsed: ParsedFile,
    *,
    dry_run: bool = False,
    publish_with_disclosure: str = "",
    disclosure_relationship: str = Disclosure.Relationship.OTHER,
    overwrite: bool = False,
    author_map: dict | None = None,
    media_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import ``parsed`` in one transaction and say what happened.

    Published items stay drafts unless ``publish_with_disclosure`` gives the disclosure
    they lack; then they are published through ``blog.services.post_publish`` (the
    publication rule is never bypassed). A post edited here since its import is left as
    it is (named in the report) unless ``overwrite``. ``progress(done, total)`` is called
    per item.
    """
    report = ImportReport(format=parsed.format, dry_run=dry_run)
    if parsed.skipped_entries:
        report.count("entry", "skipped", parsed.skipped_entries)
    for line in parsed.skipped:
        report.note(line, group="Skipped")
    labels_before = Label.objects.count()
    run = _Run(
        parsed,
        report,
        dry_run=dry_run,
        disclosure=publish_with_disclosure.strip(),
        author_map=author_map,
    )
    run.overwrite = overwrite
    run.relationship = disclosure_relationship
    run.media = MediaFolder(media_dir, store=run.remember_image, report=report, dry_run=dry_run)
    try:
        with transaction.atomic():
            total = len(parsed.items)
            for done, item in enumerate(parsed.items, start=1):
                run.item(item)
                if progress is not None:
                    progress(done, total)
            if run.drafted:
                report.note(
                    f"{run.drafted} item(s) published on the old blog were imported as drafts: "
                    "they have no disclosure (give --publish-with-disclosure, or publish "
                    "them in the admin with one)"
                )
            for post_id in run.touched_posts:
                post_recount_comments(post_id=post_id)
            labels_made = Label.objects.count() - labels_before
            if labels_made > 0:
                report.count("label", "created", labels_made)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except BaseException:
        run.media.forget_files()
        raise
    return report


class _Run:
    def __init__(self, parsed, report, *, dry_run, disclosure, author_map=None):
        self.parsed = parsed
        self.format = parsed.format
        self.legacy_site = (parsed.site_url or "")[:500]
        self.site = blog_identity(parsed)
        self.own_site = bool(parsed.site_url) and (
            parsed.site_url.rstrip("/") == settings.SITE_URL.rstrip("/")
        )
        own_export = parsed.generator.startswith("Trialpress")
        if _is_local(parsed.site_url) and not own_export:  # our export: the title is ours
            report.note(
                f"the file's blog address is {parsed.site_url}, a local one: blogs "
                "exported from the same local address are told apart only by their title "
                f"({parsed.site_title[:60]!r}); give each its own title before exporting",
                group="Posts",
            )
        self.report = report
        self.dry_run = dry_run
        self.disclosure = disclosure
        self.authors = Authors(parsed.authors, report, author_map)
        self.seen_items = set()
        self.touched_posts = []
        self.media = None
        self.drafted = 0
        self.overwrite = False
        self.addresses = {}  # old address -> the post that took it in this run
        self.relationship = Disclosure.Relationship.OTHER

    # ------------------------------------------------------------------ memory
    def _imported(self, kind, source_id):
        found = self._imported_as(self.site, kind, source_id)
        if found is None and self.legacy_site != self.site:
            # Imported before the blog's title was part of its identity: adopt the row.
            found = self._imported_as(self.legacy_site, kind, source_id)
            if found is not None:
                ImportedItem.objects.filter(pk=found.pk).update(source_site=self.site)
        return found

    def _imported_as(self, site, kind, source_id):
        return (
            ImportedItem.objects.filter(
                format=self.format, source_site=site, kind=kind, source_id=source_id[:500]
            )
            .select_related(kind)
            .first()
        )

    def _own_post(self, item):
        """This site's own export read back in: the post it came from (same id and slug)."""
        if not (self.own_site and item.meta.get("markdown") and item.source_id.isdigit()):
            return None
        return Post.objects.filter(pk=int(item.source_id), slug=item.slug).first()

    def _remember(self, kind, source_id, **target):
        ImportedItem.objects.update_or_create(
            format=self.format,
            source_site=self.site,
            kind=kind,
            source_id=source_id[:500],
            defaults=target,
        )

    def remember_image(self, src, image):
        self._remember(ImportedItem.Kind.IMAGE, src, image=image)

    # ------------------------------------------------------------------ items
    def item(self, item: ItemRecord):
        name = _describe(item)
        for line in item.problems:
            self.report.note(f"{name}: {line}")
        if not item.source_id:
            self.report.skip(item.kind, f"{name} has no id")
            return
        if item.source_id in self.seen_items:
            self.report.skip(item.kind, f"{name}: the id {item.source_id} appears twice")
            return
        self.seen_items.add(item.source_id)
        if item.status == Status.TRASH:
            self.report.skip(item.kind, f"{name} is in the trash")
            return
        post = self._post(item, name)
        self._addresses(item, post)
        self._comments(item, post, name)
        self.touched_posts.append(post.pk)

    def _post(self, item, name):
        imported = self._imported(ImportedItem.Kind.POST, item.source_id)
        existing = imported.post if imported is not None else self._own_post(item)
        kind = "page" if item.kind == ItemKind.PAGE else "post"
        if (
            imported is not None
            and existing is not None
            and imported.fingerprint
            and post_fingerprint(existing) != imported.fingerprint
        ):
            if not self.overwrite:
                self.report.count(kind, "kept")
                self.report.note(
                    f"{name} was edited here since its import: left as it is "
                    "(--overwrite replaces it with the file's version)"
                )
                return existing
            self.report.note(f"{name} was edited here since its import: replaced (--overwrite)")
        visible = strip_invisible(item.title, keep_joiners=True)
        if visible != (item.title or ""):
            self.report.note(
                f"{name}: invisible characters (bidi or zero-width) removed from the title"
            )
        title = " ".join(visible.split())
        if not title:
            title = UNTITLED
            self.report.note(f"{name} has no title: imported as \u201c{UNTITLED}\u201d")
        if len(title) > TITLE_MAX:
            title = title[: TITLE_MAX - 1] + "\u2026"
            self.report.note(f"{name}: title shortened to {TITLE_MAX} characters")
        published_at = self._date(item, name)
        if existing is not None and existing.published_at.replace(
            microsecond=0
        ) == published_at.replace(microsecond=0):
            published_at = existing.published_at  # exports keep whole seconds
        markdown = item.meta.get("markdown")
        if isinstance(markdown, str) and markdown.strip():
            # Trialpress's own export: the Markdown source travels beside the HTML.
            converted = Converted(markdown)
        else:
            body_html = item.body_html
            if self.format == "wxr":
                body_html, removed = expand_shortcodes(body_html)
                if removed:
                    shown = ", ".join(f"[{code}]" for code in removed)
                    self.report.note(
                        f"{name}: WordPress shortcode(s) {shown} removed (Trialpress has no "
                        "galleries, players or embeds; enclosed text kept)"
                    )
            converted = html_to_markdown(
                body_html,
                autop=self.format == "wxr",
                image=lambda src, alt, t: self.media.markdown_for(
                    src, alt, t, post_title=title, remembered=self._remembered_image(src)
                ),
            )
        if converted.notes:
            self.report.note(f"{name}: " + "; ".join(dict.fromkeys(converted.notes)))
        summary = html_to_text(item.excerpt)[:SUMMARY_MAX]
        labels = list(item.labels)
        if item.kind == ItemKind.PAGE:
            labels.append(PAGE_LABEL)
        if existing is not None:
            slug = existing.slug
        else:
            base = slug_from(item.slug or title, fallback="post", max_length=SLUG_MAX)
            slug = unique_slug(base, taken=Post.objects.all(), max_length=SLUG_MAX)
        if not converted.markdown.strip():
            self.report.note(f"{name} has no text: imported with a placeholder")
        fields = {
            "title": title,
            "body": converted.markdown or EMPTY_BODY,
            "summary": summary,
            "published_at": published_at,
            **_file_fields(item.meta.get("fields"), self.report, name),
        }
        if item.comments_open is not None and "comments_open" not in fields:
            fields["comments_open"] = item.comments_open
            if not item.comments_open and (existing is None or existing.comments_open):
                self.report.note(
                    f"{name}: {CLOSED_HERE}", summary=CLOSED_HERE, example=_quoted_title(name)
                )
        seen_by_readers = existing is not None and existing.status == Post.Status.PUBLISHED
        disclosures = (
            list(
                existing.disclosures.values("person", "relationship", "organisations", "statement")
            )
            if existing is not None
            else []
        )
        author = self.authors.get(item.author_login)
        from_file = _file_disclosures(item.meta.get("disclosures"), self.report, name)
        if from_file is not None:
            disclosures = from_file
        if self.disclosure and item.status == Status.PUBLISHED:
            given = {
                "person": (author.get_full_name() or author.get_username())[:200],
                "relationship": self.relationship,
                "organisations": "",
                "statement": self.disclosure,
            }
            if not disclosures:
                disclosures = [given]
            elif [given] != [dict(row) for row in disclosures]:
                self.report.note(
                    f"{name} {NOT_APPLIED}",
                    summary=NOT_APPLIED.replace("already has", "already have", 1),
                    example=_quoted_title(name),
                )
        try:
            post, changed = blog_services.post_upsert(
                slug=slug,
                author=author,
                fields=fields,
                labels=_label_names(labels),
                disclosures=disclosures,
                change_kind="update" if seen_by_readers else "",
                change_note=REIMPORT_NOTE.format(format=self.format) if seen_by_readers else "",
            )
        except ValidationError as exc:
            raise ImportItemError(f"{name} could not be imported: {_messages(exc)}") from exc
        if existing is None:
            self.report.count(kind, "created")
        else:
            self.report.count(kind, "updated" if changed else "unchanged")
        if item.kind == ItemKind.PAGE and existing is None:
            self.report.note(
                f"{name} {PAGE_AS_POST}",
                summary=PAGE_AS_POST.replace("is a page", "are pages", 1).replace(
                    "as a post labelled", "as posts labelled", 1
                ),
                example=_quoted_title(name),
            )
        self._status(item, post, name, own_disclosures=bool(from_file))
        self._updated(item, post)
        self._remember(
            ImportedItem.Kind.POST,
            item.source_id,
            post=post,
            fingerprint=post_fingerprint(post),
            source_url=next((url for url in item.old_urls if "://" in url), "")[:500],
        )
        return post

    @staticmethod
    def _updated(item, post):
        """The old blog's last-modified date, not the import's (sitemaps and feeds read it)."""
        when = item.updated_at
        if when is None or not EARLIEST_YEAR <= when.year <= LATEST_YEAR:
            return
        updated = max(when, post.published_at)
        if updated < post.updated_at:
            Post.objects.filter(pk=post.pk).update(updated_at=updated)
            post.updated_at = updated

    def _remembered_image(self, src):
        imported = self._imported(ImportedItem.Kind.IMAGE, src)
        return imported.image if imported is not None else None

    def _status(self, item, post, name, *, own_disclosures):
        """Published on the old blog and given a disclosure (by the file itself, as
        Trialpress's own export does, or by --publish-with-disclosure): published through
        the publish service. Everything else stays a draft."""
        if post.status == Post.Status.PUBLISHED:
            return
        if item.status != Status.PUBLISHED:
            if item.status != Status.DRAFT:
                self.report.note(f"{name} was {item.status}: imported as a draft")
            return
        if not (self.disclosure or own_disclosures):
            self.drafted += 1
            return
        try:
            blog_services.post_publish(post=post, when=post.published_at)
        except ValidationError as exc:
            raise ImportItemError(f"{name} could not be published: {_messages(exc)}") from exc
        self.report.count("page" if item.kind == ItemKind.PAGE else "post", "published")

    def _date(self, item, name):
        when = item.published_at or item.updated_at
        if when is None:
            self.report.note(f"{name} has no usable date: dated now")
            return timezone.now()
        if timezone.is_naive(when):
            when = timezone.make_aware(when, timezone.get_current_timezone())
        precise = _precise_time(item.meta.get("published_at"))
        if precise is not None and abs((precise - when).total_seconds()) < 1:
            when = precise  # Trialpress's export keeps the sub-second part WXR drops
        if not EARLIEST_YEAR <= when.year <= LATEST_YEAR:
            self.report.note(
                f"{name} is dated {when:%Y-%m-%d}, outside the years a post may have: dated now"
            )
            return timezone.now()
        return when

    # ------------------------------------------------------------------ addresses
    def _addresses(self, item, post):
        """Each old address once; one that an earlier item of this file already holds
        stays with it (WordPress's ``?p=175`` is the first post that had id 175)."""
        urls = list(item.old_urls)
        if self.own_site and item.meta.get("markdown"):
            urls = []  # this site's own export: its addresses are the posts' own
        # Trialpress's export carries the old addresses an earlier import gave the post.
        urls += json.loads(item.meta.get("old_addresses") or "[]")
        own_path = legacy_key(post.get_absolute_url()) if post.has_address else ""
        for url in urls:
            key = legacy_key(url)
            if not key or key == own_path:
                continue
            holder = self.addresses.setdefault(key, post.pk)
            if holder != post.pk:
                self.report.note(
                    f"old address {key[:80]} of {_describe(item)} is already the address of "
                    "an earlier post in the file: left to that one"
                )
                continue
            owner = (
                LegacyAddress.objects.filter(path=key)
                .exclude(post=post)
                .select_related("post")
                .first()
            )
            if owner is not None:
                self.report.note(
                    f"old address {key[:80]} of {_describe(item)} already leads to the post "
                    f"\u201c{owner.post.title[:60]}\u201d (from another import or blog): "
                    "left to that one"
                )
                continue
            _address, created = LegacyAddress.objects.get_or_create(
                path=key, defaults={"post": post}
            )
            if created:
                self.report.count("old address", "created")

    # ------------------------------------------------------------------ comments
    def _comments(self, item, post, name):
        by_id = {}
        for record in item.comments:
            if not record.source_id:
                self.report.skip("comment", f"a comment on {name} has no id")
            elif record.source_id in by_id:
                self.report.skip("comment", f"comment {record.source_id} on {name} appears twice")
            elif record.kind in ("pingback", "trackback"):
                self.report.skip("comment", f"{record.kind} {record.source_id} on {name}")
            else:
                by_id[record.source_id] = record
        made = {}
        for record in _parents_first(by_id):
            made[record.source_id] = self._comment(record, post, by_id, made, name)

    def _comment(self, record: CommentRecord, post, by_id, made, name):
        imported = self._imported(ImportedItem.Kind.COMMENT, record.source_id)
        own = None
        if imported is None and self.own_site and record.source_id.isdigit():
            own = Comment.objects.filter(pk=int(record.source_id), post=post).first()
        if own is not None or (imported is not None and imported.comment is not None):
            self.report.count("comment", "unchanged")
            return own or imported.comment
        parent = None
        if record.parent_source_id:
            parent = made.get(record.parent_source_id)
            if parent is None:
                earlier = self._imported(ImportedItem.Kind.COMMENT, record.parent_source_id)
                parent = earlier.comment if earlier is not None else None
            if parent is None or parent.post_id != post.pk:
                parent = None
                self.report.note(
                    f"comment {record.source_id} on {name} replies to {record.parent_source_id}, "
                    "which is not in the file: imported as a top-level comment",
                    group="Comments",
                )
        if record.created_at is None:
            self.report.note(
                f"comment {record.source_id} on {name} has no usable date: dated now",
                group="Comments",
            )
        if record.markdown.strip():  # Trialpress's own export: the source travels beside
            body = record.markdown
        else:
            body = html_to_markdown(
                record.body_html, autop=self.format == "wxr", tables=False, headings=False
            ).markdown
        try:
            comment = comment_import(
                post=post,
                parent=parent,
                name=html_to_text(record.author_name),
                body=body or "(empty comment)",
                competing_interests=record.competing_interests,
                status=_COMMENT_STATUS[record.status],
                created_at=record.created_at,
                email=record.author_email,
                website=record.author_url,
                ip_address=record.author_ip,
            )
        except ValidationError as exc:
            raise ImportItemError(
                f"comment {record.source_id} on {name} could not be imported: {_messages(exc)}"
            ) from exc
        self._remember(ImportedItem.Kind.COMMENT, record.source_id, comment=comment)
        self.report.count("comment", "created")
        return comment


class ImportItemError(Exception):
    """One item broke a rule the import cannot work around; the whole import is undone."""


_COMMENT_STATUS = {
    CommentStatus.APPROVED: Comment.Status.APPROVED,
    CommentStatus.HELD: Comment.Status.HELD,
    CommentStatus.SPAM: Comment.Status.SPAM,
    CommentStatus.REJECTED: Comment.Status.REJECTED,
}


def _parents_first(by_id):
    """Comments ordered so that a parent comes before its replies (file order otherwise);
    a cycle of replies is broken where it closes."""
    ordered, state = [], {}
    for start in by_id:
        stack = [start]
        while stack:
            current = stack[-1]
            if state.get(current) == "done":
                stack.pop()
                continue
            state[current] = "open"
            parent = by_id[current].parent_source_id
            if parent in by_id and state.get(parent) is None:
                stack.append(parent)
                continue
            state[current] = "done"
            ordered.append(by_id[current])
            stack.pop()
    return ordered


def _file_fields(text, report, name):
    """The post's other fields from Trialpress's own export (``_trialpress_fields``): each
    value checked by its model field; one that does not fit is left out with a line."""
    if not text:
        return {}
    try:
        values = json.loads(text)
    except ValueError:
        values = None
    if not isinstance(values, dict):
        report.note(f"{name}: its {FIELDS_META} could not be read: ignored")
        return {}
    fields = {}
    for field_name in (*EXTRA_FIELDS, "comments_open"):
        if field_name not in values:
            continue
        model_field = Post._meta.get_field(field_name)
        value = values[field_name]
        try:
            if field_name == "comments_open" and not isinstance(value, bool):
                raise ValidationError("not true or false")
            if value is None and not model_field.null:
                value = ""
            value = model_field.clean(value, None)
        except ValidationError:
            report.note(f"{name}: its {field_name} from the file does not fit: left out")
            continue
        fields[field_name] = value
    return fields


DISCLOSURE_LIMITS = {"person": 200, "organisations": 500}
NOT_STATED = "Not stated in the imported file."


def _file_disclosures(text, report, name):
    """The disclosures the file carries (``meta["disclosures"]``: JSON rows as
    ``imports.wxr_export`` writes them), in order; None when it carries none."""
    if not text:
        return None
    try:
        rows = json.loads(text)
    except ValueError:
        rows = None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        report.note(f"{name}: its disclosures could not be read: ignored")
        return None
    kept = []
    rows = sorted(
        rows,
        key=lambda row: row.get("position", 0) if isinstance(row.get("position", 0), int) else 0,
    )
    for row in rows:
        disclosure = {
            field: str(row.get(field) or "")[: DISCLOSURE_LIMITS.get(field)]
            for field in ("person", "relationship", "organisations", "statement")
        }
        if disclosure["relationship"] not in Disclosure.Relationship.values:
            report.note(
                f"{name}: disclosure relationship {disclosure['relationship'][:30]!r} unknown: "
                "recorded as “Other”"
            )
            disclosure["relationship"] = Disclosure.Relationship.OTHER
        if disclosure["relationship"] != Disclosure.Relationship.NONE and not (
            disclosure["organisations"].strip() or disclosure["statement"].strip()
        ):
            disclosure["statement"] = NOT_STATED
            report.note(f"{name}: a disclosure names no organisation: “{NOT_STATED}”")
        if not disclosure["person"].strip():
            report.note(f"{name}: a disclosure without a person: skipped")
            continue
        kept.append(disclosure)
    return kept


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def _is_local(url):
    """An http(s) address on this machine (a blog exported from a laptop)."""
    parts = urlsplit(url or "")
    host = parts.hostname or ""
    return parts.scheme in ("http", "https") and (
        host in LOCAL_HOSTS or host.endswith(".localhost")
    )


def blog_identity(parsed):
    """Which blog a file is from: its address and its title (two blogs exported from
    http://localhost/ are told apart by their titles)."""
    title = " ".join((parsed.site_title or "").split())
    return f"{parsed.site_url} | {title}"[:500] if title else (parsed.site_url or "")[:500]


def post_fingerprint(post):
    """A hash of what an editor changes (title, text, summary, labels, disclosures): the
    import stores it, and a different one later means someone edited the post here."""
    disclosures = list(
        post.disclosures.order_by("position", "pk").values_list(
            "person", "relationship", "organisations", "statement"
        )
    )
    data = [post.title, post.body, post.summary, sorted(post.tags.names()), disclosures]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def _label_names(names):
    """The stored spelling of each label (created if new), once each: so that a second
    import compares equal names and does not rewrite the labels."""
    seen, result = set(), []
    for name in names:
        name = " ".join((name or "").split())[:100]
        if not name or name.casefold() in seen:
            continue
        seen.add(name.casefold())
        result.append(label_for_name(name).name)
    return result


def _precise_time(text):
    """An aware datetime from ``_trialpress_published_at``, or None."""
    try:
        value = dt.datetime.fromisoformat((text or "").strip()[:64])
    except ValueError:
        return None
    return value if timezone.is_aware(value) else None


def _quoted_title(name):
    """ "post \u201cX\u201d" -> "\u201cX\u201d" (an example in a summarised note)."""
    return name.split(" ", 1)[1] if " " in name else name


def _describe(item):
    kind = "page" if item.kind == ItemKind.PAGE else "post"
    title = " ".join(strip_invisible(item.title).split())  # no bidi control in a report
    return f"{kind} \u201c{title[:60]}\u201d" if title else f"{kind} {item.source_id}"


def _messages(exc):
    return "; ".join(exc.messages)
