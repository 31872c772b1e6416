"""Author pages: profile, posts, the register of interests, the feed, the byline link and the
ORCID iD in a post's metadata."""

import json
import re
from datetime import UTC, date, datetime, timedelta

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings

from authors.models import AuthorProfile, StandingInterest
from authors.services import author_profile_ensure, author_profile_save
from blog.models import Disclosure, Post
from tests.factories import make_post, make_user
from tests.strategies import any_script_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_profile(an_author):
    profile = author_profile_ensure(user=an_author)
    profile.bio = "Neurologist.\nWrites about trials."
    profile.affiliation = "Barts & The London"
    profile.orcid = "0000-0002-1825-0097"
    return author_profile_save(profile=profile)


def disclose(post, relationship, organisations="", person=None, statement=""):
    return Disclosure.objects.create(
        post=post,
        person=person or post.author.get_full_name(),
        relationship=relationship,
        organisations=organisations,
        statement=statement,
        position=post.disclosures.count(),
    )


def test_a_profile_gets_a_slug_from_its_name(an_author):
    profile = author_profile_ensure(user=an_author)
    assert (profile.display_name, profile.slug) == ("Wren Ashdown", "wren-ashdown")
    twin = author_profile_ensure(user=make_user(first_name="Wren", last_name="Ashdown"))
    assert twin.slug == "wren-ashdown-2"
    assert author_profile_ensure(user=an_author) == profile  # once per user


def test_a_name_in_any_script_makes_a_working_address(client):
    user = make_user(first_name="Σοφία", last_name="Παπαδοπούλου")
    profile = author_profile_ensure(user=user)
    assert profile.slug == "σοφία-παπαδοπούλου"
    assert client.get(profile.get_absolute_url()).status_code == 200


@given(name=any_script_text(max_size=60))
@settings(max_examples=40, deadline=None)
def test_any_display_name_gets_a_page_showing_it_escaped(client, name):
    from django.utils.html import escape

    user = make_user()
    profile = author_profile_ensure(user=user)
    profile.display_name, profile.slug = name, ""
    profile = author_profile_save(profile=profile)
    response = client.get(profile.get_absolute_url())
    assert response.status_code == 200
    assert f'id="author-name">{escape(" ".join(name.split()))}</h1>' in response.content.decode()


def test_a_bad_orcid_is_refused_by_the_service(an_author):
    from django.core.exceptions import ValidationError

    profile = author_profile_ensure(user=an_author)
    profile.orcid = "0000-0002-1825-0098"
    with pytest.raises(ValidationError) as error:
        author_profile_save(profile=profile)
    assert "orcid" in error.value.message_dict
    assert AuthorProfile.objects.get(pk=profile.pk).orcid == ""


def test_the_author_page_shows_the_profile_and_the_posts(client, a_profile):
    make_post(author=a_profile.user, title="Published by Wren")
    make_post(author=a_profile.user, title="Draft by Wren", status=Post.Status.DRAFT)
    make_post(
        author=a_profile.user,
        title="Scheduled by Wren",
        published_at=timezone.now() + timedelta(days=1),
    )
    make_post(title="By somebody else")
    page = client.get(a_profile.get_absolute_url()).content.decode()
    assert '<h1 class="page-title p-name" id="author-name">Wren Ashdown</h1>' in page
    assert "Barts &amp; The London" in page
    assert "<p>Neurologist.<br>Writes about trials.</p>" in page
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in page
    assert "Published by Wren" in page
    for hidden in ("Draft by Wren", "Scheduled by Wren", "By somebody else"):
        assert hidden not in page


def test_an_unknown_or_inactive_author_is_a_404(client, a_profile):
    assert client.get(reverse("authors:detail", args=["nobody"])).status_code == 404
    a_profile.user.is_active = False
    a_profile.user.save()
    assert client.get(a_profile.get_absolute_url()).status_code == 404


def test_the_author_page_is_paged(client, a_profile, settings):
    settings.BLOG_POSTS_PER_PAGE = 2
    for i in range(5):
        make_post(author=a_profile.user, published_at=timezone.now() - timedelta(days=i + 1))
    assert client.get(a_profile.get_absolute_url() + "?page=3").status_code == 200
    assert client.get(a_profile.get_absolute_url() + "?page=4").status_code == 404


# --- the register of interests ------------------------------------------------------------


def _register(client, profile):
    page = client.get(profile.get_absolute_url()).content.decode()
    start = page.index('id="register-of-interests"')
    return page[start : page.index("</section>", start)]


