"""A fixed-window rate limit in the shared "counters" cache, so it holds across workers.

``COMMENT_RATE_LIMIT`` is ``"N/period"`` with period s, m, h or d (``"5/m"``: five per
minute), or ``"off"``. The counter is created with ``add()`` (only one process wins) and
bumped with ``incr()``, which is atomic in Redis and locmem. The database cache's ``incr()``
is a read then a write, so truly simultaneous hits from one address may undercount by a
few; use Redis (REDIS_URL) where that matters.
"""

import re
import time

from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\w*\s*$", re.IGNORECASE)


def parse_rate(rate):
    """``"5/m"`` -> ``(5, 60)``; ``"off"``, ``""`` or ``None`` -> ``None``."""
    if rate is None or str(rate).strip().lower() in {"", "off", "none", "0"}:
        return None
    match = _RATE.match(str(rate))
    if not match:
        raise ImproperlyConfigured(
            f"COMMENT_RATE_LIMIT must look like 5/m (N/s, N/m, N/h or N/d) or off, not {rate!r}"
        )
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * PERIODS[unit.lower()]


def hit(key, rate, *, now=None):
    """Count one hit for ``key``; True if it is within the limit, False if over it."""
    parsed = parse_rate(rate)
    if parsed is None or not key:
        return True
    limit, period = parsed
    window = int((now if now is not None else time.time()) // period)
    cache_key = f"comments:rate:{key}:{period}:{window}"
    if caches["counters"].add(cache_key, 1, timeout=period + 1):
        count = 1
    else:
        try:
            count = caches["counters"].incr(cache_key)
        except ValueError:  # expired between add() and incr(): start a new window
            caches["counters"].add(cache_key, 1, timeout=period + 1)
            count = 1
    return count <= limit


def seconds_until_reset(rate, *, now=None):
    """Seconds until the current window ends (for a 429's Retry-After); 0 when off."""
    parsed = parse_rate(rate)
    if parsed is None:
        return 0
    period = parsed[1]
    now = now if now is not None else time.time()
    return max(1, int(period - now % period + 0.999))
