"""Site-wide HTTP concerns: security headers, request size limits, database faults."""

import logging
import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and friends on every page outside the admin.

    No inline script is allowed; the JSON-LD data block is not executed, so it needs none.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def _render_plain(request, template_name, status, context=None):
    """Render an error page without touching the database."""
    try:
        body = loader.render_to_string(template_name, context or {})
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        body = f"<!DOCTYPE html><html lang=en><title>Error {status}</title><h1>Error {status}</h1>"
    return HttpResponse(body, status=status)


class RequestSizeLimitMiddleware:
    """Refuse request bodies over MAX_REQUEST_BODY_BYTES with a clear 413 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return _render_plain(
                request,
                "413.html",
                413,
                {"limit_kb": settings.MAX_REQUEST_BODY_BYTES // 1024},
            )
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Answer a styled 503 when the database cannot be reached, instead of a traceback.

    Only the database: a cache that fails is served around (pagecache/backends.py), so a
    503 here always means the site's data could not be read or written, and the log names
    the database and the error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError) as exc:
            return self._unavailable(request, exc)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)) or (
            isinstance(exception, DatabaseError) and "connect" in str(exception).lower()
        ):
            return self._unavailable(request, exception)
        return None

    def _unavailable(self, request, exc):
        return database_unavailable(request, exc)


def _database_description():
    from django.db import connection

    settings_dict = connection.settings_dict
    where = settings_dict.get("HOST") or ""
    if settings_dict.get("PORT"):
        where += f":{settings_dict['PORT']}"
    return f"{connection.vendor} database {settings_dict.get('NAME')!s}" + (
        f" at {where}" if where else ""
    )


def database_unavailable(request, exc):
    """The styled 503, with a commenter's text given back: nothing typed is lost."""
    message = str(exc).strip() or "(no message)"
    hint = ""
    if "no such table" in message or ("relation" in message and "does not exist" in message):
        hint = " (a table is missing: run `manage.py migrate`)"
    logger.error(
        "Database unavailable for %s %s: %s: %s on the %s%s",
        request.method,
        request.path,
        type(exc).__name__,
        message,
        _database_description(),
        hint,
    )
    context = {}
    if request.method == "POST":
        context["kept_text"] = request.POST.get("body", "")
    response = _render_plain(request, "503.html", 503, context)
    response["Retry-After"] = "30"
    return response


def server_error(request):
    """handler500: a database that cannot be reached is a 503, wherever it was noticed
    (a middleware's cache read, the session, the user), not only in a view."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        return database_unavailable(request, error)
    from blog.views import server_error as blog_server_error

    return blog_server_error(request)


class AdminActionSelectionMiddleware:
    """Drop forged ids from an admin bulk action's selection.

    Django's admin filters the selection with ``pk__in``, which raises (a 500) on a value
    such as ``abc``. Every primary key here is a whole number, so anything else is
    dropped before any admin, ours or Django's own (users, groups), sees it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path.startswith("/admin/"):
            name = "_selected_action"
            selected = request.POST.getlist(name)
            usable = [value for value in selected if value.isascii() and value.isdigit()]
            if len(usable) != len(selected):
                request.POST = request.POST.copy()
                request.POST.setlist(name, usable)
        return self.get_response(request)
