"""Brief c15d item 7: the comment's own page dates in the thread's style."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

from comments.models import Comment
from tests.test_comments_support import make_comment

pytestmark = pytest.mark.django_db


def test_the_filters_give_the_threads_styles():
    moment = datetime(2026, 12, 2, 8, 19, 40, tzinfo=UTC)
    html = Template(
        "{% load comment_dates %}{{ m|comment_date }} | {{ m|comment_datetime }}"
    ).render(Context({"m": moment}))
    assert html == "2 Dec 2026 | 2 Dec 2026, 08:19 UTC"


def test_empty_values_give_nothing():
    html = Template("{% load comment_dates %}[{{ m|comment_date }}{{ m|comment_datetime }}]")
    assert html.render(Context({"m": None})) == "[]"
    assert html.render(Context({"m": "<script>"})) == "[]"


def test_the_response_page_byline_uses_them(client, a_post):
    comment = make_comment(a_post, status=Comment.Status.APPROVED, body="Cited words.")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=datetime(2026, 12, 2, 7, 0, tzinfo=UTC),
        edited_at=datetime(2026, 12, 2, 8, 19, tzinfo=UTC),
    )
    with timezone.override("UTC"):
        html = client.get(comment.get_response_url()).content.decode()
    byline = html.split('class="comment-response-byline"')[1].split("</p>")[0]
    assert ">2 Dec 2026</time>" in byline
    assert "(edited <time" in byline and ">2 Dec 2026, 08:19 UTC</time>)" in byline
    assert "December" not in byline
