"""Drafts and scheduled posts: invisible to readers on every surface; staff preview them."""

from datetime import UTC, timedelta

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from blog.models import Post
from tests.factories import make_post, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(an_author):
    """A live post and two hidden twins: a draft and a post scheduled for tomorrow.

    The hidden ones have their own label and sit in their own month, so a leak through
    any count, label or archive link would show.
    """
    now = timezone.now()
    live = make_post(
        author=an_author,
        title="Live twin",
        slug="live-twin",
        labels=["shared"],
        published_at=now - timedelta(days=2),
    )
    draft = make_post(
        author=an_author,
        title="Zebra draft twin",
        slug="zebra-draft-twin",
        status=Post.Status.DRAFT,
        labels=["shared", "zebra-secret"],
        published_at=now - timedelta(days=400),
        summary="Zebra summary",
    )
    scheduled = make_post(
        author=an_author,
        title="Quokka scheduled twin",
        slug="quokka-scheduled-twin",
        labels=["shared", "quokka-secret"],
        published_at=now + timedelta(days=400),
        summary="Quokka summary",
    )
    return live, draft, scheduled


def reader_surfaces(live):
    year, month = live.get_absolute_url().split("/")[1:3]
    return [
        "/",
        "/?page=1",
        reverse("blog:label_list"),
        reverse("blog:label_detail", args=["shared"]),
        reverse("blog:archive_year", args=[int(year)]),
        reverse("blog:archive_month", args=[int(year), int(month)]),
        live.get_absolute_url(),
        reverse("blog:feed_atom"),
        reverse("blog:feed_rss"),
        reverse("blog:label_feed_atom", args=["shared"]),
        reverse("blog:label_feed_rss", args=["shared"]),
        reverse("blog:sitemap"),
        reverse("blog:robots_txt"),
    ]


def assert_hidden(response, *posts, path_echoed=False):
    """No title, summary, slug or label of the hidden posts in the response.

    A 404 page repeats the requested address, so there only the title and summary count.
    """
    text = response.content.decode()
    if path_echoed:
        text = text.replace(response.request["PATH_INFO"], "")
    for post in posts:
        for clue in (post.title, post.slug, post.summary, "zebra", "quokka", "Zebra", "Quokka"):
            assert clue not in text, f"{clue!r} leaked on {response.request['PATH_INFO']}"


def test_hidden_posts_appear_on_no_reader_page_or_feed(client, twins):
    live, draft, scheduled = twins
    for path in reader_surfaces(live):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_hidden(response, draft, scheduled)
    assert live.title in client.get("/").content.decode()


def test_feeds_hold_only_the_live_twin(client, twins):
    for name in ("blog:feed_atom", "blog:feed_rss"):
        feed = feedparser.parse(client.get(reverse(name)).content)
        assert [entry.title for entry in feed.entries] == ["Live twin"]


def test_hidden_posts_are_not_found_at_any_of_their_addresses(client, twins):
    _, draft, scheduled = twins
    for post in (draft, scheduled):
        year, month = post.get_absolute_url().split("/")[1:3]
        paths = [
            post.get_absolute_url(),
            f"/{year}/{month}/{post.slug}.html",
            reverse("blog:archive_year", args=[int(year)]),
            reverse("blog:archive_month", args=[int(year), int(month)]),
        ]
        for path in paths:
            response = client.get(path)
            assert response.status_code == 404, path
            assert_hidden(response, draft, scheduled, path_echoed=True)
    for label in ("zebra-secret", "quokka-secret"):
        for name in ("blog:label_detail", "blog:label_feed_atom", "blog:label_feed_rss"):
            assert client.get(reverse(name, args=[label])).status_code == 404


def test_a_signed_in_reader_who_is_not_staff_sees_nothing_more(client, twins):
    _, draft, scheduled = twins
    client.force_login(make_user(username="reader"))
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(scheduled.get_absolute_url()).status_code == 404


def test_staff_preview_a_draft_with_a_banner_and_no_caching(client, twins, an_author):
    _, draft, _ = twins
    client.force_login(an_author)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assertContains(response, '<div class="unpublished-banner" role="status">')
    assertContains(response, "<strong>Not published.</strong>", html=True)
    assertContains(response, "This is a draft")
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-cache"} <= cache_control
    assert response["X-Robots-Tag"] == "noindex"
    assertContains(response, '<meta name="robots" content="noindex, nofollow">')


def test_staff_preview_a_scheduled_post_with_its_date(client, twins, an_author):
    _, _, scheduled = twins
    client.force_login(an_author)
    response = client.get(scheduled.get_absolute_url())
    assert response.status_code == 200
    assertContains(response, "Scheduled for")
    iso = scheduled.published_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # no microseconds
    assertContains(response, f'<time datetime="{iso}">')
    assert "private" in response["Cache-Control"]


def test_a_published_post_has_no_banner_even_for_staff(client, twins, an_author):
    live, _, _ = twins
    client.force_login(an_author)
    response = client.get(live.get_absolute_url())
    assertNotContains(response, "unpublished-banner")
    assert "private" not in response.get("Cache-Control", "")


def test_staff_lists_still_show_only_published_posts(client, twins, an_author):
    """Previews live on the post page; lists, feeds and the sitemap are the public record."""
    _, draft, scheduled = twins
    client.force_login(an_author)
    for path in ("/", reverse("blog:feed_atom"), reverse("blog:label_detail", args=["shared"])):
        assert_hidden(client.get(path), draft, scheduled)


def test_a_hidden_post_is_never_a_neighbour(client, twins, an_author):
    live, draft, scheduled = twins
    older = make_post(
        author=an_author, title="Older live", published_at=live.published_at - timedelta(days=1)
    )
    response = client.get(live.get_absolute_url())
    assertContains(response, f'rel="prev" href="{older.get_absolute_url()}"')
    assertNotContains(response, 'rel="next"')
    assert_hidden(response, draft, scheduled)


def _in_group(user, name):
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name=name))
    return user


def test_an_author_previews_their_own_draft_but_not_another_authors(client, db):
    own = _in_group(make_user(username="own", staff=True), "Authors")
    other = _in_group(make_user(username="other", staff=True), "Authors")
    mine = make_post(author=own, title="My own draft", status=Post.Status.DRAFT)
    theirs = make_post(author=other, title="Somebody else's draft", status=Post.Status.DRAFT)
    client.force_login(own)
    assertContains(client.get(mine.get_absolute_url()), "My own draft")
    response = client.get(theirs.get_absolute_url())
    assert response.status_code == 404
    assertNotContains(response, "Somebody else", status_code=404)


def test_an_editor_previews_any_draft(client, db):
    editor = _in_group(make_user(username="ed", staff=True), "Editors")
    draft = make_post(title="A colleague's draft", status=Post.Status.DRAFT)
    client.force_login(editor)
    assertContains(client.get(draft.get_absolute_url()), "A colleague's draft")
