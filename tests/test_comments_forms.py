"""CommentForm: the signed timestamp (each tampered case), the honeypot, the limits."""

import time

import pytest
from django.core import signing

from comments.forms import BAD_CHARACTERS, RESUBMIT, TOKEN_SALT, CommentForm, make_token
from tests.factories import make_post
from tests.lean_markup_support import closed_html
from tests.test_comments_support import form_data, post_url

# What a commenter is told of a website address that is not a whole http(s) one: what is
# wanted ("example.org" is taken as https://example.org, so it is not "must start with").
BAD_WEBSITE = (
    "Enter a full web address, such as https://example.org; "
    "only http and https addresses are accepted."
)


def bound(post, **overrides):
    return CommentForm(form_data(post, **overrides), post=post)


def test_a_friendly_form_is_valid(a_post):
    form = bound(a_post)
    assert form.is_valid(), form.errors
    data = form.submission_data()
    assert data["honeypot"] == "" and 9 < data["elapsed_seconds"] < 15


def assert_resubmit(form):
    assert not form.is_valid()
    assert RESUBMIT in form.non_field_errors()


def test_missing_token_asks_to_resubmit(a_post):
    assert_resubmit(bound(a_post, security_token=""))


def test_altered_signature_asks_to_resubmit(a_post):
    token = make_token(a_post, now=time.time() - 10)
    altered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert_resubmit(bound(a_post, security_token=altered))


def test_altered_payload_asks_to_resubmit(a_post):
    forged = signing.dumps({"p": a_post.pk, "t": time.time() - 10}, salt="another salt")
    assert_resubmit(bound(a_post, security_token=forged))


def test_token_from_the_future_asks_to_resubmit(a_post):
    assert_resubmit(bound(a_post, security_token=make_token(a_post, now=time.time() + 3600)))


def test_token_older_than_a_day_asks_to_resubmit(a_post):
    assert_resubmit(bound(a_post, security_token=make_token(a_post, now=time.time() - 86401)))


def test_token_for_another_post_asks_to_resubmit(a_post):
    other = make_post()
    assert_resubmit(bound(a_post, security_token=make_token(other, now=time.time() - 10)))


def test_garbage_payload_asks_to_resubmit(a_post):
    token = signing.dumps({"p": "x"}, salt=TOKEN_SALT)
    assert_resubmit(bound(a_post, security_token=token))


def test_too_fast_is_valid_but_measured(a_post):
    """Too fast is not an error: the policy marks it as spam, silently."""
    form = bound(a_post, security_token=make_token(a_post, now=time.time() - 0.5))
    assert form.is_valid()
    assert form.submission_data()["elapsed_seconds"] < 3


def test_honeypot_is_not_an_error_but_is_passed_on(a_post):
    form = bound(a_post, homepage_url="http://spam.example")
    assert form.is_valid()
    assert form.submission_data()["honeypot"] == "http://spam.example"


@pytest.mark.parametrize("field", ["name", "email", "body"])
def test_required_fields(a_post, field):
    form = bound(a_post, **{field: ""})
    assert not form.is_valid() and field in form.errors


def test_whitespace_only_comment_is_refused(a_post):
    form = bound(a_post, body="   \n\t ")
    assert not form.is_valid() and "body" in form.errors


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(1)",
        "data:text/html,x",
        "ftp://x.example",
        "ftps://x.example",
        "http://",
        "not a url",
        "JavaScript:alert(1)",
        "https://exa mple.org",
    ],
)
def test_website_must_be_http_with_one_clear_message(a_post, website):
    form = bound(a_post, website=website)
    assert not form.is_valid()
    assert form.errors["website"] == [BAD_WEBSITE]


@pytest.mark.parametrize("website", ["https://example.org/path?q=1", "http://example.org"])
def test_an_http_or_https_website_is_kept(a_post, website):
    form = bound(a_post, website=website)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["website"] == website


@pytest.mark.parametrize("website", ["javascript:alert(1)", "http://", "not a url"])
def test_the_page_says_enter_a_valid_url_once_beside_the_field(client, a_post, website):
    """Once beside the field and once in the error summary, as a link to the field."""
    response = client.post(post_url(a_post), form_data(a_post, website=website))
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count(BAD_WEBSITE) == 2
    assert html.count(f'<ul class="errorlist" id="id_website_error"><li>{BAD_WEBSITE}') == 1
    assert f'<a href="#id_website">Website (optional): {BAD_WEBSITE}</a>' in html


def test_website_without_scheme_gets_https(a_post):
    form = bound(a_post, website="example.org")
    assert form.is_valid()
    assert form.cleaned_data["website"] == "https://example.org"


