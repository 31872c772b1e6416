"""Every XSS vector in tests/data/xss-vectors.txt, through both policies, parsed as HTML.

The assertions read the parsed elements and attributes (html.parser), not the string, so
an escaped ``&lt;script&gt;`` shown as text passes and a real element fails.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from blog.markup import render_comment, render_post

VECTORS_FILE = Path(__file__).parent / "data" / "xss-vectors.txt"
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "\\": "\\"}

FORBIDDEN_ELEMENTS = {
    "script",
    "iframe",
    "object",
    "embed",
    "form",
    "style",
    "svg",
    "math",
    "meta",
    "base",
    "link",
    "input",
    "button",
    "textarea",
    "select",
    "template",
    "noscript",
    "frame",
    "frameset",
    "applet",
    "video",
    "audio",
    "source",
    "details",
    "marquee",
    "body",
    "title",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "srcdoc",
    "background",
    "poster",
    "srcset",
    "cite",
}
SAFE_SCHEMES = {"http", "https", "mailto"}


def load_vectors(path=VECTORS_FILE):
    """The corpus format: '#' comments, blank lines skipped, \\n \\r \\t \\0 \\\\ escapes."""
    vectors = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        vectors.append(re.sub(r"\\([nrt0\\])", lambda m: _ESCAPES[m.group(1)], line))
    return vectors


VECTORS = load_vectors()


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag


def parsed_elements(fragment):
    collector = _Collector()
    collector.feed(fragment)
    collector.close()
    return collector.elements


def url_scheme(value):
    """The scheme a browser would act on: control chars and whitespace removed, lowercased.

    ``value`` comes from html.parser, which has already unescaped character references
    once, exactly as a browser does; unescaping again would flag harmless literal text.
    """
    cleaned = re.sub(r"[\x00-\x20\x7f-\xa0\s]+", "", value).lower()
    scheme, sep, _ = cleaned.partition(":")
    if not sep or re.search(r"[/?#]", scheme):
        return ""  # relative URL or #fragment
    return scheme


def assert_safe(fragment):
    for tag, attrs in parsed_elements(fragment):
        assert tag not in FORBIDDEN_ELEMENTS, (tag, fragment)
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, fragment)
            assert name != "style", (tag, fragment)
            if name in URL_ATTRIBUTES:
                assert url_scheme(value or "") in SAFE_SCHEMES | {""}, (tag, name, value)


def test_the_corpus_is_big_enough_and_covers_the_families():
    assert len(VECTORS) >= 90
    joined = "\n".join(VECTORS).lower()
    for needle in (
        "<script",
        "<iframe",
        "<object",
        "<embed",
        "<form",
        "<style",
        "<meta",
        "<base",
        "<link",
        "onerror",
        "style=",
        "javascript:",
        "vbscript:",
        "data:",
        "jav&#x09;ascript:",
        "&#106;avascript:",
        "java\0script:",
        "<svg",
        "<math",
        "<noscript",
        "<template",
        "<textarea",
        "]: javascript:",
    ):
        assert needle in joined, needle


def test_vectors_fit_in_a_form_field():
    """Other suites submit each vector as a name or website, which are capped at 100."""
    assert max(len(vector) for vector in VECTORS) <= 100


def test_escapes_in_the_corpus_format_are_decoded():
    assert "<script\n>alert(1)</script>" in VECTORS
    assert "[x](java\0script:alert(1))" in VECTORS
    assert "\n# <script>alert(1)</script>" in VECTORS


@pytest.mark.parametrize("render", [render_post, render_comment], ids=["post", "comment"])
@pytest.mark.parametrize("vector", VECTORS)
def test_vector_renders_without_active_content(render, vector):
    assert_safe(render(vector))


@pytest.mark.parametrize("render", [render_post, render_comment], ids=["post", "comment"])
def test_the_checker_itself_catches_what_it_should(render):
    """Guard against a checker that passes everything."""
    with pytest.raises(AssertionError):
        assert_safe('<a href="jav&#x09;ascript:alert(1)">x</a>')
    with pytest.raises(AssertionError):
        assert_safe('<img src="x" onerror="alert(1)">')
    with pytest.raises(AssertionError):
        assert_safe("<svg></svg>")


@pytest.mark.parametrize("render", [render_post, render_comment], ids=["post", "comment"])
def test_raw_script_is_shown_as_text_not_run(render):
    out = render("<script>alert(1)</script>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert all(tag != "script" for tag, _ in parsed_elements(out))


@pytest.mark.parametrize("render", [render_post, render_comment], ids=["post", "comment"])
@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "&#106;avascript:alert(1)",
        "java\0script:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,x",
    ],
)
def test_dangerous_link_keeps_its_text_but_loses_its_href(render, href):
    out = render(f"[click me]({href})")
    anchors = [attrs for tag, attrs in parsed_elements(out) if tag == "a"]
    assert "click me" in out
    assert all(name != "href" for attrs in anchors for name, _ in attrs)


@pytest.mark.parametrize("render", [render_post, render_comment], ids=["post", "comment"])
def test_markdown_placeholders_cannot_be_injected(render):
    """Python-Markdown marks stashed HTML with STX/ETX; an author must not be able to type them."""
    out = render("\x02wzxhzdk:0\x03 and \x0260\x03script\x0262\x03")
    assert "\x02" not in out and "\x03" not in out
    assert all(tag != "script" for tag, _ in parsed_elements(out))
