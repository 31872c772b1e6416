"""The thread under a post: what readers see, in what order, and at what cost."""

import time

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Post
from comments.models import Comment
from comments.services import post_recount_comments
from tests.lean_markup_support import closed_html, comment_items, parse
from tests.test_comments_support import make_comment

Status = Comment.Status


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0


def page(client, post, query=""):
    return client.get(post.get_absolute_url() + query).content.decode()


def test_only_approved_comments_are_shown(client, a_post):
    for status in Status.values:
        make_comment(a_post, status=status, body=f"The {status} one")
    html = page(client, a_post)
    assert "The approved one" in html
    for status in ("held", "rejected", "spam"):
        assert f"The {status} one" not in html
    assert "1 comment</h2>" in html


def test_each_comment_has_anchor_permalink_name_date_body_and_interests(client, a_post):
    comment = make_comment(
        a_post,
        name="Ann Reader",
        website="https://ann.example",
        body="I *doubt* it.",
        competing_interests="Consultant to Sanofi",
    )
    html = closed_html(page(client, a_post))  # the markup leaves out optional end tags
    local = timezone.localtime(comment.created_at)
    day = f"{local.day} {local:%b %Y}"
    item = html[html.index(f'<li id="comment-{comment.pk}">') :]
    assert item.startswith(
        f'<li id="comment-{comment.pk}"><p>'
        '<a href="https://ann.example" rel="nofollow ugc">Ann Reader</a> '
        f'<a href="/comments/{comment.pk}/">{day}</a> '
        f'<a href="?reply={comment.pk}#respond">Reply</a></p>'
        "<p>I <em>doubt</em> it.</p>"
        "<p>Competing interests: Consultant to Sanofi</p></li>"
    )
    assert "comment-badge" not in html


def test_a_name_without_website_is_not_a_link(client, a_post):
    make_comment(a_post, name="Bo")
    html = page(client, a_post)
    assert "<p>Bo <a href=" in html
    assert "nofollow" not in html


def test_thread_order_and_nesting(client, a_post):
    first = make_comment(a_post, body="first")
    second = make_comment(a_post, body="second")
    reply = make_comment(a_post, parent=first, body="reply to first")
    html = closed_html(page(client, a_post))
    assert html.index("first") < html.index("reply to first") < html.index("second")
    start = html.index(f'id="comment-{first.pk}"')
    end = html.index(f'id="comment-{second.pk}"')
    assert f'</p><ol><li id="comment-{reply.pk}">' in html[start:end]
    assert f'id="comment-{reply.pk}"' in html[start:end]


def test_replies_of_a_hidden_comment_are_not_shown_out_of_context(client, a_post):
    parent = make_comment(a_post, body="soon rejected")
    make_comment(a_post, parent=parent, body="orphaned reply")
    Comment.objects.filter(pk=parent.pk).update(status=Status.REJECTED)
    html = page(client, a_post)
    assert "orphaned reply" not in html and "soon rejected" not in html


def test_thread_html_nests_as_the_thread(a_post):
    """Nested lists open and close in step whatever the shape of the thread: each comment's
    list item sits as deep as its place in the thread, its replies in its own <ol>, with no
    parse error (the markup leaves out the end tags the spec makes optional, so it is read
    with an HTML5 parser; tests/test_lean_thread_markup.py compares it with closed markup)."""
    top = make_comment(a_post)
    mid = make_comment(a_post, parent=top)
    low = make_comment(a_post, parent=mid)
    second = make_comment(a_post)
    late = make_comment(a_post, parent=top)
    html = Template("{% load comment_tags %}{% comment_section post %}").render(
        Context({"post": a_post})
    )
    assert [(pk, depth) for pk, depth, _tags in comment_items(html)] == [
        (top.pk, 0),
        (mid.pk, 1),
        (low.pk, 2),
        (late.pk, 1),
        (second.pk, 0),
    ]
    thread = html[html.index('<ol class="comment-list">') : html.index("</ol>\n") + 6]
    _tree, errors = parse(thread)
    assert not errors, errors
    closed = closed_html(thread)
    for tag in ("ol", "li", "p", "bdi", "time"):
        assert closed.count(f"<{tag} ") + closed.count(f"<{tag}>") == closed.count(f"</{tag}>")


