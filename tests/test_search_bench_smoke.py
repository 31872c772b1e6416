"""`make bench`'s search step cannot rot: its builder and one measurement run on 60 posts.

No timing assertions: the builder must write what the application would (published posts,
their search documents), and the measurement must run against the real search page.
"""

import pytest
from django.test import Client

from benchmarks import search as bench
from blog.models import Post
from search.models import SearchDocument

pytestmark = pytest.mark.django_db


def test_the_search_benchmark_builds_findable_posts_and_measures_a_page(monkeypatch):
    monkeypatch.setattr(bench, "RUNS", 2)
    seconds = bench.build(60)
    assert seconds >= 0
    assert Post.objects.published().count() == 60
    assert SearchDocument.objects.count() == 60
    every = bench.measure(Client(), "relapse", None)
    assert every["found"] == 60
    one_drug = bench.measure(Client(), bench.DRUGS[1], None)
    assert one_drug["found"] == 2  # 60 posts, one drug name in 50
    assert one_drug["queries"] >= 1
    assert bench.measure(Client(), "relapse", 2)["found"] == 60
