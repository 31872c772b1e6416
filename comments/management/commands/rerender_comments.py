from django.core.management.base import BaseCommand

from blog import markup
from blog.derived_html import rerender
from comments.models import Comment


class Command(BaseCommand):
    help = "Re-render every comment's stored HTML with the current Markdown pipeline."

    def handle(self, *args, **options):
        changed = rerender(Comment.objects.all(), render=markup.render_comment)
        self.stdout.write(f"Comments re-rendered: {changed} changed.")
