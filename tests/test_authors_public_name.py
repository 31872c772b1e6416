"""One public name per author (issue 14, tryout finding 1): the author profile's display name
on every surface that names the author, through ``blog.metadata.author_name``; its fall-backs
(full name, then username); the register of interests knowing the author by any of their
names; the admin's "Who" pre-filled with it on every new row; renaming reaching cached pages
and feeds at once; and no query more for it on any page."""

import json
import re
from datetime import timedelta

import bibtexparser
import feedparser
import pytest
import rispy
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings

from authors.models import AuthorProfile
from authors.services import author_profile_ensure, author_profile_save
from blog.metadata import author_name
from blog.models import Disclosure, Post
from tests.factories import make_post, make_user
from tests.search_support import search
from tests.strategies import any_script_text

pytestmark = [
    pytest.mark.django_db,
    # bibtexparser 1.4 calls pyparsing's old camelCase names; nothing of ours.
    pytest.mark.filterwarnings("ignore:.*deprecated:DeprecationWarning"),
]

PUBLIC = "Dr Wren J. Ashdown"  # the account says "Wren Ashdown"


def profiled(user, name=PUBLIC):
    profile = author_profile_ensure(user=user)
    profile.display_name = name
    return author_profile_save(profile=profile)


@pytest.fixture
def renamed(an_author):
    """An author whose public name is not their account's full name."""
    return profiled(an_author)


def page_of(client, post):
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def json_ld(page):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


# --- the one function ---------------------------------------------------------------------


def test_the_public_name_is_the_profile_name_then_full_name_then_username(an_author):
    bare = make_user(username="solo")
    assert author_name(bare) == "solo"
    bare.first_name, bare.last_name = "Solo", "Writer"
    assert author_name(bare) == "Solo Writer"
    profiled(an_author)
    from django.contrib.auth import get_user_model

    fresh = get_user_model().objects.get(pk=an_author.pk)  # as any page loads it
    assert author_name(fresh) == PUBLIC


@given(name=any_script_text(max_size=60).filter(lambda t: t.strip()))
@settings(max_examples=25, deadline=None)
def test_any_display_name_is_the_byline_and_json_ld_name(client, name):
    from django.utils.html import escape

    user = make_user(first_name="Account", last_name="Name")
    profile = profiled(user, name)
    post = make_post(author=user)
    page = page_of(client, post)
    assert f">{escape(profile.display_name)}</a>" in page
    assert json_ld(page)["author"]["name"] == profile.display_name


# --- every surface ------------------------------------------------------------------------


def test_byline_on_the_post_home_label_and_search_pages(client, renamed):
    post = make_post(author=renamed.user, title="Cladribine tablets", labels=["cladribine"])
    link = f'<a class="author" rel="author" href="/authors/{renamed.slug}/">{PUBLIC}</a>'
    assert link in page_of(client, post)
    assert link in client.get("/").content.decode()
    assert link in client.get(reverse("blog:label_detail", args=["cladribine"])).content.decode()
    assert link in search(client, "cladribine").content.decode()
    for page in (page_of(client, post), client.get("/").content.decode()):
        assert ">Wren Ashdown</a>" not in page


def test_machine_readable_metadata_names_the_author_by_the_public_name(client, renamed):
    renamed.orcid = "0000-0002-1825-0097"
    author_profile_save(profile=renamed)
    post = make_post(author=renamed.user, title="An editorial")
    page = page_of(client, post)
    assert json_ld(page)["author"]["name"] == PUBLIC
    assert f'<meta property="article:author" content="{PUBLIC}">' in page
    assert f'<meta name="citation_author" content="{PUBLIC}">' in page
    assert "Wren Ashdown" not in page.split("</head>")[0]


def test_the_citation_and_its_downloads_use_the_public_name(client, renamed):
    post = make_post(author=renamed.user, title="Alemtuzumab at five years")
    cite = page_of(client, post).split('id="cite"')[1].split("</section>")[0]
    assert "Ashdown, W. J. (" in cite  # APA: family name, initials; no "Dr"
    year, month, slug = post.address_parts
    bib = client.get(reverse("citations:post_bib", args=[year, month, slug])).content.decode()
    (entry,) = bibtexparser.loads(bib).entries
    assert entry["author"] == "Ashdown, Wren J."
    ris = client.get(reverse("citations:post_ris", args=[year, month, slug])).content.decode()
    (record,) = rispy.loads(ris)
    assert record["authors"] == ["Ashdown, Wren J."]


