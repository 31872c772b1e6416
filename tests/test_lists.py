"""The home page: newest first, ten a page, every item complete, bad page numbers are 404s."""

import re
from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains

from blog.models import Post
from tests.factories import make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_posts(an_author, settings):
    settings.BLOG_POSTS_PER_PAGE = 10
    now = timezone.now()
    return [
        make_post(
            author=an_author,
            title=f"Numbered post {i:02d}",
            published_at=now - timedelta(days=30 - i),
        )
        for i in range(25)
    ]


def titles(response):
    return re.findall(
        r'class="post-title"[^>]*><a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


def test_the_home_page_lists_published_posts_newest_first(client, many_posts):
    response = client.get(reverse("blog:post_list"))
    assert titles(response) == [f"Numbered post {i:02d}" for i in range(24, 14, -1)]


def test_each_item_has_title_author_date_labels_summary_and_comment_count(client, an_author):
    post = make_post(
        author=an_author,
        title="Complete item",
        summary="What it found.",
        labels=["alemtuzumab", "trials"],
    )
    Post.objects.filter(pk=post.pk).update(comment_count=3)
    response = client.get("/")
    html = response.content.decode()
    assertInHTML(f'<a href="{post.get_absolute_url()}">Complete item</a>', html)
    assertContains(response, "Wren Ashdown")
    iso = post.published_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # no microseconds
    assertContains(response, f'<time datetime="{iso}">')
    assertContains(response, f'href="{reverse("blog:label_detail", args=["alemtuzumab"])}"')
    assertContains(response, f'href="{reverse("blog:label_detail", args=["trials"])}"')
    assertContains(response, '<p class="summary">What it found.</p>', html=True)
    assertContains(response, f'href="{post.get_absolute_url()}#comments">3 comments')


@pytest.mark.parametrize(
    ("count", "text"), [(0, "No comments"), (1, "1 comment"), (2, "2 comments")]
)
def test_comment_counts_read_naturally(client, a_post, count, text):
    Post.objects.filter(pk=a_post.pk).update(comment_count=count)
    assertContains(client.get("/"), f'#comments">{text}<')


def test_pages_link_to_each_other_with_rel_and_a_label(client, many_posts, settings):
    settings.SITE_URL = "https://trialpress.example"
    first = client.get("/")
    assertContains(first, '<nav class="pagination" aria-label="Pages of posts">')
    assertContains(first, 'rel="next" href="?page=2"')
    assertNotContains(first, 'rel="prev"')
    assertContains(first, '<link rel="next" href="https://trialpress.example/?page=2">')
    assertContains(first, '<link rel="canonical" href="https://trialpress.example/">')

    second = client.get("/?page=2")
    assert titles(second) == [f"Numbered post {i:02d}" for i in range(14, 4, -1)]
    assertContains(second, 'rel="prev" href="/"')
    assertContains(second, 'rel="next" href="?page=3"')
    assertContains(second, '<link rel="canonical" href="https://trialpress.example/?page=2">')

    last = client.get("/?page=3")
    assert titles(last) == [f"Numbered post {i:02d}" for i in range(4, -1, -1)]
    assertContains(last, 'rel="prev" href="?page=2"')
    assertNotContains(last, 'rel="next"')
    assertContains(last, "Page 3 of 3")


def test_the_page_size_comes_from_the_setting(client, many_posts, settings):
    settings.BLOG_POSTS_PER_PAGE = 4
    assert len(titles(client.get("/"))) == 4


@pytest.mark.parametrize(
    "page", ["0", "-1", "abc", "4", "99999", str(10**30), "1.5", "%00", "1e3", "<script>"]
)
def test_a_bad_page_number_is_not_found(client, many_posts, page):
    """A 404 that names the page asked for (escaped, cut at 20 characters) and the pages
    there are (tests/test_list_pages_missing.py has the rest)."""
    response = client.get("/", {"page": page})
    assert response.status_code == 404
    assertContains(response, "No such page", status_code=404)
    assertContains(
        response,
        f"has 3 pages; there is no page \u201c{escape(page[:20])}\u201d",
        status_code=404,
    )


def test_an_empty_blog_says_so(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assertContains(response, "Nothing has been published yet.")


def test_list_pages_show_the_archive_and_labels_in_the_sidebar(client, a_post):
    response = client.get("/")
    html = response.content.decode()
    sidebar = html[html.index('<aside class="sidebar"') :]
    year = timezone.localtime(a_post.published_at).year
    assert f'href="{reverse("blog:archive_year", args=[year])}"' in sidebar
    assert f'href="{reverse("blog:label_detail", args=["neurology"])}"' in sidebar