def _rows(register_html):
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", register_html, re.S)
    result = []
    for row in rows:
        name = re.sub(r"<span.*", "", row.split("</th>")[0]).strip()
        cells = [
            re.sub(
                r'<ul.*?</ul>|<span class="register-label">.*?</span>|<[^>]+>', "", c, flags=re.S
            )
            for c in row.split("<td>")[1:]
        ]
        result.append([name, *(" ".join(c.split()) for c in cells)])
    return result


def test_the_register_groups_disclosures_by_organisation_across_posts(client, a_profile):
    user = a_profile.user
    for i in range(11):
        post = make_post(
            author=user,
            disclosure=False,
            published_at=datetime(2012 + i, 3, 1, 12, tzinfo=UTC),
        )
        names = "Genzyme Inc." if i % 2 else "GENZYME, Sanofi"
        disclose(post, Disclosure.Relationship.HONORARIA, names)
    post = make_post(
        author=user,
        title="One & only",
        disclosure=False,
        published_at=datetime(2020, 6, 1, tzinfo=UTC),
    )
    disclose(post, Disclosure.Relationship.CONSULTANCY, "Genentech")
    register = _register(client, a_profile)
    rows = _rows(register)
    # One row for every spelling, named as the newest post wrote it (2022: "GENZYME").
    assert rows[0] == ["GENZYME", "Honoraria", "11 posts", "1 Mar 2012", "1 Mar 2022"]
    assert ["Sanofi", "Honoraria", "6 posts", "1 Mar 2012", "1 Mar 2022"] in rows
    # A single post is a plain link, not a list to open (issue 14 clinician check).
    assert ["Genentech", "Consultancy", "One &amp; only", "1 Jun 2020", "1 Jun 2020"] in rows
    assert f'<a href="{post.get_absolute_url()}">One &amp; only</a></td>' in register
    assert register.count("<details>") == 2 and "1 post<" not in register
    assert len(rows) == 3  # Genzyme never merged with Genentech


def test_the_register_lists_only_published_posts_even_for_their_author(client, a_profile):
    published = make_post(author=a_profile.user, disclosure=False)
    disclose(published, Disclosure.Relationship.SHARES, "Visible Pharma")
    for hidden in (
        make_post(author=a_profile.user, disclosure=True, status=Post.Status.DRAFT),
        make_post(author=a_profile.user, published_at=timezone.now() + timedelta(days=3)),
    ):
        disclose(hidden, Disclosure.Relationship.SHARES, "Secret Biotech")
    other = make_post(disclosure=False)
    disclose(other, Disclosure.Relationship.SHARES, "Another Author's Pharma")
    client.force_login(a_profile.user)
    register = _register(client, a_profile)
    assert "Visible Pharma" in register
    assert "Secret Biotech" not in register
    assert "Another Author" not in register


def test_the_register_counts_nothing_to_disclose_and_keeps_unnamed_statements(client, a_profile):
    for day in (1, 2):
        make_post(author=a_profile.user, published_at=datetime(2013, 1, day, tzinfo=UTC))
    post = make_post(author=a_profile.user, disclosure=False)
    disclose(post, Disclosure.Relationship.OTHER, statement="My spouse sits on a <board> & more")
    register = _register(client, a_profile)
    assert "“Nothing to disclose” declared on 2 posts" in register
    assert "1 Jan 2013" in register and "2 Jan 2013" in register
    assert "<q>My spouse sits on a &lt;board&gt; &amp; more</q>" in register


def test_standing_interests_are_listed_with_their_dates(client, a_profile):
    StandingInterest.objects.create(
        profile=a_profile,
        organisation="MS Society",
        relationship="other",
        statement="Trustee.",
        declared_on=date(2019, 4, 1),
    )
    StandingInterest.objects.create(
        profile=a_profile,
        organisation="Biogen",
        relationship="consultancy",
        declared_on=date(2015, 1, 1),
        ended_on=date(2017, 1, 1),
    )
    register = _register(client, a_profile)
    assert "<strong>MS Society</strong>: Other,\ndeclared" in register
    assert "1 April 2019</time>, current." in register
    assert 'ended <time datetime="2017-01-01">1 January 2017</time>' in register


def test_a_standing_interest_cannot_end_before_it_began(a_profile):
    from django.core.exceptions import ValidationError

    entry = StandingInterest(
        profile=a_profile,
        organisation="X",
        relationship="other",
        declared_on=date(2020, 1, 1),
        ended_on=date(2019, 1, 1),
    )
    with pytest.raises(ValidationError):
        entry.full_clean()


