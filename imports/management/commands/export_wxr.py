"""``manage.py export_wxr [-o FILE]``: the whole site as a WordPress export (WXR 1.2)."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.wxr_export import wxr_chunks


class Command(BaseCommand):
    help = (
        "Write every post (with its labels, disclosures and comments) and its authors as a "
        "WordPress export file (WXR 1.2), to standard output or to -o FILE."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", metavar="FILE", help="Write to FILE instead of standard output."
        )

    def handle(self, *args, output=None, **options):
        if not output:
            for chunk in wxr_chunks():
                self.stdout.write(chunk, ending="")
            return
        path = Path(output)
        partial = path.with_name(path.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8", newline="\n") as out:
                for chunk in wxr_chunks():
                    out.write(chunk)
            os.replace(partial, path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {path}: {exc.strerror or exc}.") from None
        self.stderr.write(f"Export written to {path}.")
