"""Admin sign-in throttling: per address and address + username; never a lockout by others."""

import logging

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from hypothesis import given

from limits.login_throttle import KNOWN_COOKIE
from tests.factories import make_user
from tests.strategies import any_script_text

pytestmark = pytest.mark.django_db

USUAL = "192.0.2.10"  # where the real user signs in from


@pytest.fixture
def limits(settings):
    settings.ADMIN_LOGIN_MAX_FAILURES = 3
    settings.ADMIN_LOGIN_MAX_FAILURES_PER_ADDRESS = 6
    settings.ADMIN_LOGIN_USERNAME_SLOWDOWN_AFTER = 10
    settings.ADMIN_LOGIN_SLOWDOWN_SECONDS = 30
    settings.ADMIN_LOGIN_LOCKOUT_SECONDS = 600


@pytest.fixture
def an_editor(db):
    return make_user(username="editor", staff=True, password="right-password")


def _login(client, username, password, ip="203.0.113.5", **meta):
    """Sign out first, as a browser would, keeping its cookies but the session."""
    known = client.cookies.get(KNOWN_COOKIE)
    client.logout()
    if known is not None:
        client.cookies[KNOWN_COOKIE] = known.value
    meta.setdefault("REMOTE_ADDR", ip)
    return client.post(reverse("admin:login"), {"username": username, "password": password}, **meta)


def _signed_in(client):
    return "_auth_user_id" in client.session


def _attack(username, *, failures, addresses):
    """Failures from an attacker's own browser (none of the user's cookies)."""
    attacker = Client()
    for n in range(failures):
        _login(attacker, username, "wrong", ip=addresses[n % len(addresses)])


BOTNET = [f"198.51.{n // 250}.{n % 250 + 1}" for n in range(500)]


def test_repeated_failures_lock_out_the_address_for_that_username(client, limits, an_editor):
    for _ in range(3):
        assert _login(client, "editor", "wrong").status_code == 200
    response = _login(client, "editor", "right-password")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-in attempts for this username from your address." in page
    assert "Please wait 10 minutes and try again." in page
    assert response["Retry-After"] == "600"
    assert not _signed_in(client)


def test_an_attacker_elsewhere_cannot_lock_the_admin_out_of_the_usual_address(
    client, limits, an_editor
):
    """Issue 10 item 4: five wrong passwords from anywhere used to 429 the real admin."""
    assert _login(client, "editor", "right-password", ip=USUAL).status_code == 302
    _attack("editor", failures=60, addresses=BOTNET[:20])
    response = _login(client, "editor", "right-password", ip=USUAL)
    assert response.status_code == 302 and _signed_in(client)
    other_browser = Client()  # the address alone is enough, without the browser's cookie
    response = _login(other_browser, "editor", "right-password", ip=USUAL)
    assert response.status_code == 302 and _signed_in(other_browser)


def test_a_few_failures_elsewhere_never_stop_a_first_sign_in(client, limits, an_editor):
    _attack("editor", failures=5, addresses=BOTNET)
    assert _login(client, "editor", "right-password", ip=USUAL).status_code == 302


def test_many_failures_for_a_username_slow_down_new_addresses_only(
    client, limits, an_editor, fake_clock
):
    assert _login(client, "editor", "right-password", ip=USUAL).status_code == 302
    stranger = Client()
    _attack("editor", failures=10, addresses=BOTNET)
    # One attempt per 30 s for the username from all unknown addresses together.
    assert _login(stranger, "editor", "wrong", ip="203.0.113.50").status_code == 200
    slowed = _login(stranger, "editor", "right-password", ip="203.0.113.51")
    assert slowed.status_code == 429
    assert "sign-in from a new address is slowed down" in slowed.content.decode()
    assert "Please wait 30 seconds and try again." in slowed.content.decode()
    assert slowed["Retry-After"] == "30"
    # The user's known address is never slowed.
    assert _login(client, "editor", "right-password", ip=USUAL).status_code == 302
    fake_clock.advance(30)
    assert _login(stranger, "editor", "right-password", ip="203.0.113.51").status_code == 302


