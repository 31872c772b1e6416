"""The post page: content, conflicts of interest, source, neighbours, addresses and metadata."""

import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains

from blog.models import Disclosure, Post
from tests.factories import make_post

pytestmark = pytest.mark.django_db

DOI = "10.1016/S0140-6736(12)61768-1"
STATEMENT = (
    "GG has received compensation for serving as a consultant or speaker for Genzyme & "
    "Sanofi-Aventis <not a tag>.\nSecond line, kept as written."
)


class HeadParser(HTMLParser):
    """Collects <meta>, <link> and the JSON-LD block of a page."""

    def __init__(self):
        super().__init__()
        self.meta, self.links, self.scripts, self._in_script = [], [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            self.meta.append(attrs)
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script":
            self._in_script = attrs
            self.scripts.append([attrs, ""])

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts[-1][1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def meta_values(self, key):
        return [
            m.get("content") for m in self.meta if m.get("property") == key or m.get("name") == key
        ]


def section(html, element_id):
    """The <section> with this id, as a well-formed fragment."""
    start = html.index(f'<section id="{element_id}"')
    return html[start : html.index("</section>", start) + len("</section>")]


def parse_head(response):
    parser = HeadParser()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://trialpress.example"
    return settings.SITE_URL


@pytest.fixture
def care_ms(an_author):
    post = make_post(
        author=an_author,
        title="CARE-MS II: more news on alemtuzumab",
        slug="care-ms-ii",
        summary="Alemtuzumab beat interferon beta 1a after first-line failure.",
        body="## The trial\n\nAlemtuzumab was **better**.",
        labels=["alemtuzumab", "multiple sclerosis"],
        disclosure=False,
        published_at=datetime(2012, 11, 2, 9, 30, tzinfo=UTC),
        source_citation="Coles AJ et al. Alemtuzumab for patients with relapsing multiple "
        "sclerosis after disease-modifying therapy. Lancet 2012.",
        source_title="Alemtuzumab for patients with relapsing multiple sclerosis after "
        "disease-modifying therapy",
        source_authors="Coles AJ; Twyman CL; Arnold DL",
        source_journal="The Lancet",
        source_date=datetime(2012, 11, 1).date(),
        doi=DOI,
        trial_registration="NCT00548405",
    )
    Disclosure.objects.create(
        post=post,
        person="Wren Ashdown",
        relationship=Disclosure.Relationship.PRINCIPAL_INVESTIGATOR,
        organisations="Barts Health, Genzyme, Sanofi",
        statement=STATEMENT,
        position=0,
    )
    Disclosure.objects.create(
        post=post,
        person="A co-author",
        relationship=Disclosure.Relationship.NONE,
        statement="Nothing to declare.",
        position=1,
    )
    post.status = Post.Status.PUBLISHED
    post.save()
    return post


def test_the_post_page_shows_title_author_date_body_and_linked_labels(client, care_ms):
    response = client.get(care_ms.get_absolute_url())
    assert response.status_code == 200
    assertInHTML(
        '<h1 id="post-title">CARE-MS II: more news on alemtuzumab</h1>', response.content.decode()
    )
    assertContains(response, "Wren Ashdown")
    assertContains(
        response, '<time datetime="2012-11-02T09:30:00Z">2 November 2012</time>', html=True
    )
    assertContains(response, "<strong>better</strong>", html=True)
    for slug in ("alemtuzumab", "multiple-sclerosis"):
        assertContains(response, f'href="{reverse("blog:label_detail", args=[slug])}"')
    assertContains(response, '<div id="comments">')


def test_the_conflicts_box_comes_before_the_body_and_links_to_the_full_section(client, care_ms):
    html = client.get(care_ms.get_absolute_url()).content.decode()
    box = html.index('class="coi-box"')
    body = html.index('class="post-body"')
    full = html.index('id="conflicts-of-interest"')
    assert html.index('id="post-title"') < box < body < full
    box_html = html[box:body]
    assert 'href="#conflicts-of-interest"' in box_html
    assert "Wren Ashdown" in box_html and "Principal investigator" in box_html
    assert "Barts Health, Genzyme, Sanofi" in box_html


def test_each_disclosure_is_shown_in_full_with_the_statement_verbatim(client, care_ms):
    """Escaped, with the statement's line break kept as <br> (STATEMENT has two lines)."""
    response = client.get(care_ms.get_absolute_url())
    html = response.content.decode()
    full = section(html, "conflicts-of-interest")
    assert full.index("Wren Ashdown") < full.index("A co-author")
    assertInHTML("<dt>Relationship</dt><dd>Principal investigator</dd>", full)
    assertInHTML("<dt>Organisations</dt><dd>Barts Health, Genzyme, Sanofi</dd>", full)
    escaped = STATEMENT.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    first, second = escaped.split("\n")
    assert (
        f'<blockquote class="disclosure-statement"><p>{first}<br>{second}</p></blockquote>' in full
    )
    assert "<not a tag>" not in html


def test_the_source_section_links_the_doi_and_the_trial_registration(client, care_ms):
    html = client.get(care_ms.get_absolute_url()).content.decode()
    source = section(html, "source")
    assert "Coles AJ et al. Alemtuzumab for patients" in source
    assertInHTML(f'<a class="doi" href="https://doi.org/{DOI}">{DOI}</a>', source)
    assert f'href="{care_ms.trial_registration_url}"' in source
    assert ">NCT00548405</a>" in source


def test_the_page_has_a_canonical_address_on_the_site_url(client, care_ms, site_url):
    head = parse_head(client.get(care_ms.get_absolute_url()))
    canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
    assert canonical == [f"{site_url}/2012/11/care-ms-ii/"]


def test_open_graph_describes_the_post(client, care_ms, site_url):
    head = parse_head(client.get(care_ms.get_absolute_url()))
    assert head.meta_values("og:title") == [care_ms.title]
    assert head.meta_values("og:type") == ["article"]
    assert head.meta_values("og:url") == [f"{site_url}/2012/11/care-ms-ii/"]
    assert head.meta_values("og:description") == [care_ms.summary]
    assert head.meta_values("article:published_time") == ["2012-11-02T09:30:00+00:00"]
    assert sorted(head.meta_values("article:tag")) == ["alemtuzumab", "multiple sclerosis"]


def test_highwire_tags_describe_the_cited_article(client, care_ms):
    head = parse_head(client.get(care_ms.get_absolute_url()))
    assert head.meta_values("citation_title") == [care_ms.source_title]
    assert head.meta_values("citation_author") == ["Coles AJ", "Twyman CL", "Arnold DL"]
    assert head.meta_values("citation_journal_title") == ["The Lancet"]
    assert head.meta_values("citation_publication_date") == ["2012/11/01"]
    assert head.meta_values("citation_doi") == [DOI]


MACHINE_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)")


def test_machine_readable_dates_have_no_microseconds(client, an_author):
    """The Nu checker rejects <time datetime="...T12:00:00.123456+00:00">."""
    moment = timezone.now().replace(microsecond=123456) - timedelta(days=1)
    post = make_post(author=an_author, slug="with-micro", published_at=moment)
    post.refresh_from_db()
    assert post.published_at.microsecond == 123456
    scheduled = make_post(
        author=an_author, slug="later-micro", published_at=moment + timedelta(days=3)
    )
    client.force_login(an_author)
    pages = [
        client.get(post.get_absolute_url()),
        client.get(reverse("blog:post_list")),
        client.get(scheduled.get_absolute_url()),
    ]
    expected = f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%S}Z"
    for response in pages:
        assert response.status_code == 200
        values = re.findall(r'<time datetime="([^"]*)"', response.content.decode())
        assert values and all(MACHINE_DATETIME.fullmatch(v) for v in values), values
    assert f'<time datetime="{expected}">' in pages[0].content.decode()
    assert "Scheduled for" in pages[2].content.decode()
    head = parse_head(pages[0])
    for key in ("article:published_time", "article:modified_time"):
        (value,) = head.meta_values(key)
        assert MACHINE_DATETIME.fullmatch(value), value
    (block,) = [t for a, t in head.scripts if a.get("type") == "application/ld+json"]
    data = json.loads(block)
    assert MACHINE_DATETIME.fullmatch(data["datePublished"])
    assert MACHINE_DATETIME.fullmatch(data["dateModified"])


