"""Bad input through the real comment form: a clear message or stored faithfully, never a 500.

Runs on SQLite and PostgreSQL alike (DATABASE_URL). The test client re-raises any
exception a view lets through, so "never a 500" is checked on every request. The
pathological Markdown is also timed in ``blog.markup.render_comment`` (run with ``-s`` to
see the figures); the bound asserted is generous so that a busy machine does not flake.
"""

import email.policy
import time
from email.parser import BytesParser
from html.parser import HTMLParser
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from blog import markup
from comments.models import Comment
from comments.services import comment_approve
from tests.lean_markup_support import comment_ids
from tests.test_hostile_comments import comment_form_fields, dangers, feeds, submit_comment

pytestmark = pytest.mark.django_db

FRIENDLY = {
    "name": "Ann Reader",
    "email": "ann@example.org",
    "body": "Were the raters masked?",
    "competing_interests": "None declared",
}
TEXT_FIELDS = ("name", "body", "competing_interests")
RENDER_BOUND_SECONDS = 1.0  # the promise is 50 ms; this only catches a runaway


@pytest.fixture(autouse=True)
def open_limits(settings):
    settings.COMMENT_MIN_SUBMIT_SECONDS = 0
    settings.COMMENT_RATE_LIMIT = "off"
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def form(browser, a_post):
    """The comment form's fields as the post page serves them."""
    return comment_form_fields(browser, a_post)[1]


def post_raw(client, post, form, raw_pairs, *, content_type=None):
    """POST a urlencoded body built by hand, so that raw (invalid) bytes reach the server."""
    friendly = {
        k: v for k, v in {**form, **FRIENDLY}.items() if k not in {name for name, _ in raw_pairs}
    }
    body = urlencode(friendly).encode() + b"".join(
        b"&" + name.encode() + b"=" + value for name, value in raw_pairs
    )
    return client.generic(
        "POST",
        reverse("comments:post", args=[post.pk]),
        body,
        content_type=content_type or "application/x-www-form-urlencoded",
    )


def approve_all(post, moderator):
    for comment in Comment.objects.filter(post=post):
        comment_approve(comment=comment, moderator=moderator)


def field_errors(html, field):
    """The texts of the error list beside ``field`` (Django's id_<field>_error list)."""

    class Errors(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.depth, self.texts = 0, []

        def handle_starttag(self, tag, attrs):
            if self.depth:
                self.depth += tag == "ul"
            elif tag == "ul" and dict(attrs).get("id") == f"id_{field}_error":
                self.depth = 1

        def handle_endtag(self, tag):
            if self.depth and tag == "ul":
                self.depth -= 1

        def handle_data(self, data):
            if self.depth and data.strip():
                self.texts.append(data.strip())

    parser = Errors()
    parser.feed(html)
    return parser.texts


# --------------------------------------------------------------------------- NUL, encodings


@pytest.mark.parametrize("field", ["name", "email", "website", "body", "competing_interests"])
def test_a_nul_byte_in_any_field_is_refused_with_a_message(browser, a_post, form, field):
    value = {"email": "ann\x00@example.org", "website": "https://ex\x00ample.org"}.get(
        field, "Ann\x00Reader"
    )
    response = submit_comment(browser, a_post, fields=form, **{field: value})
    assert response.status_code == 400
    errors = field_errors(response.content.decode(), field)
    assert errors, f"no message beside {field}"
    assert any("Null characters are not allowed" in e or "Enter a valid" in e for e in errors)
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("field", ["parent", "security_token", "homepage_url"])
def test_a_nul_byte_in_a_hidden_field_is_refused_with_a_message(browser, a_post, form, field):
    response = submit_comment(browser, a_post, fields=form, **{field: form[field] + "1\x00"})
    assert response.status_code == 400
    html = response.content.decode()
    # The honeypot's own error sits beside it; other hidden fields' errors at the top.
    assert 'class="errorlist' + ('"' if field == "homepage_url" else ' nonfield"') in html
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("parent", ["abc", "-5", "9" * 40, "1.5", "\u0661"])
def test_a_forged_parent_gets_a_message_at_the_top(browser, a_post, form, parent):
    response = submit_comment(browser, a_post, fields=form, parent=parent)
    assert response.status_code == 400
    alert = response.content.decode().split('<div class="form-errors" role="alert">')[1]
    assert "You can only reply to" in alert.split("</div>")[0]
    assert Comment.objects.count() == 0


def test_a_nul_byte_in_the_user_agent_is_dropped_before_the_database(browser, a_post, form):
    response = browser.post(
        reverse("comments:post", args=[a_post.pk]),
        {**form, **FRIENDLY},
        HTTP_USER_AGENT="Evil\x00Bot/1.0" * 100,
    )
    assert response.status_code == 302
    agent = Comment.objects.get().user_agent
    assert agent.startswith("EvilBot/1.0EvilBot") and len(agent) == 500


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_a_lone_surrogate_in_raw_bytes_is_stored_as_a_replacement_character(
    browser, a_post, a_superuser, form, field
):
    """%ED%A0%80 is UTF-8 for U+D800, which no valid text holds: it arrives as U+FFFD."""
    response = post_raw(browser, a_post, form, [(field, b"Ann%ED%A0%80Reader")])
    assert response.status_code == 302
    stored = getattr(Comment.objects.get(), field)
    assert "\ud800" not in stored and stored.startswith("Ann") and stored.endswith("Reader")
    assert "\ufffd" in stored
    approve_all(a_post, a_superuser)
    assert "\ufffd" in browser.get(a_post.get_absolute_url()).content.decode()


@pytest.mark.parametrize("raw", [b"Ann%FF%FEReader", b"Ann\xff\xfeReader", b"%C0%AF%80"])
def test_invalid_utf8_in_the_body_is_stored_readably(browser, a_post, form, raw):
    response = post_raw(browser, a_post, form, [("body", raw)])
    assert response.status_code == 302
    body = Comment.objects.get().body
    assert body.encode("utf-8")  # valid text, whatever the bytes were
    assert "\ufffd" in body or body == raw.decode("latin-1")


def test_invalid_utf8_in_the_email_is_a_form_error(browser, a_post, form):
    response = post_raw(browser, a_post, form, [("email", b"ann%FF@example.org")])
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "email") == ["Enter a valid email address."]


