"""Counters for rate limits and sign-in throttling, in the database on every deploy.

Not in a cache: a cache may evict or cull them (page traffic under Redis ``allkeys-lru``, the
database cache's MAX_ENTRIES), and the database cache's ``incr()`` resets the expiry to the
default timeout. A row keeps the window it was created with until it expires.
"""

from django.db import models


class Counter(models.Model):
    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    # Seconds since the epoch: plain numbers keep the one-statement upsert portable.
    expires_at = models.FloatField(db_index=True)

    def __str__(self):
        return f"{self.key} = {self.count}"
