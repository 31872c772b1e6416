"""sitemap.xml and robots.txt: every public page a crawler should know, on SITE_URL."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from blog.models import Post
from tests.factories import make_post

pytestmark = pytest.mark.django_db
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://trialpress.example"


def sitemap_entries(client):
    response = client.get(reverse("blog:sitemap"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    return {
        url.find("s:loc", NS).text: getattr(url.find("s:lastmod", NS), "text", None)
        for url in root.findall("s:url", NS)
    }


def test_the_sitemap_lists_posts_labels_and_archive_years_and_months(client, an_author):
    post = make_post(
        author=an_author,
        slug="care-ms-ii",
        labels=["alemtuzumab"],
        published_at=datetime(2012, 11, 2, 9, tzinfo=UTC),
    )
    make_post(author=an_author, slug="older", published_at=datetime(2012, 3, 1, 9, tzinfo=UTC))
    entries = sitemap_entries(client)
    post.refresh_from_db()
    assert (
        entries["https://trialpress.example/2012/11/care-ms-ii/"]
        == post.updated_at.date().isoformat()
    )
    assert "https://trialpress.example/2012/03/older/" in entries
    assert "https://trialpress.example/labels/alemtuzumab/" in entries
    assert "https://trialpress.example/2012/11/" in entries
    assert "https://trialpress.example/2012/03/" in entries
    assert "https://trialpress.example/2012/" in entries
    assert len(entries) == 6


def test_each_year_with_posts_is_listed_once_and_its_address_works(client, an_author):
    for year, month in ((2011, 5), (2012, 3), (2012, 11)):
        make_post(author=an_author, published_at=datetime(year, month, 2, 9, tzinfo=UTC))
    entries = sitemap_entries(client)
    year_page = re.compile(r"https://trialpress\.example/\d{4}/")
    years = sorted(loc for loc in entries if year_page.fullmatch(loc))
    assert years == ["https://trialpress.example/2011/", "https://trialpress.example/2012/"]
    for loc in years:
        response = client.get(loc.removeprefix("https://trialpress.example"))
        assert response.status_code == 200


def test_the_sitemap_leaves_out_drafts_scheduled_posts_and_their_labels(
    client, a_post, a_draft, a_scheduled_post, an_author
):
    make_post(
        author=an_author,
        slug="hidden",
        status=Post.Status.DRAFT,
        labels=["embargoed"],
        published_at=datetime(2011, 5, 5, tzinfo=UTC),
    )
    entries = sitemap_entries(client)
    text = " ".join(entries)
    assert a_post.slug in text
    assert a_draft.slug not in text and a_scheduled_post.slug not in text
    assert "hidden" not in text and "embargoed" not in text and "/2011/" not in text


def test_the_sitemap_ignores_the_host_header(client, a_post):
    response = client.get(reverse("blog:sitemap"), headers={"host": "localhost"})
    assert b"https://trialpress.example/" in response.content
    assert b"//localhost" not in response.content


def test_robots_txt_points_to_the_sitemap_and_keeps_out_of_the_admin(client, db):
    response = client.get(reverse("blog:robots_txt"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: https://trialpress.example/sitemap.xml" in lines
    assert reverse("blog:robots_txt") == "/robots.txt"
