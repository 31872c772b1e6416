"""Your pending comment (issue 15): the commenter sees their own held comment, marked, in
this browser only; cached pages stay the same for everyone; forged cookies name nothing."""

from datetime import timedelta
from html import escape

import pytest
from django.core import signing
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings

from comments import pending, services
from comments.models import Comment
from comments.rendering import pending_html
from tests.factories import make_post, make_user
from tests.lean_markup_support import comment_ids
from tests.strategies import any_script_text
from tests.test_comments_support import form_data, make_comment, own_block, post_url

pytestmark = pytest.mark.django_db
Status = Comment.Status
MARK = "Awaiting moderation</strong>"
BODY = "Were the raters really"


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_HEADER = True
    settings.COMMENT_RATE_LIMIT = "off"


def _send(client, post, **fields):
    response = client.post(post_url(post), form_data(post, **fields))
    assert response.status_code == 302
    return Comment.objects.latest("pk")


def _request_with(cookie):
    request = HttpRequest()
    request.COOKIES = {pending.COOKIE_NAME: cookie}
    return request


def test_the_author_sees_their_held_comment_and_another_client_never_does(client, a_post):
    url = a_post.get_absolute_url()
    other = Client()
    assert other.get(url)["X-Page-Cache"] == "miss"  # stored before the comment
    comment = _send(client, a_post)
    assert comment.status == Status.HELD

    landing = client.get(url).content.decode()  # with the notice: rendered, not cached
    assert MARK in own_block(landing) and BODY in own_block(landing)
    mine = client.get(url)
    assert mine["X-Page-Cache"] == "hit"  # the shared page, filled for this browser
    block = own_block(mine.content.decode())
    assert f'id="comment-{comment.pk}"' in block and MARK in block and BODY in block
    assert f"/comments/yours/{comment.pk}/edit/" in block

    for _ in range(2):
        theirs = other.get(url)
        assert theirs["X-Page-Cache"] == "hit"
        html = theirs.content.decode()
        assert BODY not in html and "Awaiting moderation" not in html
        assert "comments-own" not in html and "/comments/yours/" not in html
    assert BODY not in Client().get(url).content.decode()  # a third, cookieless visitor
    assert mine["ETag"] != theirs["ETag"]


def test_the_cookie_is_signed_http_only_lax_and_secure_on_https(client, a_post):
    response = client.post(post_url(a_post), form_data(a_post), secure=True)
    morsel = response.cookies[pending.COOKIE_NAME]
    assert morsel["httponly"] and morsel["secure"] and morsel["samesite"] == "Lax"
    assert int(morsel["max-age"]) == pending.MAX_AGE_SECONDS
    comment = Comment.objects.get()
    assert str(comment.pk) in morsel.value and ":" in morsel.value  # value:timestamp:signature
    plain = Client().post(post_url(a_post), form_data(a_post, body="Another thought."))
    assert not plain.cookies[pending.COOKIE_NAME]["secure"]


@pytest.mark.parametrize(
    "forge",
    [
        lambda pk, real: str(pk),  # unsigned
        lambda pk, real: f"{pk}:1abcde:{'A' * 43}",  # a made-up signature
        lambda pk, real: real.replace(real.split(":")[0], str(pk), 1),  # id swapped in
        lambda pk, real: signing.get_cookie_signer(salt="other").sign(str(pk)),  # wrong salt
        lambda pk, real: signing.TimestampSigner(key="not-our-secret", salt="x").sign(str(pk)),
        lambda pk, real: "." * 5000,
    ],
)
def test_a_forged_or_altered_cookie_shows_nothing(client, a_post, forge):
    victim = Client()
    theirs = _send(victim, a_post)
    _send(client, a_post, body="My own words, not the victim's.", email="eve@example.org")
    real = client.cookies[pending.COOKIE_NAME].value
    attacker = Client()
    attacker.cookies[pending.COOKIE_NAME] = forge(theirs.pk, real)
    html = attacker.get(a_post.get_absolute_url()).content.decode()
    assert BODY not in html and "comments-own" not in html
    assert attacker.get(f"/comments/yours/{theirs.pk}/edit/").status_code == 404
    assert (
        attacker.post(f"/comments/yours/{theirs.pk}/withdraw/", {"confirm": "1"}).status_code == 404
    )
    assert Comment.objects.filter(pk=theirs.pk).exists()


def test_a_genuine_cookie_for_one_comment_shows_no_other(client, a_post):
    """The ids come from the signature only: another's comment never joins them."""
    theirs = make_comment(a_post, status=Status.HELD, body="Someone else's held words.")
    mine = _send(client, a_post)
    html = client.get(a_post.get_absolute_url()).content.decode()
    assert "Someone else's held words." not in html
    assert f'id="comment-{mine.pk}"' in own_block(html)
    assert f"comment-{theirs.pk}" not in own_block(html)


def test_an_expired_cookie_names_nothing(client, a_post, fake_clock):
    _send(client, a_post)
    assert MARK in client.get(a_post.get_absolute_url()).content.decode()
    fake_clock.advance(pending.MAX_AGE_SECONDS + 60)
    assert "comments-own" not in client.get(a_post.get_absolute_url()).content.decode()


