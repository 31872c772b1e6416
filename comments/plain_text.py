"""A comment's stored HTML as plain text, for JSON-LD, Open Graph and mail.

``strip_tags`` runs blocks together ("masking</li><li>attrition" reads "maskingattrition").
Here a paragraph, quotation or list ends with a blank line, each list item starts a line
with "• ", and ``<br>`` ends a line; entities are decoded once (``p&lt;0·001`` is
``p<0·001``), so whoever writes the text out escapes it once.
"""

from html.parser import HTMLParser

PARAGRAPHS = frozenset(["p", "blockquote", "pre", "div", "h1", "h2", "h3", "h4", "h5", "h6"])
LISTS = frozenset(["ul", "ol"])
BULLET = "\u2022 "
EXCERPT_LENGTH = 300
LINE, BLANK_LINE = 1, 2


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines, self.current = [], []
        self.gap, self.bullet, self.lists = 0, False, 0

    def _break(self, gap):
        """End the line; the next text starts after ``gap`` (a line, or a blank line)."""
        line = " ".join("".join(self.current).split())
        if line:
            self.lines.append(line)
        self.current = []
        self.gap = max(self.gap, gap)

    def handle_starttag(self, tag, attrs):
        if tag in PARAGRAPHS:
            self._break(LINE if self.lists else BLANK_LINE)
        elif tag in LISTS:
            self._break(LINE if self.lists else BLANK_LINE)
            self.lists += 1
        elif tag == "li":
            self._break(LINE)
            self.bullet = True
        elif tag == "br":
            self._break(LINE)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in LISTS:
            self.lists = max(self.lists - 1, 0)
            self._break(LINE if self.lists else BLANK_LINE)
        elif tag in PARAGRAPHS or tag == "li":
            self._break(LINE if self.lists else BLANK_LINE)

    def handle_data(self, data):
        if not self.current:
            if not data.strip():
                return  # the spacing between blocks
            if self.lines and self.gap == BLANK_LINE:
                self.lines.append("")
            if self.bullet:
                self.current.append(BULLET)
            self.gap, self.bullet = 0, False
        self.current.append(data)


def body_text(body_html):
    """Blocks on their own lines: paragraphs apart, list items as "• item"."""
    parser = _Text()
    parser.feed(body_html or "")
    parser.close()
    parser._break(0)
    return "\n".join(parser.lines)


def trimmed(text, length):
    """``text`` cut to at most ``length`` characters, at a space or line end when there is
    one in its second half, with "…"; its lines kept."""
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    end = max(cut.rfind(" "), cut.rfind("\n"))
    if end > length // 2:
        cut = cut[:end]
    return cut.rstrip() + "\u2026"


def excerpt(text, length=EXCERPT_LENGTH):
    """One line of at most ``length`` characters, cut at a word with "…"."""
    return trimmed(" ".join(text.split()), length)
