"""Blank the IP address and user agent of comments older than N days (privacy)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from comments.models import Comment


class Command(BaseCommand):
    help = "Blank ip_address and user_agent on comments older than --days days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, required=True, help="Keep them on comments from the last N days."
        )

    def handle(self, *args, days, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        cutoff = timezone.now() - timedelta(days=days)
        stale = Comment.objects.filter(created_at__lt=cutoff).exclude(
            ip_address__isnull=True, user_agent=""
        )
        count = stale.update(ip_address=None, user_agent="")
        self.stdout.write(
            f"Blanked the IP address and user agent of {count} comment(s) older than {days} day(s)."
        )
        return None
