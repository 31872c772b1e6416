"""``comments.token_signing.dumps`` is ``django.core.signing.dumps``, byte for byte.

The comment form's token is made on every cached hit, so it is made without Django's
per-call signer; these tests pin that it is the very token Django would make at the same
second, for any payload, salt and secret, and that ``signing.loads`` reads it, through a
key rotation (``SECRET_KEY_FALLBACKS``) too.
"""

from unittest import mock

import pytest
from django.core import signing
from hypothesis import given
from hypothesis import strategies as st

from comments.forms import TOKEN_SALT, make_token
from comments.token_signing import dumps

payloads = st.dictionaries(
    st.text(max_size=8),
    st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    max_size=5,
)


@given(payloads, st.text(min_size=1, max_size=30), st.integers(0, 2**40))
def test_the_token_is_djangos_for_any_payload_and_salt(payload, salt, now):
    with mock.patch("time.time", return_value=now + 0.25):
        assert dumps(payload, salt=salt) == signing.dumps(payload, salt=salt)


@given(st.text(min_size=1, max_size=80))
def test_the_token_follows_the_secret_key(secret):
    from django.test import override_settings

    with override_settings(SECRET_KEY=secret), mock.patch("time.time", return_value=1e9):
        assert dumps({"p": 1}, salt=TOKEN_SALT) == signing.dumps({"p": 1}, salt=TOKEN_SALT)


def test_django_reads_it_and_refuses_it_altered_or_under_another_salt():
    token = dumps({"p": 7, "n": "nonce"}, salt=TOKEN_SALT)
    assert signing.loads(token, salt=TOKEN_SALT) == {"p": 7, "n": "nonce"}
    with pytest.raises(signing.BadSignature):
        signing.loads(token, salt="another.salt")
    with pytest.raises(signing.BadSignature):
        signing.loads(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), salt=TOKEN_SALT)


def test_a_token_made_before_a_key_rotation_still_reads(settings):
    settings.SECRET_KEY = "the-old-key-" + "x" * 40
    token = dumps({"p": 3}, salt=TOKEN_SALT)
    settings.SECRET_KEY = "the-new-key-" + "y" * 40
    settings.SECRET_KEY_FALLBACKS = ["the-old-key-" + "x" * 40]
    assert signing.loads(token, salt=TOKEN_SALT) == {"p": 3}


@pytest.mark.django_db
def test_the_comment_form_token_is_this_one(a_post):
    with mock.patch("time.time", return_value=1_800_000_000.5):
        token = make_token(a_post, nonce="fixed")
        expected = signing.dumps(
            {"p": a_post.pk, "t": 1_800_000_000.5, "n": "fixed"}, salt=TOKEN_SALT
        )
    assert token == expected
