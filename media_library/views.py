"""Uploaded files, served by the app itself (``make run`` and ``make serve`` alike).

Only names this app writes are answered (``services.NAME_PATTERN``: no other path, no
``..``), with the type fixed by the extension the app chose when it re-encoded the image,
never guessed from the bytes: ``nosniff``, a sandboxing Content-Security-Policy, and a
download (``Content-Disposition: attachment``) for anything that is not one of those
image types. The names hold a random part and never change, so they are cached for a year,
and revalidated with a 304 (an ETag made from the name, the file's Last-Modified) when a
browser asks anyway. ``Cross-Origin-Resource-Policy: cross-origin``: feed readers on other
origins show a post's images (the files are public, like the posts that show them).
In production a web server or object storage may answer MEDIA_URL instead (README).
"""

import hashlib

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_safe

from media_library.processing import CONTENT_TYPES
from media_library.services import NAME_PATTERN

MEDIA_CSP = "default-src 'none'; sandbox"
ONE_YEAR = 365 * 24 * 60 * 60


def _etag(name):
    """A name's content never changes (it holds a random part): the name is the version."""
    return quote_etag(hashlib.sha256(name.encode()).hexdigest()[:32])


def _last_modified(name):
    """The file's modification time (a Unix timestamp), None if the storage cannot say;
    Http404 when there is no such file."""
    try:
        return int(default_storage.get_modified_time(name).timestamp())
    except NotImplementedError:
        return None
    except (FileNotFoundError, OSError):
        raise Http404("No such file.") from None


def _headers(response, name, last_modified):
    response["ETag"] = _etag(name)
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@require_safe
def serve_media(request, name):
    if NAME_PATTERN.fullmatch(name) is None:
        raise Http404("No such file.")
    last_modified = _last_modified(name)
    # Preconditions are answered before the file is opened: a 304 reads nothing.
    headers_only = _headers(HttpResponse(), name, last_modified)
    answered = get_conditional_response(
        request, etag=_etag(name), last_modified=last_modified, response=headers_only
    )
    if answered is not headers_only:
        return answered
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("No such file.") from None
    extension = name.rsplit(".", 1)[-1]
    content_type = CONTENT_TYPES.get(extension)
    response = FileResponse(
        handle,
        content_type=content_type or "application/octet-stream",
        as_attachment=content_type is None,
    )
    return _headers(response, name, last_modified)
