"""The client's IP address, for rate limits, sign-in throttling and moderation."""

import ipaddress

from django.conf import settings


def client_ip(request):
    """The address in CLIENT_IP_HEADER (REMOTE_ADDR by default), or None if it is not an IP.

    Behind one trusted reverse proxy set CLIENT_IP_HEADER=HTTP_X_FORWARDED_FOR: its last
    entry counts, the one our own proxy appended (earlier ones are the client's to forge).
    """
    raw = request.META.get(settings.CLIENT_IP_HEADER) or ""
    candidate = raw.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None
