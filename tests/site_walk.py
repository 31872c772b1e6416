"""Walk every public page of a (small) site and read what a reader or a feed reader gets.

``walk_site(client)`` visits the home page, every published post, ``/labels/``, every label
page with its two feeds, every year and month archive, the site feeds, the comment feeds,
``sitemap.xml`` (and every address it lists), ``robots.txt``, then every same-site link found
on those pages (one level, so a link the site prints but cannot serve is found too). The
addresses come from the database, not from the site's own navigation helpers, so a page the
site forgets to link is still visited; when ``reverse()`` cannot build an address (a slug the
URL patterns refuse), the address is written by hand and visited anyway.

``decoded_strings(page)`` reads a page the way its consumer does: HTML through html.parser
(text, attribute values, the JSON-LD's strings), XML through xml.etree, and in feeds the
elements that carry HTML (Atom ``type="html"``, RSS ``<description>``) decoded a second time,
as a feed reader does. What comes out is what a person sees, so a typed value must be found in
it exactly as typed, and ``&lt;`` or ``&amp;`` in it means something was escaped twice.
"""

import json
import traceback
import unicodedata
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import feedparser
from django.conf import settings
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

# What escaping twice leaves behind in decoded text (Django's and the XML writer's forms).
ESCAPE_LEFTOVERS = ("&amp;", "&lt;", "&gt;", "&quot;", "&#x27;", "&#39;", "&#34;")

# Same-site links that are not reader pages: the admin, static files, the comment form's
# POST target, and pages that only exist with a query (reply forms are never cached).
NOT_WALKED_PREFIXES = ("/admin/", "/static/", "/comments/post/", "/favicon.ico")


class CrashedResponse:
    """Stands in for the 500 a reader would get; ``error`` is the view's traceback."""

    status_code = 500

    def __init__(self, error):
        self.error = error
        self.content = b""

    def get(self, name, default=None):
        return default


@dataclass
class Page:
    url: str
    kind: str  # html, atom, rss, sitemap, text
    response: object
    found_on: str = ""

    @property
    def status(self):
        return self.response.status_code

    @property
    def text(self):
        return self.response.content.decode("utf-8")


@dataclass
class Walk:
    pages: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.pages.values())

    def __getitem__(self, url):
        return self.pages[url]

    def of_kind(self, *kinds):
        return [page for page in self if page.kind in kinds]

    def failures(self, *, allowed=()):
        """Pages that did not answer 200 (``allowed``: addresses with a justified other answer)."""
        return [
            (page.url, page.status, page.found_on)
            for page in self
            if page.status != 200 and page.url not in allowed
        ]


def _reverse_or(name, fallback, **kwargs):
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return fallback


def public_addresses():
    """(address, kind) for every public page, from the database (published posts only)."""
    from taggit.models import Tag

    from blog.models import Post

    addresses = [
        ("/", "html"),
        ("/labels/", "html"),
        ("/feeds/atom/", "atom"),
        ("/feeds/rss/", "rss"),
        ("/comments/feeds/latest/", "atom"),
        ("/sitemap.xml", "sitemap"),
        ("/robots.txt", "text"),
    ]
    months = set()
    for post in Post.objects.published().order_by("published_at", "pk"):
        local = timezone.localtime(post.published_at)
        months.add((local.year, local.month))
        detail = _reverse_or(
            "blog:post_detail",
            f"/{local.year:04d}/{local.month:02d}/{quote(post.slug)}/",
            year=local.year,
            month=f"{local.month:02d}",
            slug=post.slug,
        )
        addresses.append((detail, "html"))
        addresses.append((f"/comments/feeds/post/{post.pk}/", "atom"))
    for year in sorted({year for year, _ in months}):
        addresses.append((f"/{year:04d}/", "html"))
    for year, month in sorted(months):
        addresses.append((f"/{year:04d}/{month:02d}/", "html"))
    labels = (
        Tag.objects.filter(post__in=Post.objects.published()).annotate(n=Count("pk")).order_by("pk")
    )
    for label in labels:
        slug = quote(label.slug)
        for name, suffix, kind in (
            ("blog:label_detail", "", "html"),
            ("blog:label_feed_atom", "feeds/atom/", "atom"),
            ("blog:label_feed_rss", "feeds/rss/", "rss"),
        ):
            addresses.append((_reverse_or(name, f"/labels/{slug}/{suffix}", slug=label.slug), kind))
    return addresses


