"""Every reader page costs a fixed number of queries, whether the blog has 1 post or 30.

Each case runs the page with one post, then with thirty (labels, disclosures and comment
counts on each), and asserts the same count, under a budget listed in the docstring.
An anonymous reader without a session cookie costs no session or user query.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blog.models import Disclosure, Post
from tests.factories import make_post
from tests.lean_markup_support import comment_ids

pytestmark = pytest.mark.django_db

# The post page renders {% comment_section post %}, owned by the comments app; the
# blog's own share of the budget is 8 queries and the comment section is given 3.
COMMENT_SECTION_ALLOWANCE = 3

# The sidebar (archive by month, labels in use) is cached per page-cache generation: on a
# cold cache it costs the archive (TruncMonth + Count), the labels (Count) and the time of
# the next scheduled post (when the cached copy must end); on a warm one, none.
# The bylines' author names, page addresses and ORCID iDs cost nothing more: the author's
# profile is selected with the author (blog.extensions.author_select_related).
SIDEBAR_QUERIES = 3
# The older and the newer post, kept per generation (blog.navigation.neighbours).
NEIGHBOUR_QUERIES = 2

# Apps that add to a post through blog.extensions prefetch what they show, one query each
# for the post page and the feeds whatever the number of posts: the trials app's records
# (issue 12; tests/test_trials_pages.py checks 1 vs 30 outcomes).
EXTENSION_PREFETCHES = 1

START = datetime(2012, 11, 20, 12, tzinfo=UTC)


@pytest.fixture
def target(an_author):
    """The post every case looks at: November 2012, label "alemtuzumab"."""
    return make_post(
        author=an_author,
        title="Target",
        slug="target",
        labels=["alemtuzumab", "trials"],
        published_at=START,
    )


def add_posts(author, count):
    """Posts around the target: same label and month, other months and years too."""
    for i in range(count):
        post = make_post(
            author=author,
            title=f"Filler {i}",
            labels=["alemtuzumab", f"label-{i % 7}"],
            published_at=START - timedelta(days=i * 11 - 60),
        )
        Disclosure.objects.create(
            post=post,
            person="Another author",
            relationship=Disclosure.Relationship.HONORARIA,
            organisations="Pharma Ltd",
            position=1,
        )
        Post.objects.filter(pk=post.pk).update(comment_count=i)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def assert_fixed_budget(client, an_author, url, budget, django_assert_max_num_queries, *, kept=0):
    """``budget`` is the cold cost (after a change, as after add_posts). A second request
    reuses what is kept per page-cache generation (the sidebar, a post's neighbours, feed
    items) and costs exactly ``kept`` queries fewer; after a change, as many as the first."""
    with_one = queries_for(client, url)
    add_posts(an_author, 29)
    with django_assert_max_num_queries(budget):
        client.get(url)
    assert queries_for(client, url) == with_one - kept
    if kept:
        add_posts(an_author, 1)  # a change: what was kept is computed afresh
        assert queries_for(client, url) == with_one


def test_home_page(client, target, an_author, django_assert_max_num_queries):
    """6 queries: count of published posts; the page of posts with their authors (one JOIN);
    their labels (prefetch); the sidebar (SIDEBAR_QUERIES, none when cached). Warm, none:
    the count and the page's posts are kept per generation too (blog.navigation.kept_count,
    kept_list)."""
    assert_fixed_budget(
        client,
        an_author,
        "/",
        3 + SIDEBAR_QUERIES,
        django_assert_max_num_queries,
        kept=3 + SIDEBAR_QUERIES,
    )


def test_second_home_page(client, target, an_author, django_assert_max_num_queries, settings):
    """6 queries, as the first page."""
    settings.BLOG_POSTS_PER_PAGE = 10
    add_posts(an_author, 15)
    with django_assert_max_num_queries(3 + SIDEBAR_QUERIES):
        assert client.get("/?page=2").status_code == 200


def test_label_page(client, target, an_author, django_assert_max_num_queries):
    """7 queries: the label (in use by a published post); count of its posts; the page of
    posts with authors; their labels; the sidebar (SIDEBAR_QUERIES, none when cached).
    Warm, none: the label, the count and the page's posts are kept per generation too
    (blog.navigation.kept_label_in_use_or_none, kept_count, kept_list)."""
    url = reverse("blog:label_detail", args=["alemtuzumab"])
    assert_fixed_budget(
        client,
        an_author,
        url,
        4 + SIDEBAR_QUERIES,
        django_assert_max_num_queries,
        kept=4 + SIDEBAR_QUERIES,
    )


def test_label_index(client, target, an_author, django_assert_max_num_queries):
    """1 query: labels in use with their counts."""
    assert_fixed_budget(
        client, an_author, reverse("blog:label_list"), 1, django_assert_max_num_queries
    )


@pytest.mark.parametrize("args", [(2012,), (2012, 11)])
def test_archive_pages(client, target, an_author, django_assert_max_num_queries, args):
    """6 queries: count of the period's posts; the page of posts with authors; their labels;
    the sidebar (SIDEBAR_QUERIES, none when cached). Warm, none: the count and the page's
    posts are kept too."""
    name = "blog:archive_year" if len(args) == 1 else "blog:archive_month"
    assert_fixed_budget(
        client,
        an_author,
        reverse(name, args=args),
        3 + SIDEBAR_QUERIES,
        django_assert_max_num_queries,
        kept=3 + SIDEBAR_QUERIES,
    )


def test_post_page(client, target, an_author, django_assert_max_num_queries):
    """8 blog queries: the post with its author; its labels; its disclosures; the older
    neighbour; the newer neighbour; the sidebar (SIDEBAR_QUERIES, none when cached). Plus
    the comment section's own queries (COMMENT_SECTION_ALLOWANCE) and the extensions'
    prefetches (EXTENSION_PREFETCHES). Warm, the post with its labels, disclosures and
    the extensions' rows is kept per generation too (blog.navigation.kept_post)."""
    assert_fixed_budget(
        client,
        an_author,
        target.get_absolute_url(),
        5 + SIDEBAR_QUERIES + COMMENT_SECTION_ALLOWANCE + EXTENSION_PREFETCHES,
        django_assert_max_num_queries,
        kept=SIDEBAR_QUERIES + NEIGHBOUR_QUERIES + 3 + EXTENSION_PREFETCHES,
    )


