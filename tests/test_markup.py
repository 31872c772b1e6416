"""The Markdown pipeline: policies, characters kept as typed, auto-links, hostile shapes."""

import html
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from blog.markup import (
    COMMENT_POLICY,
    POST_POLICY,
    doi_url,
    registry_name,
    registry_url,
    render_comment,
    render_post,
    sanitize_html,
)

CARE_MS_2 = Path(__file__).parent / "data" / "care-ms-2-source.txt"
BLOCK_TAGS = {
    "p",
    "li",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "td",
    "th",
    "br",
    "dt",
    "dd",
    "ul",
    "ol",
    "table",
    "tr",
    "hr",
}


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.elements = [], []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in BLOCK_TAGS:
            self.parts.append(" ")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def read(fragment):
    reader = _Reader()
    reader.feed(fragment)
    reader.close()
    return reader


def text_of(fragment):
    return " ".join("".join(read(fragment).parts).split())


def tags_of(fragment):
    return [tag for tag, _ in read(fragment).elements]


def links_of(fragment):
    return [
        (attrs.get("href"), attrs.get("rel"))
        for tag, attrs in read(fragment).elements
        if tag == "a"
    ]


# --- the CARE-MS II corpus -------------------------------------------------------------


def _sentences():
    source = CARE_MS_2.read_text(encoding="utf-8")
    for line in source.splitlines():
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z\"])", line):
            if sentence.strip():
                yield " ".join(sentence.split())


@pytest.fixture(scope="module")
def care_ms_2_text():
    return text_of(render_post(CARE_MS_2.read_text(encoding="utf-8")))


@pytest.mark.parametrize("sentence", list(_sentences()))
def test_every_sentence_of_the_source_survives(care_ms_2_text, sentence):
    assert sentence in care_ms_2_text


def test_the_source_gets_its_doi_and_registry_links():
    out = render_post(CARE_MS_2.read_text(encoding="utf-8"))
    hrefs = [href for href, _ in links_of(out)]
    assert "https://doi.org/10.1016/S0140-6736(12)61768-1" in hrefs
    assert "https://clinicaltrials.gov/study/NCT00548405" in hrefs
    assert "ClinicalTrials.gov , number NCT00548405 ." in text_of(out)


# --- characters kept as typed ----------------------------------------------------------


@pytest.mark.parametrize("render", [render_post, render_comment], ids=["post", "comment"])
def test_characters_are_kept_exactly(render):
    source = 'p<0·0001, 44 μg, 18—55, "quoted" and it\'s fine; x > y & z'
    out = render(source)
    assert "p&lt;0·0001" in out
    assert text_of(out) == source
    for char in ('"', "'", "—", "·", "μ"):
        assert char in out


@pytest.mark.parametrize("render", [render_post, render_comment], ids=["post", "comment"])
def test_raw_html_is_escaped_and_shown_as_text(render):
    source = '<div class="x">Hello <b onclick="x()">there</b></div>'
    out = render(source)
    assert text_of(out) == source
    assert tags_of(out) == ["p"]


def test_fenced_code_is_escaped_once():
    out = render_post("```\nif a < b && c:\n```")
    assert "if a &lt; b &amp;&amp; c:" in out
    assert text_of(out) == "if a < b && c:"


@pytest.mark.parametrize("render", [render_post, render_comment], ids=["post", "comment"])
def test_nul_bytes_and_lone_surrogates_are_cleaned(render):
    out = render("a\x00b \ud800 c\udfff")
    assert "\x00" not in out
    assert text_of(out) == "ab \ufffd c\ufffd"
    out.encode("utf-8")  # would raise on a surrogate


# --- policies -------------------------------------------------------------------------