def _kind_of(response):
    content_type = response.get("Content-Type", "")
    if "atom" in content_type:
        return "atom"
    if "rss" in content_type:
        return "rss"
    if "xml" in content_type:
        return "sitemap"
    if "html" in content_type:
        return "html"
    return "text"


def _local_path(href):
    """The site-relative path of ``href`` if it is a page of this site, else None."""
    parts = urlsplit(href)
    site = urlsplit(settings.SITE_URL)
    if parts.scheme and (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        return None
    if not parts.path.startswith("/") or parts.path.startswith(NOT_WALKED_PREFIXES):
        return None
    if parts.query and not parts.query.startswith("page="):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def walk_site(client, *, follow_links=True):
    """Every public page, then (``follow_links``) every same-site page they link to."""
    walk = Walk()

    def visit(url, kind=None, found_on=""):
        if url in walk.pages:
            return
        try:
            response = client.get(url)
        except Exception:  # the test client re-raises a view's exception: record it as a 500
            response = CrashedResponse(traceback.format_exc())
        walk.pages[url] = Page(url, kind or _kind_of(response), response, found_on)

    for url, kind in public_addresses():
        visit(url, kind)
    if not follow_links:
        return walk
    for page in list(walk):
        if page.status != 200:
            continue
        for href in links_of(page):
            path = _local_path(href)
            if path is not None:
                visit(path, found_on=page.url)
    return walk


class _HtmlReader(HTMLParser):
    """Decoded text, attribute values, hrefs and JSON-LD of one HTML document."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.strings, self.links, self.json_ld = [], [], []
        self._script = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            self.strings.append(value)
            if name in ("href", "src") or (tag == "form" and name == "action"):
                self.links.append(value)
        if tag in ("script", "style"):
            self._script = dict(attrs).get("type", tag)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._script = None

    def handle_data(self, data):
        if self._script == "application/ld+json":
            self.json_ld.append(json.loads(data))
        elif self._script is None:
            self.strings.append(data)


def read_html(text):
    reader = _HtmlReader()
    reader.feed(text)
    reader.close()
    return reader


def _json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def _carries_html(element, kind):
    tag = element.tag
    if kind == "atom":
        return tag in (f"{ATOM}content", f"{ATOM}summary", f"{ATOM}title") and (
            element.get("type") == "html"
        )
    return kind == "rss" and tag == "description" and element.text is not None


def _xml_strings(page):
    root = ET.fromstring(page.response.content)
    strings = []
    for element in root.iter():
        strings.extend(element.attrib.values())
        if _carries_html(element, page.kind):
            strings.extend(read_html(element.text or "").strings)
        elif element.text:
            strings.append(element.text)
    return strings


def decoded_strings(page):
    """What the page's consumer reads: every text and attribute value, decoded."""
    if page.kind == "html":
        reader = read_html(page.text)
        strings = list(reader.strings)
        for data in reader.json_ld:
            strings.extend(_json_strings(data))
        return strings
    if page.kind in ("atom", "rss", "sitemap"):
        return _xml_strings(page)
    return [page.text]


def links_of(page):
    if page.kind == "html":
        return read_html(page.text).links
    if page.kind == "sitemap":
        root = ET.fromstring(page.response.content)
        return [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    if page.kind in ("atom", "rss"):
        root = ET.fromstring(page.response.content)
        hrefs = [link.get("href") for link in root.iter(f"{ATOM}link") if link.get("href")]
        return hrefs + [link.text for link in root.iter("link") if link.text]
    return []


def feed_problems(page):
    """feedparser's complaint about a feed, or None when it parses cleanly."""
    parsed = feedparser.parse(page.response.content)
    if parsed.bozo:
        return f"{page.url}: {parsed.bozo_exception!r}"
    return None


def shown_forms(value):
    """How a typed value may legitimately be shown: as typed, with its runs of whitespace
    made one space (names, descriptions), or in Unicode's composed form NFC (Django's
    Truncator composes the descriptions it shortens): canonically equivalent text, which
    looks the same to readers."""
    collapsed = " ".join(value.split())
    return {
        value,
        collapsed,
        unicodedata.normalize("NFC", value),
        unicodedata.normalize("NFC", collapsed),
    }


def pages_showing(walk, value, *, kinds=("html", "atom", "rss")):
    """The addresses of the pages where ``value`` is found decoded (in one string)."""
    forms = [form for form in shown_forms(value) if form]
    found = []
    for page in walk:
        if page.status != 200 or page.kind not in kinds:
            continue
        strings = decoded_strings(page)
        if any(form in string for string in strings for form in forms):
            found.append(page.url)
    return found


def escaped_twice_problems(walk, typed_values):
    """Each place where something reached a reader escaped twice.

    - In the raw HTML: the double-escaped form of a typed value with ``<``, ``>``, ``&`` or
      quotes (``&amp;lt;``...).
    - In decoded text of any page or feed: an escape leftover (``&lt;``, ``&amp;``...) that
      no typed value contains.
    """
    typed = [value for value in typed_values if value]
    leftovers = [token for token in ESCAPE_LEFTOVERS if not any(token in v for v in typed)]
    problems = []
    for page in walk:
        if page.status != 200:
            continue
        if page.kind == "html":
            raw = page.text
            for value in typed:
                once = escape(value)
                twice = escape(once)
                if twice != once and twice in raw:
                    problems.append(f"{page.url}: raw HTML has {twice!r} (typed {value!r})")
        for string in decoded_strings(page):
            for token in leftovers:
                if token in string:
                    where = string.index(token)
                    problems.append(
                        f"{page.url}: decoded text has {token!r}: "
                        f"{string[max(0, where - 40) : where + 40]!r}"
                    )
                    break
    return problems


def escaped_twice_problems_in(html_text, typed_values):
    """``escaped_twice_problems`` for one HTML page outside a walk (a refusal, a form)."""

    class _Response:
        status_code = 200
        content = html_text.encode()

    walk = Walk({"page": Page("page", "html", _Response())})
    return escaped_twice_problems(walk, typed_values)


def answered_with_error(walk):
    """Pages that answered 500 (or any 5xx): never acceptable."""
    return [
        (page.url, page.status, getattr(page.response, "error", "")[-600:])
        for page in walk
        if page.status >= 500
    ]


@contextmanager
def fresh_example():
    """One Hypothesis example's own database state and caches: everything it writes is
    rolled back (a savepoint inside the test's transaction) and every cache emptied, so
    examples never see each other's posts, labels, counters or cached sidebars."""
    from django.core.cache import caches
    from django.db import transaction

    from pagecache.store import local_layer

    def clear():
        for each in caches.all():
            each.clear()
        local_layer.clear()

    clear()
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        clear()


class _FormReader(HTMLParser):
    """The fields of one form as a browser would send them, before the person types."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.values = form_id, False, {}
        self._textarea = self._select = None

    def _add(self, name, value):
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            classes = (attrs.get("class") or "").split()
            self.inside = self.form_id in (attrs.get("id"), *classes)
            return
        if not self.inside:
            return
        if tag == "option":
            if self._select and "selected" in attrs:
                self._add(self._select, attrs.get("value", ""))
            return
        if not attrs.get("name"):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._add(attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._add(self._textarea, None)
        elif tag == "select":
            self._select = attrs["name"]

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            values = self.values[self._textarea]
            values[-1] = values[-1] or ""
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            current = self.values[self._textarea][-1]
            if current is None:  # a browser drops the one newline that follows <textarea>
                current, data = "", data.removeprefix("\n")
            self.values[self._textarea][-1] = current + data


def form_values(html_text, form_id):
    """``{name: value or [values]}`` of the form ``form_id`` (its id or a class), as the page
    offers it: hidden fields (tokens, management forms) and initial values included."""
    reader = _FormReader(form_id)
    reader.feed(html_text)
    reader.close()
    return {name: vals if len(vals) > 1 else vals[0] for name, vals in reader.values.items()}


def form_errors(html_text):
    """The error messages an admin or reader form shows (Django's ``errorlist``)."""
    found = []

    class Errors(HTMLParser):
        depth = 0

        def handle_starttag(self, tag, attrs):
            classes = dict(attrs).get("class") or ""
            if self.depth or "errorlist" in classes.split() or "errornote" in classes.split():
                self.depth += 1

        def handle_endtag(self, tag):
            if self.depth:
                self.depth -= 1

        def handle_data(self, data):
            if self.depth and data.strip():
                found.append(data.strip())

    Errors(convert_charrefs=True).feed(html_text)
    return found