def test_an_unknown_charset_is_read_as_utf8(browser, a_post, form):
    response = post_raw(
        browser,
        a_post,
        form,
        [("body", b"caf%C3%A9")],
        content_type="application/x-www-form-urlencoded; charset=no-such",
    )
    assert response.status_code == 302
    assert Comment.objects.get().body == "caf\u00e9"


NOT_UTF8 = ["latin-1", "ISO-8859-1", "utf-16", "UTF-16LE", "utf-32", "cp1252", "base64"]


@pytest.mark.parametrize("charset", NOT_UTF8)
def test_a_form_declared_in_another_encoding_gets_the_400_page_with_a_message(
    browser, a_post, form, charset
):
    """Browsers send forms in the page's encoding (UTF-8) and never label them; a label
    that says otherwise comes from a script, which is told what to send instead."""
    response = post_raw(
        browser,
        a_post,
        form,
        [("body", b"caf%E9")],
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Bad request" in html
    assert f"sent as {escape(charset)}" in html and "UTF-8" in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("charset", ["latin-1", "utf-16"])
def test_anyone_signing_in_with_another_encoding_gets_the_400_page(db, charset):
    response = Client(enforce_csrf_checks=True).generic(
        "POST",
        reverse("admin:login"),
        b"username=admin&password=x",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()


def test_a_multipart_form_declared_in_utf16_gets_the_400_page(browser, a_post, form):
    response = browser.generic(
        "POST",
        reverse("comments:post", args=[a_post.pk]),
        b'--xyz\r\nContent-Disposition: form-data; name="body"\r\n\r\nhi\r\n--xyz--\r\n',
        content_type="multipart/form-data; boundary=xyz; charset=utf-16",
    )
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("charset", ["utf8", "UTF-8", "utf_8", "U8"])
def test_utf8_under_any_of_its_names_is_read(browser, a_post, form, charset):
    response = post_raw(
        browser,
        a_post,
        form,
        [("body", b"caf%C3%A9")],
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 302
    assert Comment.objects.get().body == "caf\u00e9"


@pytest.mark.parametrize("charset", ["utf-16", "latin-1", "cp1252"])
def test_a_charset_on_a_request_without_a_body_is_ignored(client, a_superuser, a_post, charset):
    """A GET has nothing in that encoding: its address is read as UTF-8, as browsers send it."""
    client.force_login(a_superuser)
    response = client.get(
        reverse("admin:blog_post_changelist") + "?q=caf%C3%A9",
        CONTENT_TYPE=f"text/plain; charset={charset}",
    )
    assert response.status_code == 200
    assert 'value="caf\u00e9"' in response.content.decode()


def admin_changelist_parameters():
    """Every GET parameter each registered admin changelist reads: the search box, each
    filter (its own parameter, or field__exact / field__pk__exact), the date hierarchy,
    ordering, paging and the popup's."""
    from django.contrib import admin

    found = []
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        names = ["o", "p", "e", "all", "_to_field", "_popup"]
        if model_admin.search_fields:
            names.append("q")
        for entry in model_admin.list_filter:
            if isinstance(entry, str):
                names.append(f"{entry}__exact")
            elif isinstance(entry, tuple):
                names += [f"{entry[0]}__exact", f"{entry[0]}__id__exact"]
            else:
                names.append(entry.parameter_name)
        if model_admin.date_hierarchy:
            names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
        found += [(url, name) for name in names]
    return found


ADMIN_PARAMETERS = admin_changelist_parameters()
NUL_MESSAGE = "null character"


def test_every_admin_changelist_and_filter_is_covered():
    urls = {url for url, _ in ADMIN_PARAMETERS}
    assert {
        "/admin/blog/post/",
        "/admin/comments/comment/",
        "/admin/auth/user/",
        "/admin/auth/group/",
    } <= urls
    assert ("/admin/blog/post/", "status__exact") in ADMIN_PARAMETERS
    assert ("/admin/blog/post/", "published_at__month") in ADMIN_PARAMETERS
    assert ("/admin/comments/comment/", "q") in ADMIN_PARAMETERS


@pytest.mark.parametrize(("url", "name"), ADMIN_PARAMETERS)
def test_a_nul_in_any_admin_changelist_parameter_gets_the_400_page(
    client, a_superuser, a_post, url, name
):
    client.force_login(a_superuser)
    for value in ("%00", "a%00b", "2024%00"):
        response = client.get(f"{url}?{name}={value}")
        assert response.status_code == 400, (url, name, value)
        html = response.content.decode()
        assert "Bad request" in html and NUL_MESSAGE in html


@pytest.mark.parametrize(
    "address",
    [
        "/?page=%00",
        "/labels/?x=1&y=%00",
        "/feeds/atom/?%00=1",
        "/admin/blog/post/?status__exact=published&q=x%00",
        "/admin/blog/post/%00/change/",
        "/labels/a%00b/",
    ],
)
def test_a_nul_anywhere_in_the_address_gets_the_400_page(client, a_superuser, a_post, address):
    client.force_login(a_superuser)
    response = client.get(address)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


def test_a_nul_in_a_cookie_is_ignored_like_any_unreadable_cookie(a_post):
    visitor = Client()
    visitor.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    assert visitor.get(a_post.get_absolute_url()).status_code == 200
    response = visitor.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_two_thousand_fields_get_the_400_page(browser, a_post, form):
    extra = [(f"f{n}", b"x") for n in range(2000)]
    response = post_raw(browser, a_post, form, extra)
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
    assert Comment.objects.count() == 0


def test_a_broken_multipart_body_gets_the_400_page(browser, a_post, form):
    response = browser.generic(
        "POST",
        reverse("comments:post", args=[a_post.pk]),
        b'--xyz\r\nContent-Disposition: form-data; name="body"\r\n\r\nunterminated',
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
    assert Comment.objects.count() == 0


# --------------------------------------------------------------------------- sizes and limits


def test_a_100_kb_comment_is_refused_and_the_text_is_kept(browser, a_post, form):
    text = ('Dose <b>&</b> "response" ' * 5000)[: 100 * 1024 - 1] + "."
    response = submit_comment(browser, a_post, fields=form, body=text)
    assert response.status_code == 400
    html = response.content.decode()
    assert field_errors(html, "body") == [
        f"Ensure this value has at most {django_settings.COMMENT_MAX_LENGTH} "
        f"characters (it has {len(text)})."
    ]
    assert escape(text) in html  # the whole text, back in the textarea
    assert Comment.objects.count() == 0


def test_a_10_mb_body_gets_the_413_page(browser, a_post, form):
    response = submit_comment(browser, a_post, fields=form, body="x" * (10 * 1024 * 1024))
    assert response.status_code == 413
    html = response.content.decode()
    assert "That was too large" in html
    assert f"({django_settings.MAX_REQUEST_BODY_BYTES // 1024} KB)" in html
    assert Comment.objects.count() == 0


LIMITS = {
    # field: (setting or None for a fixed column size, the limit, an over-long value)
    "name": ("COMMENT_NAME_MAX_LENGTH", 100, "N" * 101),
    "email": (None, 254, "a" * 64 + "@" + ("b" * 60 + ".") * 4 + "org"),
    "website": (None, 200, "https://example.org/" + "p" * 181),
    "body": ("COMMENT_MAX_LENGTH", 10000, "b" * 10001),
    "competing_interests": (None, 500, "c" * 501),
}


@pytest.mark.parametrize("field", LIMITS)
def test_each_length_limit_has_a_clear_message_and_keeps_the_text(browser, a_post, form, field):
    setting, limit, value = LIMITS[field]
    if setting:
        assert getattr(django_settings, setting) == limit
    response = submit_comment(browser, a_post, fields=form, **{field: value})
    assert response.status_code == 400
    html = response.content.decode()
    errors = field_errors(html, field)
    assert f"Ensure this value has at most {limit} characters (it has {len(value)})." in errors or (
        field == "email" and errors == ["Enter a valid email address."]
    ), errors
    assert value in html
    assert Comment.objects.count() == 0


def test_the_length_limits_follow_the_settings(browser, a_post, settings):
    settings.COMMENT_MAX_LENGTH = 40
    settings.COMMENT_NAME_MAX_LENGTH = 12
    form = comment_form_fields(browser, a_post)[1]
    response = submit_comment(browser, a_post, fields=form, name="N" * 13, body="b" * 41)
    html = response.content.decode()
    assert response.status_code == 400
    assert field_errors(html, "name") == [
        "Ensure this value has at most 12 characters (it has 13)."
    ]
    assert field_errors(html, "body") == [
        "Ensure this value has at most 40 characters (it has 41)."
    ]
    assert 'maxlength="40"' in html and 'maxlength="12"' in html


# --------------------------------------------------------------------------- pathological Markdown

PATHOLOGICAL = {
    "10,000 nested blockquotes": ">" * 10000,
    "10,000 nested blockquotes, spaced": "> " * 10000 + "deep",
    "10,000 nested list levels": "- " * 10000 + "deep",
    "10,000 nested ordered lists": "1. " * 10000 + "deep",
    "200 indented list levels": "\n".join("  " * n + "- x" for n in range(200)),
    "200 indented quote levels": "\n".join("> " * n + "x" for n in range(200)),
    "2,500 list items": "- x\n" * 2500,
    "a 200 KB word": "w" * (200 * 1024),
    "a 200 KB link": "[x](https://example.org/" + "a" * (200 * 1024) + ")",
    "100,000 nested brackets": "[" * 100000 + "]" * 100000,
    "10,000 emphasis openers": "*_" * 5000,
    "10,000 unclosed links": "[" * 10000,
    "10,000 backticks": "`" * 10000,
    "10,000 less-than signs": "<" * 10000,
    "10,000 ampersands": "&" * 10000,
    "2,500 HTML comment openers": "<!--" * 2500,
    "800 autolinks": "<https://example.org> " * 800,
    "800 trial registrations": "NCT01234567 " * 800,
    "800 DOIs": "doi:10.1234/x " * 800,
}


def best_render_seconds(text, runs=3):
    """CPU seconds of this process (not wall time, which other processes on a busy
    machine stretch), best of ``runs``."""
    timings = []
    for _ in range(runs):
        started = time.process_time()
        markup.render_comment(text)
        timings.append(time.process_time() - started)
    return min(timings)


def test_pathological_markdown_renders_quickly_and_inertly():
    print("\nrender_comment, best of 3 (the promise: under 50 ms for an accepted comment):")
    for label, text in PATHOLOGICAL.items():
        html = markup.render_comment(text)
        assert dangers(html) == {}, label
        seconds = best_render_seconds(text)
        over = "" if seconds < 0.05 else "  over 50 ms"
        print(f"  {label:<36} {len(text):>7} chars {seconds * 1000:8.1f} ms{over}")
        assert seconds < RENDER_BOUND_SECONDS, (label, seconds)


@pytest.mark.parametrize(
    "label",
    [
        "10,000 nested blockquotes",
        "10,000 backticks",
        "10,000 emphasis openers",
        "10,000 unclosed links",
    ],
)
def test_pathological_comments_within_the_default_limit_are_stored_and_shown(
    browser, a_post, a_superuser, form, label
):
    text = PATHOLOGICAL[label]
    assert len(text) <= django_settings.COMMENT_MAX_LENGTH
    response = submit_comment(browser, a_post, fields=form, body=text)
    assert response.status_code == 302
    assert Comment.objects.get().body == text
    approve_all(a_post, a_superuser)
    started = time.perf_counter()
    page = browser.get(a_post.get_absolute_url())
    print(f"\n{label}: post page in {(time.perf_counter() - started) * 1000:.1f} ms")
    assert page.status_code == 200
    assert Comment.objects.get().pk in comment_ids(page.content)


@pytest.mark.parametrize("label", ["10,000 nested list levels", "a 200 KB word"])
def test_pathological_comments_over_the_default_limit(
    browser, a_post, a_superuser, settings, label
):
    """Refused with the default limit; stored and shown when an operator raises it."""
    text = PATHOLOGICAL[label]
    form = comment_form_fields(browser, a_post)[1]
    response = submit_comment(browser, a_post, fields=form, body=text)
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "body")[0].startswith(
        "Ensure this value has at most 10000 characters"
    )

    settings.COMMENT_MAX_LENGTH = 250 * 1024
    form = comment_form_fields(browser, a_post)[1]
    assert submit_comment(browser, a_post, fields=form, body=text).status_code == 302
    assert Comment.objects.get().body == text
    approve_all(a_post, a_superuser)
    page = browser.get(a_post.get_absolute_url())
    assert page.status_code == 200
    assert Comment.objects.get().pk in comment_ids(page.content)


# --------------------------------------------------------------------------- names and headers


def test_bidi_overrides_and_zero_width_characters_in_a_name_are_kept_but_isolated(
    browser, a_post, a_superuser, form
):
    """Decision: stored as typed (names are people's), shown inside <bdi> so that a U+202E
    cannot reverse the date and links after it; feed titles isolate it with U+2068/U+2069.
    Where the name ends its line (the reply heading) it needs no isolation."""
    name = "\u202eAnn\u200b Reader\u200d\u2066"
    assert submit_comment(browser, a_post, fields=form, name=name).status_code == 302
    assert Comment.objects.get().name == name
    approve_all(a_post, a_superuser)
    html = browser.get(a_post.get_absolute_url()).content.decode()
    byline = enclosing_tags(html, name, within=f"comment-{Comment.objects.get().pk}")
    assert byline and "bdi" in byline[0], byline  # the first time the comment names its author
    feed = browser.get(reverse("comments:feed_post", args=[a_post.pk])).content.decode()
    assert f"<title>\u2068{name}\u2069 on" in feed


def enclosing_tags(html, text, *, within):
    """For each text node holding ``text`` inside the element with id ``within``: the tags
    open around it."""

    class Finder(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.stack, self.inside, self.found = [], None, []

        def handle_starttag(self, tag, attrs):
            if tag in ("br", "img", "input", "meta", "link", "hr", "wbr"):
                return
            self.stack.append(tag)
            if self.inside is None and dict(attrs).get("id") == within:
                self.inside = len(self.stack)

        def handle_endtag(self, tag):
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            if self.inside is not None and len(self.stack) < self.inside:
                self.inside = None

        def handle_data(self, data):
            if self.inside is not None and text in data:
                self.found.append(tuple(self.stack[self.inside - 1 :]))

    finder = Finder()
    finder.feed(html)
    return finder.found


HEADERS_OF_A_PLAIN_MESSAGE = {
    "Content-Type",
    "MIME-Version",
    "Content-Transfer-Encoding",
    "Subject",
    "From",
    "To",
    "Date",
    "Message-ID",
}


@pytest.mark.parametrize(
    "name",
    [
        "Ann\r\nBcc: victim@example.org",
        "Ann\nSubject: pwned\n\nbody",
        "Ann\rCc: victim@example.org",
        "Ann\u2028Bcc: victim@example.org",
        "Ann\x85Bcc: victim@example.org",
    ],
)
def test_line_breaks_in_the_name_inject_no_header(
    browser, a_post, form, settings, name, django_capture_on_commit_callbacks
):
    settings.COMMENT_MODERATORS = ["mod@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        response = submit_comment(browser, a_post, fields=form, name=name)
    assert response.status_code == 302
    stored = Comment.objects.get().name
    assert "\r" not in stored and "\n" not in stored and stored.startswith("Ann ")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    message = BytesParser(policy=email.policy.default).parsebytes(sent.message().as_bytes())
    assert set(message.keys()) == HEADERS_OF_A_PLAIN_MESSAGE
    assert message["Bcc"] is None and message["Cc"] is None
    assert message["To"] == f"{a_post.author.email}, mod@example.org"
    assert message["Subject"].strip() == sent.subject
    assert "\n" not in sent.subject and "\r" not in sent.subject and "pwned" not in sent.subject
    assert sent.bcc == [] and sent.cc == [] and sent.reply_to == []


@pytest.mark.parametrize(
    "email",
    [
        "ann@example.org\r\nBcc: victim@example.org",
        "ann@example.org\nCc: victim@example.org",
        "ann@example.org%0ABcc:victim@example.org",
        '"ann\r\nBcc: victim@example.org"@example.org',
    ],
)
def test_line_breaks_in_the_email_are_a_form_error(browser, a_post, form, email):
    response = submit_comment(browser, a_post, fields=form, email=email)
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "email") == ["Enter a valid email address."]
    assert Comment.objects.count() == 0
    assert mail.outbox == []


# --------------------------------------------------------------------------- template syntax

LITERALS = (
    "{{ settings.SECRET_KEY }} {% debug %} {% load static %} {{ 7|add:7 }} "
    "%s %n %(name)s {0.__class__} {name!r} ${7*7} #{7*7} <%= 7*7 %>"
)


def test_template_syntax_and_format_strings_are_stored_and_shown_literally(
    browser, a_post, a_superuser, form, settings, django_capture_on_commit_callbacks
):
    settings.COMMENT_MODERATORS = ["mod@example.org"]
    values = {field: LITERALS[:90] if field == "name" else LITERALS for field in TEXT_FIELDS}
    with django_capture_on_commit_callbacks(execute=True):
        assert submit_comment(browser, a_post, fields=form, **values).status_code == 302
    comment = Comment.objects.get()
    for field, value in values.items():
        assert getattr(comment, field) == value
    assert LITERALS in mail.outbox[0].body
    assert django_settings.SECRET_KEY not in mail.outbox[0].body

    approve_all(a_post, a_superuser)
    html = browser.get(a_post.get_absolute_url()).content.decode()
    assert django_settings.SECRET_KEY not in html
    thread = html.split('id="comments"')[1].split("<form")[0]
    assert "{{ 7|add:7 }}" in thread and ">14<" not in thread
    assert escape(LITERALS[:90]) in html  # the name, as typed
    assert f"Competing interests: {escape(LITERALS)}" in html
    assert "{{ settings.SECRET_KEY }} {% debug %}" in html  # the body, through Markdown
    for url in feeds(a_post)[:2]:
        feed = browser.get(url).content.decode()
        assert django_settings.SECRET_KEY not in feed
        assert escape(LITERALS[:90]).replace("&#x27;", "'") in feed.replace("&#39;", "'")


def test_percent_signs_survive_the_round_trip(browser, a_post, form):
    text = "100% sure: %s %d %% %(name)s %25 %ZZ"
    response = post_raw(browser, a_post, form, [("body", quote(text, safe="").encode())])
    assert response.status_code == 302
    assert Comment.objects.get().body == text


def _through_the_deployed_handler(environ_overrides, body=b""):
    """Call config.wsgi's application as gunicorn would (the test client builds its own
    request class, so it cannot show what the deployed handler does)."""
    import io

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from django.test import RequestFactory

    from config.wsgi import application

    environ = RequestFactory().generic("GET", "/", secure=False).environ
    environ.update(environ_overrides)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"] = status

    # As Django's test client does: the test's transaction holds the connection open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = application(environ, start_response)
        content = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return int(captured["status"].split()[0]), content.decode()


@pytest.mark.parametrize("charset", ["base64", "rot13", "hex", "zlib", "uu"])
def test_a_charset_that_is_not_a_text_encoding_is_ignored_on_a_get(db, a_post, charset):
    status, page = _through_the_deployed_handler(
        {"QUERY_STRING": "a=1", "CONTENT_TYPE": f"text/plain; charset={charset}"}
    )
    assert status == 200
    assert a_post.title in page


@pytest.mark.parametrize("charset", ["base64", "rot13"])
def test_a_form_declared_in_a_non_text_codec_gets_the_400_page(db, a_post, charset):
    status, page = _through_the_deployed_handler(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": reverse("comments:post", args=[a_post.pk]),
            "CONTENT_TYPE": f"application/x-www-form-urlencoded; charset={charset}",
        },
        body=b"name=x&body=y",
    )
    assert status == 400
    assert "UTF-8" in page
