"""What every import command shares: FILE, the options, the progress bar and the report.

A subclass names its format and implements ``parse(path) -> ParsedFile``; a broken file
(``ImportFileError``) or an item that breaks a rule (``ImportItemError``) ends with a
CommandError (exit code 1) and the database as it was.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blog.models import Disclosure
from imports.authors import resolve_author_map
from imports.pipeline import ImportItemError, import_parsed
from imports.records import ParsedFile
from imports.safe_xml import ImportFileError


class BaseImportCommand(BaseCommand):
    format_name = ""  # "Blogger", "WordPress (WXR)"

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help=f"the {self.format_name} export file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="run the whole import, report, then undo it: nothing is saved",
        )
        parser.add_argument(
            "--media",
            metavar="DIR",
            type=Path,
            help="a folder with the blog's image files: images found there go into the "
            "media library; the others stay links (listed in the report)",
        )
        parser.add_argument(
            "--publish-with-disclosure",
            metavar="TEXT",
            default="",
            help="publish the posts that were published on the old blog, each with this "
            "conflict-of-interest disclosure; without it every post is imported as a draft",
        )

        parser.add_argument(
            "--disclosure-relationship",
            choices=Disclosure.Relationship.values,
            default=Disclosure.Relationship.OTHER,
            help="the relationship recorded with --publish-with-disclosure's text "
            '(default: other; "none" for a statement that there is nothing to disclose)',
        )
        parser.add_argument(
            "--author",
            action="append",
            default=[],
            metavar="OLD=USERNAME",
            help="give the old blog's author OLD (login or name) to this site's user USERNAME; "
            "repeat for each author (as WordPress's importer asks)",
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="replace posts edited here since their import with the file's version "
            "(without it they are left as they are and named in the report)",
        )

    def parse(self, path: Path) -> ParsedFile:
        raise NotImplementedError

    def handle(self, *args, **options):
        path = Path(options["file"])
        media = options.get("media")
        if media is not None and not media.is_dir():
            raise CommandError(f"--media {media}: not a folder.")
        try:
            author_map = resolve_author_map(options.get("author"))
        except ValueError as exc:
            raise CommandError(f"{exc} Nothing was imported.") from None
        try:
            parsed = self.parse(path)
            with self._progress(len(parsed.items)) as progress:
                report = import_parsed(
                    parsed,
                    dry_run=options["dry_run"],
                    publish_with_disclosure=options["publish_with_disclosure"],
                    disclosure_relationship=options["disclosure_relationship"],
                    overwrite=options.get("overwrite", False),
                    author_map=author_map,
                    media_dir=media,
                    progress=progress,
                )
        except (ImportFileError, ImportItemError) as exc:
            raise CommandError(f"{exc}") from None
        self.stdout.write(report.as_text(verbose=options.get("verbosity", 1) >= 2))
        return None

    def _progress(self, total):
        return _Progress(total, enabled=self._is_tty(), stream=self.stderr)

    def _is_tty(self):
        stream = getattr(self.stderr, "_out", sys.stderr)
        return bool(getattr(stream, "isatty", lambda: False)())


class _Progress:
    """A tqdm bar on a terminal, nothing elsewhere (logs, cron, tests)."""

    def __init__(self, total, *, enabled, stream):
        self.bar = None
        if enabled and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="item", file=getattr(stream, "_out", stream))

    def __enter__(self):
        return self.update if self.bar is not None else None

    def update(self, done, total):
        self.bar.update(done - self.bar.n)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
        return False
