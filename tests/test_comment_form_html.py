"""The comment form's HTML, built without Django's per-field form templates (issue 19).

Snapshots of the form as Django's form templates rendered it (tests/data/comment_form/,
taken before the switch) must come out equivalent: the same elements, attributes and text,
whitespace aside, tokens and ids that vary between runs normalised. An oracle (the old
template, kept here) checks hostile values the snapshots cannot hold.
"""

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import RequestFactory
from hypothesis import given, settings
from hypothesis import strategies as st

from comments.forms import CommentForm
from comments.rendering import SUMMARY_FIELDS, render_comment_form
from tests.factories import make_post, make_user
from tests.test_comments_support import form_data

SNAPSHOTS = Path(__file__).parent / "data" / "comment_form"


class _Events(HTMLParser):
    """Start tags with their attributes, text with its whitespace collapsed, end tags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.events = []

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, tuple(sorted(attrs))))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        text = " ".join(data.split())
        if not text:
            return
        if self.events and self.events[-1][0] == "text":
            self.events[-1] = ("text", f"{self.events[-1][1]} {text}")
        else:
            self.events.append(("text", text))


def events(html):
    parser = _Events()
    parser.feed(html)
    parser.close()
    return parser.events


def normalised(html, post):
    """Tokens, the CSRF value and the post's and comments' ids, as they vary by run."""
    html = re.sub(r'(name="security_token" value=")[^"]*"', r'\1TOKEN"', html)
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*"', r'\1CSRF"', html)
    html = re.sub(r"__tp[0-9a-f]+__([a-z_]+)__[0-9]*__", r"PLACEHOLDER-\1", html)
    html = html.replace(f"/comments/post/{post.pk}/", "/comments/post/PK/")
    html = re.sub(r'(name="parent" value=")\d+"', r'\1PARENT"', html)
    return html


def a_request(user=None, *, candidate=False, path="/"):
    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    if candidate:
        request.page_cache_candidate = True
    return request


EVERY_FIELD_WRONG = {
    "name": "",
    "email": "not an address",
    "website": "javascript:alert(1)",
    "title": "T" * 300,
    "body": "",
    "competing_interests": "C" * 600,
    "security_token": "tampered",
    "parent": "abc",
    "notify_approved": "on",
    "homepage_url": "http://spam.example",
}


def case_html(name, post):
    """Today's four cases (and three more): what the page shows, rendered by
    ``render_comment_form``."""
    if name == "unbound":
        return render_comment_form(a_request(), post, CommentForm(post=post))
    if name == "unbound_cached_page":
        request = a_request(candidate=True)
        return render_comment_form(request, post, CommentForm(post=post))
    if name == "errors":
        form = CommentForm(form_data(post, **EVERY_FIELD_WRONG), post=post)
        assert not form.is_valid()
        return render_comment_form(a_request(), post, form)
    if name == "reply":
        target = SimpleNamespace(pk=7, name="Jane <Marsh> & \"Co\" 'x'")
        return render_comment_form(a_request(), post, CommentForm(post=post), reply_target=target)
    if name == "staff":
        user = make_user(username="ed", staff=True, first_name="Ed <i>", last_name="O'Neil & Co")
        return render_comment_form(
            a_request(user), post, CommentForm(post=post, user=user), heading_level=2
        )
    if name == "staff_errors":
        user = make_user(username="ed2", staff=True)
        data = form_data(post, body="", name="", email="", notify_replies="on", parent="7")
        form = CommentForm(data, post=post, user=user)
        assert not form.is_valid()
        return render_comment_form(a_request(user), post, form)
    if name == "preview":
        form = CommentForm(form_data(post, title="On <b>masking</b>"), post=post)
        form.previewed = True
        assert form.is_valid()
        form.preview_html = '<section class="comment-preview">Preview &amp; more</section>'
        return render_comment_form(a_request(), post, form)
    raise AssertionError(name)


CASES = ("unbound", "unbound_cached_page", "errors", "reply", "staff", "staff_errors", "preview")


@pytest.fixture
def fixed_post(db, an_author):
    return make_post(
        author=an_author,
        title="A <published> write-up",
        slug="a-published-write-up",
        published_at=datetime(2026, 11, 3, 10, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize("name", CASES)
def test_the_form_is_what_django_form_templates_rendered(fixed_post, name):
    html = normalised(str(case_html(name, fixed_post)), fixed_post)
    expected = (SNAPSHOTS / f"{name}.html").read_text()
    assert events(html) == events(expected)


def test_the_snapshots_hold_what_the_form_must_show():
    """The snapshots themselves: a stray regeneration cannot empty them."""
    errors = (SNAPSHOTS / "errors.html").read_text()
    for field in SUMMARY_FIELDS:
        assert f'href="#id_{field}"' in errors
        assert f'id="id_{field}_error"' in errors
    assert 'aria-invalid="true"' in errors and 'class="errorlist"' in errors
    unbound = (SNAPSHOTS / "unbound.html").read_text()
    for attribute in ('maxlength="100"', 'autocomplete="email"', 'data-max-words="1000"'):
        assert attribute in unbound
    assert 'aria-describedby="comment-safety-note id_body_helptext"' in unbound
    assert 'id="id_homepage_url"' in unbound and 'tabindex="-1"' in unbound
    assert "You are commenting as" in (SNAPSHOTS / "staff.html").read_text()
    assert "Reply to Jane &lt;Marsh&gt;" in (SNAPSHOTS / "reply.html").read_text()


def test_the_form_renders_no_django_form_template(fixed_post, monkeypatch):
    """Django's per-field templates (field.html, label.html, widgets) are not used."""
    from django.forms import renderers

    def refuse(self, template_name, context, request=None):
        raise AssertionError(f"rendered {template_name}")

    monkeypatch.setattr(renderers.BaseRenderer, "render", refuse)
    for name in CASES:
        assert "<form" in str(case_html(name, fixed_post))


