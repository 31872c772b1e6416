"""Text is escaped exactly once wherever it leaves the site.

Clinical text is full of ``<``, ``>`` and ``&`` (``p<0·001 & n=202``). Each test writes such
text into every field a person types, then PARSES what the site serves (the page's <head>
with an HTML parser, the JSON-LD with ``json.loads``, the feeds with an XML parser) and
compares the decoded value with the text as it was written: escaped twice shows as
``&amp;lt;``, not escaped at all breaks the parse or adds elements.
"""

import itertools
import json
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from blog.metadata import citation_authors
from blog.models import Disclosure, Post
from tests.factories import make_post, make_user
from tests.strategies import any_script_paragraphs, any_script_text

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DESCRIPTION_LENGTH = 300
CLINICAL_TEXTS = [
    "p<0·001 & n=202",
    "\"quotes\" and 'single'",
    "A&B <i>x</i>",
    "</script><script>alert(1)</script>",
    "&amp; &lt; &#60; written out",
    "HR 0·58 [95% CI 0·38—0·87]; p=0·008 <!-- not a comment -->",
]
_numbers = itertools.count(1)


class TextOf(HTMLParser):
    """The text a reader sees in a fragment of HTML, entities decoded once."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def text_of(html):
    parser = TextOf()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def collapsed(text):
    return " ".join(text.split())


class Head(HTMLParser):
    """The <title>, every <meta> and the JSON-LD block's raw text, attributes decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title, self.meta, self.json_ld = "", {}, []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            key = attrs.get("property") or attrs.get("name")
            self.meta.setdefault(key, []).append(attrs["content"])
        elif tag == "title" and not self.title:
            self._in = "title"
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in = "json_ld"
            self.json_ld.append("")

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "json_ld":
            self.json_ld[-1] += data


def head_of(client, post):
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    parser = Head()
    parser.feed(response.content.decode())
    parser.close()
    assert len(parser.json_ld) == 1
    raw = parser.json_ld[0]
    # Inside <script> nothing may open or close an element, or start an HTML comment.
    assert "<" not in raw and ">" not in raw
    return parser, json.loads(raw)


def expected_description(post):
    """The summary as written, else the body's visible text (runs of space collapsed)."""
    return collapsed(post.summary or text_of(post.body_html))


def assert_description(served, expected):
    if len(expected) <= DESCRIPTION_LENGTH:
        assert served == expected
    else:
        assert served.endswith("…") and len(served) <= DESCRIPTION_LENGTH
        assert expected.startswith(served[:-1])


def write_post(*, title, body, summary="", source="", label=None, person=None):
    """A published post with ``title``/``body``/``summary`` and the source fields from
    ``source``; the author's name, the label and the disclosure from the same text."""
    n = next(_numbers)
    author = make_user(first_name=person or title, last_name="", staff=True)
    post = make_post(
        author=author,
        title=title,
        slug=f"escaping-{n}",
        body=body,
        summary=summary,
        source_title=source,
        source_journal=source,
        source_authors=source.replace(";", ","),
        labels=[f"{label or title} {n}"],
        disclosure=False,
        status=Post.Status.DRAFT,
    )
    Disclosure.objects.create(
        post=post,
        person=person or title,
        relationship=Disclosure.Relationship.OTHER,
        organisations=source or "Some company",
        statement=body,
    )
    post.status = Post.Status.PUBLISHED
    post.save()
    return Post.objects.get(pk=post.pk)


def check_head(client, post, *, label):
    head, ld = head_of(client, post)
    author = post.author.get_full_name()
    description = expected_description(post)

    assert head.title == f"{post.title} · {settings.SITE_NAME}"
    for name in ("description", "og:description"):
        assert len(head.meta[name]) == 1
        assert_description(head.meta[name][0], description)
    assert head.meta["og:title"] == [post.title]
    assert head.meta["article:author"] == [author]
    assert head.meta["article:tag"] == [label]
    assert ld["headline"] == post.title
    assert_description(ld["description"], description)
    assert ld["author"]["name"] == author
    assert ld["keywords"] == [label]
    authors = citation_authors(post)
    assert head.meta.get("citation_author", []) == authors
    if authors:
        assert [a["name"] for a in ld["citation"]["author"]] == authors
    if post.source_title:
        assert head.meta["citation_title"] == [post.source_title]
        assert head.meta["citation_journal_title"] == [post.source_journal]
        assert ld["citation"]["name"] == post.source_title
        assert ld["citation"]["isPartOf"]["name"] == post.source_journal


def feed_entry(client, name, post, *, label_slug=None):
    kwargs = {"slug": label_slug} if label_slug else {}
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    link = settings.SITE_URL + post.get_absolute_url()
    if root.tag == f"{ATOM}feed":
        entries = root.findall(f"{ATOM}entry")
        found = [e for e in entries if e.find(f"{ATOM}link").get("href") == link]
    else:
        found = [i for i in root.iter("item") if i.findtext("link") == link]
    assert len(found) == 1, f"{link} not in {name}"
    return root, found[0]


