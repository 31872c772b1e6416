"""Old addresses of imported items: one normal form for storing and for looking up."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlsplit

# Query parameters that name a WordPress item (/?p=12, /?page_id=3); every other
# parameter (Blogger's ?m=1, tracking tags) is not part of an address.
ITEM_PARAMETERS = ("p", "page_id")
MAX_LENGTH = 500


def legacy_key(url: str, *, query: str | None = None) -> str:
    """The stored form of an old address: its decoded path without a trailing slash (the
    root stays "/"), plus ``?p=<id>`` when WordPress named the item that way. "" for an
    address that cannot be one. Runs of slashes count as one (``//greek/x`` is ``/greek/x``),
    as web servers treat them."""
    raw = (url or "").strip()
    if raw.startswith("/"):  # a path: "//x" is not a host here
        path, _mark, rest = raw.partition("?")
        path, rest = path.partition("#")[0], rest.partition("#")[0]
    else:
        parts = urlsplit(raw)
        path, rest = parts.path, parts.query
    path = "/" + "/".join(part for part in unquote(path or "/").split("/") if part)
    params = dict(parse_qsl(rest if query is None else query))
    for name in ITEM_PARAMETERS:
        value = params.get(name, "")
        if value.isdigit():
            return f"{path}?{name}={int(value)}"[:MAX_LENGTH]
    if path == "/" or len(path) > MAX_LENGTH:
        return ""  # the home page is never an old address of one post
    return path
