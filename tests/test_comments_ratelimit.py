"""The per-IP rate limit: parsing, windows, and counting in the shared cache."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured

from comments import ratelimit


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


def test_no_address_is_not_counted():
    assert all(ratelimit.hit(None, "1/m") for _ in range(3))


def test_counters_live_in_the_shared_counters_cache():
    ratelimit.hit("192.0.2.1", "1/m", now=60.0)
    assert not ratelimit.hit("192.0.2.1", "1/m", now=61.0)
    cache.clear()  # the pages' cache: emptying it (a cull, a flood) lifts nothing
    assert not ratelimit.hit("192.0.2.1", "1/m", now=62.0)
    caches["counters"].clear()  # the shared counters: clearing them resets the count
    assert ratelimit.hit("192.0.2.1", "1/m", now=63.0)


def test_concurrent_hits_are_counted_exactly():
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: ratelimit.hit("192.0.2.9", "10/h", now=0.0), range(40)))
    assert results.count(True) == 10


def test_an_expired_counter_between_add_and_incr_starts_again(monkeypatch):
    monkeypatch.setattr(cache, "add", lambda *a, **k: False)
    monkeypatch.setattr(cache, "incr", lambda *a, **k: (_ for _ in ()).throw(ValueError()))
    assert ratelimit.hit("192.0.2.1", "1/m")


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
