"""``manage.py import_paper_status FILE``: record notices about papers from the Retraction
Watch CSV (Crossref publishes it: https://gitlab.com/crossref/retraction-watch-data,
``retraction_watch.csv``) or any file in its columns, then email the authors whose
published posts discuss a paper with a new or changed notice.

The file is read as it streams, in one transaction: a broken file changes nothing.
On a terminal a progress line shows how much of the file has been read.
"""

import codecs
import io
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from blog.paper_status import (
    PaperStatusFileError,
    UndecodableFileError,
    import_notices,
    notify_authors,
    undecodable_line,
)

ENCODING_NAMES = {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "utf8": "UTF-8"}


def undecodable_message(raw, encoding):
    """Where the file stops being ``encoding``, and what to do about it."""
    raw.seek(0)
    found = undecodable_line(raw, encoding)
    name = ENCODING_NAMES.get(encoding.lower(), encoding)
    where = "" if found is None else f"line {found[0]}: "
    byte = f"byte 0x{found[1][0]:02x} " if found and found[1] else ""
    return (
        f"{where}the file is not {name} ({byte}cannot be read as {name}). If it is in "
        "another encoding, name it with --encoding, e.g. --encoding latin-1 or "
        "--encoding cp1252"
    )


class CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read from it, for the progress line."""

    def __init__(self, raw):
        self.raw, self.count = raw, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = self.raw.readinto(buffer)
        self.count += n or 0
        return n


class Progress:
    def __init__(self, reader, total, out):
        self.reader, self.total, self.out = reader, max(total, 1), out

    def __call__(self):
        done = min(self.reader.count, self.total)
        filled = int(30 * done / self.total)
        self.out.write(
            f"\rImporting [{'#' * filled}{'.' * (30 - filled)}] {100 * done // self.total:3d}% "
            f"({done / 1e6:.1f} of {self.total / 1e6:.1f} MB)",
            ending="",
        )
        self.out.flush()


class Command(BaseCommand):
    help = "Import notices about papers (corrections, retractions...) from a Retraction Watch CSV."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV, in the Retraction Watch columns")
        parser.add_argument(
            "--encoding",
            default="utf-8-sig",
            help="the file's character encoding, e.g. latin-1 or cp1252 (default: UTF-8, "
            "with or without a byte order mark)",
        )
        parser.add_argument(
            "--no-email", action="store_true", help="record the notices but email nobody"
        )
        parser.add_argument(
            "--progress",
            choices=("auto", "always", "never"),
            default="auto",
            help="a progress line on standard error (auto: when it is a terminal)",
        )

    def handle(self, *args, file, encoding, no_email, progress, **options):
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise CommandError(f"Unknown encoding {encoding!r}.") from None
        try:
            raw = open(file, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        with raw:
            counting = CountingReader(raw)
            text = io.TextIOWrapper(io.BufferedReader(counting), encoding=encoding, newline="")
            show = progress == "always" or (progress == "auto" and sys.stderr.isatty())
            bar = Progress(counting, os.fstat(raw.fileno()).st_size, self.stderr) if show else None
            try:
                report = import_notices(text, progress=bar)
            except UndecodableFileError:
                if bar:
                    self.stderr.write("")
                message = undecodable_message(raw, encoding)
                raise CommandError(f"{file}: {message}. Nothing was changed.") from None
            except PaperStatusFileError as exc:
                if bar:
                    self.stderr.write("")
                raise CommandError(f"{file}: {exc}. Nothing was changed.") from None
            except LookupError:
                raise CommandError(f"Unknown encoding {encoding!r}.") from None
        if bar:
            self.stderr.write("")
        self.stdout.write(f"{file}: {report.summary()}.")
        if report.paper_dois and not no_email:
            sent = notify_authors(report.paper_dois)
            self.stdout.write(f"{sent} author(s) emailed about a paper's new status.")
