"""The rate limit: parsing, windows, address buckets (IPv6 /64, fail closed), database counters.

Concurrency is tested in tests/test_counters.py (on PostgreSQL).
"""

import logging

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

from comments import ratelimit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [
        ("5/m", (5, 60)),
        ("10/s", (10, 1)),
        ("100/h", (100, 3600)),
        ("3/d", (3, 86400)),
        (" 7 / 15m ", (7, 900)),
        ("2/min", (2, 60)),
        ("off", None),
        ("OFF", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_rate(rate, parsed):
    assert ratelimit.parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["5", "five/m", "5/y", "5/", "/m", "-1/m"])
def test_bad_rates_fail_loudly(rate):
    with pytest.raises(ImproperlyConfigured, match="COMMENT_RATE_LIMIT"):
        ratelimit.parse_rate(rate)


def test_limit_within_a_window_then_a_new_window():
    assert [ratelimit.hit("192.0.2.1", "3/m", now=60.0) for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    assert ratelimit.hit("192.0.2.2", "3/m", now=60.0)  # another address
    assert ratelimit.hit("192.0.2.1", "3/m", now=120.0)  # the next minute


def test_off_never_limits():
    assert all(ratelimit.hit("192.0.2.1", "off") for _ in range(50))


def test_no_address_is_not_exempt_all_such_hits_share_one_bucket():
    assert ratelimit.hit(None, "2/m", now=60.0)
    assert ratelimit.hit("", "2/m", now=60.0)
    assert ratelimit.hit("not an address", "1/m", now=60.0)  # a key of its own
    assert not ratelimit.hit(None, "2/m", now=61.0)


@pytest.mark.parametrize(
    "spellings",
    [
        ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:DB8:1:2:ffff:ffff:ffff:ffff"],
        ["198.51.100.4", "::ffff:198.51.100.4", "::ffff:c633:6404"],
        ["fe80::1%eth0", "fe80::1%1", "fe80::1"],
    ],
)
def test_one_network_and_every_spelling_share_a_limit(spellings):
    assert all(ratelimit.hit(each, "3/m", now=60.0) for each in spellings)
    assert not ratelimit.hit(spellings[0], "3/m", now=60.0)
    assert ratelimit.hit("2001:db8:1:3::1", "3/m", now=60.0)  # the next /64 is someone else


def test_any_other_key_counts_as_itself_however_long():
    token = "t" * 500
    assert ratelimit.hit(token, "1/m", now=60.0)
    assert not ratelimit.hit(token, "1/m", now=60.0)
    assert ratelimit.hit(token[:-1] + "u", "1/m", now=60.0)


def test_counters_are_not_in_any_cache():
    from limits.models import Counter

    ratelimit.hit("192.0.2.1", "1/m", now=60.0)
    assert not ratelimit.hit("192.0.2.1", "1/m", now=61.0)
    for each in caches.all():
        each.clear()  # a cull, a flood, an eviction: lifts nothing
    assert not ratelimit.hit("192.0.2.1", "1/m", now=62.0)
    Counter.objects.all().delete()
    assert ratelimit.hit("192.0.2.1", "1/m", now=63.0)


def test_the_window_keeps_its_length_on_a_busy_counter():
    """The database cache's incr() once cut every window to 300 s; a day is a day."""
    day = 86400 * 20_000
    assert ratelimit.hit("192.0.2.1", "1/d", now=day + 1)
    assert not any(ratelimit.hit("192.0.2.1", "1/d", now=day + t) for t in (2, 301, 86399))


@pytest.fixture
def rate_limited(settings):
    settings.COMMENT_RATE_LIMIT = "2/h"


def _comment(client, post, n, **meta):
    from tests.test_comments_support import form_data, post_url

    return client.post(post_url(post), form_data(post, body=f"Comment number {n}."), **meta)


@pytest.mark.parametrize("header", [None, "", "garbage", "203.0.113.9, unknown"])
def test_behind_a_proxy_comments_without_an_address_are_limited_together(
    client, a_post, rate_limited, settings, header, caplog
):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    meta = {} if header is None else {"HTTP_X_FORWARDED_FOR": header}
    caplog.set_level(logging.WARNING)
    assert _comment(client, a_post, 1, **meta).status_code == 302
    assert _comment(client, a_post, 2, REMOTE_ADDR="10.9.9.9", **meta).status_code == 302
    refused = _comment(client, a_post, 3, REMOTE_ADDR="10.1.1.1", **meta)
    assert refused.status_code == 429
    assert "Comment number 3." in refused.content.decode()  # the text is kept
    assert "no usable client address" in caplog.text  # the operator is told
    assert _comment(client, a_post, 4, HTTP_X_FORWARDED_FOR="198.51.100.4").status_code == 302


def test_a_slash_64_is_one_commenter_but_each_stored_address_is_full(client, a_post, rate_limited):
    from comments.models import Comment

    for n, address in enumerate(["2001:db8:1:2::1", "2001:db8:1:2::2"]):
        assert _comment(client, a_post, n, REMOTE_ADDR=address).status_code == 302
    assert _comment(client, a_post, 9, REMOTE_ADDR="2001:db8:1:2::3").status_code == 429
    stored = set(Comment.objects.values_list("ip_address", flat=True))
    assert stored == {"2001:db8:1:2::1", "2001:db8:1:2::2"}


@pytest.mark.parametrize(
    ("remote_addr", "stored"),
    [("::ffff:198.51.100.4", "198.51.100.4"), ("fe80::1%eth0", "fe80::1")],
)
def test_dual_stack_and_scoped_addresses_are_stored_in_one_spelling(
    client, a_post, remote_addr, stored
):
    from comments.models import Comment

    assert _comment(client, a_post, 1, REMOTE_ADDR=remote_addr).status_code == 302
    assert Comment.objects.get().ip_address == stored


def test_a_bad_setting_fails_the_system_checks(settings):
    from comments.checks import comment_settings

    assert comment_settings(None) == []
    settings.COMMENT_RATE_LIMIT = "lots"
    settings.COMMENT_MAX_DEPTH = 0
    assert {error.id for error in comment_settings(None)} == {"comments.E001", "comments.E003"}


def test_seconds_until_reset_is_the_rest_of_the_window():
    from comments.ratelimit import seconds_until_reset

    assert seconds_until_reset("5/m", now=600.0) == 60
    assert seconds_until_reset("5/m", now=630.5) == 30
    assert seconds_until_reset("10/h", now=3600.0 + 3599.5) == 1
    assert seconds_until_reset("off", now=0) == 0
