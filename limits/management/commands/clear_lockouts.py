"""Lift admin sign-in lockouts: ``manage.py clear_lockouts --username U | --ip A | --all``."""

from django.core.management.base import BaseCommand, CommandError

from config.client_ip import UNKNOWN, address_bucket
from limits.counters import counters_purge_expired
from limits.login_throttle import lockouts_clear, lockouts_clear_all


class Command(BaseCommand):
    help = (
        "Lift admin sign-in lockouts for a username (from every address), for an address "
        "(its IPv6 /64; 'unknown' for requests without a usable address), or all of them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", help="lift every lockout for this username")
        parser.add_argument("--ip", help="lift every lockout for this address")
        parser.add_argument("--all", action="store_true", help="lift every lockout")
        parser.add_argument(
            "--expired", action="store_true", help="also delete every expired counter row"
        )

    def handle(self, *, username, ip, all, expired, **options):  # noqa: A002
        if not (username or ip or all or expired):
            raise CommandError("Say which lockouts to lift: --username U, --ip A or --all.")
        if ip and ip != UNKNOWN and address_bucket(ip) == UNKNOWN:
            raise CommandError(f"{ip!r} is not an IP address (or 'unknown').")
        if all:
            cleared = lockouts_clear_all()
        elif username or ip:
            cleared = lockouts_clear(username=username, ip=ip)
        else:
            cleared = 0
        self.stdout.write(f"Lifted {cleared} sign-in counter{'s' if cleared != 1 else ''}.")
        if expired:
            purged = counters_purge_expired()
            self.stdout.write(f"Deleted {purged} expired counter{'s' if purged != 1 else ''}.")
