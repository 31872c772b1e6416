"""``django.core.signing.dumps(payload, salt=...)``, the same token, made cheaper.

Every cached post page gets a fresh comment-form token (``comments.forms``) on every hit,
and ``signing.dumps`` builds a signer (reading settings), derives its HMAC key from the
salt and ``SECRET_KEY`` (a SHA-256) and starts an HMAC on every call: about as much as the
rest of filling the page. Here the key is derived once per secret and salt, and each token
copies a started HMAC. The result is byte for byte what ``signing.dumps`` gives at the same
second (a test compares them), so ``signing.loads`` reads it, with ``SECRET_KEY_FALLBACKS``
as before. Check it against ``django/core/signing.py`` on a Django upgrade.
"""

import hashlib
import hmac
import json
import time
from functools import lru_cache

from django.conf import settings
from django.core.signing import b62_encode, b64_encode


@lru_cache(maxsize=8)
def _started_hmac(secret, salt):
    """What ``salted_hmac(salt + "signer", ..., secret)`` starts from (Django's Signer)."""
    key = hashlib.sha256(f"{salt}signer{secret}".encode()).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


def dumps(payload, *, salt):
    """``signing.dumps(payload, salt=salt)`` for a JSON-serialisable ``payload``."""
    data = json.dumps(payload, separators=(",", ":")).encode("latin-1")
    value = f"{b64_encode(data).decode()}:{b62_encode(int(time.time()))}"
    signer = _started_hmac(settings.SECRET_KEY, salt).copy()
    signer.update(value.encode())
    return f"{value}:{b64_encode(signer.digest()).decode()}"