def test_post_policy_keeps_the_wide_allowlist():
    out = render_post(
        "# Title\n\n## Sub\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n"
        'Term\n: Definition\n\n![A scan](/static/scan.png "Scan")\n\n'
        "~~old~~ **bold** *em* `code`\n\n---\n\n> quoted\n\n1. one\n2. two"
    )
    tags = set(tags_of(out))
    assert {
        "h2",
        "table",
        "thead",
        "tbody",
        "th",
        "td",
        "dl",
        "dt",
        "dd",
        "img",
        "del",
        "strong",
        "em",
        "code",
        "hr",
        "blockquote",
        "ol",
        "li",
    } <= tags
    assert "h1" not in tags  # the page title is the h1
    img = next(attrs for tag, attrs in read(out).elements if tag == "img")
    assert img == {"alt": "A scan", "src": "/static/scan.png", "title": "Scan"}
    # A class, not align= (obsolete HTML: the Nu checker's error) nor style= (never kept).
    assert 'class="align-right"' in out and "style" not in out and "align=" not in out


@pytest.mark.parametrize(
    "src",
    [
        "https://example.org/km.png",
        "http://example.org/km.png",
        "//example.org/km.png",
        "/\\example.org/km.png",
        "javascript:alert(1)",
        "mailto:a@example.org",
        "data:image/png;base64,AAAA",
    ],
)
def test_post_images_from_elsewhere_become_links_so_pages_make_no_third_party_request(src):
    out = render_post(f"![Kaplan-Meier curve]({src})")
    assert [tag for tag, attrs in read(out).elements if tag == "img"] == []
    assert "Image: Kaplan-Meier curve" in text_of(out)
    links = [attrs.get("href") for tag, attrs in read(out).elements if tag == "a"]
    if src.startswith(("http", "//", "/\\", "mailto")):
        assert links == [src]
    else:
        assert links == []  # an unsafe scheme: shown as text, not as a link going nowhere


def test_post_images_on_this_site_stay_images():
    out = render_post("![Figure 2](/static/figures/km.png)")
    assert [attrs for tag, attrs in read(out).elements if tag == "img"] == [
        {"alt": "Figure 2", "src": "/static/figures/km.png"}
    ]


def test_comment_policy_has_no_headings_images_tables_or_rules():
    source = "# Heading\n\n![img](https://example.org/x.png)\n\n| a |\n|---|\n| 1 |\n\n---"
    out = render_comment(source)
    assert set(tags_of(out)) <= {"p", "br"}
    assert "# Heading" in text_of(out)
    assert "![img](https://example.org/x.png)" in text_of(out)


def test_comment_policy_keeps_its_formatting():
    out = render_comment(
        "*em* **strong** `code`\n\n> quote\n\n- a\n- b\n\n```\nx\n```\n\nline one\nline two"
    )
    assert {"em", "strong", "code", "blockquote", "ul", "li", "pre", "p", "br"} <= set(tags_of(out))


def test_comment_links_are_nofollow_ugc_noopener():
    out = render_comment("[site](https://example.org) <https://example.com> NCT00548405")
    links = links_of(out)
    assert len(links) == 3
    assert all(rel == "nofollow ugc noopener" for _, rel in links)


def test_post_links_have_no_forced_rel():
    assert links_of(render_post("[site](https://example.org)")) == [("https://example.org", None)]


def test_sanitize_html_applies_the_policy_to_any_html():
    dirty = (
        '<h1>T</h1><p onclick="x">a <a href="javascript:x" rel="me">b</a>'
        '<img src="https://e.org/i.png" onerror="x"></p><!-- c --><script>s</script>'
    )
    post = sanitize_html(dirty, policy=POST_POLICY)
    comment = sanitize_html(dirty, policy=COMMENT_POLICY)
    assert "onclick" not in post and "javascript" not in post and "<!--" not in post
    assert "<script" not in post and "<h1" not in post
    assert "<img" in post and "<img" not in comment
    assert links_of(comment) == [(None, "nofollow ugc noopener")]


