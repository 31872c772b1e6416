"""Posting a comment: post/redirect/get, notices, refusals, replies and staff comments."""

import re
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from blog.models import Post
from comments.forms import BAD_PARENT, RESUBMIT, make_token
from comments.models import Comment
from tests.factories import make_post, make_user
from tests.lean_markup_support import closed_html, comment_ids
from tests.test_comments_forms import BAD_WEBSITE
from tests.test_comments_support import form_data, make_comment, post_url

Status = Comment.Status


def test_a_new_comment_is_held_and_the_notice_follows_the_redirect(client, a_post):
    response = client.post(post_url(a_post), form_data(a_post))
    assert response.status_code == 302
    assert response["Location"] == a_post.get_absolute_url() + "#your-comments"
    comment = Comment.objects.get()
    assert comment.status == Status.HELD
    assert comment.ip_address == "127.0.0.1"
    page = client.get(response["Location"]).content.decode()
    assert "Your comment is awaiting moderation" in page
    # Held: shown to its author only, marked (tests/test_pending_comment.py), not in the thread.
    assert "Were the raters really" not in page.split('id="your-comments"')[0]
    assert "Awaiting moderation</strong>" in page
    assert "Were the raters really" not in Client().get(a_post.get_absolute_url()).content.decode()
    assert (
        "Your comment is awaiting moderation"
        not in client.get(a_post.get_absolute_url()).content.decode()
    )  # the notice shows once


def test_spam_gets_the_same_notice(client, a_post):
    response = client.post(post_url(a_post), form_data(a_post, homepage_url="x"), follow=True)
    assert Comment.objects.get().status == Status.SPAM
    assert "Your comment is awaiting moderation" in response.content.decode()


def test_too_fast_is_spam_with_the_same_notice(client, a_post):
    token = make_token(a_post, now=time.time() - 1)
    response = client.post(post_url(a_post), form_data(a_post, security_token=token), follow=True)
    assert Comment.objects.get().status == Status.SPAM
    assert "Your comment is awaiting moderation" in response.content.decode()


def test_an_approved_comment_lands_on_its_anchor(client, a_post):
    make_comment(a_post, status=Status.APPROVED)
    response = client.post(post_url(a_post), form_data(a_post, body="Second thoughts."))
    new = Comment.objects.latest("pk")
    assert new.status == Status.APPROVED and new.status_reason == "returning commenter"
    assert response["Location"] == f"{a_post.get_absolute_url()}#your-comments"
    page = client.get(response["Location"]).content.decode()
    assert "Your comment has been published" in page
    assert new.pk in comment_ids(page)
    a_post.refresh_from_db()
    assert a_post.comment_count == 2


def test_refreshing_the_landing_page_never_posts_twice(client, a_post):
    response = client.post(post_url(a_post), form_data(a_post), follow=True)
    assert response.request["REQUEST_METHOD"] == "GET"
    client.get(a_post.get_absolute_url())
    assert Comment.objects.count() == 1


