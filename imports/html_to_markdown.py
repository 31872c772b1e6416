"""HTML from an export -> Markdown for ``blog.markup``.

Why convert instead of keeping the HTML: ``blog.markup`` escapes raw HTML (an author's
``<b>`` shows as text), so kept HTML would show its tags. Converting gives the imported post
the same Markdown source every other post has, editable in the admin. Safety does not depend
on this module: whatever it writes is Markdown, rendered and sanitised by ``blog.markup``
(any HTML left in it is escaped there). Tags it does not know keep their text.

One pass of ``html.parser`` (linear in the input, no regular expressions over the text).
``autop=True`` applies WordPress's wpautop rule to text outside tags: a blank line starts a
paragraph and a single line break is a line break.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote

BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "center", "dd", "details", "div", "dl", "dt"),
        *("figcaption", "figure", "footer", "form", "header", "main", "nav", "p"),
        *("section", "summary"),
    }
)
HEADINGS = {"h1": 2, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
DROPPED = frozenset({"script", "style", "noscript", "template", "head", "title", "select"})
VOID = frozenset(
    {"br", "hr", "img", "input", "meta", "link", "wbr", "source", "area", "col", "embed", "param"}
)
MEDIA = frozenset({"video", "audio", "object", "embed"})
"""Players the site does not show: each becomes a link to its address (``src``, ``data``, a
``<source>``'s or ``<embed>``'s ``src``, a ``<param name="movie">``) and a note."""
MEDIA_PARAMS = frozenset({"movie", "src", "url", "filename", "file"})
AUDIO_SUFFIXES = (".mp3", ".m4a", ".ogg", ".oga", ".wav", ".flac", ".aac", ".opus")
INLINE_ESCAPES = {"\\": "\\\\", "`": "\\`", "*": "\\*", "[": "\\[", "]": "\\]"}
LINE_START_SPECIAL = frozenset("#>-+=:")
SUPERSCRIPTS = dict(
    zip(
        "0123456789+-\u2212=()abcdefghijklmnoprstuvwxyz",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ",
        strict=True,
    )
)
SUBSCRIPTS = dict(
    zip(
        "0123456789+-\u2212=()aehklmnopstx",
        "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕₖₗₘₙₒₚₛₜₓ",
        strict=True,
    )
)
"""Markdown has no superscript or subscript and blog.markup escapes raw HTML, so <sup> and
<sub> become these Unicode characters; text with a character missing here stays as written
and is listed in ``Converted.notes``."""
MAX_NESTING = 16
"""Deepest list or quote kept (blog.markup keeps as many); deeper ones are flattened, so the
Markdown never grows faster than the HTML (each line carries one prefix per level)."""


def escape_text(text, *, in_table=False):
    """Plain text as Markdown that shows it as typed (linear, no regex)."""
    out = []
    n = len(text)
    for i, char in enumerate(text):
        if char in INLINE_ESCAPES:
            out.append(INLINE_ESCAPES[char])
        elif char == "&":
            out.append("&amp;")
        elif char == "<":
            out.append("&lt;")
        elif char == "|" and in_table:
            out.append("\\|")
        elif char == "_" and (
            i == 0 or i == n - 1 or not text[i - 1].isalnum() or not text[i + 1].isalnum()
        ):
            out.append("\\_")
        else:
            out.append(char)
    return "".join(out)


def unescape_text(text):
    """The inverse of ``escape_text`` (code spans show their text as typed). Linear."""
    out = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n:
            out.append(text[i + 1])
            i += 2
        elif text.startswith("&lt;", i):
            out.append("<")
            i += 4
        elif text.startswith("&amp;", i):
            out.append("&")
            i += 5
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _escape_line_start(line):
    stripped = line.lstrip(" ")
    if not stripped:
        return ""
    if stripped[0] in LINE_START_SPECIAL:
        return "\\" + stripped
    digits = 0
    while digits < len(stripped) and stripped[digits].isdigit():
        digits += 1
    if 0 < digits < 10 and stripped[digits : digits + 1] in (".", ")"):
        return stripped[:digits] + "\\" + stripped[digits:]
    return stripped


def link_destination(url):
    """A URL as a Markdown link destination: spaces and brackets percent-encoded."""
    return quote(url.strip(), safe="/:?#[]@!$&'*+,;=%~-._")


IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".bmp", ".tif", ".tiff")


def _is_image_address(url):
    path = url.split("#", 1)[0].split("?", 1)[0].lower()
    return path.endswith(IMAGE_SUFFIXES)


CITATION_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212")
CITATION_CHARS = frozenset("0123456789, ") | CITATION_DASHES
UNIT_WORD_MAX = 3
"""A superscript number right after a word of more letters than this (``trials<sup>4</sup>``)
is a reference; after a shorter one (``m<sup>2</sup>``, ``cm<sup>3</sup>``, ``mol``) it is an
exponent."""


def citation_marker(text, *, before=""):
    """``12,13`` / ``1-3`` in a superscript as the reference marker ``[12,13]`` / ``[1–3]``, or
    ``""`` when it reads as an exponent (``10<sup>9</sup>``, ``m<sup>2</sup>``,
    ``s<sup>-1</sup>``). Linear, no regex.

    A citation is made only of digits, commas, dashes and spaces, and either holds a comma or
    a dash between digits, or follows a word directly (``trials<sup>4</sup>``)."""
    text = text.strip()
    if not text or not all(char in CITATION_CHARS for char in text):
        return ""
    compact = "".join(text.split())
    if not compact[0].isdigit() or not compact[-1].isdigit():
        return ""  # "-1" is a negative exponent; "1-" or ",2" nothing we know
    out = []
    separated = False
    for index, char in enumerate(compact):
        if char.isdigit():
            out.append(char)
        elif char == "," or char in CITATION_DASHES:
            if not compact[index - 1].isdigit() or not compact[index + 1].isdigit():
                return ""  # "1,,2" or "1--3": not a reference list
            out.append("," if char == "," else "\u2013")
            separated = True
    if not separated:
        word = 0
        for char in reversed(before):
            if not char.isalpha():
                break
            word += 1
        after_word = word > UNIT_WORD_MAX
        after_sentence = bool(before) and before.rstrip()[-1:] in (".", ",", ";", ":", ")")
        if not (after_word or after_sentence):
            return ""
    return "[" + "".join(out) + "]"


def _text_before(buffer, position, *, enough=16):
    """The last few characters written before ``position`` (for the word a superscript
    follows)."""
    pieces = []
    size = 0
    for piece in reversed(buffer[:position]):
        pieces.append(piece)
        size += len(piece)
        if size >= enough:
            break
    return "".join(reversed(pieces))


@dataclass
class Converted:
    markdown: str
    images: list[str] = field(default_factory=list)  # every image address met
    notes: list[str] = field(default_factory=list)  # what could not be kept as it was


@dataclass
class _Container:
    first: str
    rest: str
    tag: str = ""
    used: bool = False


class _Converter(HTMLParser):
    def __init__(self, *, autop, image, tables, headings=True):
        super().__init__(convert_charrefs=True)
        self.autop = autop
        self.image = image
        self.tables = tables
        self.headings = headings
        self.row_cells = 0
        self.blocks: list[str] = []
        self.inline: list[str] = []
        self.containers: list[_Container] = []
        self.lists: list[list] = []  # [kind, next number]
        self.marks: list[tuple[str, int, str]] = []  # (tag, position in inline, marker)
        self.links: list[tuple[int, str]] = []
        self.open_markers: dict[str, int] = {}
        self.heading = 0
        self.pre: list[str] | None = None
        self.dropped = 0
        self.table: list[list[str]] | None = None
        self.cell: list[str] | None = None
        self.images: list[str] = []
        self.last_image = ""
        self.scripts: list[tuple[str, int]] = []  # open <sup>/<sub>: (tag, position)
        self.media: list[str] = []  # open <video>/<audio>/<object>: what is inside is dropped
        self.media_url = ""
        self.notes: list[str] = []

    # ---------------------------------------------------------------- blocks
    def flush(self):
        if not self.inline:
            return
        text = "".join(self.inline)
        self.inline = []
        # Bold, italics and links cannot span paragraphs in Markdown: ones left open at a
        # block's end are dropped (their text stays), which also keeps this step O(1).
        self.marks, self.links, self.open_markers, self.scripts = [], [], {}, []
        lines = [_escape_line_start(line).rstrip(" ") for line in text.split("\n")]
        if self.heading:
            words = " ".join(line for line in lines if line.strip())
            if words:
                self.emit(["#" * self.heading + " " + words])
            return
        # Two line breaks in a row (Blogger's <br /><br />) end a paragraph.
        paragraph = []
        for line in [*lines, ""]:
            if line.strip():
                paragraph.append(line)
            elif paragraph:
                self.emit([line + "  " for line in paragraph[:-1]] + [paragraph[-1]])
                paragraph = []

    def emit(self, lines):
        out = []
        shown = self.containers[:MAX_NESTING]  # deeper ones are flattened: no prefix
        for index, line in enumerate(lines):
            prefix = "".join(c.first if index == 0 and not c.used else c.rest for c in shown)
            out.append(prefix + line if line else prefix.rstrip())
        for c in shown:
            c.used = True
        self.blocks.append("\n".join(out))

    def _contain(self, tag, first, rest):
        if len(self.containers) >= MAX_NESTING:
            first = rest = ""
        self.containers.append(_Container(first, rest, tag=tag))

    def _uncontain(self, tag):
        if self.containers and self.containers[-1].tag == tag:
            self.containers.pop()

    def add(self, text):
        if self.cell is not None:
            self.cell.append(text)
        else:
            self.inline.append(text)

    def _buffer(self):
        return self.cell if self.cell is not None else self.inline

    # ---------------------------------------------------------------- parser events
    def handle_starttag(self, tag, attrs):
        attrs = {k: (v or "") for k, v in attrs}
        if self.media:
            self._media_inside(tag, attrs)
            return
        if self.dropped or tag in DROPPED:
            if tag in DROPPED and tag not in VOID:
                self.dropped += 1
            return
        if self.pre is not None:
            if tag == "br":
                self.pre.append("\n")
            return
        if tag == "br":
            if self.cell is not None:
                self.add(" ")
            else:
                self.add("\n")
        elif tag == "img":
            self._image(attrs)
        elif tag == "iframe":
            src = attrs.get("src", "").strip()
            if src:
                self.flush()
                self.add(f"[Embedded content]({link_destination(src)})")
                self.flush()
                self.notes.append("an embedded frame became a link")
            self.dropped += 1
        elif tag in MEDIA:
            self.media_url = (attrs.get("src") or attrs.get("data") or "").strip()
            if tag in VOID:
                self._end_media(tag)
            else:
                self.media.append(tag)
        elif self.table is not None and tag in ("tr", "td", "th"):
            if tag == "tr":
                self.table.append([])
            else:
                if not self.table:
                    self.table.append([])
                self.cell = []
        elif tag == "table":
            self.flush()
            if self.tables and self.table is None:
                self.table = []
        elif not self.tables and tag in ("td", "th"):
            # Where tables are not shown (comments), a row is one line, cells apart by " | ".
            if self.row_cells:
                self.add(" | ")
            self.row_cells += 1
        elif not self.tables and tag == "tr":
            self.flush()
            self.row_cells = 0
        elif tag in ("b", "strong", "em", "i", "cite", "del", "s", "strike", "code", "tt"):
            marker = {"b": "**", "strong": "**", "code": "`", "tt": "`"}.get(tag, "*")
            if tag in ("del", "s", "strike"):
                marker = "~~"
            if self.open_markers.get(marker):
                marker = ""  # bold inside bold means nothing: no nesting to copy
            self.open_markers[marker] = self.open_markers.get(marker, 0) + 1
            self.marks.append((tag, len(self._buffer()), marker))
        elif tag in ("sup", "sub"):
            self.scripts.append((tag, len(self._buffer())))
        elif tag == "a":
            if self.links:  # a link cannot hold a link: the open one ends here (as in HTML)
                self._close_link()
            self.links.append((len(self._buffer()), attrs.get("href", "").strip()))
        elif tag in HEADINGS:
            self.flush()
            # A comment shows no headings: there the heading is a bold line of its own.
            self.heading = HEADINGS[tag] if self.headings else 0
            if not self.headings:
                self.marks.append((tag, len(self._buffer()), "**"))
                self.open_markers["**"] = self.open_markers.get("**", 0) + 1
        elif tag in ("ul", "ol"):
            self.flush()
            start = attrs.get("start", "").strip()
            number = int(start) if start.isdigit() and len(start) < 10 else 1
            self.lists.append([tag, number])
        elif tag == "li":
            self.flush()
            self._uncontain(f"li{len(self.lists)}")  # the previous item's </li> left out
            kind, number = self.lists[-1] if self.lists else ("ul", 1)
            if self.lists:
                self.lists[-1][1] += 1
            marker = f"{number}. " if kind == "ol" else "- "
            self._contain(f"li{len(self.lists)}", marker.ljust(4), "    ")
        elif tag == "blockquote":
            self.flush()
            self._contain("blockquote", "> ", "> ")
        elif tag == "pre":
            self.flush()
            self.pre = []
        elif tag == "hr":
            self.flush()
            self.emit(["* * *"])
        elif tag in BLOCK_TAGS or tag in ("table", "tr", "td", "th", "tbody", "thead"):
            self.flush()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self.media:
            if tag == self.media[-1]:
                self.media.pop()
                if not self.media:
                    self._end_media(tag)
            return
        if self.dropped:
            if tag in DROPPED or tag == "iframe":
                self.dropped -= 1
            return
        if self.pre is not None:
            if tag == "pre":
                self._end_pre()
            return
        if tag in ("b", "strong", "em", "i", "cite", "del", "s", "strike", "code", "tt"):
            self._close_mark(tag)
        elif tag in ("sup", "sub"):
            self._close_script(tag)
        elif tag == "a":
            self._close_link()
        elif self.table is not None and tag in ("td", "th"):
            if self.cell is not None:
                self.table[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "table" and self.table is not None:
            self._end_table()
        elif tag in HEADINGS:
            if not self.headings:
                self._close_mark(tag)
            self.flush()
            self.heading = 0
        elif tag == "li":
            self.flush()
            self._uncontain(f"li{len(self.lists)}")
        elif tag in ("ul", "ol"):
            self.flush()
            self._uncontain(f"li{len(self.lists)}")  # an item whose </li> was left out
            if self.lists:
                self.lists.pop()
        elif tag == "blockquote":
            self.flush()
            self._uncontain("blockquote")
        elif tag in BLOCK_TAGS or tag in ("table", "tr"):
            self.flush()

    def handle_data(self, data):
        if self.dropped or self.media:
            return
        if self.pre is not None:
            self.pre.append(data)
            return
        in_table = self.cell is not None
        if self.autop and not in_table:
            paragraphs = data.replace("\r\n", "\n").split("\n\n")
            for index, part in enumerate(paragraphs):
                if index:
                    self.flush()
                if part.strip():
                    lines = part.split("\n")
                    # The space after a closing </b> or </a> is the word break: keep it.
                    lead = " " if part[:1].isspace() else ""
                    tail = " " if part[-1:].isspace() else ""
                    text = "\n".join(
                        escape_text(" ".join(line.split()), in_table=in_table)
                        for line in lines
                        if line.strip()
                    )
                    self.add(lead + text + tail)
                elif part:
                    self.add(" ")
            return
        collapsed = " ".join(data.split())
        if not collapsed:
            if data:
                self.add(" ")
            return
        lead = " " if data[:1].isspace() else ""
        tail = " " if data[-1:].isspace() else ""
        self.add(lead + escape_text(collapsed, in_table=in_table) + tail)

    # ---------------------------------------------------------------- players
    def _media_inside(self, tag, attrs):
        """Inside a player: only its address counts (the fallback text is dropped)."""
        if self.media_url:
            url = ""
        elif tag in ("source", "embed") or tag in MEDIA:
            url = attrs.get("src") or attrs.get("data") or ""
        elif tag == "param" and attrs.get("name", "").strip().lower() in MEDIA_PARAMS:
            url = attrs.get("value", "")
        else:
            url = ""
        if url.strip():
            self.media_url = url.strip()
        if tag in MEDIA and tag not in VOID and len(self.media) < MAX_NESTING:
            self.media.append(tag)

    def _end_media(self, tag):
        url, self.media_url = self.media_url, ""
        if not url:
            self.notes.append(f"<{tag}> without an address removed")
            return
        path = url.split("#", 1)[0].split("?", 1)[0].lower()
        kind = "Audio" if tag == "audio" or path.endswith(AUDIO_SUFFIXES) else "Video"
        self.flush()
        self.add(f"[{kind}: {escape_text(url)}]({link_destination(url)})")
        self.flush()
        self.notes.append(f"<{tag}> became a link to {url[:80]}")

    # ---------------------------------------------------------------- inline pieces
    def _image(self, attrs):
        src = attrs.get("src", "").strip()
        if not src:
            return
        self.images.append(src)
        alt = " ".join(attrs.get("alt", "").split())
        title = " ".join(attrs.get("title", "").split())
        made = self.image(src, alt, title) if self.image else None
        if made is None:
            label = escape_text(alt or title or src.rsplit("/", 1)[-1] or "image")
            made = f"[Image: {label}]({link_destination(src)})"
        self.last_image = made
        if made.startswith("![") and self.cell is None and not self.links:
            self.flush()
            self.add(made)
            self.flush()
        else:
            self.add(made)

    def _close_mark(self, tag):
        for index in range(len(self.marks) - 1, -1, -1):
            if self.marks[index][0] == tag:
                _tag, position, marker = self.marks.pop(index)
                self.open_markers[marker] -= 1
                break
        else:
            return
        buffer = self._buffer()
        inner = "".join(buffer[position:])
        del buffer[position:]
        stripped = inner.strip()
        if not marker or not stripped or "\n" in stripped:
            buffer.append(inner)
            return
        if marker == "`":
            raw = unescape_text(stripped)
            fence = "``" if "`" in raw else "`"
            stripped = f"{fence} {raw} {fence}" if fence == "``" else f"`{raw}`"
            marker = ""
        lead = inner[: len(inner) - len(inner.lstrip())]
        tail = inner[len(inner.rstrip()) :]
        buffer.append(f"{lead}{marker}{stripped}{marker}{tail}")

    def _close_script(self, tag):
        """``10<sup>9</sup>`` -> ``10⁹``; ``HbA<sub>1c</sub>`` stays ``HbA1c`` (noted)."""
        for index in range(len(self.scripts) - 1, -1, -1):
            if self.scripts[index][0] == tag:
                _tag, position = self.scripts.pop(index)
                break
        else:
            return
        buffer = self._buffer()
        if position > len(buffer):  # a block ended inside it: the text is already out
            return
        inner = "".join(buffer[position:])
        stripped = inner.strip()
        if not stripped:
            return
        if tag == "sup":
            before = _text_before(buffer, position)
            marker = citation_marker(stripped, before=before)
            if marker:
                del buffer[position:]
                gap = "" if not before or before[-1].isspace() or before[-1] in "([" else " "
                buffer.append(gap + escape_text(marker))
                return
        table = SUPERSCRIPTS if tag == "sup" else SUBSCRIPTS
        if all(char in table for char in stripped):
            del buffer[position:]
            buffer.append("".join(table[char] for char in stripped))
        else:
            kind = "superscript" if tag == "sup" else "subscript"
            self.notes.append(
                f"{kind} \u201c{' '.join(stripped.split())[:40]}\u201d kept as plain text"
            )

    def _close_link(self):
        if not self.links:
            return
        position, href = self.links.pop()
        buffer = self._buffer()
        inner = "".join(buffer[position:])
        del buffer[position:]
        text = " ".join(inner.split())
        if not href or href.startswith("#"):
            buffer.append(inner)
            return
        if not text:
            text = escape_text(href)
        if text == self.last_image and text.startswith("[Image: "):
            # A linked image (WordPress links each to its full size): one link, not a link
            # inside a link. To the image itself when the link goes to an image file.
            label, image_target = text[1:-1].rsplit("](", 1)
            target = image_target if _is_image_address(href) else link_destination(href)
            buffer.append(f"[{label}]({target})")
            return
        lead = " " if inner[:1].isspace() else ""
        tail = " " if inner[-1:].isspace() else ""
        buffer.append(f"{lead}[{text}]({link_destination(href)}){tail}")

    def _end_pre(self):
        text = "".join(self.pre).strip("\n")
        self.pre = None
        if not text.strip():
            return
        fence = "```"
        while fence in text:
            fence += "`"
        self.emit([fence, *text.split("\n"), fence])

    def _end_table(self):
        rows = [row for row in self.table if row]
        self.table, self.cell = None, None
        if not rows:
            return
        width = max(len(row) for row in rows)
        rows = [row + [""] * (width - len(row)) for row in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
        lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
        self.emit(lines)

    def close(self):
        super().close()
        if self.media:
            tag = self.media[0]
            self.media = []
            self._end_media(tag)
        if self.pre is not None:
            self._end_pre()
        if self.table is not None:
            self._end_table()
        self.flush()


def html_to_markdown(
    html: str,
    *,
    autop: bool = False,
    image: Callable[[str, str, str], str | None] | None = None,
    tables: bool = True,
    headings: bool = True,
) -> Converted:
    """``html`` as Markdown. ``image(src, alt, title)`` may return the Markdown for an
    image (a media-library reference); otherwise an image becomes a link to its address."""
    converter = _Converter(autop=autop, image=image, tables=tables, headings=headings)
    converter.feed(html or "")
    converter.close()
    return Converted(
        "\n\n".join(b for b in converter.blocks if b.strip()),
        converter.images,
        converter.notes,
    )


def html_to_text(html: str) -> str:
    """The text of ``html``, white space collapsed (summaries, names)."""
    parts: list[str] = []

    class _Text(HTMLParser):
        def handle_data(self, data):
            parts.append(data)

    parser = _Text(convert_charrefs=True)
    parser.feed(html or "")
    parser.close()
    return " ".join("".join(parts).split())