@pytest.mark.parametrize(
    ("written", "authors"),
    [
        ("Coles AJ; CARE-MS II investigators", ["Coles AJ", "CARE-MS II investigators"]),
        ("Cole et al.", ["Cole"]),
        ("Coles AJ, et al", ["Coles AJ"]),
        ("Coles AJ; Twyman CL; et al.", ["Coles AJ", "Twyman CL"]),
        ("et al.", []),
        (" ; ;ET AL ", []),
        ("Bennet al.; Petal A", ["Bennet al.", "Petal A"]),
    ],
)
def test_one_citation_author_per_name_and_never_et_al(client, an_author, written, authors):
    post = make_post(author=an_author, source_title="A trial", source_authors=written)
    head = parse_head(client.get(post.get_absolute_url()))
    assert head.meta_values("citation_author") == authors
    (block,) = [t for a, t in head.scripts if a.get("type") == "application/ld+json"]
    assert [a["name"] for a in json.loads(block)["citation"].get("author", [])] == authors


def test_a_group_author_is_an_organisation_in_json_ld(client, an_author):
    post = make_post(
        author=an_author,
        source_title="A trial",
        source_authors="Coles AJ; CARE-MS II investigators",
    )
    head = parse_head(client.get(post.get_absolute_url()))
    (block,) = [t for a, t in head.scripts if a.get("type") == "application/ld+json"]
    assert json.loads(block)["citation"]["author"] == [
        {"@type": "Person", "name": "Coles AJ"},
        {"@type": "Organization", "name": "CARE-MS II investigators"},
    ]