def test_invalid_form_comes_back_with_errors_and_the_text_kept(client, a_post):
    data = form_data(
        a_post,
        email="not-an-email",
        body="My <b>careful</b> thoughts",
        website="https://ann.example",
        competing_interests="Consultant to X",
    )
    response = client.post(post_url(a_post), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert 'aria-invalid="true"' in html
    assert "My &lt;b&gt;careful&lt;/b&gt; thoughts</textarea>" in html
    assert 'value="https://ann.example"' in html
    assert 'value="Consultant to X"' in html
    assert 'value="Ann Reader"' in html
    assert "<h1" in html and a_post.title in html  # the post page itself
    assert not Comment.objects.exists()


def test_a_stale_form_asks_to_resubmit_with_a_fresh_token(client, a_post):
    stale = make_token(a_post, now=time.time() - 90000)
    response = client.post(post_url(a_post), form_data(a_post, security_token=stale))
    assert response.status_code == 400
    html = response.content.decode()
    assert RESUBMIT in html
    assert stale not in html  # the re-shown form carries a new token
    assert "Were the raters really *masked*?" in html


def test_unknown_post_is_404(client, a_post):
    response = client.post(post_url(Post(pk=987654)), form_data(a_post))
    assert response.status_code == 404


@pytest.mark.parametrize("fixture", ["a_draft", "a_scheduled_post"])
def test_unpublished_post_is_404(db, client, request, fixture):
    post = request.getfixturevalue(fixture)
    assert client.post(post_url(post), form_data(post)).status_code == 404
    assert not Comment.objects.exists()


def test_a_get_on_the_forms_address_leads_to_the_posts_form(client, a_post):
    """The address stays in the address bar after a form error: a reload or a bookmark
    opens the post at its form, not a blank 405."""
    response = client.get(post_url(a_post))
    assert response.status_code == 302
    assert response["Location"] == f"{a_post.get_absolute_url()}#respond"
    assert client.head(post_url(a_post)).status_code == 302
    assert client.put(post_url(a_post)).status_code == 405
    assert client.get(post_url(Post(pk=987654))).status_code == 404


def test_closed_post_refuses_with_a_message_and_keeps_the_text(client, a_post):
    Post.objects.filter(pk=a_post.pk).update(comments_open=False)
    response = client.post(post_url(a_post), form_data(a_post, body="Lost words?"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Comments are closed on this post." in html
    assert "Lost words?</textarea>" in html
    assert not Comment.objects.exists()
    page = client.get(a_post.get_absolute_url()).content.decode()
    assert "Comments are closed" in page and 'class="comment-form"' not in page


def test_comments_close_after_n_days(client, settings, an_author):
    settings.COMMENT_CLOSE_AFTER_DAYS = 30
    old = make_post(author=an_author, published_at=timezone.now() - timedelta(days=31))
    assert client.post(post_url(old), form_data(old)).status_code == 403
    recent = make_post(author=an_author, published_at=timezone.now() - timedelta(days=29))
    assert client.post(post_url(recent), form_data(recent)).status_code == 302


def test_duplicate_within_ten_minutes_is_refused(client, a_post):
    client.post(post_url(a_post), form_data(a_post))
    response = client.post(post_url(a_post), form_data(a_post, email="ANN@example.org"))
    assert response.status_code == 302 and response["Location"].endswith("#notice")
    notice = client.get(response["Location"]).content.decode()
    assert "You have already sent this comment on this post." in notice
    assert Comment.objects.count() == 1


def test_same_text_after_ten_minutes_or_on_another_post_is_fine(client, a_post, an_author):
    client.post(post_url(a_post), form_data(a_post))
    Comment.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    assert client.post(post_url(a_post), form_data(a_post)).status_code == 302
    other = make_post(author=an_author)
    assert client.post(post_url(other), form_data(other)).status_code == 302
    assert Comment.objects.count() == 3


def test_rate_limit_gives_a_429_page_that_keeps_the_text(client, a_post, settings, monkeypatch):
    settings.COMMENT_RATE_LIMIT = "2/m"
    # Windows are calendar minutes: the rate limit's clock stands still, mid-minute, so the
    # three sendings never fall either side of a minute's end.
    monkeypatch.setattr("comments.ratelimit.time", SimpleNamespace(time=lambda: 1_700_000_010.0))
    for n in range(2):
        assert client.post(post_url(a_post), form_data(a_post, body=f"n{n}")).status_code == 302
    response = client.post(post_url(a_post), form_data(a_post, body="Please keep me"))
    assert response.status_code == 429
    html = response.content.decode()
    assert "several comments in a short time" in html
    assert "Please keep me</textarea>" in html
    assert 1 <= int(response["Retry-After"]) <= 60
    assert 'class="comment-form"' in html and 'value="Ann Reader"' in html
    assert Comment.objects.count() == 2


def test_rate_limit_is_per_ip(client, a_post, settings):
    settings.COMMENT_RATE_LIMIT = "1/m"
    assert client.post(post_url(a_post), form_data(a_post, body="a")).status_code == 302
    other = client.post(post_url(a_post), form_data(a_post, body="b"), REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 302


def test_rate_limit_off(client, a_post, settings):
    settings.COMMENT_RATE_LIMIT = "off"
    for n in range(8):
        assert client.post(post_url(a_post), form_data(a_post, body=f"n{n}")).status_code == 302


# --- replies ---------------------------------------------------------------------------


def test_reply_link_shows_the_reply_form_under_the_comment_without_js(client, a_post):
    parent = make_comment(a_post, name="Bo Parent")
    page = client.get(a_post.get_absolute_url()).content.decode()
    # Relative to the post's page, which is where the thread is shown.
    assert f'<a href="?reply={parent.pk}#respond">Reply</a>' in page
    html = client.get(f"{a_post.get_absolute_url()}?reply={parent.pk}").content.decode()
    assert "Reply to Bo Parent" in html
    assert f'name="parent" value="{parent.pk}"' in html
    html = closed_html(html)
    assert html.index(f'id="comment-{parent.pk}"') < html.index('id="respond"')
    assert html.count('class="comment-form"') == 1


def test_reply_links_on_a_form_sent_back_with_errors_lead_to_the_post(client, a_post):
    """That page is served at the form's address (a POST-only view): a relative link would
    lead there, so the links carry the post's address."""
    parent = make_comment(a_post, name="Bo Parent")
    response = client.post(post_url(a_post), form_data(a_post, body=""))
    assert response.status_code == 400
    reply_href = f"{a_post.get_absolute_url()}?reply={parent.pk}#respond"
    assert f'<a href="{reply_href}">Reply</a>' in response.content.decode()
    assert client.get(reply_href.split("#")[0]).status_code == 200


def test_the_older_replyto_parameter_still_opens_the_form_under_the_comment(client, a_post):
    """``?replyto=`` was the reply link's parameter before issue 19 renamed it ``?reply=``
    (two bytes a comment): links in pages stored before and bookmarks still work, and such
    a page is never served from, or stored in, the page cache."""
    parent = make_comment(a_post, name="Bo Parent")
    other = make_comment(a_post, name="Cy Other")
    response = client.get(f"{a_post.get_absolute_url()}?replyto={parent.pk}")
    html = response.content.decode()
    assert "Reply to Bo Parent" in html
    assert f'name="parent" value="{parent.pk}"' in html
    html = closed_html(html)
    assert html.index(f'id="comment-{parent.pk}"') < html.index('id="respond"')
    assert html.index('id="respond"') < html.index(f'id="comment-{other.pk}"')
    # The new name wins when a link carries both.
    both = client.get(f"{a_post.get_absolute_url()}?reply={other.pk}&replyto={parent.pk}")
    assert f'name="parent" value="{other.pk}"' in both.content.decode()


@pytest.mark.parametrize("parameter", ["reply", "replyto"])
@pytest.mark.parametrize("value", ["abc", "999999", "-1"])
def test_bad_reply_parameter_on_the_page_says_so(client, a_post, parameter, value):
    html = client.get(f"{a_post.get_absolute_url()}?{parameter}={value}").content.decode()
    assert "You can only reply to a published comment on this post." in html
    assert 'name="parent" value=""' in html


def test_a_reply_is_stored_under_its_parent(client, a_post):
    parent = make_comment(a_post)
    client.post(post_url(a_post), form_data(a_post, parent=parent.pk, email="cy@example.org"))
    reply = Comment.objects.get(parent=parent)
    assert reply.depth == 1
    assert reply.thread_path == f"{parent.thread_path}{reply.pk:010d}/"


def test_replies_deeper_than_the_limit_attach_at_the_deepest_level(client, a_post, settings):
    settings.COMMENT_MAX_DEPTH = 3
    top = make_comment(a_post)
    second = make_comment(a_post, parent=top)
    third = make_comment(a_post, parent=second)
    assert third.depth == 2
    client.post(post_url(a_post), form_data(a_post, parent=third.pk, email="cy@example.org"))
    reply = Comment.objects.get(email="cy@example.org")
    assert reply.parent_id == second.pk and reply.depth == 2


def test_max_depth_one_means_no_nesting(client, a_post, settings):
    settings.COMMENT_MAX_DEPTH = 1
    top = make_comment(a_post)
    client.post(post_url(a_post), form_data(a_post, parent=top.pk, email="cy@example.org"))
    assert Comment.objects.get(email="cy@example.org").parent_id is None


@pytest.mark.parametrize("status", [Status.HELD, Status.REJECTED, Status.SPAM])
def test_reply_to_a_comment_that_is_not_approved_is_refused(client, a_post, status):
    parent = make_comment(a_post, status=status)
    response = client.post(
        post_url(a_post), form_data(a_post, parent=parent.pk, email="cy@example.org")
    )
    assert response.status_code == 400
    assert BAD_PARENT in response.content.decode()
    assert not Comment.objects.filter(email="cy@example.org").exists()


def test_reply_to_a_comment_of_another_post_is_refused(client, a_post, an_author):
    elsewhere = make_comment(make_post(author=an_author))
    response = client.post(post_url(a_post), form_data(a_post, parent=elsewhere.pk))
    assert response.status_code == 400
    assert BAD_PARENT in response.content.decode()


@pytest.mark.parametrize("parent", ["999999", "abc", "0"])
def test_reply_to_nothing_is_refused(client, a_post, parent):
    response = client.post(post_url(a_post), form_data(a_post, parent=parent))
    assert response.status_code == 400
    assert not Comment.objects.exists()


# --- staff -----------------------------------------------------------------------------


def test_staff_comment_as_themselves_and_are_approved(client, a_post):
    editor = make_user(staff=True, first_name="Eve", last_name="Editor", email="eve@example.org")
    client.force_login(editor)
    page = client.get(a_post.get_absolute_url()).content.decode()
    assert "You are commenting as <strong>Eve Editor</strong>" in page
    response = client.post(post_url(a_post), form_data(a_post, name="", email=""))
    comment = Comment.objects.get()
    assert (comment.name, comment.email, comment.user) == ("Eve Editor", "eve@example.org", editor)
    assert comment.status == Status.APPROVED and not comment.is_post_author
    assert response["Location"].endswith("#your-comments")


def test_the_posts_author_is_marked_and_badged(client, a_post, an_author):
    client.force_login(an_author)
    client.post(post_url(a_post), form_data(a_post, name="Impostor", email="x@example.org"))
    comment = Comment.objects.get()
    assert comment.is_post_author and comment.name == "Wren Ashdown"
    client.logout()
    page = closed_html(client.get(a_post.get_absolute_url()).content.decode())
    assert '<span class="comment-badge">Author</span>' in page


def test_anonymous_cannot_claim_to_be_the_author(client, a_post):
    make_comment(a_post, status=Status.APPROVED)
    client.post(
        post_url(a_post),
        form_data(a_post, name="Wren Ashdown", is_post_author="1", body="Fake"),
    )
    assert not Comment.objects.get(body="Fake").is_post_author


def test_staff_are_not_rate_limited(client, a_post, settings):
    settings.COMMENT_RATE_LIMIT = "1/m"
    client.force_login(make_user(staff=True))
    for n in range(3):
        assert client.post(post_url(a_post), form_data(a_post, body=f"n{n}")).status_code == 302


def test_a_model_validation_error_is_a_form_error_not_a_500(client, a_post, monkeypatch):
    from django.core.exceptions import ValidationError

    from comments import services

    def invalid(**kwargs):
        raise ValidationError({"website": ["Ensure this value has at most 200 characters."]})

    monkeypatch.setattr(services, "comment_submit", invalid)
    response = client.post(post_url(a_post), form_data(a_post))
    assert response.status_code == 400
    assert "Ensure this value has at most 200 characters." in response.content.decode()


def test_client_ip_from_a_trusted_proxy_header(client, a_post, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    client.post(
        post_url(a_post), form_data(a_post), HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.4"
    )
    assert Comment.objects.get().ip_address == "198.51.100.4"


def test_a_garbage_ip_header_stores_no_address(client, a_post, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    client.post(post_url(a_post), form_data(a_post), HTTP_X_REAL_IP="<script>")
    assert Comment.objects.get().ip_address is None


# --- after a form error ----------------------------------------------------------------


def test_the_form_is_sent_to_its_own_anchor(client, a_post):
    """After an error the page opens at the form (the browser follows #respond)."""
    page = client.get(a_post.get_absolute_url()).content.decode()
    assert f'action="{post_url(a_post)}#respond"' in page
    error = client.post(post_url(a_post), form_data(a_post, email="x")).content.decode()
    assert f'action="{post_url(a_post)}#respond"' in error
    assert error.index('id="respond"') < error.index('id="comment-errors"')


def test_an_error_summary_at_the_top_of_the_form_links_to_each_field(client, a_post):
    response = client.post(
        post_url(a_post), form_data(a_post, email="ann@", website="javascript:x", body=" ")
    )
    html = response.content.decode()
    form = html[html.index('<form class="comment-form"') :]
    summary = form[form.index('id="comment-errors"') : form.index("</ul>") + 5]
    assert form.index('id="comment-errors"') < form.index('name="name"')  # at the top
    assert 'tabindex="-1"' in summary.split(">")[0]  # focusable by comments.js
    assert "Your comment was not sent: please check the form" in summary
    links = re.findall(r'<a href="#(id_\w+)">([^<]+)</a>', summary)
    assert links == [
        ("id_email", "Email: Enter a valid email address."),
        ("id_website", f"Website (optional): {BAD_WEBSITE}"),
        ("id_body", "Comment: Please write a comment."),
    ]
    for field_id, _text in links:
        assert f'id="{field_id}"' in form  # each link has its field


def test_a_form_level_error_is_in_the_summary_without_a_link(client, a_post):
    stale = make_token(a_post, now=time.time() - 90000)
    html = client.post(post_url(a_post), form_data(a_post, security_token=stale)).content.decode()
    summary = html[html.index('id="comment-errors"') :]
    summary = summary[: summary.index("</div>")]
    assert RESUBMIT in summary and "<a href" not in summary


def test_a_valid_page_has_no_error_summary(client, a_post):
    assert 'id="comment-errors"' not in client.get(a_post.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "case", ["held", "rejected", "spam", "another post", "missing", "not a number"]
)
def test_every_bad_parent_gets_the_same_answer(client, a_post, an_author, case):
    """Issue 10, item 8: the answer must not tell which comments exist, or where."""
    statuses = {"held": Status.HELD, "rejected": Status.REJECTED, "spam": Status.SPAM}
    if case in statuses:
        parent = make_comment(a_post, status=statuses[case]).pk
    elif case == "another post":
        parent = make_comment(make_post(author=an_author)).pk
    else:
        parent = {"missing": 999999, "not a number": "abc"}[case]
    response = client.post(
        post_url(a_post), form_data(a_post, parent=parent, email="cy@example.org")
    )
    assert response.status_code == 400
    html = response.content.decode()
    summary = html[html.index('id="comment-errors"') :]
    summary = summary[: summary.index("</div>")]
    assert re.findall(r"<li>([^<]*)</li>", summary) == [BAD_PARENT]
    assert not Comment.objects.filter(email="cy@example.org").exists()


def test_a_form_error_on_a_post_closed_meanwhile_keeps_the_text(client, a_post):
    """Props finding F4: the closed post's page has no form, so the errors and the text
    went with it. The refusal page, which keeps the text, comes first."""
    Post.objects.filter(pk=a_post.pk).update(comments_open=False)
    response = client.post(
        post_url(a_post), form_data(a_post, email="not-an-email", body="Keep <my> words")
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "Comments are closed on this post." in html
    assert "Keep &lt;my&gt; words</textarea>" in html
    assert not Comment.objects.exists()


def test_a_form_error_on_a_post_whose_address_is_percent_encoded_is_shown(
    client, a_post, monkeypatch
):
    """Props finding F5: an address that is not ASCII is percent-encoded, and resolving it
    again found no view (a 404, the text lost). The detail view is called directly."""
    monkeypatch.setattr(
        Post, "get_absolute_url", lambda self: "/2026/11/%E5%A4%9A%E5%8F%91%E6%80%A7/"
    )
    response = client.post(post_url(a_post), form_data(a_post, email="x", body="Kept words"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html and "Kept words</textarea>" in html
    assert "<h1" in html and a_post.title in html
