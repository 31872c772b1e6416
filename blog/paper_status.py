"""The status of the papers posts discuss: notices from the Retraction Watch data (or in
its columns) and the email that tells authors when a paper of theirs changes status.

``import_notices(stream)`` reads the CSV as it streams (the csv module over an open file,
batches of ``BATCH_SIZE`` rows), inside one transaction: a broken file raises
``PaperStatusFileError`` naming the line, and nothing is written. Rows are matched on
Retraction Watch's Record ID, so a second run with the same file changes nothing. Memory
stays bounded by the batch, plus the set of record ids seen (a few MB for the whole
database), kept to count duplicates.
"""

import codecs
import csv
import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

import pagecache
from blog.dois import bare_doi, normalise_doi
from blog.models import PaperNotice, Post
from outbox.services import mail_enqueue

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000

# The columns of Crossref's retraction_watch.csv, in order.
RW_COLUMNS = (
    "Record ID",
    "Title",
    "Subject",
    "Institution",
    "Journal",
    "Publisher",
    "Country",
    "Author",
    "URLS",
    "ArticleType",
    "RetractionDate",
    "RetractionDOI",
    "RetractionPubMedID",
    "OriginalPaperDate",
    "OriginalPaperDOI",
    "OriginalPaperPubMedID",
    "RetractionNature",
    "Reason",
    "Paywalled",
    "Notes",
)
REQUIRED_COLUMNS = (
    "Record ID",
    "RetractionDate",
    "RetractionDOI",
    "OriginalPaperDOI",
    "RetractionNature",
)
NATURES = {
    "retraction": PaperNotice.Kind.RETRACTION,
    "correction": PaperNotice.Kind.CORRECTION,
    "expression of concern": PaperNotice.Kind.EXPRESSION_OF_CONCERN,
    "reinstatement": PaperNotice.Kind.REINSTATEMENT,
}
DATE_FORMATS = ("%m/%d/%Y %H:%M", "%m/%d/%Y", "%Y-%m-%d")
COMPARED = ("paper_doi", "kind", "notice_doi", "notice_url", "date", "reason")
REASON_MAX = 2000


class PaperStatusFileError(ValueError):
    """A file that cannot be imported; the message says where and why."""


class UndecodableFileError(PaperStatusFileError):
    """Bytes the encoding cannot read. The decoder reads the file in blocks, ahead of the
    csv reader, so the line is found afterwards by ``undecodable_line``."""


def undecodable_line(binary, encoding):
    """(line number, the first bad byte or None) of the first line of ``binary`` (a file
    opened in binary mode, at its start) that ``encoding`` cannot decode; None if every
    line decodes. Reads line by line, in bounded memory."""
    decoder = codecs.getincrementaldecoder(encoding)()
    number = 0
    for number, line in enumerate(binary, start=1):  # noqa: B007 - used after the loop
        try:
            decoder.decode(line)
        except UnicodeDecodeError as exc:
            bad = exc.object[exc.start : exc.start + 1] if exc.start < len(exc.object) else b""
            return number, bad or None
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return max(number, 1), None
    return None


@dataclass
class ImportReport:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows without a usable DOI for the original paper
    duplicates: int = 0  # rows whose Record ID came earlier in the file
    paper_dois: set = field(default_factory=set)  # papers with a new or changed notice

    def summary(self):
        return (
            f"{self.created} created, {self.changed} changed, {self.unchanged} unchanged, "
            f"{self.skipped} skipped (no DOI for the paper), "
            f"{self.duplicates} duplicate rows"
        )


def _date(text, line):
    text = (text or "").strip()
    if not text:
        return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise PaperStatusFileError(f"line {line}: RetractionDate {text[:40]!r} is not a date")


def _first_url(text):
    for part in (text or "").replace(",", ";").split(";"):
        part = part.strip()
        if part.startswith(("https://", "http://")) and len(part) <= 500:
            return part
    return ""


def notice_from_row(row, line):
    """The notice a row records, as a dict of PaperNotice fields, or None for a row about a
    paper without a DOI (the database has many; they cannot match a post)."""
    record_id = (row.get("Record ID") or "").strip()
    if not record_id or len(record_id) > 50:
        raise PaperStatusFileError(f"line {line}: the Record ID is missing or too long")
    paper = normalise_doi(row.get("OriginalPaperDOI"))
    if not paper or len(paper) > 200:
        return None
    nature = (row.get("RetractionNature") or "").strip()
    kind = NATURES.get(nature.casefold())
    if kind is None:
        raise PaperStatusFileError(
            f"line {line}: RetractionNature {nature[:40]!r} is not one of "
            "Retraction, Correction, Expression of concern, Reinstatement"
        )
    notice_doi = bare_doi(row.get("RetractionDOI"))
    return {
        "record_id": record_id,
        "paper_doi": paper,
        "kind": kind,
        "notice_doi": notice_doi if len(notice_doi) <= 200 else "",
        "notice_url": "" if notice_doi else _first_url(row.get("URLS")),
        "date": _date(row.get("RetractionDate"), line),
        "reason": (row.get("Reason") or "").strip()[:REASON_MAX],
    }


def _check_header(fieldnames):
    if not fieldnames:
        raise PaperStatusFileError("the file is empty: expected a header line")
    missing = [name for name in REQUIRED_COLUMNS if name not in fieldnames]
    if missing:
        raise PaperStatusFileError(
            "line 1: the header lacks the column(s) "
            + ", ".join(missing)
            + " (expected the Retraction Watch columns: "
            + ", ".join(RW_COLUMNS)
            + ")"
        )


