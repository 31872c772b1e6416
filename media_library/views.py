"""Uploaded files, served by the app itself (``make run`` and ``make serve`` alike).

Only names this app writes are answered (``services.NAME_PATTERN``: no other path, no
``..``), with the type fixed by the extension the app chose when it re-encoded the image,
never guessed from the bytes: ``nosniff``, a sandboxing Content-Security-Policy, and a
download (``Content-Disposition: attachment``) for anything that is not one of those
image types. The names hold a random part and never change, so they are cached for a year.
In production a web server or object storage may answer MEDIA_URL instead (README).
"""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from media_library.processing import CONTENT_TYPES
from media_library.services import NAME_PATTERN

MEDIA_CSP = "default-src 'none'; sandbox"
ONE_YEAR = 365 * 24 * 60 * 60


@require_safe
def serve_media(request, name):
    if NAME_PATTERN.fullmatch(name) is None:
        raise Http404("No such file.")
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
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
