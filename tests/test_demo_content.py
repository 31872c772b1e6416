"""The CARE-MS II demo post, as a reader sees it: every sentence of the source, verbatim.

The source is tests/data/care-ms-2-source.txt (the author's original post). After
load_demo, the post page's visible text must contain each of its sentences exactly
(characters such as μ, —, · and < included), with the DOI and registry links, the
conflict-of-interest statement and the labels.

The demo says only what its source says: the source does not name its author (its CoI line
says "I am the principal investigator on this study at Barts Health"), so neither does the
demo; and the post was last modified when it was published, not when it was loaded.
"""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils.html import escape

from blog.models import Post
from blog.services import post_upsert

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).parent / "data" / "care-ms-2-source.txt"
SLUG = "care-ms-2-more-news-on-alemtuzumab"
COI = (
    "I am the principal investigator on this study at Barts Health and have received "
    "consultancy and honorarium payments from Genzyme and Sanofi, in relation to alemtuzumab."
)
LABELS = [
    "multiple sclerosis",
    "alemtuzumab",
    "phase 3 trial",
    "relapsing-remitting MS",
    "disease-modifying therapy",
]
DOI_URL = "https://doi.org/10.1016/S0140-6736(12)61768-1"
REGISTRY_URL = "https://clinicaltrials.gov/study/NCT00548405"

# A sentence ends at . ! or ? (optionally inside a closing quote) followed by space.
SENTENCE_END = re.compile(r'(?:(?<=[.!?])|(?<=[.!?]["\u201d]))\s+')
BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "section", "article", "header", "footer", "dd", "dt", "dl", "br", "tr", "td", "th",
    "figure", "figcaption", "aside", "nav", "main", "pre",
}  # fmt: skip


