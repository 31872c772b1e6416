"""The re-tryout of issue 15 (brief c15d, items 1-2): the commenter's notice is shown inside
the "Your comments" block, where the page lands, once; the newest own comment first; the
Edit/withdraw links and the "published" note name the comment."""

import re

import pytest
from django.urls import reverse

from comments.models import Comment
from tests.test_comments_support import form_data, make_comment, own_block, post_url, send_comment

pytestmark = pytest.mark.django_db
Status = Comment.Status


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.COMMENT_RATE_LIMIT = "off"


def _top_notice(html):
    match = re.search(r'<div class="messages" id="notice".*?</div>', html, re.S)
    return match.group(0) if match else ""


def _approved_sender(client, post):
    make_comment(post, status=Status.APPROVED, body="An earlier approved comment.")


@pytest.mark.parametrize("extra", [{}, {"homepage_url": "http://bot.example"}])
def test_a_held_or_spam_comment_notice_is_in_the_own_block_and_not_at_the_top(
    client, a_post, extra
):
    response, comment = send_comment(client, a_post, **extra)
    assert response["Location"] == a_post.get_absolute_url() + "#your-comments"
    html = client.get(response["Location"]).content.decode()
    block = own_block(html)
    notice = re.search(r'<div class="comments-own-notice" role="status">.*?</div>', block, re.S)
    assert notice and "awaiting moderation" in notice.group(0)
    # at the block's top: before the comment itself
    assert block.index("comments-own-notice") < block.index(f'id="comment-{comment.pk}"')
    assert "awaiting moderation" not in _top_notice(html)
    assert html.count("Your comment is awaiting moderation") == 1


def test_a_published_comment_lands_on_the_own_block_with_its_notice(client, a_post):
    _approved_sender(client, a_post)
    response, comment = send_comment(client, a_post)
    assert comment.status == Status.APPROVED
    assert response["Location"] == a_post.get_absolute_url() + "#your-comments"
    html = client.get(response["Location"]).content.decode()
    block = own_block(html)
    assert "Your comment has been published." in block
    assert html.count("Your comment has been published.") == 1


def test_after_an_edit_the_notice_is_in_the_own_block(client, a_post):
    _approved_sender(client, a_post)
    _response, comment = send_comment(client, a_post)
    edit = reverse("comments:edit", args=[comment.pk])
    response = client.post(
        edit, {"body": "A better worded thought.", "competing_interests": "None"}
    )
    assert response["Location"] == a_post.get_absolute_url() + "#your-comments"
    html = client.get(response["Location"]).content.decode()
    assert "Your comment has been updated." in own_block(html)
    assert html.count("Your comment has been updated.") == 1


def test_after_withdrawing_the_block_shows_just_the_notice(client, a_post):
    _response, comment = send_comment(client, a_post)
    withdraw = reverse("comments:withdraw", args=[comment.pk])
    response = client.post(withdraw, {"confirm": "1"})
    assert response["Location"] == a_post.get_absolute_url() + "#your-comments"
    html = client.get(response["Location"]).content.decode()
    block = own_block(html)
    assert "Your comment has been withdrawn." in block
    assert 'class="comment-list' not in block
    assert html.count("Your comment has been withdrawn.") == 1


def test_other_notices_stay_at_the_top(client, a_post):
    client.post(post_url(a_post), form_data(a_post))
    response = client.post(post_url(a_post), form_data(a_post, email="ANN@example.org"))
    assert response["Location"].endswith("#notice")
    html = client.get(response["Location"]).content.decode()
    assert "You have already sent this comment" in _top_notice(html)


def test_the_newest_own_comment_comes_first(client, a_post):
    _response, first = send_comment(client, a_post, body="The first held thought.")
    _response, second = send_comment(client, a_post, body="The second held thought, later.")
    block = own_block(client.get(a_post.get_absolute_url()).content.decode())
    assert block.index(f'id="comment-{second.pk}"') < block.index(f'id="comment-{first.pk}"')


def test_a_hostile_notice_never_reaches_the_block_unescaped(client, a_post, monkeypatch):
    from comments import extensions

    monkeypatch.setattr(extensions, "notices_for", lambda c: ["<script>alert(1)</script>"])
    response, _comment = send_comment(client, a_post)
    block = own_block(client.get(response["Location"]).content.decode())
    assert "<script>alert(1)" not in block and "&lt;script&gt;" in block


# -- 2. unique names for the links of the own block ------------------------------------------


def _link_names(block):
    return [re.sub(r"<[^>]+>", "", name) for name in re.findall(r"<a [^>]*>(.*?)</a>", block)]


def test_edit_and_withdraw_links_have_unique_names_naming_the_comment(client, a_post):
    send_comment(client, a_post, body="The first held thought.", title="On masking")
    send_comment(client, a_post, body="The second held thought, later.")
    block = own_block(client.get(a_post.get_absolute_url()).content.decode())
    names = [n for n in _link_names(block) if n.startswith(("Edit", "withdraw"))]
    assert len(names) == 4 and len(set(names)) == 4
    assert any("“On masking”" in n for n in names)
    assert any(re.search(r"your comment of \d+ \w{3} \d{4}, \d\d:\d\d", n) for n in names)
    assert 'class="visually-hidden"' in block


def test_the_published_note_names_the_comment_and_actions_follow_the_interests(client, a_post):
    _approved_sender(client, a_post)
    send_comment(client, a_post, title="On <b>masking</b>")
    block = own_block(client.get(a_post.get_absolute_url()).content.decode())
    names = _link_names(block)
    assert "comment" not in names
    assert any("On &lt;b&gt;masking&lt;/b&gt;" in n for n in names)
    client.get(a_post.get_absolute_url())
    _response, held = send_comment(
        client, a_post, body="Another held one.", homepage_url="http://bot.example"
    )
    block = own_block(client.get(a_post.get_absolute_url()).content.decode())
    item = block[block.index(f'id="comment-{held.pk}"') :]
    assert item.index("Competing interests:") < item.index(">Edit")


def test_an_untitled_published_comment_reads_once_as_your_comment(client, a_post):
    """ "Your comment of 2 Dec 2026, 09:27 UTC is published", not "Your comment your
    comment of … is published" (the final tryout)."""
    _approved_sender(client, a_post)
    send_comment(client, a_post, body="No title on this one.")
    block = own_block(client.get(a_post.get_absolute_url()).content.decode())
    text = re.sub(r"<[^>]+>", "", block)
    assert re.search(r"Your comment of \d+ \w{3} \d{4}, \d\d:\d\d \w+ is published\.", text)
    assert "Your comment your comment" not in text and "comment your comment" not in text
