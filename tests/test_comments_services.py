"""The comment services: what they store, the post's count, the thread path."""

import pytest

from blog.models import Post
from comments import services
from comments.models import Comment
from tests.factories import make_user
from tests.test_comments_support import make_comment

Status = Comment.Status
META = {"ip_address": "192.0.2.1", "user_agent": "x" * 900}


def submit(post, user=None, **data):
    data = {"name": "Ann", "email": "ann@example.org", "body": "Hello", **data}
    return services.comment_submit(post=post, data=data, request_meta=META, user=user)


def count(post):
    return Post.objects.get(pk=post.pk).comment_count


def test_submit_stores_everything_and_renders_once(a_post, monkeypatch):
    from blog import markup

    rendered = []
    real = markup.render_comment
    monkeypatch.setattr(markup, "render_comment", lambda text: rendered.append(text) or real(text))
    comment = submit(a_post, body="Some **bold** text", website="https://ann.example")
    assert rendered == ["Some **bold** text"]  # for the link rule, and stored as it is
    assert comment.status == Status.HELD and comment.status_reason == "new commenter"
    assert comment.body_html.strip() == "<p>Some <strong>bold</strong> text</p>"
    assert comment.user_agent == "x" * 500
    assert comment.thread_path == f"{comment.pk:010d}/" and comment.depth == 0
    assert count(a_post) == 0


def test_count_follows_every_status_change(a_post, a_superuser):
    comment = submit(a_post)
    services.comment_approve(comment=comment, moderator=a_superuser)
    assert count(a_post) == 1
    services.comment_approve(comment=comment, moderator=a_superuser)
    assert count(a_post) == 1  # approving twice counts once
    services.comment_mark_spam(comment=comment, moderator=a_superuser)
    assert count(a_post) == 0
    services.comment_approve(comment=comment, moderator=a_superuser)
    services.comment_reject(comment=comment, moderator=a_superuser)
    assert count(a_post) == 0
    services.comment_hold(comment=comment, moderator=a_superuser)
    assert Comment.objects.get(pk=comment.pk).status == Status.HELD


def test_an_approved_submission_counts_at_once(a_post):
    make_comment(a_post, name="Ann", status=Status.APPROVED)  # created directly: not counted yet
    assert count(a_post) == 0
    submit(a_post, body="again")  # a returning commenter: approved, and the post recounted
    assert count(a_post) == 2


def test_the_count_update_rolls_back_with_the_transaction(a_post, a_superuser, monkeypatch):
    comment = submit(a_post)

    def broken_log(*args, **kwargs):
        raise RuntimeError("history unavailable")

    monkeypatch.setattr(services.LogEntry.objects, "log_actions", broken_log)
    with pytest.raises(RuntimeError):
        services.comment_approve(comment=comment, moderator=a_superuser)
    assert count(a_post) == 0
    assert Comment.objects.get(pk=comment.pk).status == Status.HELD


def test_thread_paths_sort_a_thread(a_post):
    top = make_comment(a_post)
    later_top = make_comment(a_post)
    reply = make_comment(a_post, parent=top)
    nested = make_comment(a_post, parent=reply)
    assert nested.thread_path == f"{top.pk:010d}/{reply.pk:010d}/{nested.pk:010d}/"
    ordered = list(Comment.objects.for_post(a_post).in_thread_order())
    assert ordered == [top, reply, nested, later_top]


def test_staff_without_an_email_still_comment(a_post):
    editor = make_user(staff=True, email="", username="noemail")
    comment = submit(a_post, user=editor, name="", email="")
    assert comment.name == "noemail" and comment.status == Status.APPROVED


def test_the_author_is_marked(a_post, an_author):
    comment = submit(a_post, user=an_author)
    assert comment.is_post_author and comment.user == an_author


def test_refusals_store_nothing(a_post):
    a_post.comments_open = False
    with pytest.raises(services.CommentsClosed):
        submit(a_post)
    assert not Comment.objects.exists()


def test_editing_a_body_rerenders_it_and_status_saves_do_not(a_post, monkeypatch):
    comment = make_comment(a_post, body="one")
    comment.body = "two"
    comment.save(update_fields=["body"])
    assert Comment.objects.get(pk=comment.pk).body_html.strip() == "<p>two</p>"
    calls = []
    monkeypatch.setattr("blog.markup.render_comment", lambda text: calls.append(text) or "")
    comment.status = Status.HELD
    comment.save(update_fields=["status"])
    assert calls == []


def test_a_submission_costs_a_fixed_number_of_queries(
    a_post, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """A held reply, 6: the rate-limit counter's upsert; the parent; the look-up of the
    earlier comments, which reads what the staff-email and returning-commenter rules ask
    too; a savepoint; the INSERT, which writes the thread path too; the release. The post and
    the parent are not looked up again to validate them, and a held comment needs no
    recount. An approved top-level comment, 6: no parent, but the recount. (Before issue
    19's last round: 9 each.)"""
    parent = make_comment(a_post, name="Ann", email="old@example.org")
    with django_capture_on_commit_callbacks():
        with django_assert_num_queries(6):
            held = submit(a_post, email="new@example.org", parent=parent.pk)
        with django_assert_num_queries(6):
            approved = submit(a_post, email="OLD@example.org", body="Back again")
    assert held.status == Status.HELD and held.parent == parent
    assert approved.status == Status.APPROVED and count(a_post) == 2  # with the parent


def test_email_lookups_use_the_email_and_status_index(a_post):
    """The returning-commenter rule runs on every submission: it must not scan the table."""
    from django.db import connection

    make_comment(a_post, email="Ann@Example.org")
    query = Comment.objects.approved().by_email("ann@EXAMPLE.org")
    assert query.exists()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: force the choice
        sql, params = query.values("pk").query.sql_with_params()
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(prefix + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "comments_email_status_idx" in plan, plan
