"""`make bench` cannot rot: its data builders and one render measurement run on a tiny size.

No timing assertions: these check that the builders write what the application would
write, and that the measuring code runs against the real views.
"""

import pytest
from django.test import Client

from benchmarks import data, render
from benchmarks.results import table
from benchmarks.submissions import hidden_fields
from blog import markup
from blog.models import Post
from comments.models import Comment


@pytest.mark.django_db
def test_build_posts_makes_published_disclosed_labelled_posts():
    posts = data.build_posts(7)

    published = Post.objects.published()
    assert published.count() == 7
    newest = published.first()
    assert newest.pk == posts[0].pk
    assert newest.body_html == markup.render_post(data.POST_BODY)
    assert "doi.org/10.1016" in newest.body_html
    assert all(post.disclosures.count() == 1 for post in published)
    assert published.for_label(data.LABEL_SLUG).distinct().count() == 3  # posts 0, 5 and 6
    assert sorted(newest.tags.names()) == ["Cardiology", "Neurology"]


@pytest.mark.django_db
def test_build_comments_files_threads_as_the_comment_form_would():
    post = data.build_posts(1)[0]
    text_bytes = data.build_comments(post, 7, seed=3)

    comments = list(Comment.objects.for_post(post).approved().in_thread_order())
    assert len(comments) == 7
    assert text_bytes == sum(len(c.body.encode()) for c in comments)
    # Two threads: a top-level comment, its reply, a reply to that, a reply, a reply to that.
    assert [c.depth for c in comments] == [0, 1, 2, 1, 2, 0, 1]
    by_pk = {c.pk: c for c in comments}
    for comment in comments:
        assert comment.body_html == markup.render_comment(comment.body)
        own = f"{comment.pk:0{10}d}/"
        parent = by_pk.get(comment.parent_id)
        assert comment.thread_path == (parent.thread_path if parent else "") + own
        if parent:
            assert comment.depth == parent.depth + 1
    post.refresh_from_db()
    assert post.comment_count == 7

    # The next comment, saved the ordinary way, gets a fresh id and a path after them.
    later = Comment.objects.create(
        post=post, name="N", email="n@example.org", body="Later.", status=Comment.Status.APPROVED
    )
    later.refresh_from_db()
    assert later.pk > max(by_pk)
    assert later.thread_path > comments[-1].thread_path


@pytest.mark.django_db
def test_comment_bodies_are_about_300_characters_of_markdown():
    import random

    rng = random.Random(1)
    bodies = [data.comment_body(rng) for _ in range(200)]
    average = sum(len(b) for b in bodies) / len(bodies)
    assert 200 <= average <= 400
    assert any("](https://" in b or "doi:" in b for b in bodies)
    assert any(b.startswith("*") for b in bodies)


@pytest.mark.django_db
def test_render_measurement_runs_on_every_page():
    pages = render.build_pages(posts=3, comment_counts=(0, 5))
    client = Client()

    results = [render.measure(client, page, runs=2) for page in pages]

    assert [m.page.name.split()[0] for m in results] == ["home", "post,", "post,", "label", "Atom"]
    for m in results:
        assert 0 < m.best_ms <= m.median_ms
        assert m.queries > 0
        assert m.html_bytes > 1000
    with_comments = results[2]
    assert with_comments.page.comment_bytes > 0
    assert with_comments.html_ratio > 0
    assert results[0].html_ratio is None
    comment = Comment.objects.approved().first()
    assert f'id="comment-{comment.pk}"' in client.get(with_comments.page.url).content.decode()


@pytest.mark.django_db
@pytest.mark.urls("benchmarks.urls")
def test_hello_world_floor_answers_on_top_of_the_site_urls(client):
    response = client.get("/bench/hello/")
    assert response.status_code == 200
    assert response.content == b"Hello, world"
    assert client.get("/robots.txt").status_code == 200


def test_hidden_fields_reads_the_tokens_a_commenter_needs():
    page = (
        '<form><input type="hidden" name="csrfmiddlewaretoken" value="abc&amp;1">'
        '<input type="hidden" name="security_token" value="x:y" id="id_security_token">'
        '<textarea name="body"></textarea><input type="text" name="name"></form>'
    )
    assert hidden_fields(page) == {"csrfmiddlewaretoken": "abc&1", "security_token": "x:y"}


def test_table_aligns_numbers_right_and_text_left():
    out = table(["Page", "ms"], [["home", "1.5"], ["a longer page", "12.0"]])
    lines = out.splitlines()
    assert lines[0].startswith("Page")
    assert lines[2] == "home            1.5"
    assert lines[3] == "a longer page  12.0"


def test_the_hostile_input_step_runs_and_records_its_targets(tmp_path, monkeypatch, capsys):
    """`make bench`'s hostile-input step renders the whole corpus and records both verdicts."""
    import json

    from benchmarks import hostile

    results = tmp_path / "results.jsonl"
    monkeypatch.setenv("BENCH_RESULTS", str(results))
    assert hostile.main() == 0
    printed = capsys.readouterr().out
    assert "Worst comment render" in printed and "Worst post render" in printed
    targets = [json.loads(line)["target"] for line in results.read_text().splitlines()]
    assert targets == [
        "worst hostile comment render < 1 s CPU",
        "worst hostile post render < 1 s CPU",
    ]


@pytest.mark.django_db
def test_the_cache_flood_step_counts_rows_of_the_database_cache(
    settings, monkeypatch, tmp_path, capsys
):
    """`make bench`'s flood step against the database cache, on a tiny scale."""
    import json

    from django.core.cache import caches
    from django.core.management import call_command

    from benchmarks import flood

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "bench_smoke_cache",
        }
    }
    settings.PAGE_CACHE_SECONDS = 300
    call_command("createcachetable", verbosity=0)
    caches["default"].clear()
    data.build_posts(2)
    results = tmp_path / "results.jsonl"
    monkeypatch.setenv("BENCH_RESULTS", str(results))
    monkeypatch.setattr(flood, "REQUESTS", 40)
    assert flood.main() == 0
    assert "Cache flood: 40 GETs" in capsys.readouterr().out
    (row,) = [json.loads(line) for line in results.read_text().splitlines()]
    assert row["ok"] is True and row["figure"].startswith("+")
