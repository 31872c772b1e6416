"""A post body's visible text as the search document holds it.

Inline elements (links, emphasis, glossary marks) join their text with nothing, as a reader
sees it: "<a>ClinicalTrials.gov</a>, number" is "ClinicalTrials.gov, number". Block elements
(paragraphs, headings, list items, table cells) end a line, so a heading never runs into the
paragraph after it ("The abstract" / "Background: ..."); snippets show that line break.
A space typed before closing punctuation ("ClinicalTrials.gov , number NCT00548405 .", as
abstracts pasted from a journal's page often read) is dropped.
"""

import re
from html.parser import HTMLParser

BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "caption",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
HIDDEN = frozenset(["script", "style", "template"])
# A space (or several) after a word and before closing punctuation that ends a word.
_SPACE_BEFORE_PUNCTUATION = re.compile(r"(?<=\w)[ \t]+(?=[,.;:!?)\]](?:\s|$))")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines, self.current, self.hidden = [], [], 0

    def _end_line(self):
        line = " ".join("".join(self.current).split())
        if line:
            self.lines.append(line)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self.hidden += 1
        elif tag in BLOCKS:
            self._end_line()

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCKS:
            self._end_line()

    def handle_endtag(self, tag):
        if tag in HIDDEN:
            self.hidden = max(self.hidden - 1, 0)
        elif tag in BLOCKS:
            self._end_line()

    def handle_data(self, data):
        if not self.hidden:
            self.current.append(data)


def visible_text(html):
    """The text of ``html``: one line per block, inline elements joined with nothing."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    parser._end_line()
    return "\n".join(_SPACE_BEFORE_PUNCTUATION.sub("", line) for line in parser.lines)