def test_a_public_name_not_ending_in_the_last_name_is_cited_whole(client, an_author):
    profiled(an_author, "The Barts MS team")
    post = make_post(author=an_author)
    year, month, slug = post.address_parts
    bib = client.get(reverse("citations:post_bib", args=[year, month, slug])).content.decode()
    assert "author = {{The Barts MS team}}" in bib
    assert "The Barts MS team. (" in page_of(client, post)


@pytest.mark.parametrize("name", ["blog:feed_atom", "blog:feed_rss"])
def test_the_feeds_name_the_author_by_the_public_name(client, renamed, name):
    make_post(author=renamed.user, title="In the feed")
    feed = feedparser.parse(client.get(reverse(name)).content)
    assert feed.bozo == 0
    assert feed.entries[0].author == PUBLIC


def test_the_author_feed_names_the_author_by_the_public_name(client, renamed):
    make_post(author=renamed.user, title="In the author feed")
    response = client.get(reverse("authors:feed_atom", args=[renamed.slug]))
    feed = feedparser.parse(response.content)
    assert feed.feed.title == f"Trialpress: posts by {PUBLIC}"
    assert feed.entries[0].author == PUBLIC


# --- the register knows the author by any of their names ------------------------------------


def register_html(client, profile):
    page = client.get(profile.get_absolute_url()).content.decode()
    start = page.index('id="register-of-interests"')
    return page[start : page.index("</section>", start)]


@pytest.mark.parametrize("person", ["Wren Ashdown", PUBLIC, "author", "  wren   ASHDOWN "])
def test_the_authors_own_disclosures_are_theirs_whatever_name_they_carry(client, renamed, person):
    post = make_post(author=renamed.user, disclosure=False)
    Disclosure.objects.create(
        post=post,
        person=person,
        relationship=Disclosure.Relationship.HONORARIA,
        organisations="Roche",
    )
    html = register_html(client, renamed)
    assert "Roche" in html
    assert "Declared by" not in html


def test_a_co_author_is_named_beside_the_author(client, renamed):
    post = make_post(author=renamed.user, disclosure=False)
    for position, person in enumerate(["Wren Ashdown", "Co-author Ode"]):
        Disclosure.objects.create(
            post=post,
            person=person,
            relationship=Disclosure.Relationship.HONORARIA,
            organisations="Roche",
            position=position,
        )
    assert f"Declared by {PUBLIC}, Co-author Ode</span>" in register_html(client, renamed)


# --- the admin's "Who" ---------------------------------------------------------------------


@pytest.fixture
def author_client(client, renamed):
    client.force_login(renamed.user)
    return client


def person_values(page):
    return {
        index: (re.search(r'value="([^"]*)"', tag) or [None, ""])[1]
        for index, tag in re.findall(
            r'<input[^>]*name="disclosures-(\d+|__prefix__)-person"([^>]*)>', page
        )
    }


def test_every_new_row_and_the_add_another_template_start_with_the_public_name(
    author_client, settings
):
    from blog.admin import DisclosureInline

    DisclosureInline.extra = 3
    try:
        page = author_client.get(reverse("admin:blog_post_add")).content.decode()
    finally:
        DisclosureInline.extra = 1
    values = person_values(page)
    assert set(values) == {"0", "1", "2", "__prefix__"}
    assert set(values.values()) == {PUBLIC}


def test_an_existing_posts_new_row_is_the_posts_author_even_for_an_editor(client, renamed):
    editor = make_user(username="ed", staff=True, first_name="Eda", last_name="Editor")
    editor.groups.add(Group.objects.get(name="Editors"))
    post = make_post(author=renamed.user)
    client.force_login(editor)
    page = client.get(reverse("admin:blog_post_change", args=[post.pk])).content.decode()
    values = person_values(page)
    assert values["0"] == renamed.user.get_full_name()  # the saved disclosure, as written
    assert values["1"] == PUBLIC and values["__prefix__"] == PUBLIC


