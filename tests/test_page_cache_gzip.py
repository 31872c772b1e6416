"""Cached pages go gzip-compressed to the browsers that ask (``pagecache.compression``).

The page is compressed once when stored; each request's placeholder values (the CSRF
token, the comment token) go between the compressed pieces as stored blocks, and the CRC
is combined. So these tests check the gzip member against the page it must decompress to,
for any pieces and values (Hypothesis), the ``Accept-Encoding`` rules, and the whole way
through: a reader's browser gets a compressed page whose tokens work, the same page as one
who does not ask for gzip, with ``Vary: Accept-Encoding`` and a weak ETag.
"""

import gzip
import re
import zlib

import pytest
from django.http import HttpResponse
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from comments.models import Comment
from pagecache import compression, store
from pagecache.middleware import resolved_views
from tests.test_comments_support import post_url

BROWSER = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br, zstd"}  # what Chromium sends


# --- the gzip member ----------------------------------------------------------------------


@hypothesis_settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000), st.binary(max_size=3000))
def test_combined_crcs_are_the_crc_of_the_whole(first, second):
    combined = compression.crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second))
    assert combined == zlib.crc32(first + second)


def test_combined_crcs_hold_for_long_pieces():
    first, second = b"a" * 10, bytes(range(256)) * 600  # 153,600 bytes
    combined = compression.crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second))
    assert combined == zlib.crc32(first + second)


def _page_and_values(draw_pieces, draw_values):
    pieces = [*draw_pieces]
    values = draw_values[: len(pieces) - 1]
    values += [b""] * (len(pieces) - 1 - len(values))
    whole = pieces[0] + b"".join(v + p for v, p in zip(values, pieces[1:], strict=True))
    return pieces, values, whole


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.binary(max_size=2000) | st.text(max_size=800).map(str.encode), min_size=1, max_size=6
    ),
    st.lists(st.binary(max_size=200), max_size=6),
)
def test_any_pieces_and_values_decompress_to_the_page(pieces, values):
    pieces, values, whole = _page_and_values(pieces, values)
    page = compression.GzipPage(pieces)
    body = page.body(values)
    assert gzip.decompress(body) == whole
    assert [page.inflate(n) for n in range(len(pieces))] == pieces  # each piece alone
    streaming = zlib.decompressobj(16 + zlib.MAX_WBITS)  # as a browser reads it
    assert streaming.decompress(body) == whole and streaming.eof and not streaming.unused_data


def test_a_value_longer_than_a_stored_block_is_split():
    pieces, values, whole = _page_and_values([b"<p>", b"</p>"], [bytes(range(256)) * 300])
    body = compression.GzipPage(pieces).body(values)
    assert gzip.decompress(body) == whole


def test_values_are_never_compressed_so_their_length_tells_nothing():
    """A secret (the CSRF token) sits in a stored block: its bytes appear as they are, and
    the compressed size grows by its length whatever it holds (no BREACH oracle)."""
    page = compression.GzipPage([b"<form>" + b"token=abcdef " * 50, b"</form>" * 40])
    secret = b"abcdefabcdefabcdefabcdef"
    body = page.body([secret])
    assert secret in body
    assert len(page.body([b"x" * len(secret)])) == len(body)


# --- Accept-Encoding ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip, deflate, br, zstd", True),
        ("gzip", True),
        ("GZip;Q=0.5", True),
        ("x-gzip", True),
        ("deflate, gzip;q=0", False),
        ("gzip;q=0.000", False),
        ("*", True),
        ("br, *;q=0", False),
        ("*;q=0, gzip", True),
        ("identity", False),
        ("br, zstd", False),
        ("", False),
        ("gzip;q=1.2.3", False),
    ],
)
def test_accept_encoding_is_read_as_rfc_9110_says(header, accepted):
    assert compression.accepts_gzip(header) is accepted


