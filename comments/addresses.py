"""Web addresses as they are displayed: the host in punycode, the rest percent-encoded.

A mixed-script look-alike ("pаypal.com" with a Cyrillic "а") then shows as what it is
(``xn--pypal-4ve.com``) in the admin, the moderation mail, the feeds and the page's link.
Used by the comment form when a website is typed, and by the migration that brought
earlier comments to the same form.
"""

from urllib.parse import urlsplit, urlunsplit

from django.utils.encoding import iri_to_uri


def ascii_address(url):
    """``url`` in ASCII. Raises ValueError (UnicodeError) for a host IDNA cannot encode."""
    if url.isascii():
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    ascii_host = ".".join(
        label.encode("idna").decode("ascii") if label else "" for label in host.split(".")
    )
    userinfo, _, hostport = parts.netloc.rpartition("@")
    if not hostport.startswith("["):  # an IPv6 literal is ASCII already
        hostport = ascii_host + (f":{parts.port}" if parts.port is not None else "")
    netloc = f"{iri_to_uri(userinfo)}@{hostport}" if userinfo else hostport
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            iri_to_uri(parts.path),
            iri_to_uri(parts.query),
            iri_to_uri(parts.fragment),
        )
    )