def _add_form(**rows):
    local = timezone.localtime()
    data = {
        "title": "Prefilled rows",
        "slug": "prefilled-rows",
        "summary": "",
        "body": "Body.",
        "tags": "",
        "status": "published",
        "published_at_0": local.strftime("%Y-%m-%d"),
        "published_at_1": "00:00:00",
        "comments_open": "on",
        "disclosures-TOTAL_FORMS": str(len(rows)),
        "disclosures-INITIAL_FORMS": "0",
        "disclosures-MIN_NUM_FORMS": "0",
        "disclosures-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows.values()):
        for key, value in {
            "relationship": "",
            "organisations": "",
            "statement": "",
            "position": "0",
            **row,
        }.items():
            data[f"disclosures-{i}-{key}"] = value
    return data


@pytest.mark.parametrize("untouched_who", [PUBLIC, ""])
def test_rows_added_and_left_alone_are_not_saved(author_client, untouched_who):
    """Rows "Add another" made (pre-filled) and left as they were, or with only "Who"
    emptied, are not disclosures; the one filled in is saved under the public name."""
    data = _add_form(
        first={"person": PUBLIC, "relationship": "none", "statement": "Nothing."},
        second={"person": untouched_who},
        third={"person": PUBLIC},
    )
    response = author_client.post(reverse("admin:blog_post_add"), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    post = Post.objects.get(slug="prefilled-rows")
    assert list(post.disclosures.values_list("person", flat=True)) == [PUBLIC]


def test_a_row_with_only_a_new_name_is_an_error_not_lost(author_client):
    data = _add_form(
        first={"person": PUBLIC, "relationship": "none", "statement": "Nothing."},
        second={"person": "Co-author Ode"},
    )
    response = author_client.post(reverse("admin:blog_post_add"), data)
    assert response.status_code == 200
    assert "Co-author Ode" in response.content.decode()
    assert not Post.objects.filter(slug="prefilled-rows").exists()


# --- renaming reaches every cached copy -----------------------------------------------------


def test_renaming_an_author_changes_cached_pages_at_once(client, renamed, settings):
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_HEADER = True
    post = make_post(author=renamed.user)
    for url in (post.get_absolute_url(), "/"):
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"
    renamed.display_name = "Professor Wren Ashdown"
    author_profile_save(profile=renamed)
    for url in (post.get_absolute_url(), "/"):
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss"
        assert ">Professor Wren Ashdown</a>" in response.content.decode()


@pytest.mark.parametrize("name", ["blog:feed_atom", "blog:feed_rss"])
def test_renaming_an_author_is_no_304_for_the_feeds(client, renamed, name):
    """Neither by ETag nor by date: the post and the profile were last saved an hour ago."""
    make_post(author=renamed.user)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Post.objects.update(updated_at=an_hour_ago)
    AuthorProfile.objects.update(updated_at=an_hour_ago)
    first = client.get(reverse(name))
    assert client.get(reverse(name), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    renamed.display_name = "Professor Wren Ashdown"
    author_profile_save(profile=renamed)
    again = client.get(reverse(name), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert "Professor Wren Ashdown" in again.content.decode()
    since = client.get(reverse(name), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 200, (first["Last-Modified"], since.get("Last-Modified"))


# --- no query more ----------------------------------------------------------------------


def cold_queries(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def add_posts_by_many_authors(count, *, profiles):
    for i in range(count):
        user = make_user(first_name="Author", last_name=f"Number{i}")
        if profiles:
            profiled(user, f"Dr Author Number{i}")
        make_post(author=user, title=f"Rituximab {i}", labels=["rituximab"])


@pytest.mark.parametrize(
    "url",
    [
        "/",
        reverse("blog:feed_atom"),
        reverse("blog:feed_rss"),
        reverse("blog:label_detail", args=["rituximab"]),
        reverse("search:search") + "?q=rituximab",
    ],
)
def test_names_cost_no_query_per_post_or_author(client, url):
    """The same count for one post as for 25 by 25 authors with profiles, and the same as
    for authors without a profile: the name comes with the author (one JOIN)."""
    add_posts_by_many_authors(1, profiles=False)
    without = cold_queries(client, url)
    add_posts_by_many_authors(1, profiles=True)
    one = cold_queries(client, url)
    add_posts_by_many_authors(23, profiles=True)
    many = cold_queries(client, url)
    assert without == one == many
    assert "Dr Author Number" in client.get(url).content.decode()


def test_the_post_page_names_its_author_without_a_query(client, renamed):
    post = make_post(author=renamed.user, labels=["rituximab"])
    plain = make_post(author=make_user(first_name="No", last_name="Profile"))
    assert cold_queries(client, post.get_absolute_url()) == cold_queries(
        client, plain.get_absolute_url()
    )
