"""The post's conflict-of-interest box links to the author's register of interests
(issue 14, tryout finding 5), on the page and in the feeds, under the author's public name."""

import feedparser
import pytest
from django.urls import reverse

from authors.services import author_profile_ensure, author_profile_save
from tests.factories import make_post, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_profile(an_author):
    profile = author_profile_ensure(user=an_author)
    profile.display_name = "Dr Wren <J.> Ashdown"
    return author_profile_save(profile=profile)


def coi_box(page):
    start = page.index('<aside class="coi-box"')
    return page[start : page.index("</aside>", start)]


def test_the_coi_box_links_to_the_register(client, a_profile):
    post = make_post(author=a_profile.user)
    box = coi_box(client.get(post.get_absolute_url()).content.decode())
    assert (
        f'<a href="/authors/{a_profile.slug}/#register-of-interests">'
        "All of Dr Wren &lt;J.&gt; Ashdown\u2019s declared interests</a>"
    ) in box


def test_the_link_leads_to_the_register(client, a_profile):
    page = client.get(a_profile.get_absolute_url()).content.decode()
    assert 'id="register-of-interests"' in page


@pytest.mark.parametrize("name", ["blog:feed_atom", "blog:feed_rss"])
def test_the_feeds_carry_the_link_as_an_absolute_address(client, a_profile, name):
    make_post(author=a_profile.user)
    entry = feedparser.parse(client.get(reverse(name)).content).entries[0]
    html = entry.content[0].value if "content" in entry else entry.description
    assert f'href="http://testserver/authors/{a_profile.slug}/#register-of-interests"' in html
    assert "declared interests</a>" in html


def test_no_link_without_a_profile_or_for_an_inactive_author(client, a_profile):
    plain = make_post(author=make_user(first_name="No", last_name="Profile"))
    assert "declared interests" not in client.get(plain.get_absolute_url()).content.decode()
    post = make_post(author=a_profile.user)
    a_profile.user.is_active = False
    a_profile.user.save()
    page = client.get(post.get_absolute_url()).content.decode()
    assert "declared interests" not in page
    assert 'rel="author" href=' not in page  # the author page is a 404 now: no byline link
