from django.core.management.base import BaseCommand

from search.documents import search_documents_rebuild


class Command(BaseCommand):
    help = (
        "Rewrite every post's search document (after bulk imports, queryset updates or a "
        "restored database: saves keep them in step by themselves)."
    )

    def handle(self, *args, **options):
        count = search_documents_rebuild()
        self.stdout.write(f"Search index rebuilt: {count} posts.")
