"""Load the demo posts from blog/demo/.

Creates the demo posts that are missing and leaves existing ones alone, so edits made in
the admin survive (``make run`` runs this on every start). ``--reset`` rewrites the demo
posts, and the demo accounts that wrote them, from their files (which also brings an install
made with an older demo to the current attribution). Both are safe to run again.
"""

from django.core.management.base import BaseCommand, CommandError

from blog.demo_loader import DEMO_DIR, FrontMatterError, load_demo


class Command(BaseCommand):
    help = (
        "Create the demo posts in blog/demo/*.md that are missing; "
        "--reset rewrites existing ones from the files."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory", default=str(DEMO_DIR), help="Where the demo Markdown files are."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=(
                "Rewrite existing demo posts and their demo accounts from the files, "
                "discarding edits made since."
            ),
        )

    def handle(self, *args, directory, reset, **options):
        try:
            results = load_demo(directory, reset=reset)
        except FrontMatterError as exc:
            raise CommandError(str(exc)) from exc
        changed = [post for post, was_changed in results if was_changed]
        for post in changed:
            self.stdout.write(f"Loaded: {post.title} ({post.get_absolute_url()})")
        done = "created or reset" if reset else "created"
        self.stdout.write(
            self.style.SUCCESS(f"Demo content: {len(results)} posts, {len(changed)} {done}.")
        )
