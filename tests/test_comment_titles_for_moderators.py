"""Issue 15: the commenter's optional title, shown to the moderators (the desk, the comment
list and page, the moderation mail, the right-of-reply mail), escaped and never in a mail
header; and the desk's Reply box says "approves the comment" on held rows only."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings

from authors.models import ResponseNotice
from authors.right_of_reply import response_message
from comments.models import Comment
from comments.notifications import held_comment_message, notify_held
from comments.services import comment_approve
from tests.factories import make_user
from tests.strategies import any_script_text
from tests.test_comments_support import make_comment

pytestmark = pytest.mark.django_db

Status = Comment.Status
DESK = "admin:comments_comment_desk"
HOSTILE = '<script>alert("t")</script> & <b>bold</b>'


@pytest.fixture
def a_moderator(db):
    user = make_user(
        staff=True, username="mod-t", first_name="Mo", last_name="Derator", email="m@example.org"
    )
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def mod_client(client, a_moderator):
    client.force_login(a_moderator)
    return client


def committed():
    return TestCase.captureOnCommitCallbacks(execute=True)


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- the desk -------------------------------------------------------------------------------


def test_the_desk_shows_a_title_escaped_and_nothing_without_one(mod_client, a_post):
    titled = make_comment(a_post, status=Status.HELD, title=HOSTILE, body="titled body")
    plain = make_comment(a_post, status=Status.HELD, body="untitled body")
    html = mod_client.get(reverse(DESK)).content.decode()
    assert '<script>alert("t")' not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    titled_row = html[html.index(f'id="desk-{titled.pk}"') : html.index(f'id="desk-{plain.pk}"')]
    plain_row = html[html.index(f'id="desk-{plain.pk}"') :]
    assert 'class="desk-title"' in titled_row
    assert 'class="desk-title"' not in plain_row.split("</article>")[0]


def test_the_title_costs_no_query_per_row(mod_client, a_post, django_assert_max_num_queries):
    for n in range(20):
        make_comment(a_post, status=Status.HELD, title=f"Title {n}", body=f"b {n}")
    mod_client.get(reverse(DESK))
    with django_assert_max_num_queries(10):
        html = mod_client.get(reverse(DESK)).content.decode()
    assert html.count('class="desk-title"') == 20


def reply_summaries(html):
    return re.findall(r"<summary>(.*?)</summary>", html, flags=re.S)


def test_reply_says_it_approves_only_on_held_rows(mod_client, a_post):
    make_comment(a_post, status=Status.HELD, body="held one")
    make_comment(a_post, status=Status.APPROVED, body="approved one")
    held_page = mod_client.get(reverse(DESK)).content.decode()
    assert [text_of(s).strip() for s in reply_summaries(held_page)] == [
        f"Reply (approves the comment) to comment {Comment.objects.held().get().pk}"
    ]
    for status in ("approved", "all"):
        page = mod_client.get(reverse(DESK), {"status": status}).content.decode()
        summaries = [text_of(s).strip() for s in reply_summaries(page)]
        approved_pk = Comment.objects.approved().get().pk
        assert f"Reply to comment {approved_pk}" in summaries
        assert all("approves" not in s for s in summaries if s.endswith(f"comment {approved_pk}"))


# --- the comment list and page ----------------------------------------------------------------


def test_the_comment_list_shows_the_title_escaped_and_searches_it(mod_client, a_post):
    make_comment(a_post, status=Status.HELD, title=HOSTILE, body="body one")
    make_comment(a_post, status=Status.HELD, title="Masking of raters", body="body two")
    make_comment(a_post, status=Status.HELD, body="body three")
    url = reverse("admin:comments_comment_changelist")
    html = mod_client.get(url).content.decode()
    assert '<script>alert("t")' not in html
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html
    assert 'class="comment-title">Masking of raters</' in html
    found = mod_client.get(url, {"q": "raters"}).context["cl"].result_list
    assert [c.body for c in found] == ["body two"]


def test_the_change_page_shows_the_title_or_says_there_is_none(mod_client, a_post):
    titled = make_comment(a_post, status=Status.HELD, title=HOSTILE)
    plain = make_comment(a_post, status=Status.HELD)
    html = mod_client.get(titled.get_admin_url()).content.decode()
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html
    assert '<script>alert("t")' not in html
    assert "Title:" in text_of(html)
    plain_html = mod_client.get(plain.get_admin_url()).content.decode()
    assert "Title:" in text_of(plain_html)


# --- the moderation mail -----------------------------------------------------------------------


def test_the_moderation_mail_quotes_the_title_in_the_body_on_one_line(a_post, settings):
    settings.COMMENT_MODERATORS = ["mod@example.org"]
    comment = make_comment(
        a_post,
        status=Status.HELD,
        title="Bcc: victim@example.org\r\nSee https://evil.example.com now",
        status_reason="new commenter",
    )
    with committed():
        assert notify_held(comment_id=comment.pk) == 1
    (message,) = mail.outbox
    assert "victim" not in message.subject and "evil" not in message.subject
    assert "Bcc" not in str(message.message()).split("\n\n", 1)[0]
    assert "> Title: Bcc: victim@example[.]org See hxxps[:]//evil[.]example[.]com now" in (
        message.body
    )


def test_a_safety_hold_never_mails_the_title(a_post):
    comment = make_comment(
        a_post,
        status=Status.HELD,
        title="About Jane Doe, NHS 943 476 5919",
        status_reason="patient identifier: NHS number",
    )
    subject, body = held_comment_message(comment)
    assert "Jane" not in subject + body and "943 476" not in subject + body


def test_the_moderation_mail_without_a_title_has_no_title_line(a_post):
    comment = make_comment(a_post, status=Status.HELD, status_reason="new commenter")
    _subject, body = held_comment_message(comment)
    assert "Title:" not in body


# --- the right-of-reply mail ---------------------------------------------------------------------


def test_the_right_of_reply_mail_quotes_the_title_never_in_the_subject(a_post, a_moderator):
    comment = make_comment(
        a_post,
        status=Status.HELD,
        title="Re-analysis\nSubject: win a prize at www.evil.example",
        body="A response.",
    )
    with committed():
        comment_approve(comment=comment, moderator=a_moderator)
    (message,) = [m for m in mail.outbox if m.to == [a_post.author.email]]
    assert "prize" not in message.subject
    assert "> Title: Re-analysis Subject: win a prize at www[.]evil[.]example" in message.body


def test_the_right_of_reply_mail_without_a_title_has_no_title_line(a_post, a_moderator):
    comment = make_comment(a_post, status=Status.HELD, body="A response.")
    with committed():
        comment_approve(comment=comment, moderator=a_moderator)
    (message,) = [m for m in mail.outbox if m.to == [a_post.author.email]]
    assert "Title:" not in message.body


@hsettings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=any_script_text(max_size=200))
def test_any_script_title_stays_in_the_body_of_both_mails(a_post, title):
    comment = Comment(
        pk=1,
        post=a_post,
        name="Ann",
        email="a@example.org",
        title=title,
        body="b",
        status=Status.HELD,
        status_reason="new commenter",
    )
    notice = ResponseNotice(pk=1, comment=comment, author=a_post.author)
    for subject, body, *_headers in (held_comment_message(comment), response_message(notice)):
        assert "\n" not in subject and "\r" not in subject
        title_lines = [line for line in body.split("\n") if line.startswith("> Title:")]
        assert len(title_lines) == (1 if title.strip() else 0)