@given(st.text(max_size=200))
def test_any_accept_encoding_header_gets_an_answer(header):
    assert compression.accepts_gzip(header) in (True, False)


# --- the whole way through ----------------------------------------------------------------


def _tokens(html):
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    token = re.search(r'name="security_token" value="([^"]+)"', html).group(1)
    return csrf, token


def _blank_tokens(html):
    return re.sub(r'(name="(?:csrfmiddlewaretoken|security_token)" value=")[^"]+', r"\1", html)


@pytest.mark.django_db
def test_a_browser_gets_the_cached_page_compressed_and_the_same_page(
    page_cache_with_header, a_post
):
    url = a_post.get_absolute_url()
    plain = Client().get(url)
    assert plain["X-Page-Cache"] == "miss" and not plain.has_header("Content-Encoding")
    for state in ("hit", "hit"):
        compressed = Client().get(url, **BROWSER)
        assert compressed["X-Page-Cache"] == state
        assert compressed["Content-Encoding"] == "gzip"
        assert compressed["Vary"] == "Cookie, Accept-Encoding"
        assert compressed["ETag"].startswith('W/"')
        assert int(compressed["Content-Length"]) == len(compressed.content)
        html = gzip.decompress(compressed.content).decode()
        assert _blank_tokens(html) == _blank_tokens(plain.content.decode())
        assert a_post.title in html
        assert len(compressed.content) < len(plain.content) / 2
    refused = Client().get(url, HTTP_ACCEPT_ENCODING="gzip;q=0")
    assert not refused.has_header("Content-Encoding")
    assert refused["Vary"] == "Cookie, Accept-Encoding"
    assert _blank_tokens(refused.content.decode()) == _blank_tokens(plain.content.decode())


@pytest.mark.django_db
def test_a_page_from_the_shared_cache_is_compressed_too(page_cache_with_header, a_post):
    """Another worker (an empty local layer) gets the compressed pieces from the cache."""
    url = a_post.get_absolute_url()
    Client().get(url)
    store.local_layer.clear()
    resolved_views.clear()
    response = Client().get(url, **BROWSER)
    assert response["X-Page-Cache"] == "hit" and response["Content-Encoding"] == "gzip"
    assert a_post.title in gzip.decompress(response.content).decode()


@pytest.mark.django_db
def test_a_commenter_sends_the_form_from_a_compressed_page(
    page_cache_with_header, a_post, fake_clock
):
    browser = Client(enforce_csrf_checks=True)
    url = a_post.get_absolute_url()
    Client().get(url)  # stored
    page = browser.get(url, **BROWSER)
    assert page["X-Page-Cache"] == "hit" and page["Content-Encoding"] == "gzip"
    csrf, token = _tokens(gzip.decompress(page.content).decode())
    fake_clock.advance(30)  # a person's time to write
    sent = browser.post(
        post_url(a_post),
        {
            "name": "Ann Reader",
            "email": "ann@example.org",
            "website": "",
            "body": "Sent from a compressed page.",
            "competing_interests": "None declared",
            "security_token": token,
            "homepage_url": "",
            "parent": "",
            "csrfmiddlewaretoken": csrf,
        },
    )
    assert sent.status_code == 302
    comment = Comment.objects.get(body="Sent from a compressed page.")
    assert comment.status != Comment.Status.SPAM


@pytest.mark.django_db
def test_a_reload_with_the_weak_etag_gets_304_when_nothing_changed(page_cache_with_header):
    """A page whose only per-visitor value is the CSRF token (or none) answers a reload
    with 304 Not Modified, compressed or not."""
    Client().get("/")
    browser = Client()
    first = browser.get("/", **BROWSER)
    assert first["X-Page-Cache"] == "hit" and first["Content-Encoding"] == "gzip"
    again = browser.get("/", HTTP_IF_NONE_MATCH=first["ETag"], **BROWSER)
    assert again.status_code == 304


