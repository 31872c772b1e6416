"""The comment preview: without JavaScript (the Preview button) and in place (the endpoint).

Nothing is stored, no moderation runs, the rate limit is not counted, the text is kept, and
the form's token stays good for sending after the preview.
"""

import re
import time

import pytest
from django.core import mail, signing
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blog import markup
from comments.forms import TOKEN_SALT, make_token
from comments.models import Comment
from tests.factories import make_post
from tests.strategies import any_script_paragraphs, any_script_text
from tests.test_comments_support import form_data, post_url

pytestmark = pytest.mark.django_db

BODY = "Were the raters *masked*?\n\n- yes\n- [no](https://example.org)"


def preview_url(post):
    return reverse("comments:preview", args=[post.pk])


def token_in(html):
    match = re.search(r'name="security_token" value="([^"]+)"', html)
    assert match, "the form has no security token"
    return match.group(1)


def preview_section(html):
    start = html.index('<section class="comment-preview"')
    return html[start : html.index("</section>", start)]


def test_the_form_has_a_preview_button(client, a_post):
    html = client.get(a_post.get_absolute_url()).content.decode()
    assert re.search(r'<button type="submit" name="preview" value="1"[^>]*>Preview</button>', html)
    assert f'data-preview-url="{preview_url(a_post)}"' in html
    assert "comment-preview.js" in html


