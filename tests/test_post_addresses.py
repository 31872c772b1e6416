"""Old addresses keep working: a live post whose date or slug changes answers at its old
address with a permanent redirect (and at Blogger's ``.html`` form of it), as WordPress
keeps old slugs. A post that now lives at an old address wins over the redirect."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from blog.models import Post, PostAddress
from blog.services import post_publish
from tests.factories import make_post
from tests.test_admin_posts import change_data, change_url, existing_rows

pytestmark = pytest.mark.django_db

NOVEMBER = datetime(2012, 11, 2, 9, tzinfo=UTC)
MARCH = datetime(2013, 3, 5, 9, tzinfo=UTC)


@pytest.fixture
def editor(client, a_superuser):
    client.force_login(a_superuser)
    return client


@pytest.fixture
def live(an_author):
    return make_post(author=an_author, title="CARE-MS II", slug="care-ms-ii", published_at=NOVEMBER)


def edit(editor, post, **fields):
    response = editor.post(change_url(post), change_data(post, rows=existing_rows(post), **fields))
    assert response.status_code == 302, response.content.decode()[:3000]
    post.refresh_from_db()
    return post


def assert_moved(client, old, new):
    response = client.get(old)
    assert response.status_code == 301, old
    assert response["Location"] == new


def test_a_new_slug_keeps_the_old_address_as_a_permanent_redirect(client, editor, live):
    old = live.get_absolute_url()
    edit(editor, live, slug="care-ms-2-alemtuzumab")
    client.logout()

    assert live.get_absolute_url() == "/2012/11/care-ms-2-alemtuzumab/"
    assert_moved(client, old, "/2012/11/care-ms-2-alemtuzumab/")
    assert_moved(client, "/2012/11/care-ms-ii.html", "/2012/11/care-ms-2-alemtuzumab/")
    assert_moved(client, "/2012/11/care-ms-ii.html?m=1", "/2012/11/care-ms-2-alemtuzumab/")
    assert "CARE-MS II" in client.get(live.get_absolute_url()).content.decode()


def test_a_new_date_keeps_the_old_address_as_a_permanent_redirect(client, editor, live):
    edit(editor, live, published_at=MARCH)
    client.logout()

    assert_moved(client, "/2012/11/care-ms-ii/", "/2013/03/care-ms-ii/")
    assert_moved(client, "/2012/11/care-ms-ii.html", "/2013/03/care-ms-ii/")
    assert client.get("/2013/03/care-ms-ii/").status_code == 200


def test_every_old_address_leads_to_the_newest_and_moving_back_does_not_loop(client, editor, live):
    edit(editor, live, slug="second")
    edit(editor, live, slug="third", published_at=MARCH)
    client.logout()
    assert_moved(client, "/2012/11/care-ms-ii/", "/2013/03/third/")
    assert_moved(client, "/2012/11/second/", "/2013/03/third/")

    client.force_login(live.author)
    edit(client, live, slug="care-ms-ii", published_at=NOVEMBER)
    client.logout()
    assert client.get("/2012/11/care-ms-ii/").status_code == 200
    assert_moved(client, "/2013/03/third/", "/2012/11/care-ms-ii/")
    assert not PostAddress.objects.filter(year=2012, month=11, slug="care-ms-ii").exists()


def test_a_draft_or_scheduled_post_leaves_no_old_address(client, editor, an_author):
    draft = make_post(author=an_author, slug="draft-slug", status=Post.Status.DRAFT)
    edit(editor, draft, slug="renamed-draft", status="draft")
    assert not PostAddress.objects.exists()


def test_a_new_post_at_an_old_address_wins_over_the_redirect(client, editor, live, an_author):
    edit(editor, live, slug="care-ms-2")
    newcomer = make_post(
        author=an_author, title="A new post", slug="care-ms-ii", published_at=NOVEMBER
    )
    client.logout()

    response = client.get("/2012/11/care-ms-ii/")
    assert response.status_code == 200
    assert "A new post" in response.content.decode()
    assert_moved(client, "/2012/11/care-ms-ii.html", newcomer.get_absolute_url())


def test_an_old_address_of_an_unpublished_post_is_not_found(client, editor, live):
    edit(editor, live, slug="care-ms-2")
    edit(editor, live, status="draft")
    client.logout()

    assert client.get("/2012/11/care-ms-ii/").status_code == 404
    assert client.get("/2012/11/care-ms-ii.html").status_code == 404


def test_changing_the_date_by_the_publish_service_keeps_the_old_address(client, live):
    post_publish(post=live, when=MARCH)

    assert_moved(client, "/2012/11/care-ms-ii/", "/2013/03/care-ms-ii/")


def test_an_unknown_address_is_still_not_found(client, live):
    assert client.get("/2012/11/no-such-post/").status_code == 404
    assert client.get("/2012/12/care-ms-ii/").status_code == 404
    assert client.get(reverse("blog:post_legacy", args=[2012, 11, "nothing"])).status_code == 404


def test_old_addresses_in_any_script_redirect(client, editor, live):
    edit(editor, live, slug="σκλήρυνση")
    edit(editor, live, slug="多发性硬化")
    client.logout()

    assert_moved(
        client,
        "/2012/11/%CF%83%CE%BA%CE%BB%CE%AE%CF%81%CF%85%CE%BD%CF%83%CE%B7/",
        "/2012/11/%E5%A4%9A%E5%8F%91%E6%80%A7%E7%A1%AC%E5%8C%96/",
    )
    assert client.get("/2012/11/%E5%A4%9A%E5%8F%91%E6%80%A7%E7%A1%AC%E5%8C%96/").status_code == 200
