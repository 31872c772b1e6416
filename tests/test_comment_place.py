"""``/comments/<id>/place/``: where a comment is read now, as JSON, for comments.js's old
``#comment-<id>`` links (issue 19, tryout): the page and anchor of a comment readers see,
``null`` for any other, never a 404 a browser would log."""

import json

import pytest

from comments.models import Comment
from comments.services import post_recount_comments
from tests.factories import make_post
from tests.test_comments_support import make_comment

Status = Comment.Status


@pytest.fixture
def three_pages(a_post, settings):
    settings.COMMENTS_PER_PAGE = 2
    roots = [make_comment(a_post, body=f"root {n}") for n in range(5)]
    post_recount_comments(post_id=a_post.pk)
    return roots


def place(client, pk):
    response = client.get(f"/comments/{pk}/place/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)["url"]


def test_a_shown_comment_is_placed_on_its_page(client, a_post, three_pages):
    url = a_post.get_absolute_url()
    assert place(client, three_pages[0].pk) == f"{url}#comment-{three_pages[0].pk}"
    assert place(client, three_pages[4].pk) == f"{url}?cpage=3#comment-{three_pages[4].pk}"


@pytest.mark.parametrize("status", [Status.HELD, Status.REJECTED, Status.SPAM])
def test_a_comment_readers_do_not_see_is_nowhere(client, a_post, three_pages, status):
    hidden = make_comment(a_post, status=status, body="not shown")
    assert place(client, hidden.pk) is None
    reply = make_comment(a_post, parent=hidden, body="under a hidden one")
    assert place(client, reply.pk) is None


def test_an_unknown_or_enormous_id_is_nowhere(client, db):
    assert place(client, 987654) is None
    assert place(client, "9" * 40) is None  # past any database's integer: no 500


def test_a_comment_on_an_unpublished_post_is_nowhere(client, an_author):
    draft = make_post(author=an_author, status="draft")
    assert place(client, make_comment(draft, body="early").pk) is None


def test_it_answers_in_two_queries(client, a_post, three_pages, django_assert_max_num_queries):
    with django_assert_max_num_queries(2 + 1):  # the page cache's generation on a miss
        client.get(f"/comments/{three_pages[3].pk}/place/")