def test_mailto_and_relative_links_survive():
    out = render_post("[mail](mailto:ed@example.org) [about](/about/) [top](#top)")
    assert [href for href, _ in links_of(out)] == ["mailto:ed@example.org", "/about/", "#top"]


# --- DOI and registry helpers ------------------------------------------------------------


@pytest.mark.parametrize(
    "doi, url",
    [
        ("10.1016/S0140-6736(12)61768-1", "https://doi.org/10.1016/S0140-6736(12)61768-1"),
        ("doi:10.1000/xyz", "https://doi.org/10.1000/xyz"),
        ("https://doi.org/10.1000/xyz", "https://doi.org/10.1000/xyz"),
        ('10.1000/a b"c', "https://doi.org/10.1000/a%20b%22c"),
        ("10.1000/a<b>#?%", "https://doi.org/10.1000/a%3Cb%3E%23%3F%25"),
    ],
)
def test_doi_url(doi, url):
    assert doi_url(doi) == url


@pytest.mark.parametrize(
    "registration, name, url",
    [
        ("NCT00548405", "ClinicalTrials.gov", "https://clinicaltrials.gov/study/NCT00548405"),
        (" nct00548405 ", "ClinicalTrials.gov", "https://clinicaltrials.gov/study/NCT00548405"),
        ("ISRCTN12345678", "ISRCTN registry", "https://www.isrctn.com/ISRCTN12345678"),
        (
            "2004-000123-45",
            "EU Clinical Trials Register",
            "https://www.clinicaltrialsregister.eu/ctr-search/search?query=2004-000123-45",
        ),
        ("NCT1234", "", ""),
        ("javascript:alert(1)", "", ""),
    ],
)
def test_registry_name_and_url(registration, name, url):
    assert registry_name(registration) == name
    assert registry_url(registration) == url


# --- auto-links ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, linked_text, href",
    [
        (
            "See doi:10.1016/S0140-6736(12)61768-1.",
            "doi:10.1016/S0140-6736(12)61768-1",
            "https://doi.org/10.1016/S0140-6736(12)61768-1",
        ),
        ("(doi:10.1000/abc)", "doi:10.1000/abc", "https://doi.org/10.1000/abc"),
        ("DOI 10.1000/abc, then", "DOI 10.1000/abc", "https://doi.org/10.1000/abc"),
        ("doi: 10.1000/abc;", "doi: 10.1000/abc", "https://doi.org/10.1000/abc"),
        ("ISRCTN12345678.", "ISRCTN12345678", "https://www.isrctn.com/ISRCTN12345678"),
        (
            "EudraCT 2007-001161-38,",
            "2007-001161-38",
            "https://www.clinicaltrialsregister.eu/ctr-search/search?query=2007-001161-38",
        ),
    ],
)
def test_auto_links(source, linked_text, href):
    out = render_post(source)
    anchors = re.findall(r'<a href="([^"]+)">([^<]+)</a>', out)
    assert anchors == [(html.escape(href), linked_text)]
    assert text_of(out) == source


@pytest.mark.parametrize(
    "source",
    [
        "`NCT00548405 doi:10.1000/abc`",
        "    NCT00548405 doi:10.1000/abc",
        "[trial NCT00548405](https://example.org/)",
        "XNCT00548405 NCT005484051 10.1000/abc 2007-0011610-38",
    ],
)
def test_no_auto_links_in_code_links_or_lookalikes(source):
    hrefs = [href for href, _ in links_of(render_post(source))]
    assert all("doi.org" not in h and "clinicaltrials" not in h for h in hrefs)


def test_emphasis_and_links_around_ids_still_work():
    out = render_post("*NCT00548405* and **doi:10.1000/x** [x](https://example.org)")
    hrefs = [href for href, _ in links_of(out)]
    assert hrefs == [
        "https://clinicaltrials.gov/study/NCT00548405",
        "https://doi.org/10.1000/x",
        "https://example.org",
    ]


