"""Recompute what readers see of every trial record (its snapshot) from its rows.

The admin and load_demo do this on every save; run it after changing the trials tables by
other means (the shell, SQL, a restored backup). Safe to run again.
"""

from django.core.management.base import BaseCommand

from trials.models import TrialRecord
from trials.services import trial_record_refresh


class Command(BaseCommand):
    help = "Recompute every trial record's snapshot (what readers see) from its rows."

    def handle(self, *args, **options):
        count = 0
        for record in TrialRecord.objects.order_by("pk").iterator():
            trial_record_refresh(record=record)
            count += 1
        self.stdout.write(f"Refreshed {count} trial record{'s' if count != 1 else ''}.")
