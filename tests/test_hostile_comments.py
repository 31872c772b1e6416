"""The XSS corpus through the real comment form, every field, and the post body in the admin.

Each vector is posted as a browser would post it: the post page is fetched, the comment
form's fields (CSRF token, signed ``security_token``...) are taken from it and sent back
with one field replaced. A vector is either refused with a form error or stored; then
everything is approved through ``comments.services`` and the post page, the comment feeds
and the post feeds are parsed with ``html.parser``. Pages are compared with the same page
holding a friendly comment, so the site's own ``<form>`` and ``<script src>`` are counted
once and anything more is the payload's.

The helpers here (``page_forms``, ``comment_form_fields``, ``submit_comment``,
``dangers``) are shared with tests/test_bad_input.py.
"""

import re
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from comments.services import comment_approve
from tests.factories import make_post
from tests.test_markup_security import load_vectors as load_corpus

CORPUS = Path(__file__).resolve().parent / "data" / "xss-vectors.txt"
FIELDS = ("name", "email", "website", "body", "competing_interests")
DANGEROUS_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "form",
    "frame",
    "frameset",
    "applet",
    "base",
    "meta",
    "link",
    "style",
    "svg",
    "math",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "xlink:href",
    "poster",
    "background",
    "srcset",
    "lowsrc",
    "dynsrc",
    "codebase",
    "cite",
    "ping",
}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
_IGNORED_IN_SCHEMES = re.compile(r"[\x00-\x20\x7f-\xa0\ufffd\s]+")  # stricter than browsers
ATOM = "{http://www.w3.org/2005/Atom}"


def load_vectors():
    """The shared corpus, read by the markup tests' own reader (its escapes, its comments)."""
    if not CORPUS.exists():
        pytest.fail(f"{CORPUS} is missing: the XSS corpus shared with the markup tests")
    return list(dict.fromkeys(load_corpus(CORPUS)))


# --------------------------------------------------------------------------- HTML helpers


class _FormParser(HTMLParser):
    """Every <form> on a page: its attributes and the fields a browser would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": attrs, "fields": {}})
            return
        if tag == "option" and self._select and "selected" in attrs:
            self.forms[-1]["fields"][self._select] = attrs.get("value", "")
        if not self.forms or "name" not in attrs:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            fields[attrs["name"]] = attrs.get("value") or ("on" if kind == "checkbox" else "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            fields[self._textarea] = ""
        elif tag == "select":
            self._select = attrs["name"]
            fields.setdefault(self._select, "")

    def handle_data(self, data):
        if self._textarea is not None:
            fields = self.forms[-1]["fields"]
            fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # Browsers drop one newline right after <textarea>.
            fields = self.forms[-1]["fields"]
            if fields[self._textarea].startswith("\n"):
                fields[self._textarea] = fields[self._textarea][1:]
            self._textarea = None
        elif tag == "select":
            self._select = None


def page_forms(html):
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def comment_form_fields(client, post):
    """(action, fields) of the comment form on the post page, as a browser would send it."""
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    forms = [
        f
        for f in page_forms(response.content.decode())
        if "comment-form" in f["attrs"].get("class", "")
    ]
    assert len(forms) == 1, "the post page should carry exactly one comment form"
    return forms[0]["attrs"]["action"], forms[0]["fields"]


def submit_comment(client, post, *, fields=None, **values):
    """POST the real form with ``values`` replacing what the commenter typed."""
    if fields is None:
        _action, fields = comment_form_fields(client, post)
    data = {
        **fields,
        "name": "Ann Reader",
        "email": "ann@example.org",
        "body": "Were the raters masked?",
        **values,
    }
    return client.post(reverse("comments:post", args=[post.pk]), data)


class _DangerFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = Counter()

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_TAGS:
            self.found[f"<{tag}>"] += 1
        for name, value in attrs:
            if name.startswith("on"):
                self.found[f"<{tag} {name}=...>"] += 1
            elif name == "style":
                self.found[f"<{tag} style=...>"] += 1
            elif name in URL_ATTRIBUTES and value:
                bare = _IGNORED_IN_SCHEMES.sub("", value).lower()
                if bare.startswith(BAD_SCHEMES):
                    self.found[f"<{tag} {name}={value!r}>"] += 1

    handle_startendtag = handle_starttag


def dangers(html):
    """A count of every script-capable tag, event handler, style and unsafe URL in ``html``."""
    finder = _DangerFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def feed_html_parts(xml_bytes):
    """The HTML-carrying parts of an Atom or RSS feed, plus its link targets as <a> tags."""
    root = ET.fromstring(xml_bytes)
    parts = []
    for element in root.iter():
        tag = element.tag
        if tag in (f"{ATOM}summary", f"{ATOM}content", "description") and element.text:
            parts.append(element.text)
        elif tag == f"{ATOM}link":
            parts.append(f'<a href="{element.get("href", "")}"></a>')
        elif tag in (f"{ATOM}uri", "link") and element.text:
            parts.append(f'<a href="{element.text}"></a>')
    return parts


def assert_feed_is_inert(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    for part in feed_html_parts(response.content):
        assert dangers(part) == Counter(), (url, part[:500])


# --------------------------------------------------------------------------- the tests


@pytest.fixture
def open_limits(settings):
    settings.COMMENT_MIN_SUBMIT_SECONDS = 0
    settings.COMMENT_RATE_LIMIT = "off"
    settings.COMMENT_MAX_LINKS = 1000
    settings.PAGE_CACHE_SECONDS = 0
    settings.COMMENTS_PER_PAGE = 0  # every vector on the one page checked


@pytest.fixture
def browser():
    """A client that checks CSRF, as the site does for a real browser."""
    return Client(enforce_csrf_checks=True)


def public_surfaces(post):
    return {
        "post page": post.get_absolute_url(),
        "home page": reverse("blog:post_list"),
    }


def feeds(post):
    label = post.tags.first()
    urls = [
        reverse("comments:feed_latest"),
        reverse("comments:feed_post", args=[post.pk]),
        reverse("blog:feed_atom"),
        reverse("blog:feed_rss"),
    ]
    if label is not None:
        urls += [
            reverse("blog:label_feed_atom", args=[label.slug]),
            reverse("blog:label_feed_rss", args=[label.slug]),
        ]
    return urls


def baseline(client, post):
    """What the pages hold with one friendly, approved comment: the site's own forms etc."""
    return {
        name: dangers(client.get(url).content.decode())
        for name, url in public_surfaces(post).items()
    }