# --- hostile shapes: always safe HTML, quickly ------------------------------------------

HOSTILE = {
    "nested_quotes": ">" * 10_000 + " deep",
    "nested_quotes_spaced": "> " * 10_000 + "deep",
    "nested_lists": "- " * 10_000 + "deep",
    "nested_ordered": "1. " * 10_000 + "deep",
    "indented_lists": "\n".join(" " * (2 * i) + "- deep" for i in range(300)),
    "long_word": "a" * 200_000,
    "nul_bytes": "a\x00b" * 30_000,
    "surrogates": "a\ud800b\udfffc" * 10_000,
    "open_brackets": "[" * 100_000,
    "open_links": "[a](" * 25_000,
    "open_images": "![" * 50_000,
    "emphasis_run": "*a" * 50_000,
    "backticks": "`a" * 50_000,
    "less_than": "<" * 100_000,
    "ampersands": "&" * 100_000,
    "entities": "&#1;" * 25_000,
    "setext_run": "a\n=\n" * 25_000,
    "rules": "---\n" * 25_000,
    "table_rows": "|a|b|\n|-|-|\n" + "|1|2|\n" * 16_000,
    "fences": "```\n" * 25_000,
    "many_paragraphs": "t\n: d\n\n" * 12_000,
    "many_ids": "NCT00548405 " * 8_000,
}


@pytest.mark.parametrize("render", [render_post, render_comment], ids=["post", "comment"])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_shapes_render_safely_and_in_bounded_time(render, name):
    source = HOSTILE[name]
    started = time.perf_counter()
    out = render(source)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"{name} took {elapsed:.2f}s"  # generous: seconds, not minutes
    assert "\x00" not in out
    out.encode("utf-8")
    assert not set(tags_of(out)) - (
        POST_POLICY.tags if render is render_post else COMMENT_POLICY.tags
    )


def test_deep_nesting_keeps_the_text():
    assert "deep" in text_of(render_post(">" * 10_000 + " deep"))
    assert "deep" in text_of(render_post("- " * 10_000 + "deep"))


def test_pathological_brackets_are_shown_literally():
    out = render_post("[" * 5_000 + " and [a link](https://example.org)")
    assert text_of(out).startswith("[" * 5_000)


def test_the_plain_text_fallback_is_escaped():
    out = render_comment("<b>x</b>\n" * 1_000)
    assert "<b>" not in out and "&lt;b&gt;x&lt;/b&gt;" in out
    assert set(tags_of(out)) <= {"p", "br"}


def test_a_comment_full_of_angle_brackets_is_shown_as_plain_text_quickly():
    """Past a thousand '<' or '&' a comment loses only its formatting: bleach's cost per
    escaped character would otherwise take a 10 KB comment past 50 ms."""

    text = "*not emphasis* " + "<" * 9_000
    started = time.perf_counter()
    html_out = render_comment(text)
    elapsed = time.perf_counter() - started
    assert "<em>" not in html_out
    assert html_out.count("&lt;") == 9_000
    assert "*not emphasis*" in html_out
    assert elapsed < 1.0


def test_a_comment_with_some_angle_brackets_keeps_its_formatting():
    html_out = render_comment("*p<0.05* " + "<" * 900)
    assert "<em>p&lt;0.05</em>" in html_out


def test_a_post_keeps_its_formatting_with_thousands_of_angle_brackets(settings):
    # The render takes about 0.06 s of CPU. In the main thread the budget is an ITIMER_PROF,
    # which counts the whole process: in a pytest run the browser tests' live-server threads
    # count too, so a roomy budget keeps this test about formatting, not about the timer
    # (tests/test_render_budget.py tests the budget itself).
    settings.MARKUP_RENDER_CPU_SECONDS = 5
    html_out = render_post("**p<0·0001** " + "a < b " * 1_500)
    assert "<strong>p&lt;0·0001</strong>" in html_out
