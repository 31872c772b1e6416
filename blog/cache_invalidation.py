"""Signals that make cached pages stale whenever content a reader sees changes.

Cache-like work is the one job we give to signals. Which apps count is a setting
(PAGE_CACHE_INVALIDATING_APPS), so blog never has to import the comments app.
"""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from blog import page_cache


def _on_change(sender, **kwargs):
    if sender._meta.app_label in settings.PAGE_CACHE_INVALIDATING_APPS:
        # Now, and again after commit: a reader who renders between the two must not
        # leave the pre-commit state cached under the new generation.
        page_cache.invalidate()
        transaction.on_commit(page_cache.invalidate)


def connect():
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_change, dispatch_uid=f"page-cache-{id(signal)}")
