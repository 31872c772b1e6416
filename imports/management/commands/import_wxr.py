"""``manage.py import_wxr FILE``: a WordPress export (WXR 1.0-1.2) into Trialpress."""

from imports.management.base import BaseImportCommand
from imports.wxr import parse_wxr


class Command(BaseImportCommand):
    format_name = "WordPress (WXR)"
    help = (
        "Import a WordPress export file (Tools > Export in WordPress): posts, pages, drafts, "
        "labels from categories and tags, authors, comments with their status and threading, "
        "and the old addresses as redirects. Every post comes in as a draft unless "
        "--publish-with-disclosure is given."
    )

    def parse(self, path):
        return parse_wxr(path)
