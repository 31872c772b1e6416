"""make bench (benchmarks/render.py) measures the thread in pages (issue 19): a post's page 1
and the same post with the whole thread on one page, and page 1 of a huge thread."""

import pytest
from django.test import Client

from benchmarks import render
from comments.models import Comment
from tests.lean_markup_support import comment_ids


@pytest.mark.django_db
def test_the_bench_measures_one_page_page_one_and_the_huge_thread(settings):
    settings.COMMENTS_PER_PAGE = 2  # conversations of five: 10 comments on page 1
    pages = render.build_pages(
        posts=4, comment_counts=(0, 25), one_page_counts=(25,), huge_thread=40
    )
    names = [page.name for page in pages[:5]]
    assert names == [
        "home (4 posts)",
        "post, 0 comments",
        "post, 25 comments (one page)",
        "post, 25 comments, page 1",
        "post, 40 comments, page 1",
    ]
    results = render.measure_all(Client(), pages[1:5], runs=2, rounds=1)
    page_html = Client().get(results[2].page.url).content.decode()
    shown = {
        m.page.name: len(comment_ids(Client().get(m.page.url).content))
        for m in results
        if not m.page.settings
    }
    assert shown == {
        "post, 0 comments": 0,
        "post, 25 comments, page 1": 10,
        "post, 40 comments, page 1": 10,
    }
    one_page, page_one = results[1], results[2]
    assert one_page.html_bytes > page_one.html_bytes + 3000  # all 25 comments against 10
    assert one_page.html_ratio > 0 and page_one.html_ratio > 0
    # Page 1's text is that of the 10 comments it shows, not the thread's 25.
    assert page_one.page.comment_bytes < one_page.page.comment_bytes / 2
    shown_text = sum(
        len(c.body.encode()) for c in Comment.objects.filter(pk__in=comment_ids(page_html))
    )
    assert page_one.page.comment_bytes == shown_text
    assert render.target_ms(one_page.page) == 10.0 or "500" not in one_page.page.name
    assert settings.COMMENTS_PER_PAGE == 2  # the override ends with the measurement