@pytest.mark.parametrize("name", ["blog:feed_atom", "blog:feed_rss"])
def test_feeds(client, target, an_author, django_assert_max_num_queries, name):
    """4 queries: the ETag/Last-Modified state (count, newest change, publish date and
    announced change, the notices about papers); the latest posts with authors; their
    labels; their disclosures. Plus the extensions' prefetches (EXTENSION_PREFETCHES).
    (Announced changes and paper notices add one query each, only when some item has
    them: tests/test_corrections.py.) Warm, the posts and their items' HTML are kept per
    generation and state (blog.feeds.feed_posts, full_content): the state alone is read."""
    assert_fixed_budget(
        client,
        an_author,
        reverse(name),
        4 + EXTENSION_PREFETCHES,
        django_assert_max_num_queries,
        kept=3 + EXTENSION_PREFETCHES,  # all but the state
    )


@pytest.mark.parametrize("name", ["blog:label_feed_atom", "blog:label_feed_rss"])
def test_label_feeds(client, target, an_author, django_assert_max_num_queries, name):
    """5 queries: as the site feed, plus the label (in use by a published post). Plus the
    extensions' prefetches (EXTENSION_PREFETCHES). Warm: the state and the label."""
    assert_fixed_budget(
        client,
        an_author,
        reverse(name, args=["alemtuzumab"]),
        5 + EXTENSION_PREFETCHES,
        django_assert_max_num_queries,
        kept=3 + EXTENSION_PREFETCHES,  # all but the state and the label
    )


def test_sitemap(client, target, an_author, django_assert_max_num_queries):
    """5 queries: count and list of posts; count and list of labels in use; archive months."""
    assert_fixed_budget(
        client, an_author, reverse("blog:sitemap"), 5, django_assert_max_num_queries
    )


def test_the_post_page_costs_the_same_queries_for_0_and_2000_comments(client, db):
    """Issue 5: the same number, not merely no more (threads of one comment and 4 replies)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from benchmarks import data

    empty, busy = data.build_post(slug="no-comments"), data.build_post(slug="two-thousand")
    data.build_comments(busy, 2000)
    counts = {}
    for post in (empty, busy):
        client.get(post.get_absolute_url())  # warm the per-generation sidebar cache alike
        with CaptureQueriesContext(connection) as queries:
            html = client.get(post.get_absolute_url()).content.decode()
        counts[post.slug] = len(queries.captured_queries)
        # 50 conversations of five on page 1 (COMMENTS_PER_PAGE; tests/test_comment_pages.py)
        assert len(comment_ids(html)) == (250 if post is busy else 0)
    assert counts["no-comments"] == counts["two-thousand"]