def test_declared_by_names_others_on_the_authors_posts(client, a_profile):
    post = make_post(author=a_profile.user, disclosure=False)
    disclose(post, Disclosure.Relationship.RESEARCH_FUNDING, "Roche", person="Co-author Ode")
    assert "Declared by Co-author Ode" in _register(client, a_profile)


def test_the_author_page_query_count_is_fixed(client, a_profile, django_assert_max_num_queries):
    """At most 9: the profile with its user; the page's posts count and rows with labels;
    the disclosures of the published posts; the standing entries; the author cards and the
    sidebar-free page's nothing else."""

    def add(n):
        for i in range(n):
            post = make_post(author=a_profile.user, disclosure=False, labels=[f"l{i}"])
            disclose(post, Disclosure.Relationship.HONORARIA, f"Pharma {i}, Biotech {i}")

    add(1)
    client.get(a_profile.get_absolute_url())
    with django_assert_max_num_queries(9):
        client.get(a_profile.get_absolute_url())
    add(30)
    client.get(a_profile.get_absolute_url())  # cold caches after the change
    with django_assert_max_num_queries(9):
        page = client.get(a_profile.get_absolute_url()).content.decode()
    assert page.count("<tr>") == 1 + 60  # the header; Pharma 0..29 and Biotech 0..29


# --- feed, byline, metadata ------------------------------------------------------------------


def test_the_author_feed_lists_their_published_posts(client, a_profile):
    make_post(author=a_profile.user, title="Feed <one> & two")
    make_post(author=a_profile.user, title="Hidden draft", status=Post.Status.DRAFT)
    make_post(title="Not theirs")
    response = client.get(reverse("authors:feed_atom", args=[a_profile.slug]))
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0
    assert feed.feed.title == "Trialpress: posts by Wren Ashdown"
    assert [entry.title for entry in feed.entries] == ["Feed <one> & two"]
    assert (
        client.get(a_profile.get_absolute_url())
        .content.decode()
        .count(f'href="{reverse("authors:feed_atom", args=[a_profile.slug])}"')
        == 2
    )


def test_the_feed_of_an_unknown_author_is_a_404(client):
    assert client.get(reverse("authors:feed_atom", args=["nobody"])).status_code == 404


def test_the_byline_links_to_the_author_page(client, a_profile):
    post = make_post(author=a_profile.user)
    link = '<a class="author" rel="author" href="/authors/wren-ashdown/">Wren Ashdown</a>'
    assert link in client.get(post.get_absolute_url()).content.decode()
    assert link in client.get("/").content.decode()


def test_an_author_without_a_profile_keeps_a_plain_byline(client):
    post = make_post(author=make_user(first_name="No", last_name="Profile"))
    assert (
        '<span class="author">No Profile</span>'
        in client.get(post.get_absolute_url()).content.decode()
    )


def test_a_renamed_slug_moves_the_byline_link_at_once(client, a_profile):
    post = make_post(author=a_profile.user)
    client.get(post.get_absolute_url())
    a_profile.slug = "w-ashdown"
    author_profile_save(profile=a_profile)
    assert 'href="/authors/w-ashdown/"' in client.get(post.get_absolute_url()).content.decode()


def _json_ld(page):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_the_orcid_is_the_authors_same_as_in_json_ld(client, a_profile):
    post = make_post(author=a_profile.user, source_title="A paper", source_authors="Coles AJ")
    data = _json_ld(client.get(post.get_absolute_url()).content.decode())
    assert data["author"] == {
        "@type": "Person",
        "name": "Wren Ashdown",
        "url": "http://testserver/authors/wren-ashdown/",
        "sameAs": "https://orcid.org/0000-0002-1825-0097",
    }


def test_highwire_tags_about_a_paper_never_get_our_authors_orcid(client, a_profile):
    post = make_post(author=a_profile.user, source_title="A paper", source_authors="Coles AJ")
    page = client.get(post.get_absolute_url()).content.decode()
    assert '<meta name="citation_author" content="Coles AJ">' in page
    assert "citation_author_orcid" not in page


def test_a_post_without_a_paper_describes_itself_with_the_orcid(client, a_profile):
    post = make_post(author=a_profile.user, title="Editorial & <notes>")
    page = client.get(post.get_absolute_url()).content.decode()
    assert '<meta name="citation_title" content="Editorial &amp; &lt;notes&gt;">' in page
    assert '<meta name="citation_author" content="Wren Ashdown">' in page
    assert (
        '<meta name="citation_author_orcid" content="https://orcid.org/0000-0002-1825-0097">'
        in page
    )