ORACLE = SNAPSHOTS / "django_form_templates.html"  # templates/comments/_form.html before


def oracle_html(request, post, form, *, reply_target=None, heading_level=3):
    """The form as ``{{ form.x.as_field_group }}`` rendered it, for any values."""
    from comments.rendering import _fields_in_error, _signed_in

    user = _signed_in(request)
    template = engines["django"].from_string(ORACLE.read_text())
    return template.render(
        {
            "post": post,
            "form": form,
            "token": form.fresh_token(request),
            "parent_id": reply_target.pk if reply_target is not None else "",
            "reply_target": reply_target,
            "heading_level": heading_level,
            "commenting_as": (user.get_full_name() or user.get_username()) if user else "",
            "summary_fields": _fields_in_error(form),
        },
        request=request,
    )


hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "Ζωή & Μαρία",
            "محمد \u202eevil",
            "李 & 王 🧪",
            "x" * 12000,
            "https://example.org/?a=1&b=<2>",
        ]
    ),
)
FIELDS = ("name", "email", "website", "title", "body", "competing_interests", "parent")


@settings(max_examples=40, deadline=None)
@given(
    values=st.fixed_dictionaries(dict.fromkeys(FIELDS, hostile_text)),
    notify=st.sampled_from(["", "on", "<x>"]),
    staff=st.booleans(),
)
def test_any_values_render_as_django_form_templates_did(fixed_post, values, notify, staff):
    user = make_user(staff=True, first_name=values["name"][:30]) if staff else None
    data = form_data(fixed_post, notify_approved=notify, notify_replies=notify, **values)
    form = CommentForm(data, post=fixed_post, user=user)
    form.is_valid()
    request = a_request(user)
    target = SimpleNamespace(pk=3, name=values["name"])
    new = render_comment_form(request, fixed_post, form, reply_target=target)
    old = oracle_html(request, fixed_post, form, reply_target=target)
    assert events(normalised(str(new), fixed_post)) == events(normalised(old, fixed_post))


# -- the unbound form of an anonymous reader: rendered once per post, values per request --


def _count_renders(monkeypatch):
    from comments import form_rendering

    renders = []
    real = form_rendering.render_to_string

    def counting(*args, **kwargs):
        renders.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(form_rendering, "render_to_string", counting)
    return renders


