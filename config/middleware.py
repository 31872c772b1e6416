"""Site-wide HTTP concerns: security headers, request size limits, unreadable requests,
database faults."""

import codecs
import functools
import logging
import sys

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.urls import NoReverseMatch, reverse

logger = logging.getLogger(__name__)


class HeadWithoutBodyMiddleware:
    """A HEAD gets the GET's headers, its Content-Length included, and no body.

    Django renders the body for a HEAD as for a GET; gunicorn then drops it and logs a
    warning for every such request (an uptime check sending HEAD each minute fills the
    log). First in MIDDLEWARE, so every other middleware has seen the whole response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD" and not response.streaming:
            if not response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy and friends on every response, the admin's included.

    No inline script is allowed anywhere: the JSON-LD data block is not executed, and
    Django's admin (5.2) keeps its scripts in files and passes data in data-* attributes.
    The admin has its own policy setting so that loosening one never loosens the other.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = (
            settings.ADMIN_CONTENT_SECURITY_POLICY
            if request.path.startswith(_admin_prefix())
            else settings.CONTENT_SECURITY_POLICY
        )
        if settings.DEBUG and _is_django_debug_page(response):
            policy = _debug_page_policy(policy)
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


# Django's technical 404 and 500 pages (DEBUG only) say this; none of the site's pages does.
_DEBUG_PAGE_MARK = b"because you have <code>DEBUG = True</code>"


def _is_django_debug_page(response):
    return (
        response.status_code >= 400
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and _DEBUG_PAGE_MARK in response.content
    )


def _debug_page_policy(policy):
    """Django's debug pages carry their style and script inline: with DEBUG on (never in
    production), they may run them, so a developer sees them as Django draws them."""
    directives = []
    for directive in policy.split(";"):
        name = directive.split()[0] if directive.split() else ""
        if name in ("script-src", "style-src") and "'unsafe-inline'" not in directive:
            directive = f"{directive.rstrip()} 'unsafe-inline'"
        directives.append(directive.strip())
    return "; ".join(d for d in directives if d)


@functools.cache
def _admin_prefix():
    """The admin's address prefix, found once per process (a reverse() on every response
    cost ~44 µs, page-cache hits and static files included)."""
    try:
        return reverse("admin:index")
    except NoReverseMatch:
        return "/admin/"


def _forget_admin_prefix(*, setting, **kwargs):
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _admin_prefix.cache_clear()


setting_changed.connect(_forget_admin_prefix, dispatch_uid="config.middleware.admin_prefix")


def _render_plain(request, template_name, status, context=None):
    """Render an error page without touching the database."""
    try:
        body = loader.render_to_string(template_name, context or {})
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        body = f"<!DOCTYPE html><html lang=en><title>Error {status}</title><h1>Error {status}</h1>"
    return HttpResponse(body, status=status)


# --- upload allowances (registered by apps from their ready(), e.g. media_library) ---
_upload_allowances = []


def allow_uploads_under(prefix, max_bytes, *, describe):
    """Multipart POSTs under ``prefix`` may be up to ``max_bytes()`` (read per request, so
    a changed setting applies) instead of MAX_REQUEST_BODY_BYTES; ``describe()`` says what
    fits, on the 413 page."""
    _upload_allowances[:] = [a for a in _upload_allowances if a[0] != prefix]
    _upload_allowances.append((prefix, max_bytes, describe))


def _allowance(request):
    if request.method != "POST" or request.content_type != "multipart/form-data":
        return None
    for prefix, max_bytes, describe in _upload_allowances:
        if request.path.startswith(prefix):
            return max_bytes(), describe()
    return None


class RequestSizeLimitMiddleware:
    """Refuse request bodies over MAX_REQUEST_BODY_BYTES with a clear 413 page; an upload
    form registered with ``allow_uploads_under`` gets its own, larger, limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit, what_fits = settings.MAX_REQUEST_BODY_BYTES, ""
        allowance = _allowance(request) if length > limit else None
        if allowance:
            limit, what_fits = max(limit, allowance[0]), allowance[1]
        if length > limit:
            return _render_plain(
                request,
                "413.html",
                413,
                {"limit_kb": limit // 1024, "what_fits": what_fits},
            )
        return self.get_response(request)


class UnreadableRequestMiddleware:
    """A clear 400 page for requests no page can read, before anything reads them.

    - A body declared in an encoding other than UTF-8 (``charset=latin-1``, ``utf-16``):
      Django refuses such a form while the CSRF check reads it, and its 400 handler then
      reads it again, which ended in a 500. Browsers send forms in the page's encoding
      (UTF-8) and do not label them, so the label comes from a script, which is told to
      send UTF-8. UTF-8 under another name (``utf8``, ``U8``) is read as UTF-8; a charset
      on a request without a body describes nothing and is ignored; an unknown one is
      ignored by Django already.
    - A NUL character (``%00``) anywhere in the address: no page takes one, and PostgreSQL
      refuses it in a query (the admin's search, filters and date hierarchy were 500s).
    - A NUL in a cookie: the cookie is dropped, as any unreadable cookie is (a session
      cookie with one was a 500 on PostgreSQL).
    """

    BODY_METHODS = {"POST", "PUT", "PATCH"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = self._encoding_problem(request) or self._nul_problem(request)
        if reason:
            logger.info("400 for %s %r: %s", request.method, request.path, reason)
            return _render_plain(request, "400.html", 400, {"reason": reason})
        raw_cookies = request.META.get("HTTP_COOKIE", "")
        if "\x00" in raw_cookies or "\\" in raw_cookies:  # raw, or a quoted "\000"
            for name, value in list(request.COOKIES.items()):
                if "\x00" in name or "\x00" in value:
                    del request.COOKIES[name]
        return self.get_response(request)

    def _encoding_problem(self, request):
        charset = request.content_params.get("charset")
        if not charset:
            return None
        try:
            codec = codecs.lookup(charset).name
        except LookupError:
            return None
        if codec != "utf-8" and self._has_body(request):
            return (
                f"This request was sent as {charset}; this site reads forms only in UTF-8. "
                "Send it again encoded as UTF-8."
            )
        if request.encoding != "utf-8":
            request.encoding = "utf-8"
        return None

    def _has_body(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        return length > 0 or request.method in self.BODY_METHODS

    def _nul_problem(self, request):
        raw_query = request.META.get("QUERY_STRING", "")
        # A NUL reaches the decoded query only as %00 or a raw NUL: parse only then.
        nul_in_query = ("%00" in raw_query or "\x00" in raw_query) and any(
            "\x00" in name or any("\x00" in value for value in values)
            for name, values in request.GET.lists()
        )
        if nul_in_query or "\x00" in request.path:
            return (
                "The address contains a null character (%00), which no page on this site "
                "accepts. Check the address and try again."
            )
        return None


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
