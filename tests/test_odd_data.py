"""Odd data already stored (around the admin's checks) never takes a public page down.

Each test stores a row directly with ``.update()``, then asks every public page: each
answers 200, the odd row is left out (and logged), and the rest of the page is there.
"""

import logging
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from taggit.models import Tag

from blog.models import Post
from tests.factories import make_post

pytestmark = pytest.mark.django_db

FINE = "A perfectly ordinary post"


@pytest.fixture
def fine(an_author):
    return make_post(
        author=an_author,
        title=FINE,
        labels=["neurology"],
        published_at=datetime(2012, 11, 2, 9, tzinfo=UTC),
    )


def every_public_page(post):
    return [
        "/",
        "/?page=1",
        post.get_absolute_url(),
        reverse("blog:label_list"),
        reverse("blog:label_detail", args=["neurology"]),
        reverse("blog:label_feed_atom", args=["neurology"]),
        reverse("blog:label_feed_rss", args=["neurology"]),
        reverse("blog:archive_year", kwargs={"year": 2012}),
        reverse("blog:archive_month", kwargs={"year": 2012, "month": 11}),
        reverse("blog:feed_atom"),
        reverse("blog:feed_rss"),
        reverse("blog:sitemap"),
    ]


def assert_every_page_survives(client, fine, *, absent):
    post = fine
    for path in every_public_page(fine):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        if path == reverse("blog:label_list"):
            assert ">neurology</a>" in html
        elif path == reverse("blog:sitemap"):
            assert post.get_absolute_url() in html
        else:
            assert FINE in html, path
        for clue in absent:
            assert clue not in html, (path, clue)


@pytest.mark.parametrize(
    "when",
    [
        datetime(999, 6, 15, 12, tzinfo=UTC),
        datetime(1, 1, 1, 12, tzinfo=UTC),
        datetime(3000, 1, 2, tzinfo=UTC),
        datetime(9999, 12, 30, tzinfo=UTC),
    ],
)
def test_a_post_dated_outside_the_supported_years_is_left_out(client, fine, an_author, when):
    odd = make_post(author=an_author, title="Dated oddly", slug="dated-oddly", labels=["neurology"])
    Post.objects.filter(pk=odd.pk).update(published_at=when)

    assert_every_page_survives(client, fine, absent=["Dated oddly", "dated-oddly"])


def test_a_post_with_a_slug_no_address_can_hold_is_left_out_and_logged(
    client, fine, an_author, caplog
):
    odd = make_post(author=an_author, title="Badly slugged", labels=["neurology"])
    Post.objects.filter(pk=odd.pk).update(slug="no/such slug")

    with caplog.at_level(logging.WARNING, logger="blog"):
        assert_every_page_survives(client, fine, absent=["Badly slugged"])
    assert "has no valid address" in caplog.text


@pytest.mark.parametrize("slug", ["", "a/b", "with space"])
def test_a_label_with_a_slug_no_address_can_hold_is_left_out(client, fine, an_author, slug):
    odd = make_post(author=an_author, title="Oddly labelled", labels=["odd label"])
    Tag.objects.filter(name="odd label").update(slug=slug)

    assert_every_page_survives(client, fine, absent=["odd label"])
    assert client.get(odd.get_absolute_url()).status_code == 200


def test_a_post_with_an_empty_title_and_body_still_lists(client, fine, an_author):
    odd = make_post(author=an_author)
    Post.objects.filter(pk=odd.pk).update(title="", body="", summary="", body_html="")

    assert_every_page_survives(client, fine, absent=[])
    assert client.get(odd.get_absolute_url()).status_code == 200


def test_the_admin_shows_an_oddly_dated_post_so_an_editor_can_mend_it(
    client, fine, an_author, a_superuser
):
    from tests.test_admin_posts import change_data, change_url, existing_rows

    odd = make_post(author=an_author, title="Dated oddly", slug="dated-oddly")
    Post.objects.filter(pk=odd.pk).update(published_at=datetime(999, 6, 15, 12, tzinfo=UTC))
    odd.refresh_from_db()
    client.force_login(a_superuser)

    assert "Dated oddly" in client.get(reverse("admin:blog_post_changelist")).content.decode()
    page = client.get(change_url(odd))
    assert page.status_code == 200
    assert "View on site" not in page.content.decode()
    from django.contrib.contenttypes.models import ContentType

    shortcut = f"/admin/r/{ContentType.objects.get_for_model(Post).pk}/{odd.pk}/"
    assert client.get(shortcut).status_code == 404  # not a 500 from get_absolute_url()
    unchanged = change_data(odd, rows=existing_rows(odd))
    unchanged["published_at_0"] = "0999-06-15"
    refused = client.post(change_url(odd), unchanged)
    assert "Enter a date between the years 1900 and 2999." in refused.content.decode()
    mended = change_data(odd, rows=existing_rows(odd), published_at=fine.published_at)
    assert client.post(change_url(odd), mended).status_code == 302
    assert "View on site" in client.get(change_url(odd)).content.decode()
    client.logout()
    assert client.get("/2012/11/dated-oddly/").status_code == 200