def test_json_ld_is_a_blog_posting_citing_the_article_about_the_trial(client, care_ms, site_url):
    head = parse_head(client.get(care_ms.get_absolute_url()))
    blocks = [text for attrs, text in head.scripts if attrs.get("type") == "application/ld+json"]
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == care_ms.title
    assert data["author"]["name"] == "Wren Ashdown"
    assert data["datePublished"] == "2012-11-02T09:30:00+00:00"
    # No announced change and no notice about the paper: modified is the publish date.
    assert data["dateModified"] == "2012-11-02T09:30:00+00:00"
    assert sorted(data["keywords"]) == ["alemtuzumab", "multiple sclerosis"]
    assert data["url"] == f"{site_url}/2012/11/care-ms-ii/"
    citation = data["citation"]
    assert citation["@type"] == "ScholarlyArticle"
    assert citation["@id"] == citation["sameAs"] == f"https://doi.org/{DOI}"
    assert citation["identifier"] == DOI
    assert citation["name"] == care_ms.source_title
    assert [a["name"] for a in citation["author"]] == ["Coles AJ", "Twyman CL", "Arnold DL"]
    assert data["about"]["@type"] == "MedicalTrial"
    assert data["about"]["identifier"] == "NCT00548405"
    assert data["about"]["url"] == care_ms.trial_registration_url


def test_only_the_json_ld_block_is_a_script_and_no_inline_styles(client, care_ms):
    html = client.get(care_ms.get_absolute_url()).content.decode()
    inline = [tag for tag in re.findall(r"<script\b[^>]*>", html) if " src=" not in tag]
    assert inline == ['<script type="application/ld+json">']
    assert " style=" not in html


def test_hostile_text_cannot_break_out_of_the_json_ld_or_the_markup(client, an_author):
    evil = "</script><script>alert(1)</script><!--"
    post = make_post(
        author=an_author,
        title=evil,
        summary=evil,
        source_title=evil,
        source_authors=f"{evil}; B",
        doi=f"10.1/{evil}",
    )
    response = client.get(post.get_absolute_url())
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    head = parse_head(response)
    (block,) = [t for a, t in head.scripts if a.get("type") == "application/ld+json"]
    assert "<" not in block and ">" not in block
    data = json.loads(block)
    assert data["headline"] == evil
    assert data["citation"]["identifier"] == f"10.1/{evil}"