def test_the_form_is_under_the_thread_with_help_and_labels(client, a_post):
    html = page(client, a_post)
    assert 'action="/comments/post/' in html
    for field in ("name", "email", "website", "body", "competing_interests", "homepage_url"):
        assert f'for="id_{field}"' in html
    assert "Markdown: paragraphs" in html
    assert 'value="None declared"' in html
    assert '<script src="/static/js/comments.js" defer></script>' in html
    assert "<script>" not in html.split('<section class="comments"')[1]


def test_feed_link_tag(a_post):
    html = Template("{% load comment_tags %}{% comment_feed_link post %}").render(
        Context({"post": a_post})
    )
    assert html == (
        '<link rel="alternate" type="application/atom+xml" title="Comments on '
        f'A published write-up" href="/comments/feeds/post/{a_post.pk}/">'
    )


def test_query_count_does_not_grow_with_comments(
    client, a_post, settings, django_assert_max_num_queries
):
    """The thread is one query (thread_path order) however many comments there are, all on
    one page (tests/test_comment_pages.py checks the same of a thread in pages)."""
    settings.COMMENTS_PER_PAGE = 0
    with CaptureQueriesContext(connection) as empty:
        client.get(a_post.get_absolute_url())
    parents = [make_comment(a_post, body=f"top {n}") for n in range(100)]
    for n in range(400):
        make_comment(
            a_post,
            parent=parents[n % 100],
            body=f"reply {n}",
            website="https://x.example" if n % 2 else "",
        )
    post_recount_comments(post_id=a_post.pk)
    with django_assert_max_num_queries(len(empty.captured_queries)):
        html = client.get(a_post.get_absolute_url()).content.decode()
    assert len(comment_items(html)) == 500


def test_rendering_500_comments_is_fast(a_post, settings):
    settings.COMMENTS_PER_PAGE = 0  # all 500 on one page
    rows = [
        Comment(
            post=a_post,
            name=f"Reader {n}",
            email="r@example.org",
            body="x" * 300,
            website="https://r.example",
        )
        for n in range(500)
    ]
    for row in rows:
        row.render_body()
    Comment.objects.bulk_create(rows)
    Comment.objects.filter(post=a_post).update(status=Status.APPROVED)
    for comment in Comment.objects.filter(post=a_post):
        Comment.objects.filter(pk=comment.pk).update(thread_path=f"{comment.pk:010d}/")
    template = Template("{% load comment_tags %}{% comment_section post %}")
    template.render(Context({"post": a_post}))
    timings = []
    for _ in range(5):
        start = time.thread_time()
        html = template.render(Context({"post": a_post}))
        timings.append(time.thread_time() - start)
    assert len(comment_items(html)) == 500
    assert min(timings) < 0.1, f"{min(timings) * 1000:.1f} ms"  # about 10 ms here


def test_comment_count_is_kept_on_the_post(a_post):
    make_comment(a_post)
    post_recount_comments(post_id=a_post.pk)
    assert Post.objects.get(pk=a_post.pk).comment_count == 1


def test_only_a_name_that_could_reorder_the_line_is_isolated_in_bdi(client, a_post):
    make_comment(a_post, name="Ann Reader")
    make_comment(a_post, name="\u202eevil")
    make_comment(a_post, name="\u05d3\u05e0\u05d4")  # Hebrew
    html = client.get(a_post.get_absolute_url()).content.decode()
    assert "<bdi>Ann Reader</bdi>" not in html and "<p>Ann Reader <a" in html
    assert "<bdi>\u202eevil</bdi>" in html
    assert "<bdi>\u05d3\u05e0\u05d4</bdi>" in html
