"""The CSRF token filled into every cached page: Django's ``get_token()``, cheaper.

Every hit fills a freshly masked token, and a visitor without a cookie (most first visits,
every benchmark request) needs a new secret too. Django draws each of the 64 random
characters with its own ``os.urandom`` call (~50 µs a page, more than the rest of the
filling); here each 32-character string comes from one draw of a number below 62**32,
written in base 62 with the same alphabet. The result is what ``get_token()`` gives: the
same secret in ``request.META["CSRF_COOKIE"]`` (set if missing), the same cookie mark
for the CSRF middleware, a token that ``_unmask_cipher_token`` turns back into the secret,
from the same source of randomness (the operating system's).
"""

import secrets

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token

_BASE = len(CSRF_ALLOWED_CHARS)
_SPACE = _BASE**CSRF_SECRET_LENGTH
_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}


def _random_digits():
    """CSRF_SECRET_LENGTH independent, uniformly drawn indexes into CSRF_ALLOWED_CHARS."""
    number = secrets.randbelow(_SPACE)
    digits = []
    for _ in range(CSRF_SECRET_LENGTH):
        number, digit = divmod(number, _BASE)
        digits.append(digit)
    return digits


def csrf_token(request):
    """What ``django.middleware.csrf.get_token(request)`` returns, with the same effects."""
    meta = request.META
    secret = meta.get("CSRF_COOKIE")
    if secret is None:
        digits = _random_digits()
        meta["CSRF_COOKIE"] = "".join([CSRF_ALLOWED_CHARS[d] for d in digits])
    else:
        try:
            digits = [_INDEX[char] for char in secret]
        except (KeyError, TypeError):
            return get_token(request)  # not a secret this module knows: Django decides
        if len(digits) != CSRF_SECRET_LENGTH:
            return get_token(request)
    meta["CSRF_COOKIE_NEEDS_UPDATE"] = True  # renew the cookie, as get_token() does
    mask = _random_digits()
    chars = CSRF_ALLOWED_CHARS
    return "".join([chars[m] for m in mask]) + "".join(
        [chars[(s + m) % _BASE] for s, m in zip(digits, mask, strict=True)]
    )
