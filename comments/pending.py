"""Which comments this browser sent: a signed cookie naming their ids (WordPress shows a
commenter their own held comment the same way).

The cookie is signed (``django.core.signing`` through ``set_signed_cookie``, with its own
salt) and timestamped: a forged, altered or expired cookie names nothing, so a visitor can
never see or edit another person's comment by typing its id. It is HttpOnly, SameSite=Lax,
Secure on HTTPS, and names at most ``MAX_IDS`` comments (the newest). It is the proof of
authorship for editing and withdrawing (comments.editing), and it never reaches a shared
cache key: pages stay the same for everyone, and the commenter's own comments are filled in
per request (comments.rendering.pending_html through the page cache's placeholder).
"""

from django.core import signing

COOKIE_NAME = "tp_my_comments"
COOKIE_SALT = "comments.pending.my-comments"
MAX_AGE_SECONDS = 7 * 24 * 60 * 60
MAX_IDS = 20
_MAX_COOKIE_CHARS = 600  # 20 ids, the timestamp and the signature fit easily


def comment_ids(request):
    """The ids this browser may call its own, newest last; empty for no, a forged or an
    expired cookie. Costs nothing without the cookie (no signature check, no query)."""
    raw = request.COOKIES.get(COOKIE_NAME)
    if not raw or len(raw) > _MAX_COOKIE_CHARS:
        return []
    try:
        value = request.get_signed_cookie(COOKIE_NAME, salt=COOKIE_SALT, max_age=MAX_AGE_SECONDS)
    except (KeyError, signing.BadSignature, ValueError):
        return []
    ids = []
    for part in value.split("."):
        if part.isascii() and part.isdigit() and len(part) <= 18 and part not in ids:
            ids.append(part)
    return [int(part) for part in ids[-MAX_IDS:]]


def owns(request, comment_id):
    return comment_id in comment_ids(request)


def remember(request, response, comment_id):
    """Add ``comment_id`` to this browser's cookie on ``response`` (the oldest drop off)."""
    ids = [pk for pk in comment_ids(request) if pk != comment_id] + [comment_id]
    _set(request, response, ids[-MAX_IDS:])


def forget(request, response, comment_id):
    ids = [pk for pk in comment_ids(request) if pk != comment_id]
    if ids:
        _set(request, response, ids)
    else:
        response.delete_cookie(COOKIE_NAME, samesite="Lax")


def _set(request, response, ids):
    response.set_signed_cookie(
        COOKIE_NAME,
        ".".join(str(pk) for pk in ids),
        salt=COOKIE_SALT,
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
