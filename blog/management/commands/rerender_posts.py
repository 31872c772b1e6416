from django.core.management.base import BaseCommand

from blog import markup
from blog.derived_html import rerender
from blog.models import Post


class Command(BaseCommand):
    help = "Re-render every post's stored HTML with the current Markdown pipeline."

    def handle(self, *args, **options):
        changed = rerender(Post.objects.all(), render=markup.render_post_body)
        self.stdout.write(f"Posts re-rendered: {changed} changed.")