def import_notices(stream, *, progress=None, batch_size=BATCH_SIZE):
    """Import the notices in ``stream`` (a text file opened with ``newline=""``).

    ``progress()`` is called after each batch. Returns an ImportReport; raises
    PaperStatusFileError (nothing written) for a broken file.
    """
    report = ImportReport()
    seen = set()
    reader = csv.DictReader(stream, restkey="\0extra", restval=None)
    try:
        with transaction.atomic():
            _check_header(reader.fieldnames)
            batch = {}
            for row in reader:
                line = reader.line_num
                if "\0extra" in row or None in row.values():
                    raise PaperStatusFileError(
                        f"line {line}: the row does not have the header's "
                        f"{len(reader.fieldnames)} columns"
                    )
                notice = notice_from_row(row, line)
                if notice is None:
                    report.skipped += 1
                    continue
                if notice["record_id"] in seen:
                    report.duplicates += 1
                seen.add(notice["record_id"])
                batch[notice["record_id"]] = notice
                if len(batch) >= batch_size:
                    _store(batch, report)
                    batch = {}
                    if progress:
                        progress()
            _store(batch, report)
            if report.paper_dois:
                # Bulk writes send no model signals: now, and again after commit, as
                # pagecache's own handler does.
                pagecache.invalidate()
                transaction.on_commit(pagecache.invalidate)
    except csv.Error as exc:
        raise PaperStatusFileError(f"line {reader.line_num}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise UndecodableFileError(f"the file is not {exc.encoding}") from None
    if progress:
        progress()
    return report


def _store(batch, report):
    if not batch:
        return
    source = PaperNotice.Source.RETRACTION_WATCH
    existing = {
        n.record_id: n for n in PaperNotice.objects.filter(source=source, record_id__in=list(batch))
    }
    now = timezone.now()
    new, changed = [], []
    for record_id, data in batch.items():
        notice = existing.get(record_id)
        if notice is None:
            new.append(PaperNotice(source=source, created_at=now, updated_at=now, **data))
            report.paper_dois.add(data["paper_doi"])
        elif any(getattr(notice, name) != data[name] for name in COMPARED):
            for name in COMPARED:
                setattr(notice, name, data[name])
            notice.updated_at = now
            changed.append(notice)
            report.paper_dois.add(data["paper_doi"])
        else:
            report.unchanged += 1
    PaperNotice.objects.bulk_create(new)
    PaperNotice.objects.bulk_update(changed, [*COMPARED, "updated_at"])
    report.created += len(new)
    report.changed += len(changed)


# --- telling authors ---------------------------------------------------------------------
def notify_authors(paper_dois):
    """Queue an email to the author of each published post about one of these papers, once
    per author, listing the posts and the notices; a worker sends it after the commit.
    Failures are logged, never raised. Returns the number of messages queued."""
    wanted = set(paper_dois)
    if not wanted:
        return 0
    posts = [
        post
        for post in Post.objects.published().exclude(paper_doi="").select_related("author")
        if post.paper_doi in wanted and post.has_address
    ]
    by_author = {}
    for post in posts:
        if post.author.is_active and post.author.email:
            by_author.setdefault(post.author, []).append(post)
    queued = 0
    for author, their_posts in by_author.items():
        try:
            if mail_enqueue(
                to=[author.email],
                subject=f"{settings.SITE_NAME}: a paper you wrote about has a new notice",
                body=_message(their_posts),
            ):
                queued += 1
        except Exception:  # a mail failure must not undo or stop the import
            logger.exception("Could not queue the email to %s about a paper's status", author.pk)
    return queued


def _message(posts):
    """The paper first (its title and DOI), then the notice just recorded, then any earlier
    ones, then the author's posts about it; one block per paper."""
    by_paper = {}
    for post in posts:
        by_paper.setdefault(post.paper_doi, []).append(post)
    lines = ["The status of a paper discussed in your posts has changed.", ""]
    for paper_posts in by_paper.values():
        first = paper_posts[0]
        title = " ".join((first.source_title or "").split()) or "(no title recorded)"
        lines.append(f"Paper: {title}")
        lines.append(f"DOI: {first.doi or first.paper_doi}")
        notices = list(first.paper_notices)
        newest = max(notices, key=lambda n: (n.updated_at, n.pk)) if notices else None
        if newest is not None:
            lines.append(f"New notice: {_notice_line(newest)}")
        earlier = [n for n in notices if n is not newest]
        if earlier:
            lines.append("Earlier notices:")
            lines.extend(f"  {_notice_line(notice)}" for notice in earlier)
        lines.append("Your post(s) about it:")
        for post in paper_posts:
            lines.append(f"  {' '.join(post.title.split())}")
            lines.append(f"  {settings.SITE_URL}{post.get_absolute_url()}")
        lines.append("")
    lines.append("The post now shows the notice at its top. You may want to add an update.")
    return "\n".join(lines)


def _notice_line(notice):
    when = notice.date.isoformat() if notice.date else "date unknown"
    return f"{notice.get_kind_display()} ({when}): {notice.link or 'no link'}"


def notify_authors_after_commit(paper_dois):
    dois = set(paper_dois)
    transaction.on_commit(lambda: notify_authors(dois))
