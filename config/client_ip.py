"""The client's address: one spelling for storage, one bucket per network for rate limits.

``client_ip(request)`` is what moderation stores: the full address, normalised (an
IPv4-mapped ``::ffff:1.2.3.4`` is ``1.2.3.4``; a scope id such as ``%eth0`` names our own
interface, not the client, and is dropped), or None when there is no usable address.

``client_bucket(request)`` is what rate limits and sign-in throttling count by: an IPv4
address, or the /64 network of an IPv6 address (one subscriber gets a whole /64 and can
use every address in it). A request without a usable address is never exempt: all such
requests share the single ``UNKNOWN`` bucket (fail closed), and each one is logged, since
it usually means CLIENT_IP_HEADER does not match what the proxy sends.
"""

import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)

UNKNOWN = "unknown"
IPV6_PREFIX = 64


def _parse(candidate):
    """An ``ipaddress`` object from one header entry (with or without a port), or None."""
    candidate = candidate.strip()
    if candidate.startswith("[") and "]" in candidate:  # "[2001:db8::1]:443"
        candidate = candidate[1 : candidate.index("]")]
    elif candidate.count(":") == 1:  # "198.51.100.4:5123"
        candidate = candidate.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return None
    if address.version == 6:
        if address.ipv4_mapped:
            return address.ipv4_mapped
        if address.scope_id is not None:
            return ipaddress.IPv6Address(candidate.split("%", 1)[0])
    return address


def client_ip(request):
    """The address in CLIENT_IP_HEADER (REMOTE_ADDR by default), normalised, or None.

    Behind one trusted reverse proxy set CLIENT_IP_HEADER=HTTP_X_FORWARDED_FOR: its last
    entry counts, the one our own proxy appended (earlier ones are the client's to forge).
    """
    raw = str(request.META.get(settings.CLIENT_IP_HEADER) or "")
    address = _parse(raw.split(",")[-1])
    return str(address) if address is not None else None


def address_bucket(ip):
    """The rate-limit key for an address: IPv4 as is, IPv6 by its /64, else ``UNKNOWN``."""
    address = _parse(ip) if ip else None
    if address is None:
        return UNKNOWN
    if address.version == 6:
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


def client_bucket(request):
    """The rate-limit key for this request; logs a warning when it is ``UNKNOWN``."""
    bucket = address_bucket(client_ip(request))
    if bucket == UNKNOWN:
        logger.warning(
            "no usable client address in %s (%r): counted in the shared unknown bucket",
            settings.CLIENT_IP_HEADER,
            str(request.META.get(settings.CLIENT_IP_HEADER, ""))[:100],
        )
    return bucket
