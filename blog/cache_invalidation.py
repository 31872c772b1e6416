"""Signals that make cached pages stale whenever content a reader sees changes.

Cache-like work is the one job we give to signals. Which apps count is a setting
(PAGE_CACHE_INVALIDATING_APPS), so blog never has to import the comments app. A model
whose new rows may be invisible to readers says so with a ``visible_to_readers``
attribute (a held comment), and creating such a row leaves the cache alone.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from blog import page_cache


def _on_change(sender, instance=None, created=False, **kwargs):
    # Authors' names are on every post: the user model counts too (not the rest of auth).
    relevant = sender._meta.app_label in settings.PAGE_CACHE_INVALIDATING_APPS
    if not (relevant or sender is get_user_model()):
        return
    if set(kwargs.get("update_fields") or ()) == {"last_login"}:
        return  # a sign-in: nothing a reader sees
    if created and sender is get_user_model():
        return  # a new account shows nowhere until its first post, which invalidates
    if created and not getattr(instance, "visible_to_readers", True):
        # A new held or spam comment changes nothing a reader sees: keep the pages.
        return
    # Now, and again after commit: a reader who renders between the two must not
    # leave the pre-commit state cached under the new generation.
    page_cache.invalidate()
    transaction.on_commit(page_cache.invalidate)


def connect():
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_change, dispatch_uid=f"page-cache-{id(signal)}")
