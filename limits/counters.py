"""Fixed-window counters in the database: ``counter_hit`` counts, the rest read and clear.

One hit is one statement on SQLite (3.35 or later) and PostgreSQL (an upsert with
RETURNING), atomic under concurrency: no read-then-write, no lost counts. Elsewhere, and on
an older SQLite (Django 5.2 accepts 3.31, which has no RETURNING), a hit is a row-locked
update in a transaction: the same counts and windows, a few statements. A counter keeps
the expiry it was created with however often it is hit; once expired, the next hit starts
a new window at 1. Expired rows are deleted by the first hit in each process after every
``PURGE_EVERY_SECONDS`` (a clock, not chance, so a request's query count stays
predictable), and by ``manage.py clear_lockouts --expired``.
"""

import time
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Q

from limits.models import Counter

PURGE_EVERY_SECONDS = 600
_next_purge = time.time() + PURGE_EVERY_SECONDS
_UPSERT_VENDORS = {"sqlite", "postgresql"}


class Count(NamedTuple):
    count: int
    expires_at: float

    def seconds_left(self, now=None):
        now = time.time() if now is None else now
        return max(1, int(self.expires_at - now + 0.999)) if self.count else 0


NONE = Count(0, 0.0)


def _upsert(key, expires_at, now):
    table = connection.ops.quote_name(Counter._meta.db_table)
    key_col, count_col, expires_col = (
        connection.ops.quote_name(name) for name in ("key", "count", "expires_at")
    )
    # Only quoted names from the model go into the text; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({key_col}, {count_col}, {expires_col}) "  # noqa: S608
        "VALUES (%s, 1, %s) "
        f"ON CONFLICT ({key_col}) DO UPDATE SET "
        f"{count_col} = CASE WHEN {table}.{expires_col} <= %s THEN 1 "
        f"ELSE {table}.{count_col} + 1 END, "
        f"{expires_col} = CASE WHEN {table}.{expires_col} <= %s THEN excluded.{expires_col} "
        f"ELSE {table}.{expires_col} END "
        f"RETURNING {count_col}, {expires_col}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, expires_at, now, now])
        return Count(*cursor.fetchone())


def _can_upsert():
    return (
        connection.vendor in _UPSERT_VENDORS and connection.features.can_return_columns_from_insert
    )


def _locked_update(key, expires_at, now):
    """The same as ``_upsert`` for other databases: a row lock instead of one statement."""
    with transaction.atomic():
        row, created = Counter.objects.select_for_update().get_or_create(
            key=key, defaults={"count": 1, "expires_at": expires_at}
        )
        if not created:
            if row.expires_at <= now:
                row.count, row.expires_at = 1, expires_at
            else:
                row.count += 1
            row.save(update_fields=["count", "expires_at"])
        return Count(row.count, row.expires_at)


def counter_hit(*, key, window, now=None):
    """Count one event for ``key`` in a window of ``window`` seconds; returns the ``Count``."""
    global _next_purge
    now = time.time() if now is None else float(now)
    if now >= _next_purge:
        _next_purge = now + PURGE_EVERY_SECONDS
        counters_purge_expired(now=now)
    if _can_upsert():
        return _upsert(key, now + window, now)
    return _locked_update(key, now + window, now)


def counter_peek(*, key, now=None):
    """The live ``Count`` for ``key`` without counting (``NONE`` if missing or expired)."""
    return counter_peek_many(keys=[key], now=now).get(key, NONE)


def counter_peek_many(*, keys, now=None):
    """``{key: Count}`` for the live counters among ``keys``, in one query."""
    now = time.time() if now is None else float(now)
    rows = Counter.objects.filter(key__in=list(keys), expires_at__gt=now)
    return {
        key: Count(count, expires)
        for key, count, expires in rows.values_list("key", "count", "expires_at")
    }


def counter_set(*, key, count, window, now=None):
    """Set ``key`` to ``count`` with a fresh window (a record, such as a known address)."""
    now = time.time() if now is None else float(now)
    Counter.objects.update_or_create(key=key, defaults={"count": count, "expires_at": now + window})


def counters_clear(*, keys=(), prefixes=(), prefix_suffix_pairs=()):
    """Delete counters by exact key, by key prefix, or by (prefix, suffix); returns how many."""
    match = Q(key__in=list(keys))
    for prefix in prefixes:
        match |= Q(key__startswith=prefix)
    for prefix, suffix in prefix_suffix_pairs:
        match |= Q(key__startswith=prefix, key__endswith=suffix)
    return Counter.objects.filter(match).delete()[0]


def counters_purge_expired(*, now=None):
    """Delete every expired counter; returns how many."""
    now = time.time() if now is None else float(now)
    return Counter.objects.filter(expires_at__lte=now).delete()[0]