def check_feeds(client, post, *, label):
    description = expected_description(post)
    author = post.author.get_full_name()
    body_text = collapsed(text_of(post.body_html))

    _, atom = feed_entry(client, "blog:feed_atom", post)
    assert atom.findtext(f"{ATOM}title") == post.title
    summary = atom.find(f"{ATOM}summary")
    assert summary.get("type") == "text"
    assert_description(summary.text, description)
    content = atom.find(f"{ATOM}content")
    assert content.get("type") == "html"
    # The content is HTML: decoded once by the XML parser, its text is the post's text.
    assert body_text in collapsed(text_of(content.text))
    if post.summary:
        assert collapsed(post.summary) in collapsed(text_of(content.text))
    assert atom.find(f"{ATOM}author").findtext(f"{ATOM}name") == author
    assert [c.get("term") for c in atom.findall(f"{ATOM}category")] == [label]

    _, rss = feed_entry(client, "blog:feed_rss", post)
    assert rss.findtext("title") == post.title
    assert body_text in collapsed(text_of(rss.findtext("description")))
    assert [c.text for c in rss.findall("category")] == [label]

    tag = post.labels[0]
    root, labelled = feed_entry(client, "blog:label_feed_atom", post, label_slug=tag.slug)
    assert root.findtext(f"{ATOM}title") == f"{settings.SITE_NAME}: {label}"
    assert root.findtext(f"{ATOM}subtitle") == (
        f"Posts labelled \u201c{label}\u201d on {settings.SITE_NAME}."
    )
    assert labelled.findtext(f"{ATOM}title") == post.title
    root, _ = feed_entry(client, "blog:label_feed_rss", post, label_slug=tag.slug)
    channel = root.find("channel")
    assert channel.findtext("title") == f"{settings.SITE_NAME}: {label}"
    assert channel.findtext("description") == (
        f"Posts labelled \u201c{label}\u201d on {settings.SITE_NAME}."
    )


@pytest.mark.parametrize("text", CLINICAL_TEXTS)
def test_a_post_without_a_summary_is_described_by_its_body_escaped_once(client, text):
    post = write_post(title=text, body=text, source=text)
    label = post.labels[0].name

    check_head(client, post, label=label)
    check_feeds(client, post, label=label)


def test_the_care_ms_findings_read_as_written_in_the_description(client):
    post = write_post(title="CARE-MS II", body="Relapses: p<0·0001 & n=202 <i>vs</i> 231.")
    head, ld = head_of(client, post)

    assert "&amp;" not in head.meta["description"][0]
    assert "&lt;" not in head.meta["description"][0]
    # Raw HTML in Markdown is shown as typed, so the description shows it as typed too.
    assert head.meta["description"] == ["Relapses: p<0·0001 & n=202 <i>vs</i> 231."]
    assert ld["description"] == "Relapses: p<0·0001 & n=202 <i>vs</i> 231."


@pytest.mark.parametrize("text", CLINICAL_TEXTS)
def test_a_summary_is_used_as_written(client, text):
    post = write_post(title="A post", body="Body.", summary=text)

    check_head(client, post, label=post.labels[0].name)
    check_feeds(client, post, label=post.labels[0].name)


def test_a_long_body_is_cut_to_a_description_without_breaking_an_entity(client):
    post = write_post(title="Long", body="p<0·001 & n=202 " * 40)
    head, ld = head_of(client, post)

    served = head.meta["description"][0]
    assert served.endswith("…") and len(served) <= DESCRIPTION_LENGTH
    assert "&" in served and "&amp" not in served and "&lt" not in served
    assert ld["description"] == served


def test_a_description_keeps_the_characters_as_typed(client):
    """No Unicode normalisation: a decomposed accent stays decomposed."""
    post = write_post(title="Accents", body="", summary="Me\u0301nie\u0300re e\u0301\u0301")

    head, ld = head_of(client, post)
    assert head.meta["description"] == ["Me\u0301nie\u0300re e\u0301\u0301"]
    assert ld["description"] == "Me\u0301nie\u0300re e\u0301\u0301"


@given(
    title=any_script_text(),
    body=any_script_paragraphs(),
    summary=st.one_of(st.just(""), any_script_text()),
    source=any_script_text(),
    person=any_script_text(),
    label=any_script_text(),
)
def test_text_in_any_script_is_escaped_once_in_the_head_and_the_feeds(
    client, db, title, body, summary, source, person, label
):
    post = write_post(
        title=title, body=body, summary=summary, source=source, person=person, label=label
    )
    label = post.labels[0].name

    check_head(client, post, label=label)
    check_feeds(client, post, label=label)


@pytest.mark.parametrize("name", ["Trials & <Tribulations>", 'The "p<0·05" blog'])
def test_the_site_name_is_escaped_once_in_the_head_and_the_feeds(client, settings, name):
    settings.SITE_NAME = name
    post = write_post(title="A post", body="Body.")
    head, ld = head_of(client, post)

    assert head.title == f"A post · {name}"
    assert head.meta["og:site_name"] == [name]
    assert ld["publisher"]["name"] == name
    atom = ElementTree.fromstring(client.get(reverse("blog:feed_atom")).content)
    assert atom.findtext(f"{ATOM}title") == name
    rss = ElementTree.fromstring(client.get(reverse("blog:feed_rss")).content)
    assert rss.find("channel").findtext("title") == name