def test_approved_and_rejected_comments_drop_out(client, a_post, a_superuser):
    first = _send(client, a_post)
    second = _send(client, a_post, body="A second, different comment.")
    services.comment_approve(comment=first, moderator=a_superuser)
    services.comment_reject(comment=second, moderator=a_superuser)
    html = client.get(a_post.get_absolute_url()).content.decode()
    block = own_block(html)
    assert MARK not in html and "A second, different comment." not in html
    assert first.pk in comment_ids(html.split('class="comments-own"')[0])  # in the thread
    # Still editable, so linked from the block (through its permalink: threads have pages).
    assert f'href="/comments/{first.pk}/thread/"' in block
    assert f"/comments/yours/{second.pk}/" not in block


def test_spam_looks_held_to_its_sender(client, a_post):
    """A spammer learns nothing: their comment shows as awaiting moderation too."""
    comment = _send(client, a_post, homepage_url="http://bot.example")
    assert comment.status == Status.SPAM
    assert MARK in own_block(client.get(a_post.get_absolute_url()).content.decode())


def test_a_pending_reply_says_what_it_answers(client, a_post):
    parent = make_comment(a_post, name="Bea <Parent>", email="bea@example.org")
    reply = _send(client, a_post, parent=str(parent.pk))
    assert reply.status == Status.HELD and reply.parent_id == parent.pk
    block = own_block(client.get(a_post.get_absolute_url()).content.decode())
    parent_link = f'<a href="/comments/{parent.pk}/thread/"><bdi>Bea &lt;Parent&gt;</bdi></a>'
    assert f"in reply to {parent_link}" in block


def test_the_cookie_names_at_most_twenty_comments(client, a_post, settings):
    settings.COMMENT_DUPLICATE_SECONDS = 0
    sent = [_send(client, a_post, body=f"Comment number {n}.") for n in range(23)]
    request = _request_with(client.cookies[pending.COOKIE_NAME].value)
    assert pending.comment_ids(request) == [c.pk for c in sent[-pending.MAX_IDS :]]
    html = client.get(a_post.get_absolute_url()).content.decode()
    assert "Comment number 22." in html and "Comment number 2." not in html


def test_no_cookie_costs_no_query(rf, a_post, django_assert_num_queries):
    request = rf.get(a_post.get_absolute_url())
    with django_assert_num_queries(0):
        assert pending_html(request, a_post.pk) == ""


def test_a_cookie_costs_one_query_whatever_it_names(client, a_post, django_assert_num_queries):
    for n in range(3):
        _send(client, a_post, body=f"Held comment {n}.")
    request = _request_with(client.cookies[pending.COOKIE_NAME].value)
    with django_assert_num_queries(1):
        html = pending_html(request, a_post.pk)
    assert html.count(MARK) == 3


def test_the_post_page_costs_one_more_query_with_a_cookie(
    client, a_post, settings, django_assert_num_queries
):
    """No cookie: the page's budget is unchanged (tests/test_query_budgets.py); with one:
    one query, the comments it names."""
    settings.PAGE_CACHE_SECONDS = 0
    url = a_post.get_absolute_url()
    _send(client, a_post)
    client.get(url)  # the notice
    with CaptureQueriesContext(connection) as with_cookie:
        client.get(url)
    with CaptureQueriesContext(connection) as without:
        Client().get(url)
    assert len(with_cookie) == len(without) + 1


def test_a_comment_on_another_post_stays_on_its_post(client, a_post):
    other_post = make_post(author=a_post.author, title="Another write-up")
    _send(client, other_post)
    client.get(other_post.get_absolute_url())  # the landing shows the notice
    assert "comments-own" not in client.get(a_post.get_absolute_url()).content.decode()
    assert MARK in client.get(other_post.get_absolute_url()).content.decode()


@hypothesis_settings(max_examples=15, deadline=None)
@given(name=any_script_text(max_size=60))
def test_any_name_is_escaped_once_in_the_own_block(a_post, name):
    comment = make_comment(
        a_post, status=Status.HELD, name=name + " <b>&amp;", body="Held **text**."
    )
    comment.render_body()
    comment.save()
    response = HttpResponse()
    pending.remember(HttpRequest(), response, comment.pk)
    html = pending_html(_request_with(response.cookies[pending.COOKIE_NAME].value), a_post.pk)
    assert escape(name + " <b>&amp;") in html
    assert "<b>&amp;" not in html.replace("<strong>text</strong>", "")
    assert "<strong>text</strong>" in html


def test_staff_see_their_own_comment_signed_in(client, a_post):
    """A signed-in page is never cached: filled directly."""
    user = make_user(username="reader")
    client.force_login(user)
    comment = _send(client, a_post)
    block = own_block(client.get(a_post.get_absolute_url()).content.decode())
    assert f'id="comment-{comment.pk}"' in block


def test_a_held_comment_past_its_window_shows_without_links(client, a_post, monkeypatch):
    comment = _send(client, a_post)
    later = comment.created_at + timedelta(minutes=16)
    monkeypatch.setattr(timezone, "now", lambda: later)
    block = own_block(client.get(a_post.get_absolute_url()).content.decode())
    assert MARK in block and "/comments/yours/" not in block
