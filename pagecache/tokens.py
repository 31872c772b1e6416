"""The CSRF token filled into every cached page: Django's ``get_token()``, cheaper.

Every hit fills a freshly masked token, and a visitor without a cookie (most first visits,
every benchmark request) needs a new secret too. Django draws each of the 64 random
characters with its own ``os.urandom`` call (~50 µs a page, more than the rest of the
filling); here each 32-character string comes from one ``os.urandom`` call, its bytes
mapped onto the 62 characters with ``bytes.translate`` (bytes 248-255 are dropped, so each
character is exactly as likely as any other). The result is what ``get_token()`` gives:
the same secret in ``request.META["CSRF_COOKIE"]`` (set if missing), the same cookie mark
for the CSRF middleware, a token that ``_unmask_cipher_token`` turns back into the secret,
from the same source of randomness (the operating system's).
"""

import operator
import os

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token

_ALPHABET = CSRF_ALLOWED_CHARS.encode("ascii")
_BASE = len(_ALPHABET)
_USABLE = 256 - 256 % _BASE  # 248: every character gets four byte values
_UNUSABLE = bytes(range(_USABLE, 256))
_BYTE_TO_INDEX = bytes(b % _BASE for b in range(_USABLE)) + bytes(256 - _USABLE)
_INDEX_TO_CHAR = _ALPHABET + bytes(256 - _BASE)
_SUM_TO_CHAR = bytes(_ALPHABET[s % _BASE] for s in range(2 * _BASE)) + bytes(256 - 2 * _BASE)
_CHAR_TO_INDEX = bytes(_ALPHABET.index(b) if b in _ALPHABET else 0 for b in range(256))


def _random_indexes():
    """CSRF_SECRET_LENGTH bytes, each an independent, uniform index into the alphabet."""
    while True:
        drawn = os.urandom(CSRF_SECRET_LENGTH + 16).translate(None, _UNUSABLE)
        if len(drawn) >= CSRF_SECRET_LENGTH:  # all but about once in a million draws
            return drawn[:CSRF_SECRET_LENGTH].translate(_BYTE_TO_INDEX)


def _known_secret(secret):
    """The secret's indexes, or None if it is not CSRF_SECRET_LENGTH alphabet characters."""
    if not isinstance(secret, str) or len(secret) != CSRF_SECRET_LENGTH or not secret.isascii():
        return None
    encoded = secret.encode("ascii")
    if encoded.translate(None, _ALPHABET):
        return None
    return encoded.translate(_CHAR_TO_INDEX)


def csrf_token(request):
    """What ``django.middleware.csrf.get_token(request)`` returns, with the same effects."""
    meta = request.META
    if "CSRF_COOKIE" in meta:
        secret = _known_secret(meta["CSRF_COOKIE"])
        if secret is None:
            return get_token(request)  # not a secret this module knows: Django decides
    else:
        secret = _random_indexes()
        meta["CSRF_COOKIE"] = secret.translate(_INDEX_TO_CHAR).decode("ascii")
    meta["CSRF_COOKIE_NEEDS_UPDATE"] = True  # renew the cookie, as get_token() does
    mask = _random_indexes()
    cipher = bytes(map(operator.add, secret, mask)).translate(_SUM_TO_CHAR)
    return (mask.translate(_INDEX_TO_CHAR) + cipher).decode("ascii")
