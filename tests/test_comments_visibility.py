"""One visibility rule: a reply under a comment rejected later is hidden, uncounted and
absent from the feeds, like its parent; approving the parent again brings it all back."""

import feedparser
import pytest

from comments.models import Comment
from comments.services import comment_approve, comment_reject
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(a_post):
    moderator = make_user(staff=True)

    def approved(body, parent=None):
        comment = Comment.objects.create(
            post=a_post, parent=parent, name="Reader", email="r@example.org", body=body
        )
        comment_approve(comment=comment, moderator=moderator)
        return comment

    top = approved("The top comment")
    reply = approved("A reply to the top", parent=top)
    approved("A reply to the reply", parent=reply)
    other = approved("Another thread")
    return moderator, top, reply, other


def test_rejecting_a_replied_comment_hides_its_replies_everywhere(client, a_post, thread):
    moderator, top, reply, other = thread
    a_post.refresh_from_db()
    assert a_post.comment_count == 4
    comment_reject(comment=reply, moderator=moderator)

    a_post.refresh_from_db()
    assert a_post.comment_count == 2
    assert set(Comment.objects.visible()) == {top, other}
    page = client.get(a_post.get_absolute_url()).content.decode()
    assert "The top comment" in page and "Another thread" in page
    assert "A reply to the top" not in page and "A reply to the reply" not in page
    assert "2 comments" in client.get("/").content.decode()
    for url in (f"/comments/feeds/post/{a_post.pk}/", "/comments/feeds/latest/"):
        feed = feedparser.parse(client.get(url).content)
        bodies = " ".join(entry.summary for entry in feed.entries)
        assert "The top comment" in bodies
        assert "A reply to the" not in bodies, url

    comment_approve(comment=reply, moderator=moderator)
    a_post.refresh_from_db()
    assert a_post.comment_count == 4
    assert "A reply to the reply" in client.get(a_post.get_absolute_url()).content.decode()


def test_the_heading_counts_only_the_comments_shown(client, a_post, thread):
    moderator, top, reply, other = thread
    Comment.objects.filter(pk=reply.pk).update(status=Comment.Status.REJECTED)
    html = client.get(a_post.get_absolute_url()).content.decode()
    assert ">2 comments</h2>" in html


def test_a_closed_post_shows_its_comments_without_reply_links(client, a_post, thread):
    a_post.comments_open = False
    a_post.save()
    html = client.get(a_post.get_absolute_url()).content.decode()
    assert "The top comment" in html
    assert "Comments are closed." in html
    assert "reply=" not in html
    assert 'id="respond"' not in html


def test_a_staff_preview_of_a_draft_offers_no_comment_form(client, a_draft):
    client.force_login(a_draft.author)
    html = client.get(a_draft.get_absolute_url()).content.decode()
    assert "Comments open when this post is published." in html
    assert 'class="comment-form"' not in html


@pytest.mark.parametrize("parent", ["held", "999999", "abc"])
def test_a_bad_parent_is_explained_once(client, a_post, settings, parent):
    from tests.test_comments_support import form_data, post_url

    settings.COMMENT_MIN_SUBMIT_SECONDS = 0
    if parent == "held":
        parent = str(
            Comment.objects.create(post=a_post, name="H", email="h@example.org", body="Held").pk
        )
    response = client.post(post_url(a_post), form_data(a_post, parent=parent))
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('role="alert"') == 1, html[html.find("comments") :][:2000]
    assert Comment.objects.filter(body="Held").count() <= 1
    assert Comment.objects.count() == (1 if parent.isdigit() and parent != "999999" else 0)
