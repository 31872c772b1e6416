"""Signals that make cached pages stale whenever content a reader sees changes.

Cache-like work is the one job we give to signals. Which models count is registered by
their apps (``pagecache.watch``), so the page cache never names another app.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from pagecache import registry, store


def _rule_for(sender, instance):
    rule = registry.watched.get(sender)
    if rule is None and instance is not None:
        rule = registry.watched.get(type(instance))  # m2m_changed: the sender is the link table
    return rule


def _on_change(sender, instance=None, created=False, **kwargs):
    rule = _rule_for(sender, instance)
    if rule is None:
        return
    update_fields = set(kwargs.get("update_fields") or ())
    if update_fields and update_fields <= rule.ignored_fields:
        return  # a sign-in: nothing a reader sees
    if created and not (rule.on_create and getattr(instance, "visible_to_readers", True)):
        # A new account, a new held or spam comment: nothing a reader sees changes yet.
        return
    # Now, and again after commit: a reader who renders between the two must not
    # leave the pre-commit state cached under the new generation.
    store.invalidate()
    transaction.on_commit(store.invalidate)


def connect():
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_change, dispatch_uid=f"page-cache-{id(signal)}")
