"""Labels: the index of labels in use, a page and two feeds per label."""

import feedparser
import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from blog.models import Post
from blog.navigation import labels_in_use
from tests.factories import make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def labelled(an_author):
    return {
        "ms": [
            make_post(
                author=an_author, title=f"MS post {i}", labels=["multiple sclerosis", "trials"]
            )
            for i in range(3)
        ],
        "cancer": make_post(author=an_author, title="Cancer post", labels=["oncology", "trials"]),
        "draft": make_post(
            author=an_author,
            title="Secret draft",
            status=Post.Status.DRAFT,
            labels=["embargoed", "oncology"],
        ),
    }


def test_the_label_index_lists_labels_in_use_with_counts(client, labelled):
    response = client.get(reverse("blog:label_list"))
    html = response.content.decode()
    for slug, name, count in [
        ("multiple-sclerosis", "multiple sclerosis", "3 posts"),
        ("oncology", "oncology", "1 post"),
        ("trials", "trials", "4 posts"),
    ]:
        link = f'<a href="{reverse("blog:label_detail", args=[slug])}">{name}</a>'
        assert link in html
        assert count in html[html.index(link) : html.index(link) + 200]
    assert html.index(">multiple sclerosis<") < html.index(">oncology<") < html.index(">trials<")
    assertNotContains(response, "embargoed")


def test_labels_in_use_take_one_query(labelled, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = {label.slug: label.num_posts for label in labels_in_use()}
    assert counts == {"multiple-sclerosis": 3, "oncology": 1, "trials": 4}


def test_a_label_page_lists_its_published_posts(client, labelled):
    response = client.get(reverse("blog:label_detail", args=["oncology"]))
    assertContains(response, "Cancer post")
    assertContains(response, "Posts labelled “oncology”")
    assertNotContains(response, "MS post")
    assertNotContains(response, "Secret draft")


def test_a_label_page_is_paginated(client, labelled, settings):
    settings.BLOG_POSTS_PER_PAGE = 2
    url = reverse("blog:label_detail", args=["trials"])
    first, second = client.get(url), client.get(url, {"page": 2})
    assertContains(first, 'rel="next" href="?page=2"')
    assertContains(second, f'rel="prev" href="{url}"')
    assert client.get(url, {"page": 3}).status_code == 404
    assert client.get(url, {"page": "x"}).status_code == 404


@pytest.mark.parametrize("slug", ["no-such-label", "embargoed", "UPPER", "a" * 150])
def test_an_unknown_or_draft_only_label_is_not_found(client, labelled, slug):
    response = client.get(reverse("blog:label_detail", args=[slug]))
    assert response.status_code == 404
    assertNotContains(response, "Secret draft", status_code=404)


def test_a_label_page_advertises_its_feeds(client, labelled):
    response = client.get(reverse("blog:label_detail", args=["oncology"]))
    atom = reverse("blog:label_feed_atom", args=["oncology"])
    rss = reverse("blog:label_feed_rss", args=["oncology"])
    assertContains(
        response,
        f'<link rel="alternate" type="application/atom+xml" '
        f'title="Trialpress: oncology (Atom)" href="{atom}">',
    )
    assertContains(
        response,
        f'<link rel="alternate" type="application/rss+xml" '
        f'title="Trialpress: oncology (RSS)" href="{rss}">',
    )


@pytest.mark.parametrize("name", ["blog:label_feed_atom", "blog:label_feed_rss"])
def test_a_label_feed_holds_only_that_labels_published_posts(client, labelled, name):
    response = client.get(reverse(name, args=["oncology"]))
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0
    assert [entry.title for entry in feed.entries] == ["Cancer post"]
    assert "oncology" in feed.feed.title


@pytest.mark.parametrize("name", ["blog:label_feed_atom", "blog:label_feed_rss"])
def test_a_feed_for_an_unknown_or_draft_only_label_is_not_found(client, labelled, name):
    assert client.get(reverse(name, args=["embargoed"])).status_code == 404
    assert client.get(reverse(name, args=["nothing"])).status_code == 404


def test_label_names_are_escaped(client, an_author):
    make_post(author=an_author, labels=['<b>bold</b> & "quoted"'])
    response = client.get(reverse("blog:label_list"))
    assertNotContains(response, "<b>bold</b>")
    assertContains(response, "&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;")


def test_the_cached_sidebar_follows_label_changes_at_once(client, labelled, an_author):
    from taggit.models import Tag

    def label_nav():
        html = client.get("/").content.decode()
        return html[html.index('class="widget label-nav"') :]

    assert '>oncology</a> <span class="count">(1)</span>' in label_nav()
    assert '>oncology</a> <span class="count">(1)</span>' in label_nav()  # cached
    tag = Tag.objects.get(slug="oncology")
    tag.name = "Oncology & haematology"
    tag.save()
    assert '>Oncology &amp; haematology</a> <span class="count">(1)</span>' in label_nav()
    make_post(author=an_author, title="Another cancer post", labels=[tag])
    assert '>Oncology &amp; haematology</a> <span class="count">(2)</span>' in label_nav()
    labelled["draft"].status = Post.Status.PUBLISHED
    labelled["draft"].save()
    assert ">embargoed</a>" in label_nav()
