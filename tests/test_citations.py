"""Citing: the citation on the post page, and BibTeX and RIS downloads of the post and of the
paper it discusses, each read back by a real parser (bibtexparser, rispy)."""

import re
from datetime import UTC, date, datetime

import bibtexparser
import pytest
import rispy
from bibtexparser.bparser import BibTexParser
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings

from blog.models import Post
from citations.bibtex import escape as bibtex_escape
from tests.factories import make_post, make_user
from tests.strategies import any_script_text

pytestmark = [
    pytest.mark.django_db,
    # bibtexparser 1.4 calls pyparsing's old camelCase names; nothing of ours.
    pytest.mark.filterwarnings("ignore:.*deprecated:DeprecationWarning"),
]

HOSTILE_TITLE = "Smoke {x} & 50% #1: p<0·001 ~ a_b ^ $5 \\ end}{"

_LATEX = {
    r"\textbackslash{}": "\\",
    r"\textbraceleft{}": "{",
    r"\textbraceright{}": "}",
    r"\textasciitilde{}": "~",
    r"\textasciicircum{}": "^",
    r"\#": "#",
    r"\$": "$",
    r"\%": "%",
    r"\&": "&",
    r"\_": "_",
}
_LATEX_PATTERN = re.compile("|".join(re.escape(k) for k in _LATEX))


def latex_to_text(value):
    """The inverse of citations.bibtex.escape, for checking what a parser read."""
    return _LATEX_PATTERN.sub(lambda m: _LATEX[m.group()], value)


def unbrace(value):
    return value[1:-1] if value.startswith("{") and value.endswith("}") else value


def parse_bibtex(text):
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False)
    entries = bibtexparser.loads(text, parser=parser).entries
    assert len(entries) == 1, text
    return entries[0]


def download(client, post, name):
    year, month, slug = post.address_parts
    return client.get(reverse(f"citations:{name}", args=[year, month, slug]))


@pytest.fixture
def a_cited_post(an_author):
    return make_post(
        author=an_author,
        title=HOSTILE_TITLE,
        slug="smoke",
        published_at=datetime(2012, 11, 2, 9, tzinfo=UTC),
        source_title="Alemtuzumab for relapsing multiple sclerosis: a {phase 3} trial",
        source_authors="Coles AJ; CARE-MS II investigators; Cohen JA et al.",
        source_journal="The Lancet",
        source_date=date(2012, 11, 1),
        doi="10.1016/S0140-6736(12)61768-1",
    )


def test_the_post_page_shows_the_citation_and_the_downloads(client, a_cited_post):
    page = client.get(a_cited_post.get_absolute_url()).content.decode()
    section = page[page.index('id="cite"') : page.index("</section>", page.index('id="cite"'))]
    assert "Cite this post" in section
    assert (
        "Ashdown, W. (2012, November 2). Smoke {x} &amp; 50% #1: p&lt;0·001 ~ a_b ^ $5 \\ end}{."
        " <i>Trialpress.</i>" in section
    )
    assert "http://testserver/2012/11/smoke/" in section
    for name in ("post.bib", "post.ris", "paper.bib", "paper.ris"):
        assert f'href="/cite/2012/11/smoke/{name}" download' in section


def test_a_post_without_a_paper_offers_only_its_own_citation(client, an_author):
    post = make_post(author=an_author)
    page = client.get(post.get_absolute_url()).content.decode()
    assert "post.bib" in page and "paper.bib" not in page
    assert download(client, post, "paper_bib").status_code == 404
    assert download(client, post, "paper_ris").status_code == 404


def test_the_post_as_bibtex_parses_back_to_what_was_typed(client, a_cited_post):
    response = download(client, a_cited_post, "post_bib")
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="Trialpress2012smoke-post.bib"'
    entry = parse_bibtex(response.content.decode())
    assert entry["ENTRYTYPE"] == "misc"
    assert latex_to_text(unbrace(entry["title"])) == HOSTILE_TITLE
    assert entry["author"] == "Ashdown, Wren"
    assert entry["year"] == "2012"
    assert entry["month"] == "November"  # the dec-style macro, expanded by the parser
    assert entry["url"] == "http://testserver/2012/11/smoke/"
    assert entry["urldate"] == timezone.localdate().isoformat()
    assert entry["howpublished"] == "Trialpress"