@pytest.mark.django_db
@pytest.mark.parametrize("field", FIELDS)
def test_every_vector_through_every_comment_field(
    browser, an_author, a_superuser, open_limits, field
):
    vectors = load_vectors()
    post = make_post(author=an_author, title="Hostile field " + field, labels=["neurology"])
    friendly = make_post(author=an_author, title="Friendly twin", labels=["neurology"])
    _action, fields = comment_form_fields(browser, friendly)
    assert submit_comment(browser, friendly, fields=fields).status_code == 302
    comment_approve(comment=Comment.objects.get(post=friendly), moderator=a_superuser)
    expected = baseline(browser, friendly)
    # The header's search box (every page has one) and the page's own comment form, only they.
    assert expected["post page"]["<form>"] == 2

    _action, fields = comment_form_fields(browser, post)
    stored, refused = 0, 0
    for number, vector in enumerate(vectors):
        values = {field: vector}
        if field != "email":
            values["email"] = f"reader{number}@example.org"
        if field != "body":
            values["body"] = f"Comment {number} on the masking."
        response = submit_comment(browser, post, fields=fields, **values)
        assert response.status_code in (302, 400), (vector, response.status_code)
        if response.status_code == 302:
            stored += 1
            # A form's token sends one comment: the next comes from a page fetched anew.
            _action, fields = comment_form_fields(browser, post)
            continue
        refused += 1
        page = response.content.decode()
        assert 'class="errorlist' in page, (vector, "refused without a message")
        assert dangers(page) == expected["post page"], (vector, "in the re-rendered form")

    assert Comment.objects.filter(post=post).count() == stored
    for comment in Comment.objects.filter(post=post):
        comment_approve(comment=comment, moderator=a_superuser)
    print(
        f"\n{field}: {stored} stored, {refused} refused with a form error ({len(vectors)} vectors)"
    )
    if field in ("name", "body", "competing_interests"):
        # Text fields store every vector (shown inertly) except those with a NUL character,
        # which the form refuses with its message.
        assert stored == sum("\0" not in vector for vector in vectors)

    for name, url in public_surfaces(post).items():
        html = browser.get(url).content.decode()
        assert dangers(html) == expected[name], (field, name)
    for url in feeds(post):
        assert_feed_is_inert(browser, url)


def test_the_checks_catch_what_they_look_for():
    found = dangers(
        "<form><script src=x></script><iframe></iframe><object></object><embed>"
        '<a href=" jav&#x09;ascript:alert(1)">x</a><img src="&#x0;data:text/html,x">'
        '<p style="x" onclick="y">z</p><a href="VBScript:x">v</a></form>'
    )
    unsafe_urls = [key for key in found if "=" in key and "=..." not in key]
    assert len(unsafe_urls) == 3, unsafe_urls
    assert {key: n for key, n in found.items() if key not in unsafe_urls} == {
        "<form>": 1,
        "<script>": 1,
        "<iframe>": 1,
        "<object>": 1,
        "<embed>": 1,
        "<p style=...>": 1,
        "<p onclick=...>": 1,
    }
    assert dangers('<a href="https://example.org/javascript:x">ok</a>') == {}
    parts = feed_html_parts(
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><summary type="html">'
        b'&lt;script&gt;x&lt;/script&gt;</summary><link href="javascript:x"/></entry></feed>'
    )
    assert [dangers(part) for part in parts] == [{"<script>": 1}, {"<a href='javascript:x'>": 1}]


@pytest.fixture
def admin_browser(browser, a_superuser):
    browser.force_login(a_superuser)
    return browser


def admin_post_form(client, post):
    url = reverse("admin:blog_post_change", args=[post.pk])
    forms = [
        f
        for f in page_forms(client.get(url).content.decode())
        if f["attrs"].get("id") == "post_form"
    ]
    assert len(forms) == 1
    fields = dict(forms[0]["fields"])
    fields["_save"] = "Save"
    fields["change_kind"] = "minor"  # a published post's text changes only with a kind
    return url, fields


@pytest.mark.django_db
def test_every_vector_in_a_post_body_written_in_the_admin(admin_browser, a_post):
    vectors = load_vectors()
    expected = baseline(admin_browser, a_post)
    url, fields = admin_post_form(admin_browser, a_post)
    for vector in vectors:
        response = admin_browser.post(url, {**fields, "body": vector})
        if "\0" in vector:  # refused by the admin form, with its message
            assert response.status_code == 200
            assert "Null characters are not allowed." in response.content.decode()
            continue
        assert response.status_code == 302, (vector, response.status_code)
        a_post.refresh_from_db()
        assert a_post.body.replace("\r\n", "\n") == vector.replace("\r\n", "\n").strip()
        assert dangers(a_post.body_html) == Counter(), (vector, a_post.body_html)
        page = admin_browser.get(a_post.get_absolute_url()).content.decode()
        assert dangers(page) == expected["post page"], vector
    for feed in feeds(a_post):
        assert_feed_is_inert(admin_browser, feed)
