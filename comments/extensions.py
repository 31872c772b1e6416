"""Where other apps act on comments without comments importing them.

An app that depends on comments (``subscriptions``) registers here from its
``AppConfig.ready()``; comments.services calls each hook at one place:

- ``register_submitted(hook)``: ``hook(comment=..., data=...)`` runs inside
  ``comment_submit``'s transaction, just after the comment is saved (``data`` is the form's
  ``submission_data()``); what it writes is committed or rolled back with the comment;
- ``register_status_changed(hook)``: ``hook(comment_id=..., previous=..., status=...)`` runs
  after the transaction that changed a comment's status commits (a moderator's approve,
  reject, spam or hold). A hook that raises is logged; the change stays;
- ``register_notice(hook)``: ``hook(comment)`` returns a sentence for the commenter about
  the comment ``comment_submit`` returned (or None); the view shows ``notices_for(comment)``
  in its notice after sending.

Registration is idempotent (registering the same callable twice keeps one).
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)

_submitted = []
_status_changed = []
_notices = []


def _add(registry, hook):
    if hook not in registry:
        registry.append(hook)


def register_submitted(hook):
    _add(_submitted, hook)


def register_status_changed(hook):
    _add(_status_changed, hook)


def register_notice(hook):
    _add(_notices, hook)


def notices_for(comment):
    """The registered apps' sentences for the commenter, in registration order."""
    return [text for hook in _notices if (text := hook(comment))]


def comment_submitted(*, comment, data):
    for hook in _submitted:
        hook(comment=comment, data=data)


def comment_status_changed(*, comment_id, previous, status):
    """Runs the hooks once the current transaction commits (at once outside one)."""

    def run():
        for hook in _status_changed:
            try:
                hook(comment_id=comment_id, previous=previous, status=status)
            except Exception:
                logger.exception("A status hook failed for comment %s", comment_id)

    if previous != status:
        transaction.on_commit(run)
