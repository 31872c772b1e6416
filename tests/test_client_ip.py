"""The client's address: normalised for storage, keyed by /64 for rate limits, fail closed."""

import logging

import pytest
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from config.client_ip import UNKNOWN, address_bucket, client_bucket, client_ip
from tests.strategies import any_script_text


def _request(**meta):
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("remote_addr", "stored"),
    [
        ("198.51.100.4", "198.51.100.4"),
        ("::ffff:198.51.100.4", "198.51.100.4"),  # dual-stack server, IPv4 client
        ("::FFFF:C633:6404", "198.51.100.4"),  # the same, in hex
        ("fe80::1%eth0", "fe80::1"),  # a scope id names our interface, not the client
        ("2001:DB8::0:1", "2001:db8::1"),
    ],
)
def test_the_stored_address_is_the_full_address_in_one_spelling(remote_addr, stored):
    assert client_ip(_request(REMOTE_ADDR=remote_addr)) == stored


@pytest.mark.parametrize(
    "spellings",
    [
        ["198.51.100.4", "::ffff:198.51.100.4", "::ffff:c633:6404"],
        ["2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:0db8:0001:0002::abcd"],
        ["fe80::1%eth0", "fe80::2%1", "fe80::1"],
    ],
)
def test_every_spelling_and_every_address_of_one_slash_64_share_a_bucket(spellings):
    buckets = {client_bucket(_request(REMOTE_ADDR=each)) for each in spellings}
    assert len(buckets) == 1, buckets


def test_neighbouring_networks_and_ipv4_addresses_are_separate():
    assert address_bucket("2001:db8:1:2::1") != address_bucket("2001:db8:1:3::1")
    assert address_bucket("198.51.100.4") != address_bucket("198.51.100.5")
    assert address_bucket("2001:db8:1:2::1") == "2001:db8:1:2::/64"


@pytest.mark.parametrize(
    "header",
    [None, "", "unknown", "<script>", "999.1.1.1", "203.0.113.9, garbage", " , ", "fe80::1%"],
)
def test_behind_a_proxy_a_missing_or_garbage_header_is_the_shared_unknown_bucket(
    settings, header, caplog
):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    meta = {"REMOTE_ADDR": "10.0.0.1"}  # the proxy's own address must never be used
    if header is not None:
        meta["HTTP_X_FORWARDED_FOR"] = header
    request = _request(**meta)
    assert client_ip(request) is None
    with caplog.at_level(logging.WARNING, logger="config.client_ip"):
        assert client_bucket(request) == UNKNOWN
    assert "no usable client address" in caplog.text


def test_the_proxy_header_uses_the_last_entry_with_or_without_a_port(settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    for header, expected in [
        ("203.0.113.9, 198.51.100.4", "198.51.100.4"),
        ("203.0.113.9, 198.51.100.4:5123", "198.51.100.4"),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("203.0.113.9,::ffff:198.51.100.4", "198.51.100.4"),
    ]:
        assert client_ip(_request(HTTP_X_FORWARDED_FOR=header)) == expected, header


@given(
    st.one_of(
        any_script_text(),
        st.ip_addresses().map(str),
        st.ip_addresses(v=6).map(lambda address: f"[{address}]:443"),
        st.tuples(any_script_text(), st.ip_addresses()).map(lambda pair: f"{pair[0]}, {pair[1]}"),
    )
)
def test_any_header_text_gives_an_address_or_the_unknown_bucket_never_an_error(text):
    import ipaddress

    from django.test import override_settings

    with override_settings(CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR"):
        request = _request(HTTP_X_FORWARDED_FOR=text)
        bucket = client_bucket(request)
        ip = client_ip(request)
    assert (bucket == UNKNOWN) == (ip is None)
    if ip is not None:
        address = ipaddress.ip_address(ip)
        if address.version == 4:
            assert bucket == ip
        else:
            assert address in ipaddress.ip_network(bucket)
            assert ipaddress.ip_network(bucket).prefixlen == 64


@given(st.ip_addresses(v=6))
def test_every_ipv6_address_is_bucketed_by_its_slash_64(address):
    import ipaddress

    bucket = address_bucket(str(address))
    if address.ipv4_mapped:
        assert bucket == str(address.ipv4_mapped)
    else:
        assert ipaddress.ip_address(str(address)) in ipaddress.ip_network(bucket)
        assert bucket.endswith("/64")