def test_only_a_stored_page_of_some_size_is_compressed():
    """Compressing costs more than a hit: pages filled once (not stored) are not, and a
    page too small to gain (under 200 bytes, as Django's GZipMiddleware) is not either."""
    big = HttpResponse(b"<p>" + b"word " * 100 + b"</p>")
    assert store.CachedPage(big, expires_at=0).gzip is None
    assert store.CachedPage(big, expires_at=0, compress=True).gzip is not None
    assert store.CachedPage(HttpResponse(b"<p>short</p>"), expires_at=0, compress=True).gzip is None


def _share_for(settings, url, bytes_a_page):
    """Measure the page (not stored), then give each page ``bytes_a_page(size)`` bytes."""
    settings.PAGE_CACHE_SECONDS = 0
    size = len(Client().get(url).content)
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_MAX_BYTES = bytes_a_page(size) * settings.PAGE_CACHE_MAX_ENTRIES
    return size


def _stored_page():
    return next(page for page in store.local_layer.entries.values())


@pytest.mark.django_db
def test_a_page_with_no_room_for_both_copies_keeps_the_compressed_one(
    page_cache_with_header, a_post, settings
):
    """PAGE_CACHE_MAX_BYTES bounds what is kept: where the page and its compressed copy do
    not fit its share together, the compressed copy alone is kept (a long page gains most),
    and a client that does not ask for gzip gets it inflated: the same page."""
    url = a_post.get_absolute_url()
    size = _share_for(settings, url, lambda size: size + 100)
    miss = Client().get(url)
    assert miss["X-Page-Cache"] == "miss"
    page = _stored_page()
    assert page.compressed_only and page.stored_bytes < size
    assert page.stored_bytes <= store.max_page_bytes()
    compressed = Client().get(url, **BROWSER)
    assert compressed["X-Page-Cache"] == "hit" and compressed["Content-Encoding"] == "gzip"
    plain = Client().get(url)
    assert plain["X-Page-Cache"] == "hit" and not plain.has_header("Content-Encoding")
    expected = _blank_tokens(miss.content.decode())
    assert _blank_tokens(plain.content.decode()) == expected
    assert _blank_tokens(gzip.decompress(compressed.content).decode()) == expected


@pytest.mark.django_db
def test_a_page_over_its_share_is_cached_compressed_when_that_fits(
    page_cache_with_header, a_post, settings
):
    """A page larger than its share used to be served uncached; compressed, it fits."""
    url = a_post.get_absolute_url()
    size = _share_for(settings, url, lambda size: size // 2)
    assert Client().get(url)["X-Page-Cache"] == "miss"
    assert _stored_page().stored_bytes <= size // 2
    hit = Client().get(url, **BROWSER)
    assert hit["X-Page-Cache"] == "hit" and hit["Content-Encoding"] == "gzip"
    assert a_post.title in gzip.decompress(hit.content).decode()


@pytest.mark.django_db
def test_a_page_whose_compressed_copy_is_over_its_share_is_not_stored(
    page_cache_with_header, a_post, settings
):
    url = a_post.get_absolute_url()
    _share_for(settings, url, lambda size: 300)
    for _ in range(2):
        response = Client().get(url, **BROWSER)
        assert "X-Page-Cache" not in response and not response.has_header("Content-Encoding")
        assert a_post.title in response.content.decode()
    assert not store.local_layer.entries


@pytest.mark.parametrize(
    "make",
    [
        lambda n: " " * n + "gzip",
        lambda n: "gzip;q=" + "1." * n + "x",
        lambda n: "gzip;" + " q = " * n,
        lambda n: "br," * n + "gzip",
        lambda n: "gzip" + ";" * n,
        lambda n: "*;q=0," * n,
    ],
)
def test_reading_accept_encoding_is_linear(make):
    from tests.test_redos import assert_linear

    read = compression.accepts_gzip.__wrapped__  # uncached: the work itself is measured
    read.__name__ = "accepts_gzip"
    assert_linear(read, make)
