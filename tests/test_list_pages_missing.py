"""A page a list of posts does not have (``?page=`` past the end, 0, a word) is a 404 page
that says so and links to the list's first and last pages, as a missing page of comments
does; a list that is not there at all (an unused label, an empty month) is the site's
generic 404 (``PostListMixin.no_such_page``). Found by the tryout: ``/?page=2`` said
"There is nothing at /" of a home page that plainly exists."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from authors.services import author_profile_ensure, author_profile_save
from tests.factories import make_post, make_user

pytestmark = pytest.mark.django_db

LISTS = ["/", "/labels/ms/", "/2013/", "/2013/03/", "/authors/ann-author/"]


@pytest.fixture
def posts(settings):
    settings.BLOG_POSTS_PER_PAGE = 2
    author = make_user(username="ann", first_name="Ann", last_name="Author")
    profile = author_profile_ensure(user=author)
    profile.display_name = "Ann <b>Author</b>"
    author_profile_save(profile=profile)
    assert profile.slug == "ann-author"
    return [
        make_post(
            author=author,
            title=f"Day {day} of the trial",
            published_at=datetime(2013, 3, day, 9, tzinfo=UTC),
            labels=["ms"],
        )
        for day in (1, 2, 3)
    ]


def template_names(response):
    return [t.name for t in response.templates]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("asked", ["3", "0", "-1", "abc", "02x"])
def test_a_page_the_list_does_not_have_says_so(client, posts, url, asked):
    response = client.get(f"{url}?page={asked}")
    assert response.status_code == 404
    assert "blog/no_such_page.html" in template_names(response)
    html = response.content.decode()
    assert '<h1 id="error-heading">No such page</h1>' in html
    assert f"has 2 pages; there is no page \u201c{asked}\u201d" in html
    assert f'<a href="{url}">Go to the first page</a>' in html
    assert f'<a href="{url}?page=2">Go to the last page (page 2)</a>' in html
    assert response["X-Robots-Tag"] == "noindex"
    assert "Day 1 of the trial" not in html  # no list under it


def test_the_list_is_named(client, posts):
    assert "Posts labelled \u201cms\u201d: this list has 2 pages" in (
        client.get("/labels/ms/?page=9").content.decode()
    )
    author = client.get("/authors/ann-author/?page=9").content.decode()
    assert "Posts by Ann &lt;b&gt;Author&lt;/b&gt;: this list has 2 pages" in author
    home = client.get("/?page=9").content.decode()
    assert "The list of the latest posts has 2 pages" in home


def test_the_pages_it_names_are_there(client, posts):
    for url in LISTS:
        assert client.get(url).status_code == 200
        assert "Day 1 of the trial" in client.get(f"{url}?page=2").content.decode()


def test_a_hostile_page_value_is_escaped_and_cut_short(client, posts):
    response = client.get("/?page=%3Cscript%3Ealert(1)" + "9" * 50)
    assert response.status_code == 404
    html = response.content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)" in html
    assert "9" * 30 not in html


@pytest.mark.parametrize("url", ["/labels/unused/?page=2", "/2014/01/?page=2", "/1999/?page=2"])
def test_a_list_that_is_not_there_is_the_generic_404(client, posts, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "blog/no_such_page.html" not in template_names(response)
    assert "Page not found" in response.content.decode()


def test_an_empty_home_page_has_one_page_and_no_second(client):
    response = client.get("/?page=2")
    assert response.status_code == 404
    html = response.content.decode()
    assert "The list of the latest posts has 1 page; there is no page \u201c2\u201d" in html
    assert "Go to the last page" not in html


def test_a_warm_missing_page_costs_no_more_than_the_list(posts, django_assert_max_num_queries):
    client = Client()
    client.get("/labels/ms/")
    client.get("/labels/ms/?page=9")
    with django_assert_max_num_queries(2):
        assert client.get("/labels/ms/?page=9").status_code == 404


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(asked=st.text(min_size=1, max_size=40).filter(lambda s: "\x00" not in s))
def test_any_page_value_is_a_page_or_a_404_that_names_it(posts, asked):
    response = Client().get("/2013/", {"page": asked})
    assert response.status_code in (200, 404)
    if response.status_code == 404:
        html = response.content.decode()
        assert "has 2 pages; there is no page" in html
