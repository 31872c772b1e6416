"""Admin sign-in throttling that an attacker cannot turn against the real user.

Each failed attempt counts in three fixed windows of ADMIN_LOGIN_LOCKOUT_SECONDS (counters in
the database, ``limits.counters``), by the client's address bucket (an IPv4 address or an
IPv6 /64; requests without a usable address share one strict bucket):

- address + username: ADMIN_LOGIN_MAX_FAILURES failures refuse that pair (429);
- address, any usernames: ADMIN_LOGIN_MAX_FAILURES_PER_ADDRESS failures refuse the address;
- username, all addresses: after ADMIN_LOGIN_USERNAME_SLOWDOWN_AFTER failures, addresses the
  username has never signed in from share one attempt per ADMIN_LOGIN_SLOWDOWN_SECONDS ("try
  again in N seconds"). This only slows a distributed guesser; it never blocks the user's
  known addresses, so no one can lock an account out from elsewhere.

A successful sign-in clears its address + username counter and remembers, for
ADMIN_LOGIN_KNOWN_ADDRESS_DAYS, both the address (a database record) and the browser (a signed,
HttpOnly cookie naming the username's digest), so a user whose address changes is not slowed
either. ``manage.py clear_lockouts``
lifts lockouts by username or address.
"""

import hashlib
import logging
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.urls import reverse

from config.client_ip import UNKNOWN, address_bucket, client_bucket
from limits.counters import counter_hit, counter_peek_many, counter_set, counters_clear

logger = logging.getLogger(__name__)

PREFIX = "login:"
KNOWN_COOKIE = "signin_known"
# The module's old name, kept: a new salt would forget every browser's known address.
_COOKIE_SALT = "config.login_throttle.known"
_COOKIE_MAX_USERS = 5


def username_digest(username):
    """One key per account: Django signs in "ａdmin" (full-width) and "Admin" as "admin"."""
    username = unicodedata.normalize("NFKC", str(username or "")).strip().casefold()
    return hashlib.sha256(username.encode("utf-8", "replace")).hexdigest()[:32]


@dataclass(frozen=True)
class Keys:
    bucket: str
    user: str

    @classmethod
    def for_request(cls, request):
        return cls(client_bucket(request), username_digest(request.POST.get("username", "")))

    @property
    def pair(self):
        return f"{PREFIX}pair:{self.bucket}:{self.user}"

    @property
    def address(self):
        return f"{PREFIX}addr:{self.bucket}"

    @property
    def username(self):
        return f"{PREFIX}user:{self.user}"

    @property
    def slot(self):
        return f"{PREFIX}slot:{self.user}"

    @property
    def known(self):
        return f"{PREFIX}known:{self.bucket}:{self.user}"


@dataclass(frozen=True)
class Refusal:
    message: str
    seconds: int


def _address_limit(bucket):
    """All address-less requests share one bucket: it gets the strict per-pair limit."""
    if bucket == UNKNOWN:
        return settings.ADMIN_LOGIN_MAX_FAILURES
    return settings.ADMIN_LOGIN_MAX_FAILURES_PER_ADDRESS


def _known_in_cookie(request):
    """The username digests this browser has signed in with (signed, so unforgeable)."""
    max_age = settings.ADMIN_LOGIN_KNOWN_ADDRESS_DAYS * 86400
    value = request.get_signed_cookie(KNOWN_COOKIE, "", salt=_COOKIE_SALT, max_age=max_age)
    return value.split(",") if value else []


def _remember_browser(request, response, keys):
    users = [keys.user] + [u for u in _known_in_cookie(request) if u != keys.user]
    response.set_signed_cookie(
        KNOWN_COOKIE,
        ",".join(users[:_COOKIE_MAX_USERS]),
        salt=_COOKIE_SALT,
        max_age=settings.ADMIN_LOGIN_KNOWN_ADDRESS_DAYS * 86400,
        path=reverse("admin:login"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def refusal_for(keys, *, now=None, known_browser=False):
    """Why this attempt must wait (a ``Refusal``), or None to let it through."""
    now = time.time() if now is None else now
    counts = counter_peek_many(keys=[keys.pair, keys.address, keys.username, keys.known], now=now)
    pair, address = counts.get(keys.pair), counts.get(keys.address)
    if pair and pair.count >= settings.ADMIN_LOGIN_MAX_FAILURES:
        return Refusal(
            "Too many failed sign-in attempts for this username from your address.",
            pair.seconds_left(now),
        )
    if address and address.count >= _address_limit(keys.bucket):
        return Refusal(
            "Too many failed sign-in attempts from your address.", address.seconds_left(now)
        )
    username = counts.get(keys.username)
    known = known_browser or (keys.bucket != UNKNOWN and keys.known in counts)
    if username and username.count >= settings.ADMIN_LOGIN_USERNAME_SLOWDOWN_AFTER and not known:
        slot = counter_hit(key=keys.slot, window=settings.ADMIN_LOGIN_SLOWDOWN_SECONDS, now=now)
        if slot.count > 1:
            return Refusal(
                "Too many failed sign-in attempts for this username from other addresses, "
                "so sign-in from a new address is slowed down.",
                slot.seconds_left(now),
            )
    return None


def record_failure(keys, *, now=None):
    window = settings.ADMIN_LOGIN_LOCKOUT_SECONDS
    for key in (keys.pair, keys.address, keys.username):
        counter_hit(key=key, window=window, now=now)


def record_success(keys, *, now=None):
    counters_clear(keys=[keys.pair])
    if keys.bucket != UNKNOWN:
        days = settings.ADMIN_LOGIN_KNOWN_ADDRESS_DAYS
        counter_set(key=keys.known, count=1, window=days * 86400, now=now)


def lockouts_clear(*, username=None, ip=None):
    """Lift every sign-in counter that names ``username`` or the bucket of ``ip``.

    Known addresses are kept: they are what lets a user in during an attack.
    """
    keys, prefixes, pairs = [], [], []
    if username is not None:
        user = username_digest(username)
        keys += [f"{PREFIX}user:{user}", f"{PREFIX}slot:{user}"]
        pairs.append((f"{PREFIX}pair:", f":{user}"))
    if ip is not None:
        bucket = address_bucket(ip)
        keys.append(f"{PREFIX}addr:{bucket}")
        prefixes.append(f"{PREFIX}pair:{bucket}:")
    return counters_clear(keys=keys, prefixes=prefixes, prefix_suffix_pairs=pairs)


def lockouts_clear_all():
    """Lift every sign-in lockout and slowdown (known addresses are kept)."""
    kinds = ("pair", "addr", "user", "slot")
    return counters_clear(prefixes=[f"{PREFIX}{kind}:" for kind in kinds])


def _wait_text(seconds):
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minutes"


def throttled_admin_login(request, extra_context=None):
    if request.method != "POST":
        return admin.site.login(request, extra_context)
    keys = Keys.for_request(request)
    refusal = refusal_for(keys, known_browser=keys.user in _known_in_cookie(request))
    if refusal is not None:
        logger.warning("admin sign-in refused for %s: %s", keys.bucket, refusal.message)
        response = render(
            request,
            "admin/login_throttled.html",
            {
                "message": refusal.message,
                "wait": _wait_text(refusal.seconds),
                "title": "Too many sign-in attempts",
                **admin.site.each_context(request),
            },
            status=429,
        )
        response["Retry-After"] = str(refusal.seconds)
        return response
    response = admin.site.login(request, extra_context)
    if request.user.is_authenticated and response.status_code in (301, 302, 303):
        record_success(keys)
        _remember_browser(request, response, keys)
    else:
        record_failure(keys)
    return response
