from django.core.management.base import BaseCommand

from glossary.services import glossary_posts_rerender


class Command(BaseCommand):
    help = (
        "Re-render every post body so its glossary marks match the glossary "
        "(rerender_posts does the same, with any other change to the Markdown pipeline)."
    )

    def handle(self, *args, **options):
        changed = glossary_posts_rerender()
        self.stdout.write(f"{changed} post(s) re-rendered.")
