"""The cite box's download links each have their own accessible name (issue 14, tryout
finding 7): "BibTeX for this post" and "BibTeX for the paper", never two links both called
"BibTeX"; and the prose of the author and citation templates uses one apostrophe (’)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.html import strip_tags

from tests.factories import make_post

pytestmark = pytest.mark.django_db


def link_names(html):
    """Each link's accessible name: its text content, hidden parts included, spaces tidied."""
    return [
        " ".join(strip_tags(inner).split())
        for inner in re.findall(r"<a\b[^>]*>(.*?)</a>", html, re.S)
    ]


def cite_box(client, post):
    page = client.get(post.get_absolute_url()).content.decode()
    start = page.index('<section id="cite"')
    return page[start : page.index("</section>", start)]


def test_every_download_link_has_its_own_name(client):
    post = make_post(source_title="Alemtuzumab versus interferon beta", source_authors="Coles AJ")
    names = link_names(cite_box(client, post))
    assert names == [
        "BibTeX for this post",
        "RIS for this post",
        "BibTeX for the paper",
        "RIS for the paper",
    ]
    assert len(set(names)) == len(names)


def test_a_post_without_a_paper_names_its_own_links_too(client):
    names = link_names(cite_box(client, make_post()))
    assert names == ["BibTeX for this post", "RIS for this post"]


OWNED_TEMPLATES = [
    *sorted((Path(settings.BASE_DIR) / "templates" / "authors").glob("*.html")),
    *sorted((Path(settings.BASE_DIR) / "templates" / "citations").glob("*.html")),
    Path(settings.BASE_DIR) / "templates" / "blog" / "_byline.html",
]


@pytest.mark.parametrize("path", OWNED_TEMPLATES, ids=lambda p: p.name)
def test_prose_uses_the_typographic_apostrophe(path):
    prose = re.sub(r"{%.*?%}|{{.*?}}|<[^>]*>", " ", path.read_text(), flags=re.S)
    assert not re.search(r"\w'\w", prose), path.name
