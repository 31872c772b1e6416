"""The CSRF token filled into cached pages (``pagecache.tokens.csrf_token``) is Django's.

It is drawn with one random number instead of 64 calls, so these tests pin down everything
``django.middleware.csrf.get_token`` promises: the secret it keeps for the cookie, the mark
that makes the middleware send the cookie, a token that unmasks to the secret, a new mask
each time, and characters spread over the whole alphabet.
"""

from collections import Counter

import pytest
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CSRF_TOKEN_LENGTH,
    CsrfViewMiddleware,
    _unmask_cipher_token,
    get_token,
)
from django.test import RequestFactory

from pagecache.tokens import csrf_token


def _request(**meta):
    request = RequestFactory().get("/")
    request.META.update(meta)
    return request


def test_a_visitor_without_a_cookie_gets_a_new_secret_and_the_cookie_mark():
    request = _request()
    token = csrf_token(request)
    secret = request.META["CSRF_COOKIE"]
    assert len(secret) == CSRF_SECRET_LENGTH and set(secret) <= set(CSRF_ALLOWED_CHARS)
    assert len(token) == CSRF_TOKEN_LENGTH and set(token) <= set(CSRF_ALLOWED_CHARS)
    assert _unmask_cipher_token(token) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_one_request_keeps_one_secret_and_masks_it_afresh_each_time():
    request = _request()
    tokens = {csrf_token(request) for _ in range(20)}
    assert len(tokens) == 20
    assert {_unmask_cipher_token(token) for token in tokens} == {request.META["CSRF_COOKIE"]}


def test_a_visitor_with_a_cookie_keeps_their_secret():
    secret = "abcDEF0123456789abcDEF0123456789"
    request = _request(CSRF_COOKIE=secret)
    token = csrf_token(request)
    assert request.META["CSRF_COOKIE"] == secret
    assert _unmask_cipher_token(token) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True  # the cookie's expiry is renewed


def test_two_visitors_never_share_a_secret():
    secrets_seen = set()
    for _ in range(500):
        request = _request()
        csrf_token(request)
        secrets_seen.add(request.META["CSRF_COOKIE"])
    assert len(secrets_seen) == 500


def test_every_character_can_appear_at_every_place():
    """A uniform draw: over 3,000 secrets each of the 62 characters shows at the first and
    the last place (a missing one would be a 1-in-10^19 accident), none far too often."""
    firsts, lasts = Counter(), Counter()
    for _ in range(3000):
        request = _request()
        csrf_token(request)
        firsts[request.META["CSRF_COOKIE"][0]] += 1
        lasts[request.META["CSRF_COOKIE"][-1]] += 1
    for counts in (firsts, lasts):
        assert set(counts) == set(CSRF_ALLOWED_CHARS)
        assert max(counts.values()) < 3 * 3000 / len(CSRF_ALLOWED_CHARS)


def test_a_secret_it_does_not_know_is_left_to_django():
    """The CSRF middleware never keeps such a secret; if other code did, both answer alike:
    a character outside the alphabet is refused, a short secret gives a short token."""
    with pytest.raises(ValueError):
        get_token(_request(CSRF_COOKIE="not a secret!"))
    with pytest.raises(ValueError):
        csrf_token(_request(CSRF_COOKIE="not a secret!"))
    short = "a" * 31
    ours, djangos = csrf_token(_request(CSRF_COOKIE=short)), get_token(_request(CSRF_COOKIE=short))
    assert len(ours) == len(djangos) == 63  # 32 for the mask, 31 for the cipher


@pytest.mark.parametrize("with_cookie", [False, True])
def test_the_csrf_middleware_accepts_the_token_with_its_cookie(with_cookie):
    middleware = CsrfViewMiddleware(lambda request: None)
    page = _request()
    if with_cookie:
        page.COOKIES["csrftoken"] = "Zyx9876543210Zyx9876543210Zyx987"
        middleware.process_request(page)
    token = csrf_token(page)
    cookie = page.META["CSRF_COOKIE"]

    post = RequestFactory().post(
        "/comments/", {"csrfmiddlewaretoken": token}, HTTP_COOKIE=f"csrftoken={cookie}"
    )
    middleware.process_request(post)
    assert middleware.process_view(post, lambda request: None, (), {}) is None  # accepted

    forged = RequestFactory().post(
        "/comments/", {"csrfmiddlewaretoken": token}, HTTP_COOKIE=f"csrftoken={'a' * 32}"
    )
    middleware.process_request(forged)
    refused = middleware.process_view(forged, lambda request: None, (), {})
    assert refused is not None and refused.status_code == 403


def test_each_character_is_drawn_from_as_many_random_byte_values_as_any_other():
    """The draw keeps the bytes 0-247 and maps each to a character: four values each."""
    from pagecache import tokens

    kept = bytes(range(256)).translate(None, tokens._UNUSABLE)
    assert len(kept) == 248
    per_character = Counter(kept.translate(tokens._BYTE_TO_INDEX).translate(tokens._INDEX_TO_CHAR))
    assert set(per_character) == set(CSRF_ALLOWED_CHARS.encode())
    assert set(per_character.values()) == {4}
