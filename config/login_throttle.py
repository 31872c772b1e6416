"""Admin sign-in throttling, per IP address and per username, in the shared cache.

After ADMIN_LOGIN_MAX_FAILURES failed attempts within ADMIN_LOGIN_LOCKOUT_SECONDS from one
address, or for one username, further attempts get a 429 page; a successful sign-in clears
the counters.
"""

import hashlib
import unicodedata

from django.conf import settings
from django.contrib import admin
from django.core.cache import caches
from django.shortcuts import render

from config.client_ip import client_ip


def _keys(request):
    # Django signs in "ａdmin" (full-width) as "admin": count them as one username.
    username = unicodedata.normalize("NFKC", request.POST.get("username", "")).strip().casefold()
    digest = hashlib.sha256(username.encode("utf-8", "replace")).hexdigest()[:32]
    return (f"login-fail:ip:{client_ip(request)}", f"login-fail:user:{digest}")


def _is_locked(keys):
    counts = caches["counters"].get_many(keys)
    return any(count >= settings.ADMIN_LOGIN_MAX_FAILURES for count in counts.values())


def _record_failure(keys):
    for key in keys:
        if not caches["counters"].add(key, 1, settings.ADMIN_LOGIN_LOCKOUT_SECONDS):
            try:
                caches["counters"].incr(key)
            except ValueError:  # expired between add() and incr()
                caches["counters"].add(key, 1, settings.ADMIN_LOGIN_LOCKOUT_SECONDS)


def throttled_admin_login(request, extra_context=None):
    if request.method != "POST":
        return admin.site.login(request, extra_context)
    keys = _keys(request)
    if _is_locked(keys):
        minutes = max(1, settings.ADMIN_LOGIN_LOCKOUT_SECONDS // 60)
        return render(
            request,
            "admin/login_throttled.html",
            {
                "minutes": minutes,
                "title": "Too many sign-in attempts",
                **admin.site.each_context(request),
            },
            status=429,
        )
    response = admin.site.login(request, extra_context)
    if request.user.is_authenticated and response.status_code in (301, 302, 303):
        caches["counters"].delete_many(keys)
    else:
        _record_failure(keys)
    return response
