"""Fixed-window rate limits, counted in the database (``limits.counters``) for every worker.

A rate is ``"N/period"`` with period s, m, h or d (``"5/m"``: five per minute), or ``"off"``;
``COMMENT_RATE_LIMIT`` is the one for comments, per client address.

The API, for any caller:

- ``hit(key, rate)`` counts one event for ``key`` and says whether it is within the limit.
  ``key`` is any string (a token, a name); a client address is counted by its bucket (the
  IPv4 address, or the /64 of an IPv6 address, whatever its spelling: see
  ``config.client_ip``). A missing key (None, "") is never exempt: every call without one
  shares the single ``unknown`` bucket.
- ``seconds_until_reset(rate)`` is the rest of the current window, for ``Retry-After``.

Windows are aligned to the clock (a "5/m" window is a calendar minute) and keep their length
whatever the cache: the counter row expires at the end of its window.
"""

import hashlib
import logging
import re
import time

from django.core.exceptions import ImproperlyConfigured

from config.client_ip import UNKNOWN, address_bucket
from limits.counters import counter_hit

logger = logging.getLogger(__name__)

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
    if parsed is None:
        return True
    limit, period = parsed
    now = time.time() if now is None else now
    window = int(now // period)
    counted = counter_hit(
        key=f"rate:{_bucket(key)}:{period}:{window}",
        window=(window + 1) * period - now,
        now=now,
    )
    return counted.count <= limit


def _bucket(key):
    """An address's bucket, ``unknown`` for no key, any other key as it is (long ones hashed)."""
    if not key:
        logger.warning("rate limit: no usable client address, counted in the shared unknown bucket")
        return UNKNOWN
    key = str(key)
    bucket = address_bucket(key)
    if bucket != UNKNOWN:
        return bucket
    return key if len(key) <= 100 else hashlib.sha256(key.encode(errors="replace")).hexdigest()


def seconds_until_reset(rate, *, now=None):
    """Seconds until the current window ends (for a 429's Retry-After); 0 when off."""
    parsed = parse_rate(rate)
    if parsed is None:
        return 0
    period = parsed[1]
    now = now if now is not None else time.time()
    return max(1, int(period - now % period + 0.999))
