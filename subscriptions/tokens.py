"""The signed tokens in the links we mail (``django.core.signing``, one salt each).

A confirmation token names the address (its Subscriber) and the nonce of its one
outstanding confirmation, and expires after SUBSCRIPTIONS_CONFIRMATION_MAX_AGE_DAYS. An
unsubscribe token names one subscription (``u``) or the whole address (``a``) and expires
after SUBSCRIPTIONS_UNSUBSCRIBE_MAX_AGE_DAYS (every mail carries a fresh one).
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "subscriptions.confirm"
UNSUBSCRIBE_SALT = "subscriptions.unsubscribe"


class BadToken(Exception):
    """Forged, altered or malformed (400)."""


class ExpiredToken(Exception):
    """Genuine but too old (410)."""


def confirmation_token(subscriber):
    return signing.dumps(
        {"s": subscriber.pk, "n": subscriber.confirmation_nonce}, salt=CONFIRM_SALT
    )


def unsubscribe_token(*, subscription=None, subscriber=None):
    payload = {"u": subscription.pk} if subscription is not None else {"a": subscriber.pk}
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT)


def _load(token, *, salt, max_age_days):
    try:
        payload = signing.loads(token, salt=salt, max_age=timedelta(days=max_age_days))
    except signing.SignatureExpired:
        raise ExpiredToken() from None
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise BadToken() from None
    if not isinstance(payload, dict):
        raise BadToken()
    return payload


def _whole_number(value):
    if type(value) is not int or value < 1:
        raise BadToken()
    return value


def read_confirmation(token):
    """(subscriber_id, nonce)."""
    payload = _load(
        token, salt=CONFIRM_SALT, max_age_days=settings.SUBSCRIPTIONS_CONFIRMATION_MAX_AGE_DAYS
    )
    nonce = payload.get("n")
    if not isinstance(nonce, str) or not nonce:
        raise BadToken()
    return _whole_number(payload.get("s")), nonce


def read_unsubscribe(token):
    """("subscription", id) or ("address", subscriber id)."""
    payload = _load(
        token,
        salt=UNSUBSCRIBE_SALT,
        max_age_days=settings.SUBSCRIPTIONS_UNSUBSCRIBE_MAX_AGE_DAYS,
    )
    if "u" in payload:
        return "subscription", _whole_number(payload["u"])
    if "a" in payload:
        return "address", _whole_number(payload["a"])
    raise BadToken()