def test_the_paper_as_bibtex_names_its_authors_and_doi(client, a_cited_post):
    entry = parse_bibtex(download(client, a_cited_post, "paper_bib").content.decode())
    assert entry["ENTRYTYPE"] == "article"
    assert (
        entry["author"] == "Coles, A. J. and {CARE-MS II investigators} and Cohen, J. A. and others"
    )
    assert latex_to_text(unbrace(entry["title"])) == a_cited_post.source_title
    assert entry["journal"] == "The Lancet"
    assert entry["doi"] == "10.1016/S0140-6736(12)61768-1"
    assert (entry["year"], entry["date"]) == ("2012", "2012-11-01")


def test_the_post_as_ris_parses_back_to_what_was_typed(client, a_cited_post):
    response = download(client, a_cited_post, "post_ris")
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    [record] = rispy.loads(response.content.decode())
    assert record["type_of_reference"] == "BLOG"
    assert record["title"] == HOSTILE_TITLE
    assert record["authors"] == ["Ashdown, Wren"]
    assert record["secondary_title"] == "Trialpress"
    assert record["year"] == "2012"
    assert record["date"] == "2012/11/02"
    assert record["urls"] == ["http://testserver/2012/11/smoke/"]
    assert record["access_date"] == timezone.localdate().strftime("%Y/%m/%d")


def test_the_paper_as_ris(client, a_cited_post):
    [record] = rispy.loads(download(client, a_cited_post, "paper_ris").content.decode())
    assert record["type_of_reference"] == "JOUR"
    assert record["authors"] == ["Coles, A. J.", "CARE-MS II investigators", "Cohen, J. A."]
    assert record["journal_name"] == "The Lancet"
    assert record["doi"] == "10.1016/S0140-6736(12)61768-1"
    assert record["urls"] == ["https://doi.org/10.1016/S0140-6736(12)61768-1"]


def test_a_line_break_in_a_title_cannot_add_a_ris_tag_or_end_the_record(client, an_author):
    post = make_post(
        author=an_author,
        title="x",
        source_title="Title\r\nER  - \nTY  - JOUR\u2028AU  - Mallory\x85end",
        source_authors="Real A",
    )
    text = download(client, post, "paper_ris").content.decode()
    records = rispy.loads(text)
    assert len(records) == 1
    assert records[0]["authors"] == ["Real, A."]
    assert records[0]["title"] == "Title ER - TY - JOUR AU - Mallory end"
    assert text.count("ER  - ") == 1


def test_a_name_that_cannot_be_split_is_cited_whole(client):
    author = make_user(
        username="barts-pi", first_name="The trial's principal investigator", last_name=""
    )
    post = make_post(author=author, title="x")
    entry = parse_bibtex(download(client, post, "post_bib").content.decode())
    assert entry["author"] == "{The trial's principal investigator}"
    [record] = rispy.loads(download(client, post, "post_ris").content.decode())
    assert record["authors"] == ["The trial's principal investigator"]


def test_drafts_are_cited_only_for_staff_and_never_cached(client, an_author):
    draft = make_post(author=an_author, title="Draft", status=Post.Status.DRAFT)
    assert download(client, draft, "post_bib").status_code == 404
    client.force_login(an_author)
    response = download(client, draft, "post_bib")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_a_download_at_a_wrong_month_is_a_404(client, a_cited_post):
    assert client.get("/cite/2012/12/smoke/post.bib").status_code == 404
    assert client.get("/cite/2012/11/smoke/post.pdf").status_code == 404


def test_downloads_are_not_stored_by_the_page_cache(client, a_cited_post, settings):
    settings.PAGE_CACHE_SECONDS, settings.PAGE_CACHE_HEADER = 300, True
    download(client, a_cited_post, "post_ris")
    assert download(client, a_cited_post, "post_ris").get("X-Page-Cache") != "hit"


@given(title=any_script_text(max_size=80), authors=any_script_text(max_size=60))
@settings(max_examples=40, deadline=None)
def test_any_script_title_and_authors_parse_back_in_both_formats(client, title, authors):
    post = make_post(
        author=make_user(first_name="Σοφία", last_name="Παπαδοπούλου"),
        title=title,
        source_title=title,
        source_authors=authors,
    )
    expected = " ".join(title.split())
    entry = parse_bibtex(download(client, post, "paper_bib").content.decode())
    assert latex_to_text(unbrace(entry["title"])) == expected
    [record] = rispy.loads(download(client, post, "paper_ris").content.decode())
    assert record["title"] == expected
    [own] = rispy.loads(download(client, post, "post_ris").content.decode())
    assert own["title"] == expected and own["authors"] == ["Παπαδοπούλου, Σοφία"]


def test_the_bibtex_escape_keeps_braces_balanced():
    for text in ("}", "{", "}{", "\\", "{{{", "a}b{c"):
        escaped = bibtex_escape(text)
        depth = 0
        for char in escaped:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0
        assert depth == 0