def test_previous_and_next_link_published_neighbours_only(client, an_author):
    now = timezone.now()
    older = make_post(author=an_author, title="Older", published_at=now - timedelta(days=3))
    make_post(
        author=an_author,
        title="Draft between",
        status=Post.Status.DRAFT,
        published_at=now - timedelta(days=2, hours=12),
    )
    middle = make_post(author=an_author, title="Middle", published_at=now - timedelta(days=2))
    newer = make_post(author=an_author, title="Newer", published_at=now - timedelta(days=1))
    make_post(author=an_author, title="Scheduled after", published_at=now + timedelta(days=1))
    html = client.get(middle.get_absolute_url()).content.decode()
    nav = html[html.index('class="post-nav"') :]
    assert f'rel="prev" href="{older.get_absolute_url()}"' in nav
    assert f'rel="next" href="{newer.get_absolute_url()}"' in nav
    assert "Draft between" not in html
    newest = client.get(newer.get_absolute_url()).content.decode()
    assert "Scheduled after" not in newest
    assert 'rel="next"' not in newest[newest.index('class="post-nav"') :]


def test_posts_published_at_the_same_moment_still_link_to_each_other(client, an_author):
    moment = timezone.now() - timedelta(days=1)
    first = make_post(author=an_author, title="Twin one", published_at=moment)
    second = make_post(author=an_author, title="Twin two", published_at=moment)
    assertContains(client.get(first.get_absolute_url()), f'href="{second.get_absolute_url()}"')
    assertContains(client.get(second.get_absolute_url()), f'href="{first.get_absolute_url()}"')


@pytest.mark.parametrize(
    "path",
    [
        "/2012/12/care-ms-ii/",  # wrong month
        "/2013/11/care-ms-ii/",  # wrong year
        "/2012/1/care-ms-ii/",  # month not written with two digits
        "/2012/011/care-ms-ii/",
        "/2012/13/care-ms-ii/",
        "/2012/00/care-ms-ii/",
        "/0000/11/care-ms-ii/",
        "/2012/11/no-such-post/",
        "/2012/11/care-ms-ii",  # CommonMiddleware redirects; the target is the real page
    ],
)
def test_an_address_that_does_not_match_the_post_is_not_found(client, care_ms, path):
    response = client.get(path)
    if path.endswith("care-ms-ii"):
        assert response.status_code == 301
        assert response["Location"] == care_ms.get_absolute_url()
    else:
        assert response.status_code == 404
        assertNotContains(response, care_ms.title, status_code=404)


def test_the_address_uses_the_month_in_the_site_time_zone(client, an_author, settings):
    settings.TIME_ZONE = "America/New_York"
    post = make_post(
        author=an_author, slug="midnight", published_at=datetime(2024, 3, 1, 2, 0, tzinfo=UTC)
    )
    assert post.get_absolute_url() == "/2024/02/midnight/"
    assert client.get("/2024/02/midnight/").status_code == 200
    assert client.get("/2024/03/midnight/").status_code == 404


def test_blogger_addresses_redirect_permanently_to_the_post(client, care_ms):
    response = client.get("/2012/11/care-ms-ii.html?m=1")
    assert response.status_code == 301
    assert response["Location"] == "/2012/11/care-ms-ii/"


@pytest.mark.parametrize("path", ["/2012/11/unknown.html", "/2012/11/.html"])
def test_an_unknown_blogger_address_is_not_found(client, care_ms, path):
    assert client.get(path).status_code == 404


def test_a_post_without_a_source_has_no_source_section(client, a_post):
    response = client.get(a_post.get_absolute_url())
    assertNotContains(response, 'id="source"')
    assertContains(response, 'id="conflicts-of-interest"')