def test_comment_length_limit(a_post, settings):
    settings.COMMENT_MAX_LENGTH = 50
    assert "body" in bound(a_post, body="x" * 51).errors
    assert bound(a_post, body="x" * 50).is_valid()


def test_name_length_limit(a_post, settings):
    settings.COMMENT_NAME_MAX_LENGTH = 10
    assert "name" in bound(a_post, name="x" * 11).errors


def test_name_is_one_line(a_post):
    form = bound(a_post, name="Ann\r\nBcc: victim@example.org")
    assert form.is_valid()
    assert form.cleaned_data["name"] == "Ann Bcc: victim@example.org"


def test_competing_interests_default(a_post):
    form = bound(a_post, competing_interests="  ")
    assert form.is_valid()
    assert form.cleaned_data["competing_interests"] == "None declared"
    assert CommentForm(post=a_post)["competing_interests"].value() == "None declared"


def test_invalid_email(a_post):
    assert "email" in bound(a_post, email="not-an-email").errors


@pytest.mark.parametrize(
    ("website", "code_point"),
    [
        ("https://exa\u202emple.org", "U+202E"),  # right-to-left override
        ("https://ex\u200bample.org", "U+200B"),  # zero-width space
        ("https://example.org/\u2066x", "U+2066"),  # left-to-right isolate
        ("https://\ufeffexample.org", "U+FEFF"),  # zero-width no-break space
        ("https://example.org/\u00ad", "U+00AD"),  # soft hyphen
        ("https://example.org/a\x07", "U+0007"),  # a control character
    ],
)
def test_invisible_and_direction_changing_characters_are_refused_by_name(
    a_post, website, code_point
):
    form = bound(a_post, website=website)
    assert not form.is_valid()
    assert form.errors["website"] == [BAD_CHARACTERS.format(code_point)]


@pytest.mark.parametrize(
    ("website", "shown"),
    [
        ("https://раураl.com", "https://xn--l-7sba6dbr.com"),  # Cyrillic look-alike
        ("https://pаypal.com/login", "https://xn--pypal-4ve.com/login"),  # one letter
        ("https://bücher.example/ä?q=ö#ü", "https://xn--bcher-kva.example/%C3%A4?q=%C3%B6#%C3%BC"),
        ("http://例え.テスト:8080/", "http://xn--r8jz45g.xn--zckzah:8080/"),
        ("https://example.org/plain", "https://example.org/plain"),
    ],
)
def test_an_international_address_is_kept_in_its_ascii_form(a_post, website, shown):
    """A look-alike host shows as what it is (xn--) in the admin, the mail and the page."""
    form = bound(a_post, website=website)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["website"] == shown


def test_an_international_address_is_shown_as_punycode_on_the_page(client, a_post, a_superuser):
    from comments.models import Comment
    from comments.services import comment_approve

    client.post(post_url(a_post), form_data(a_post, website="https://раураl.com"))
    comment = Comment.objects.get()
    comment_approve(comment=comment, moderator=a_superuser)
    page = client.get(a_post.get_absolute_url()).content.decode()
    assert "раураl" not in page
    assert 'href="https://xn--l-7sba6dbr.com"' in closed_html(page)


def test_earlier_international_addresses_are_brought_to_ascii_by_the_migration(a_post):
    import importlib

    from django.apps import apps

    from comments.models import Comment
    from tests.test_comments_support import make_comment

    migration = importlib.import_module("comments.migrations.0003_form_nonce_and_ascii_websites")
    look_alike = make_comment(a_post, website="https://раураl.com/ä")
    plain = make_comment(a_post, website="https://example.org/")
    migration.websites_in_ascii(apps, None)
    assert Comment.objects.get(pk=look_alike.pk).website == "https://xn--l-7sba6dbr.com/%C3%A4"
    assert Comment.objects.get(pk=plain.pk).website == "https://example.org/"


def test_a_comment_at_the_textareas_limit_is_accepted_with_browser_line_breaks(a_post, settings):
    """The textarea's maxlength counts a line break as one character; the browser sends it
    as CRLF. A comment the browser let through must not be refused as too long."""
    settings.COMMENT_MAX_LENGTH = 100
    paragraphs = "\r\n".join(["x" * 9] * 10)  # 90 letters and 9 line breaks: 99 in the box
    form = CommentForm(data=form_data(a_post, body=paragraphs), post=a_post)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["body"] == paragraphs.replace("\r\n", "\n")
    too_long = CommentForm(data=form_data(a_post, body=paragraphs + "xx"), post=a_post)
    assert not too_long.is_valid() and "body" in too_long.errors