def test_a_browser_that_signed_in_before_is_not_slowed_on_a_new_address(client, limits, an_editor):
    assert _login(client, "editor", "right-password", ip=USUAL).status_code == 302
    cookie = client.cookies[KNOWN_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["path"] == reverse("admin:login")
    assert "editor" not in cookie.value  # a digest, signed
    stranger = Client()
    _attack("editor", failures=11, addresses=BOTNET)
    assert _login(stranger, "editor", "right-password", ip="203.0.113.51").status_code == 429
    assert _login(client, "editor", "right-password", ip="203.0.113.52").status_code == 302
    forged = Client()
    forged.cookies[KNOWN_COOKIE] = cookie.value.replace(":", ";", 1)
    assert _login(forged, "editor", "right-password", ip="203.0.113.53").status_code == 429
    copied = Client()  # another username's cookie does not help either
    copied.cookies[KNOWN_COOKIE] = cookie.value
    make_user(username="other", staff=True, password="right-password")
    _attack("other", failures=11, addresses=BOTNET)
    assert _login(copied, "other", "right-password", ip="203.0.113.54").status_code == 429


def test_the_address_limit_covers_every_username(client, limits, an_editor):
    for n in range(6):
        _login(client, f"guess{n}", "wrong")
    response = _login(client, "editor", "right-password")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts from your address." in response.content.decode()
    assert _login(client, "editor", "right-password", ip=USUAL).status_code == 302


def test_a_successful_sign_in_resets_its_own_counter(client, limits, an_editor):
    for _ in range(2):
        _login(client, "editor", "wrong")
        _login(client, "editor", "wrong")
        assert _login(client, "editor", "right-password").status_code == 302


def test_other_spellings_of_a_username_share_its_counter(client, limits, an_editor):
    """Django normalises usernames (NFKC) before signing in: "ｅditor" is "editor"."""
    for _ in range(3):
        _login(client, "editor", "wrong")
    for spelling in ("\uff45ditor", "EDITOR", " editor "):
        assert _login(client, spelling, "right-password").status_code == 429, spelling


@pytest.mark.parametrize(
    ("attacker", "victim"),
    [
        (["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::9"], "2001:db8:1:2::99"),
        (["203.0.113.5", "::ffff:203.0.113.5", "::ffff:cb00:7105"], "203.0.113.5"),
        (["fe80::1%eth0", "fe80::2%eth1", "fe80::3"], "fe80::4%2"),
    ],
)
def test_every_address_of_a_slash_64_and_every_spelling_count_as_one(
    client, limits, an_editor, attacker, victim
):
    _attack("editor", failures=3, addresses=attacker)
    assert _login(client, "editor", "right-password", ip=victim).status_code == 429
    assert _login(client, "editor", "right-password", ip="2001:db8:1:3::1").status_code == 302


@pytest.mark.parametrize("header", [None, "", "garbage", "203.0.113.9, <script>"])
def test_behind_a_proxy_requests_without_an_address_share_one_strict_bucket(
    client, limits, an_editor, settings, caplog, header
):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    meta = {} if header is None else {"HTTP_X_FORWARDED_FOR": header}
    with caplog.at_level(logging.WARNING):
        for n in range(3):  # the strict limit, and for three different usernames
            _login(client, f"guess{n}", "wrong", ip="10.0.0.1", **meta)
    assert "no usable client address" in caplog.text
    response = _login(client, "editor", "right-password", ip="10.0.0.1", **meta)
    assert response.status_code == 429
    # A real address behind the same proxy is its own bucket.
    assert _login(client, "editor", "right-password", HTTP_X_FORWARDED_FOR=USUAL).status_code == 302


def test_clear_lockouts_by_username(client, limits, an_editor, capsys):
    _attack("editor", failures=3, addresses=["203.0.113.5", "203.0.113.6"])
    call_command("clear_lockouts", username="EDITOR")
    assert "Lifted 3 sign-in counters." in capsys.readouterr().out  # 2 pairs, username-wide
    assert _login(client, "editor", "right-password").status_code == 302


def test_clear_lockouts_by_address_and_all(client, limits, an_editor, capsys):
    for n in range(6):
        _login(client, f"guess{n}", "wrong", ip="2001:db8:1:2::1")
    call_command("clear_lockouts", ip="2001:db8:1:2::77")  # the same /64
    assert "Lifted 7 sign-in counters." in capsys.readouterr().out
    assert _login(client, "editor", "right-password", ip="2001:db8:1:2::1").status_code == 302
    _attack("editor", failures=3, addresses=["203.0.113.5"])
    call_command("clear_lockouts", all=True)
    assert _login(client, "editor", "right-password").status_code == 302


def test_clearing_keeps_known_addresses(client, limits, an_editor, capsys):
    from limits.models import Counter

    assert _login(client, "editor", "right-password", ip=USUAL).status_code == 302
    call_command("clear_lockouts", all=True, username="editor", ip=USUAL)
    assert Counter.objects.filter(key__startswith="login:known:").count() == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [({}, "Say which lockouts to lift"), ({"ip": "not-an-address"}, "is not an IP address")],
)
def test_clear_lockouts_refuses_unclear_requests(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("clear_lockouts", **options)


def test_the_lockout_page_is_a_whole_admin_page(client, limits, an_editor):
    for _ in range(3):
        _login(client, "editor", "wrong")
    page = _login(client, "editor", "wrong").content.decode()
    assert page.startswith("<!DOCTYPE html>") and "</html>" in page
    assert 'role="alert"' in page
    assert reverse("admin:login") in page


@given(any_script_text())
def test_any_username_is_throttled_never_an_error(client, limits, username):
    from limits.models import Counter

    Counter.objects.all().delete()
    for _ in range(4):
        response = _login(client, username, "wrong", ip="198.51.100.200")
        assert response.status_code in (200, 429)
    assert response.status_code == 429
