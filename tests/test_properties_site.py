"""The whole public site, walked: every page answers, every feed parses, nothing escaped twice.

tests/site_walk.py visits every public page of a small site; these tests check the walker
itself on a known site, then throw addresses typed in any script at the URL patterns.
The typed-field properties are in test_properties_admin.py (authors) and
test_properties_comments.py (commenters).
"""

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from comments.models import Comment
from tests.factories import make_post
from tests.site_walk import (
    answered_with_error,
    escaped_twice_problems,
    feed_problems,
    fresh_example,
    pages_showing,
    walk_site,
)
from tests.strategies import any_script_text
from tests.test_comments_support import make_comment

pytestmark = pytest.mark.django_db

TYPED = "p<0·001 & n=202"


@pytest.fixture
def a_small_site(an_author):
    """Two published posts (one with every Source field), a draft, two labels, a comment."""
    first = make_post(
        author=an_author,
        title=f"CARE-MS II: {TYPED}",
        summary="",
        body=f"Relapses fell ({TYPED}).",
        labels=["multiple sclerosis", "alemtuzumab"],
        source_title=f"Alemtuzumab ({TYPED})",
        source_authors="Coles AJ; Twyman CL; CARE-MS II investigators",
        source_journal="Lancet",
        doi="10.1016/S0140-6736(12)61768-1",
        trial_registration="NCT00548405",
    )
    second = make_post(author=an_author, title="A second write-up", labels=["alemtuzumab"])
    make_post(author=an_author, title="Unfinished draft", status="draft", labels=["secret"])
    make_comment(first, name="Ann <Reader> & co", body=f"Is {TYPED} the primary outcome?")
    return first, second


def test_the_walk_visits_every_kind_of_public_page(client, a_small_site):
    first, second = a_small_site
    walk = walk_site(client)
    urls = set(walk.pages)
    expected = {
        "/",
        "/labels/",
        "/labels/alemtuzumab/",
        "/labels/alemtuzumab/feeds/atom/",
        "/labels/alemtuzumab/feeds/rss/",
        "/labels/multiple-sclerosis/",
        "/feeds/atom/",
        "/feeds/rss/",
        "/comments/feeds/latest/",
        f"/comments/feeds/post/{first.pk}/",
        first.get_absolute_url(),
        second.get_absolute_url(),
        "/sitemap.xml",
        "/robots.txt",
    }
    assert expected <= urls
    assert any(url.count("/") == 2 and url[1:5].isdigit() for url in urls)  # a year archive
    assert "/labels/secret/" not in urls
    assert walk.failures() == []
    feeds = walk.of_kind("atom", "rss")
    assert len(feeds) >= 9
    assert [problem for page in feeds if (problem := feed_problems(page))] == []


def test_a_typed_value_is_found_decoded_on_the_pages_that_show_it(client, a_small_site):
    first, _ = a_small_site
    walk = walk_site(client)
    showing = pages_showing(walk, first.title)
    assert first.get_absolute_url() in showing
    assert "/" in showing and "/feeds/atom/" in showing and "/feeds/rss/" in showing
    assert f"/comments/feeds/post/{first.pk}/" in showing  # "Ann on “title”"
    (comment,) = first.comments.filter(name="Ann <Reader> & co")
    assert set(pages_showing(walk, "Ann <Reader> & co")) == {
        first.get_absolute_url(),
        f"/comments/{comment.pk}/",  # the response's own, citable page
        "/comments/feeds/latest/",
        f"/comments/feeds/post/{first.pk}/",
    }


def test_the_checker_finds_text_escaped_twice(client, a_small_site):
    """The checker itself: a value stored already escaped is shown as ``&lt;`` to readers."""
    first, _ = a_small_site
    Comment.objects.update(name="Ann &lt;Reader&gt;")
    walk = walk_site(client, follow_links=False)
    problems = escaped_twice_problems(walk, [first.title, "Ann <Reader>"])
    assert any(first.get_absolute_url() in problem and "&lt;" in problem for problem in problems)


def test_no_page_of_the_small_site_shows_anything_escaped_twice(client, a_small_site):
    first, _ = a_small_site
    walk = walk_site(client)
    typed = [first.title, first.body, first.source_title, "Ann <Reader> & co", TYPED]
    assert answered_with_error(walk) == []
    assert escaped_twice_problems(walk, typed) == []


# Addresses a person or a bot might type: any script, percent-encoded as a browser sends it.
ADDRESS_SHAPES = (
    "/{}/",
    "/labels/{}/",
    "/labels/{}/feeds/atom/",
    "/labels/{}/feeds/rss/",
    "/2012/11/{}/",
    "/2012/11/{}.html",
    "/2012/{}/",
    "/comments/feeds/post/{}/",
    "/?page={}",
    "/labels/alemtuzumab/?page={}",
    "/2012/?page={}",
)


@hypothesis_settings(max_examples=15)
@given(text=any_script_text(), shape=st.sampled_from(ADDRESS_SHAPES))
def test_any_typed_address_is_answered_never_a_500(client, a_small_site, text, shape):
    url = shape.format(quote(text, safe=""))
    with fresh_example():
        try:
            response = client.get(url)
        except Exception as exc:  # the test client re-raises what would be a 500
            pytest.fail(f"GET {url} raised {exc!r}")
    assert response.status_code in (200, 301, 302, 400, 404), (url, response.status_code)