def test_preview_without_javascript_shows_the_stored_rendering_and_keeps_the_text(
    client, a_post, settings
):
    settings.COMMENT_MODERATORS = ["mod@example.org"]
    response = client.post(
        post_url(a_post), form_data(a_post, body=BODY, title="On masking", preview="1")
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    section = preview_section(html)
    assert markup.render_comment(BODY) in section
    assert 'rel="nofollow ugc noopener"' in section
    assert "On masking" in section
    assert "Competing interests: None declared" in section
    # Above the form, and the typed text kept in the box.
    assert html.index('<section class="comment-preview"') < html.index('class="comment-form"')
    assert ">\nWere the raters *masked*?\n\n- yes\n- [no](https://example.org)</textarea>" in html
    assert 'value="On masking"' in html
    assert "Your comment was not sent" not in html  # no error summary for a preview
    assert Comment.objects.count() == 0
    assert mail.outbox == []


def test_a_preview_is_not_counted_by_the_rate_limit(client, a_post, settings):
    settings.COMMENT_RATE_LIMIT = "1/m"
    for _ in range(5):
        assert client.post(post_url(a_post), form_data(a_post, preview="1")).status_code == 200
        assert client.post(preview_url(a_post), form_data(a_post)).status_code == 200
    response = client.post(post_url(a_post), form_data(a_post))
    assert response.status_code == 302
    assert Comment.objects.count() == 1


def test_sending_after_a_preview_is_accepted_and_never_spam(client, a_post):
    """Preview, then send 20 s later: the token keeps its first render time and nonce."""
    rendered = time.time() - 30
    first = make_token(a_post, now=rendered)
    html = client.post(
        post_url(a_post), form_data(a_post, security_token=first, preview="1")
    ).content.decode()
    token = token_in(html)
    payload = signing.loads(token, salt=TOKEN_SALT)
    assert payload["t"] == rendered
    assert payload["n"] == signing.loads(first, salt=TOKEN_SALT)["n"]
    assert "r" not in payload  # a preview is not a sending: it earns no "resent" mark
    response = client.post(post_url(a_post), form_data(a_post, security_token=token))
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status != Comment.Status.SPAM


def test_a_preview_buys_a_bot_nothing_against_the_speed_rule(client, a_post):
    fresh = make_token(a_post, now=time.time() - 0.5)
    html = client.post(
        post_url(a_post), form_data(a_post, security_token=fresh, preview="1")
    ).content.decode()
    client.post(post_url(a_post), form_data(a_post, security_token=token_in(html)))
    assert Comment.objects.get().status == Comment.Status.SPAM


def test_a_preview_with_errors_shows_them_and_keeps_the_text(client, a_post):
    response = client.post(post_url(a_post), form_data(a_post, email="", preview="1"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please give your email address" in html
    assert "Were the raters really *masked*?" in html
    assert '<section class="comment-preview"' not in html
    assert Comment.objects.count() == 0


def test_preview_on_a_closed_post_is_refused_and_keeps_the_text(client, a_post):
    a_post.comments_open = False
    a_post.save()
    response = client.post(post_url(a_post), form_data(a_post, preview="1"))
    assert response.status_code == 403
    assert "Were the raters really *masked*?" in response.content.decode()
    assert client.post(preview_url(a_post), form_data(a_post)).status_code == 403


def test_the_in_place_preview_returns_the_section_alone(client, a_post):
    response = client.post(preview_url(a_post), form_data(a_post, body=BODY))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="comment-preview"')
    assert markup.render_comment(BODY) in html
    assert "<html" not in html
    assert Comment.objects.count() == 0


def test_the_in_place_preview_lists_the_errors(client, a_post, settings):
    settings.COMMENT_MAX_WORDS = 3
    response = client.post(preview_url(a_post), form_data(a_post, body="one two three four"))
    assert response.status_code == 200  # the section itself says what to fix
    html = response.content.decode()
    assert "Your comment has 4 words; the limit is 3." in html
    assert 'class="comment-preview-errors"' in html


def test_the_in_place_preview_needs_the_csrf_token(a_post):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(preview_url(a_post), form_data(a_post)).status_code == 403
    assert Comment.objects.count() == 0


def test_the_in_place_preview_takes_only_post_and_only_published_posts(client, a_post, a_draft):
    assert client.get(preview_url(a_post)).status_code == 405
    assert client.post(preview_url(a_draft), form_data(a_draft)).status_code == 404
    assert client.post(reverse("comments:preview", args=[999999]), {}).status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("x" * 100_000, "Ensure this value has at most"),
        ("before\x00after", "Null characters are not allowed."),
        ("", "Please write a comment."),
    ],
)
def test_hostile_previews_get_a_clear_error_never_a_500(client, a_post, body, message):
    for url, status in ((post_url(a_post), 400), (preview_url(a_post), 200)):
        response = client.post(url, form_data(a_post, body=body, preview="1"))
        assert response.status_code == status
        assert message in response.content.decode()
    assert Comment.objects.count() == 0


def test_script_tags_and_rtl_are_escaped_or_sanitised(client, a_post):
    body = "<script>alert(1)</script> \u202eevil [x](javascript:alert(1)) <img src=x onerror=a>"
    title = "<b>\u05e9\u05dc\u05d5\u05dd</b>"
    for url in (post_url(a_post), preview_url(a_post)):
        html = client.post(url, form_data(a_post, body=body, title=title, preview="1"))
        section = preview_section(html.content.decode())
        assert "<script>" not in section
        assert "javascript:" not in section
        assert "onerror" not in section.replace("onerror=a&gt;", "")
        assert "<img" not in section
        assert "&lt;b&gt;\u05e9\u05dc\u05d5\u05dd&lt;/b&gt;" in section


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=any_script_paragraphs(), title=st.one_of(st.just(""), any_script_text()))
def test_any_script_previews_as_it_will_be_stored(client, a_post, body, title):
    response = client.post(preview_url(a_post), form_data(a_post, body=body, title=title))
    assert response.status_code == 200
    if "comment-preview-errors" not in response.content.decode():
        rendered = markup.render_comment(body.replace("\r\n", "\n").replace("\r", "\n"))
        assert rendered in response.content.decode()
    assert Comment.objects.count() == 0


def test_a_staff_preview_works_too(client, an_author):
    post = make_post(author=an_author, title="Staff post")
    client.force_login(an_author)
    response = client.post(
        preview_url(post), {"body": "Staff *note*", "security_token": make_token(post)}
    )
    assert response.status_code == 200
    assert "<em>note</em>" in response.content.decode()
