"""`python -m benchmarks.profile` cannot rot: its pieces run against the real views on a tiny
data set. No timing assertions: the figures' shape and attribution are checked."""

import pytest
from django.test import Client

from benchmarks import profile, render


def test_areas_sort_functions_by_where_they_live():
    root = str(profile.ROOT)
    site = "/venv/lib/python3.11/site-packages"
    assert profile.area_of(f"{site}/django/template/base.py", "render") == "Django templates"
    assert profile.area_of(f"{site}/django/db/models/query.py", "_fetch_all") == "Django ORM"
    assert profile.area_of("~", "<method 'fetchmany' of 'sqlite3.Cursor' objects>") == (
        "database driver"
    )
    assert profile.area_of(f"{site}/django/forms/boundfield.py", "x") == "Django forms"
    assert profile.area_of(f"{site}/markdown/core.py", "convert") == "Markdown, bleach"
    assert profile.area_of(f"{root}/comments/rendering.py", "comment_html") == "app code"
    assert profile.area_of("/usr/lib/python3.11/html/__init__.py", "escape") == (
        "Python built-ins and stdlib"
    )


def test_where_names_files_inside_the_repository_and_site_packages():
    root = str(profile.ROOT)
    assert profile._where((f"{root}/blog/views.py", 12, "get")) == "blog/views.py:12(get)"
    assert (
        profile._where(("/x/site-packages/django/urls/base.py", 28, "reverse"))
        == "django/urls/base.py:28(reverse)"
    )
    assert profile._where(("~", 0, "<built-in method builtins.getattr>")) == (
        "<built-in method builtins.getattr>"
    )


@pytest.mark.django_db
def test_a_profiled_post_page_names_its_templates_queries_and_functions(capsys):
    from django.template import base

    before = base.Template._render
    pages = render.build_pages(posts=3, comment_counts=(4,))
    post = pages[1]
    client = Client()

    plain_ms, profiled_ms, stats, wall_ms = profile.profile_page(client, post, requests=2)
    timed = profile.time_templates(client, post, requests=2)
    profile.report(
        "post4", post, plain_ms, profiled_ms, stats, timed, requests=2, lines=5, wall_ms=wall_ms
    )

    per_template, sql_ms, queries = timed
    # The comment section's template; the anonymous reader's empty form is rendered once per
    # process (comments.form_rendering), so its template is not among a warm page's.
    assert {"blog/post_detail.html", "base.html", "comments/_section.html"} <= set(per_template)
    assert per_template["base.html"] <= per_template["blog/post_detail.html"]  # inclusive
    assert queries >= 1 and sql_ms > 0  # the thread (the post is kept per generation)
    out = capsys.readouterr().out
    assert "== post4: post, 4 comments" in out
    assert f"ms CPU a request without the profiler ({wall_ms:.1f} ms wall time)" in out
    assert "Top 5 by cumulative time:" in out and "Top 5 by own time:" in out
    assert "comments/templatetags/comment_tags.py" in out  # the app's own functions
    app = out.split("The app's own functions")[1].splitlines()[2:]
    assert len(app) == 5 and not any("middleware.py" in line for line in app)
    assert "Django templates" in out and "Django ORM" in out
    assert base.Template._render is before  # the template timer is taken off again


@pytest.mark.django_db
def test_profiling_the_comment_post_times_the_post_alone_and_stores_each_comment(settings, capsys):
    from django.urls import reverse

    from comments.models import Comment

    settings.COMMENT_RATE_LIMIT = "off"
    settings.COMMENT_MIN_SUBMIT_SECONDS = 0
    pages = render.build_pages(posts=2, comment_counts=(3,))
    post = Comment.objects.first().post
    sending = profile.CommentSending(pages[1], reverse("comments:post", args=[post.pk]))
    client = Client(enforce_csrf_checks=True)

    plain_ms, profiled_ms, stats, wall_ms = profile.profile_page(client, sending, requests=2)
    timed = profile.time_templates(client, sending, requests=2)
    profile.report("comment", sending, plain_ms, profiled_ms, stats, timed, requests=2, lines=5)

    # 3 warm-ups, 2 timed, 2 profiled, 2 for the template timer: each a new comment, held.
    assert Comment.objects.filter(post=post).exclude(status="approved").count() == 9
    assert sending.sent == 9
    out = capsys.readouterr().out
    assert f"== comment: comment POST to post, 3 comments (moderation on) ({sending.action})" in out
    assert "comments/views.py" in out  # the POST's own view, not the page's GET
    assert "blog/views.py:122(get)" not in out
    assert timed[2] >= 1  # the POST writes


def test_unknown_pages_are_refused_with_the_list(capsys):
    with pytest.raises(SystemExit):
        profile.main(["nosuchpage"])
    assert "post0, post500, home, label, archive, feed, comment" in capsys.readouterr().err