def _value(html, name):
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def test_the_anonymous_form_is_rendered_once_and_filled_per_request(fixed_post, monkeypatch):
    renders = _count_renders(monkeypatch)
    first = str(render_comment_form(a_request(), fixed_post, CommentForm(post=fixed_post)))
    second = str(render_comment_form(a_request(), fixed_post, CommentForm(post=fixed_post)))
    assert len(renders) <= 1  # once per process: a test before may have stored it already
    assert _value(first, "security_token") != _value(second, "security_token")
    assert _value(first, "csrfmiddlewaretoken") != _value(second, "csrfmiddlewaretoken")
    assert "\x00" not in first + second
    cached_page = str(
        render_comment_form(a_request(candidate=True), fixed_post, CommentForm(post=fixed_post))
    )
    assert "__comment_token__" in _value(cached_page, "security_token")
    assert "__csrf__" in _value(cached_page, "csrfmiddlewaretoken")
    assert events(normalised(first, fixed_post)) == events(normalised(cached_page, fixed_post))


def test_each_post_gets_its_own_form(fixed_post):
    other = make_post(title="Another")
    html = str(render_comment_form(a_request(), other, CommentForm(post=other)))
    mine = str(render_comment_form(a_request(), fixed_post, CommentForm(post=fixed_post)))
    assert f'action="/comments/post/{other.pk}/#respond"' in html
    assert f'data-preview-url="/comments/post/{other.pk}/preview/"' in html
    assert f'action="/comments/post/{fixed_post.pk}/#respond"' in mine


def test_a_signed_in_reader_never_gets_the_anonymous_form(fixed_post):
    render_comment_form(a_request(), fixed_post, CommentForm(post=fixed_post))
    user = make_user(username="editor", staff=True, first_name="Edith", last_name="Ng")
    html = str(render_comment_form(a_request(user), fixed_post, CommentForm(post=fixed_post)))
    assert "You are commenting as <strong>Edith Ng</strong>" in html
    assert 'name="email"' not in html
    again = str(render_comment_form(a_request(), fixed_post, CommentForm(post=fixed_post)))
    assert "commenting as" not in again and 'name="email"' in again


def test_a_reply_or_a_sent_form_is_rendered_for_itself(fixed_post):
    render_comment_form(a_request(), fixed_post, CommentForm(post=fixed_post))
    target = SimpleNamespace(pk=5, name="<b>Zoë</b>")
    reply = str(
        render_comment_form(
            a_request(), fixed_post, CommentForm(post=fixed_post), reply_target=target
        )
    )
    assert "Reply to &lt;b&gt;Zoë&lt;/b&gt;" in reply and 'name="parent" value="5"' in reply
    sent = CommentForm(form_data(fixed_post, name="<i>Ann</i>", body=""), post=fixed_post)
    assert not sent.is_valid()
    html = str(render_comment_form(a_request(), fixed_post, sent))
    assert 'value="&lt;i&gt;Ann&lt;/i&gt;"' in html and "Please write a comment." in html


def test_a_changed_setting_changes_the_stored_form(fixed_post, settings):
    render_comment_form(a_request(), fixed_post, CommentForm(post=fixed_post))
    settings.COMMENT_MAX_LENGTH = 500
    settings.COMMENT_NAME_MAX_LENGTH = 60
    settings.COMMENT_MAX_WORDS = 90
    html = str(render_comment_form(a_request(), fixed_post, CommentForm(post=fixed_post)))
    assert 'maxlength="500"' in html and 'data-max-words="90"' in html
    assert 'name="name" maxlength="60"' in html


def test_a_form_for_a_cached_page_signs_no_token(fixed_post, monkeypatch):
    """The page gets a placeholder, filled per request: signing one as well was waste."""
    from comments import forms

    signed = []
    real = forms.signed_dumps
    monkeypatch.setattr(forms, "signed_dumps", lambda *a, **k: signed.append(1) or real(*a, **k))
    form = CommentForm(post=fixed_post)
    html = str(render_comment_form(a_request(candidate=True), fixed_post, form))
    assert signed == [] and "__comment_token__" in html
    assert form["security_token"].value()  # still there for whoever asks
    assert len(signed) == 1