class VisibleText(HTMLParser):
    """Text a reader sees (no script/style), entities decoded, and every link target."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.hrefs, self._hidden = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "template"}:
            self._hidden += 1
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")
        if tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in {"script", "style", "template"}:
            self._hidden -= 1
        if tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)

    @property
    def text(self):
        return normalise("".join(self.parts))


def normalise(text):
    """Collapse runs of whitespace (no-break spaces included, as the source has some)."""
    return " ".join(text.split())


def visible(html):
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser


def source_lines():
    return [line.strip() for line in SOURCE.read_text(encoding="utf-8").splitlines()]


def sentences(lines):
    found = []
    for line in lines:
        found.extend(s for s in SENTENCE_END.split(line) if s)
    return found


def body_sentences():
    """Every sentence the body must keep: all but the title, CoI and Labels lines."""
    lines = [line for line in source_lines() if line]
    title, rest = lines[0], lines[1:]
    assert title == "CARE MS-2: more news on alemtuzumab"
    rest = [line for line in rest if not line.startswith(("CoI:", "Labels:"))]
    return sentences(rest)


def test_the_sentence_splitter_finds_the_whole_source():
    found = body_sentences()

    assert len(found) > 25
    assert "Cole et al." in found
    assert "Funding: Genzyme (Sanofi) and Bayer Schering Pharma." in found
    assert '"How much will alemtuzumab cost?' in found
    assert "This study is registered with ClinicalTrials.gov , number NCT00548405 ." in found
    assert normalise(" ".join(found)) in normalise(" ".join(source_lines()))


@pytest.fixture
def care_ms_ii(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Post.objects.get(slug=SLUG)


def test_the_stored_body_keeps_every_sentence_of_the_source(care_ms_ii):
    text = visible(care_ms_ii.body_html).text

    missing = [sentence for sentence in body_sentences() if normalise(sentence) not in text]
    assert missing == []
    for kept in ("44 μg", "18—55 years", "p<0·0001", "0·39—0·65", "risk:benefit"):
        assert kept in text
    assert "Commentary" in text


def test_the_post_page_shows_every_sentence_of_the_source(client, care_ms_ii):
    response = client.get(care_ms_ii.get_absolute_url())

    assert response.status_code == 200
    page = visible(response.content.decode())
    missing = [sentence for sentence in body_sentences() if normalise(sentence) not in page.text]
    assert missing == []
    assert "CARE MS-2: more news on alemtuzumab" in page.text


def test_the_post_page_links_the_doi_and_the_trial_registration(client, care_ms_ii):
    page = visible(client.get(care_ms_ii.get_absolute_url()).content.decode())

    assert DOI_URL in page.hrefs
    assert REGISTRY_URL in page.hrefs


def test_the_post_page_shows_the_conflict_of_interest_statement_verbatim(client, care_ms_ii):
    page = visible(client.get(care_ms_ii.get_absolute_url()).content.decode())

    coi_line = next(line for line in source_lines() if line.startswith("CoI:"))
    # The source has a no-break space before "alemtuzumab"; whitespace is compared as such.
    assert normalise(coi_line) == f"CoI: {COI}"
    assert COI in page.text
    for organisation in ("Barts Health", "Genzyme", "Sanofi"):
        assert organisation in page.text


def test_the_post_page_shows_the_labels(client, care_ms_ii):
    page = visible(client.get(care_ms_ii.get_absolute_url()).content.decode())

    for label in LABELS:
        assert label in page.text


def test_reference_managers_get_the_real_authors_while_the_body_keeps_the_source_verbatim(
    client, care_ms_ii
):
    """The source's "Cole et al." (a typo for Coles) stays in the body as written; the
    structured authors are the first author and the group, never "et al."."""
    html = client.get(care_ms_ii.get_absolute_url()).content.decode()
    authors = re.findall(r'<meta name="citation_author" content="([^"]*)">', html)
    assert authors == ["Coles AJ", "CARE-MS II investigators"]
    assert "Cole et al." in visible(care_ms_ii.body_html).text


AUTHOR = "The trial's principal investigator at Barts Health"
PUBLISHED = "2012-11-02T09:00:00+00:00"


def words(text):
    return set(re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "'").replace("'s", "")))


def test_the_post_and_its_disclosures_are_attributed_as_the_source_does(client, care_ms_ii):
    """Every word of the byline and of each disclosure's "who" is a word of the source."""
    source_words = words(SOURCE.read_text(encoding="utf-8"))
    author = care_ms_ii.author.get_full_name()
    people = set(care_ms_ii.disclosures.values_list("person", flat=True))

    assert author == AUTHOR and people == {AUTHOR}
    assert words(author) - {"the"} <= source_words
    html = client.get(care_ms_ii.get_absolute_url()).content.decode()
    page = visible(html)
    assert f"By {AUTHOR}" in page.text
    assert f'<meta property="article:author" content="{escape(AUTHOR)}">' in html
    (ld,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert json.loads(ld)["author"]["name"] == AUTHOR


def test_the_structured_first_author_is_coles_while_the_body_says_cole(care_ms_ii):
    from blog.metadata import citation_authors

    assert citation_authors(care_ms_ii) == ["Coles AJ", "CARE-MS II investigators"]
    assert care_ms_ii.source_citation.startswith("Cole et al. ")
    assert visible(care_ms_ii.body_html).text.startswith("Cole et al. Alemtuzumab")


def test_the_demo_post_was_last_modified_when_it_was_published(client, care_ms_ii):
    html = client.get(care_ms_ii.get_absolute_url()).content.decode()
    (ld,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(ld)

    assert data["datePublished"] == data["dateModified"] == PUBLISHED
    assert f'<meta property="article:modified_time" content="{PUBLISHED}">' in html
    atom = client.get("/feeds/atom/").content.decode()
    entry = atom.split("<entry>")[1:]
    (care,) = [e for e in entry if care_ms_ii.get_absolute_url() in e]
    assert "<updated>2012-11-02T09:00:00+00:00</updated>" in care
    assert "<published>2012-11-02T09:00:00+00:00</published>" in care


def test_an_announced_change_moves_the_modified_date_of_a_demo_post(client, care_ms_ii):
    """dateModified follows what readers are told (blog.public_record.last_public_change):
    a save that announces nothing leaves it; an announced correction moves it."""
    care_ms_ii.title = "CARE MS-2: more news on alemtuzumab (typo)"
    care_ms_ii.save()
    assert ld_dates(client, care_ms_ii) == (PUBLISHED, PUBLISHED)

    post_upsert(
        slug=care_ms_ii.slug,
        author=care_ms_ii.author,
        fields={"title": "CARE MS-2: more news on alemtuzumab (corrected)"},
        labels=care_ms_ii.tags.names(),
        disclosures=list(
            care_ms_ii.disclosures.values("person", "relationship", "organisations", "statement")
        ),
        change_kind="correction",
        change_note="The title named the wrong trial phase.",
    )
    published, modified = ld_dates(client, care_ms_ii)
    assert published == PUBLISHED
    assert modified > PUBLISHED


def ld_dates(client, post):
    html = client.get(post.get_absolute_url()).content.decode()
    (ld,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(ld)
    return data["datePublished"], data["dateModified"]
