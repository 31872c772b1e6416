"""Admin sign-in is throttled per address and per username; success resets it."""

import pytest
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.ADMIN_LOGIN_MAX_FAILURES = 3
    settings.ADMIN_LOGIN_LOCKOUT_SECONDS = 600


def _login(client, username, password, ip="203.0.113.5"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def test_repeated_failures_lock_out_with_a_clear_message(client, limits):
    make_user(username="editor", staff=True, password="right-password")
    for _ in range(3):
        assert _login(client, "editor", "wrong").status_code == 200
    response = _login(client, "editor", "right-password")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_follows_the_username_across_addresses(client, limits):
    make_user(username="editor", staff=True, password="right-password")
    for n in range(3):
        _login(client, "editor", "wrong", ip=f"198.51.100.{n}")
    assert _login(client, "editor", "right-password", ip="192.0.2.77").status_code == 429


def test_lockout_follows_the_address_across_usernames(client, limits):
    make_user(username="editor", staff=True, password="right-password")
    for n in range(3):
        _login(client, f"guess{n}", "wrong")
    assert _login(client, "editor", "right-password").status_code == 429


def test_a_successful_login_resets_the_counters(client, limits):
    make_user(username="editor", staff=True, password="right-password")
    _login(client, "editor", "wrong")
    _login(client, "editor", "wrong")
    assert _login(client, "editor", "right-password").status_code == 302
    client.logout()
    _login(client, "editor", "wrong")
    _login(client, "editor", "wrong")
    assert _login(client, "editor", "right-password").status_code == 302


def test_other_spellings_of_a_username_share_its_counter(client, limits):
    """Django normalises usernames (NFKC) before signing in: "ａdmin" is "admin"."""
    make_user(username="editor", staff=True, password="right-password")
    for n in range(3):
        _login(client, "editor", "wrong", ip=f"198.51.100.{n}")
    for spelling in ("\uff45ditor", "EDITOR", " editor "):
        response = _login(client, spelling, "right-password", ip="192.0.2.200")
        assert response.status_code == 429, spelling


def test_a_lockout_survives_the_page_cache_being_emptied(client, limits):
    """Counters live in their own cache: culling or flooding the pages cannot lift them."""
    from django.core.cache import caches

    make_user(username="editor", staff=True, password="right-password")
    for _ in range(3):
        _login(client, "editor", "wrong")
    caches["default"].clear()
    assert _login(client, "editor", "right-password").status_code == 429
