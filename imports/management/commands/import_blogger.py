"""``manage.py import_blogger FILE``: bring a Blogger backup in (README, "Bring your blog")."""

from imports.blogger import parse_blogger
from imports.management.base import BaseImportCommand


class Command(BaseImportCommand):
    help = "Import a Blogger backup (Atom): posts, pages, labels, authors and comments."
    format_name = "Blogger"

    def parse(self, path):
        return parse_blogger(path)
