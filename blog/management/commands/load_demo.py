"""Load the demo posts from blog/demo/. Safe to run again: unchanged posts are left alone."""

from django.core.management.base import BaseCommand, CommandError

from blog.demo_loader import DEMO_DIR, FrontMatterError, load_demo


class Command(BaseCommand):
    help = "Create or update the demo posts in blog/demo/*.md (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory", default=str(DEMO_DIR), help="Where the demo Markdown files are."
        )

    def handle(self, *args, directory, **options):
        try:
            results = load_demo(directory)
        except FrontMatterError as exc:
            raise CommandError(str(exc)) from exc
        changed = [post for post, was_changed in results if was_changed]
        for post in changed:
            self.stdout.write(f"Loaded: {post.title} ({post.get_absolute_url()})")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {len(results)} posts, {len(changed)} created or updated."
            )
        )
