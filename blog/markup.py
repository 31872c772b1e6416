"""Markdown -> sanitised HTML, one policy for posts and one for comments.

The pipeline, in order:

1. ``_clean_source``: drop NUL and the other C0 control characters (PostgreSQL rejects NUL,
   and Python-Markdown uses STX/ETX as internal placeholders, so an author must not be able
   to type them), replace lone surrogates with U+FFFD, and cap container nesting
   (``>``/list markers at the start of a line) at ``MAX_NESTING`` levels.
2. Python-Markdown with its raw-HTML handling switched off. **Raw HTML is escaped, not
   stripped**: ``<script>alert(1)</script>`` written by an author or commenter is shown as that
   text, so nothing they typed is lost and nothing they typed becomes markup. ``p<0·0001``
   therefore stays ``p<0·0001`` on screen. Character references (``&mdash;``) keep their
   Markdown meaning. No smartypants: quotes and dashes are left as typed.
3. A tree processor links bare http(s) addresses, DOIs (``doi:10.…``, ``DOI 10.…``) to
   https://doi.org/ and trial registry ids (NCT, ISRCTN, EudraCT) to their registry, never
   inside links, code or pre. Posts also get footnotes and table alignment as the sanitiser
   allows them (``blog.markup_notes``) and media-library images (``blog.markup_images``).
4. ``sanitize_html`` (bleach, the only call to it) with our own allow-lists: defence in depth
   for whatever Markdown produced, and the place where comment links get
   ``rel="nofollow ugc noopener"``.

Hostile shapes never blow up: nesting is capped in the source, ``_InlineGuard`` shows runs of
Markdown punctuation literally, and text whose shape would make Markdown or bleach slow
(``_too_costly``), or on which Markdown fails (deep recursion or anything else), is rendered
as escaped plain-text paragraphs instead (safe by construction, no bleach needed).
"""

from __future__ import annotations

import gc
import hashlib
import html
import logging
import re
import signal
import sys
import threading
import time
import xml.etree.ElementTree as etree
from collections import Counter, OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote

import bleach
import markdown
from bleach.html5lib_shim import Filter
from markdown.extensions import Extension
from markdown.inlinepatterns import SimpleTagInlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE, ETX, STX, AtomicString

from blog.markup_images import SIZES, LibraryImages, mentioned_images
from blog.markup_notes import AlignmentClasses, FootnoteIds
from blog.post_html_hooks import apply_post_html_hooks

logger = logging.getLogger(__name__)

DOI_RESOLVER = "https://doi.org/"
ALLOWED_PROTOCOLS = ("http", "https", "mailto")
COMMENT_LINK_REL = "nofollow ugc noopener"
MAX_NESTING = 16
"""Deepest run of blockquote/list markers kept at the start of a line; the rest are dropped."""

# --------------------------------------------------------------------------- allow-lists

POST_TAGS = frozenset(
    {
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "p",
        "br",
        "hr",
        "strong",
        "em",
        "b",
        "i",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "abbr",
        "sup",
        "sub",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "img",
        "figure",
        "figcaption",
        "dl",
        "dt",
        "dd",
        "del",
        "ins",
        "div",
    }
)
COMMENT_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "a",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
    }
)

_LANGUAGE_CLASS = re.compile(r"language-[\w.+-]{1,40}")
_CONTROL_AND_SPACE = re.compile(r"[\x00-\x20\x7f-\xa0\s]+")


def _uri_scheme(value):
    """The scheme a browser would see, lowercased ('' for a relative URL)."""
    value = _CONTROL_AND_SPACE.sub("", html.unescape(value)).lower()
    scheme, sep, _ = value.partition(":")
    if not sep or "/" in scheme or "?" in scheme or "#" in scheme:
        return ""
    return scheme


def is_same_site_path(value):
    """A root-relative path such as ``/static/figure.png`` (not ``//host`` nor ``/\\host``)."""
    value = _CONTROL_AND_SPACE.sub("", html.unescape(value or ""))
    return value.startswith("/") and value[1:2] not in ("/", "\\")


_DIMENSION = re.compile(r"[1-9][0-9]{0,4}")
_SRCSET_CANDIDATE = re.compile(r"(?P<url>\S+) (?P<width>[1-9][0-9]{0,4})w")
_IMG_KEYWORDS = {"loading": ("lazy", "eager"), "decoding": ("async",)}


def _same_site_srcset(value):
    """``/media/a-480.jpg 480w, /media/a-960.jpg 960w``: every candidate on this site."""
    candidates = [part.strip() for part in value.split(",")]
    for candidate in candidates:
        match = _SRCSET_CANDIDATE.fullmatch(candidate)
        if match is None or not is_same_site_path(match["url"]):
            return False
    return bool(candidates)


def _allow_img_attribute(tag, name, value):
    """Images: alt and title, and a src on this site: pages make no third-party requests.
    Library images (blog.markup_images) add srcset (on this site too), sizes, width, height
    and the loading hints."""
    if name in ("alt", "title"):
        return True
    if name == "src":
        return is_same_site_path(value)
    if name == "srcset":
        return _same_site_srcset(value)
    if name in ("width", "height"):
        return _DIMENSION.fullmatch(value) is not None
    if name == "sizes":
        return value == SIZES
    return value in _IMG_KEYWORDS.get(name, ())


_FOOTNOTE_LINK_CLASSES = ("footnote-ref", "footnote-backref")
_FOOTNOTE_IDS = {
    "li": re.compile(r"fn-[1-9][0-9]{0,3}"),
    "sup": re.compile(r"fnref-[1-9][0-9]{0,3}(?:-[1-9][0-9]{0,3})?"),
}


def _allow_link_attribute(tag, name, value):
    """Links: href (its scheme checked by bleach) and title; footnote links their class."""
    if name in ("href", "title"):
        return True
    return name == "class" and value in _FOOTNOTE_LINK_CLASSES


def _allow_footnote_id(tag, name, value):
    """Only the ids blog.markup_notes gives footnotes (``fn-3``, ``fnref-3``, ``fnref-3-2``):
    an author's label never becomes an id, so it cannot clash with the page's own."""
    return name == "id" and _FOOTNOTE_IDS[tag].fullmatch(value) is not None


def _allow_code_attribute(tag, name, value):
    """Fenced code may say its language (``class="language-python"``), nothing more."""
    return name == "class" and _LANGUAGE_CLASS.fullmatch(value) is not None


ALIGNMENT_CLASSES = ("align-left", "align-center", "align-right")


def _allow_cell_attribute(tag, name, value):
    """Table column alignment, as a class (blog.markup_notes maps Markdown's
    ``style="text-align: …"`` to it: no style attribute is ever kept, and ``align`` is
    obsolete HTML)."""
    return name == "class" and value in ALIGNMENT_CLASSES


def _allow_footnotes_block(tag, name, value):
    return name == "class" and value == "footnote"


POST_ATTRIBUTES = {
    "a": _allow_link_attribute,
    "abbr": ["title"],
    "img": _allow_img_attribute,
    "code": _allow_code_attribute,
    "th": _allow_cell_attribute,
    "td": _allow_cell_attribute,
    "ol": ["start"],
    "div": _allow_footnotes_block,
    "sup": _allow_footnote_id,
    "li": _allow_footnote_id,
}
COMMENT_ATTRIBUTES = {
    "a": ["href", "title"],
    "ol": ["start"],
}


@dataclass(frozen=True)
class Policy:
    """What ``sanitize_html`` keeps: tags, attributes per tag, and a forced ``rel`` on links."""

    name: str
    tags: frozenset
    attributes: dict = field(hash=False)
    link_rel: str = ""
    max_escaped_chars: int = 10_000
    """Each ``<`` or ``&`` costs bleach 10-25 microseconds: beyond this many, plain text."""


POST_POLICY = Policy("post", POST_TAGS, POST_ATTRIBUTES)
COMMENT_POLICY = Policy(
    "comment",
    COMMENT_TAGS,
    COMMENT_ATTRIBUTES,
    link_rel=COMMENT_LINK_REL,
    # Keeps any accepted comment under ~25 ms even on a busy machine; a reader's comment
    # with more than a thousand angle brackets or ampersands loses only its formatting.
    max_escaped_chars=1_000,
)


# --------------------------------------------------------------------------- sanitising


def _rel_filter(rel):
    class ForceLinkRel(Filter):
        """Sets ``rel`` on every link, replacing whatever was there."""

        def __iter__(self):
            for token in super().__iter__():
                if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                    attrs = dict(token["data"])
                    attrs[(None, "rel")] = rel
                    token["data"] = attrs
                yield token

    return ForceLinkRel


_local = threading.local()


def _cleaner(policy):
    """One bleach Cleaner per policy per thread (a Cleaner is not thread-safe)."""
    cleaners = _local.__dict__.setdefault("cleaners", {})
    cleaner = cleaners.get(policy.name)
    if cleaner is None:
        cleaner = cleaners[policy.name] = bleach.Cleaner(
            tags=policy.tags,
            attributes=policy.attributes,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[_rel_filter(policy.link_rel)] if policy.link_rel else [],
        )
    return cleaner


def sanitize_html(html_text, *, policy):
    """Keep only what ``policy`` allows. The one and only place bleach is called.

    Disallowed tags are stripped (their text kept); disallowed attributes and links whose
    scheme is not http, https or mailto are dropped; comments are removed.
    """
    return _cleaner(policy).clean(html_text)


# --------------------------------------------------------------------------- DOIs and registries

_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
_DOI_SAFE = "/():;@!$*+,=~"

_REGISTRIES = (
    ("ClinicalTrials.gov", re.compile(r"NCT\d{8}"), "https://clinicaltrials.gov/study/{}"),
    ("ISRCTN registry", re.compile(r"ISRCTN\d{8}"), "https://www.isrctn.com/{}"),
    (
        "EU Clinical Trials Register",
        re.compile(r"(?:19|20)\d\d-\d{6}-\d\d"),
        "https://www.clinicaltrialsregister.eu/ctr-search/search?query={}",
    ),
)
# A bare address: http(s)://, then anything but space, quotes, angle brackets and Markdown's
# placeholders (STX/ETX). Nothing follows the greedy runs that could fail, so no backtracking.
_BARE_URL = r"(?P<url>\b[Hh][Tt][Tt][Pp][Ss]?://[^\s<>\"\x02\x03/?#]+[^\s<>\"\x02\x03]*)"
# Not STX/ETX: Markdown's placeholders (the footnote back-link's space is one) end a DOI.
_IDENTIFIERS = (
    r"(?:[Dd][Oo][Ii]:[ \t]?|DOI[ \t])(?P<doi>10\.\d{4,9}/[^\s<>\"\x02\x03]+)"
    r"|\b(?:NCT\d{8}|ISRCTN\d{8}|(?:19|20)\d\d-\d{6}-\d\d)\b"
)
_LINKABLE_IN_TEXT = re.compile(_IDENTIFIERS + r"|(?P<url>(?!))")
"""Comments: DOIs and registry ids only (a commenter's bare address stays text, as before:
their links are counted by the moderation policy)."""
_LINKABLE_IN_POST_TEXT = re.compile(_BARE_URL + "|" + _IDENTIFIERS)
"""Posts: bare http(s) addresses too (``https://doi.org/…`` among them)."""


def _trim_doi(doi):
    """Drop trailing punctuation that belongs to the sentence, not the DOI.

    A closing bracket is kept only while it balances an opening one inside the DOI,
    so ``doi:10.1016/S0140-6736(12)61768-1).`` ends at ``-1``. One pass from the end, with
    running counts: counting afresh for each character made ``10.1/x`` + 100,000 ``)`` take
    seconds.
    """
    closers = {")": "(", "]": "["}
    counts = {char: doi.count(char) for char in "()[]"}
    end = len(doi)
    while end:
        last = doi[end - 1]
        unbalanced = last in closers and counts[closers[last]] < counts[last]
        if not (last in ".,;:!?'\"" or unbalanced):
            break
        if last in counts:
            counts[last] -= 1
        end -= 1
    return doi[:end]


def doi_url(doi):
    """https://doi.org/<doi>, path-escaped: ``/`` and ``()`` stay readable, spaces and quotes don't.

    A leading ``doi:`` or ``https://doi.org/`` is tolerated and removed.
    """
    doi = _DOI_PREFIX.sub("", doi.strip())
    return DOI_RESOLVER + quote(doi, safe=_DOI_SAFE)


def _registry(registration):
    value = registration.strip().upper()
    for name, pattern, url in _REGISTRIES:
        if pattern.fullmatch(value):
            return name, url.format(value)
    return "", ""


def registry_name(registration):
    """ "ClinicalTrials.gov", "ISRCTN registry" or "EU Clinical Trials Register"; "" if unknown."""
    return _registry(registration)[0]


def registry_url(registration):
    """The registry page of a trial id (NCT, ISRCTN or EudraCT number); "" if unrecognised."""
    return _registry(registration)[1]


def _links_in(text, pattern=_LINKABLE_IN_TEXT):
    """(start, end, href) of every bare address, DOI and registry id in ``text``, in order."""
    found = []
    for match in pattern.finditer(text):
        if match.group("url"):
            url = _trim_doi(match.group("url"))  # the sentence's punctuation, as for DOIs
            if "://" in url and not url.endswith("://"):
                found.append((match.start(), match.start() + len(url), url))
        elif match.group("doi"):
            doi = _trim_doi(match.group("doi"))
            if "/" in doi and not doi.endswith("/"):
                found.append((match.start(), match.start("doi") + len(doi), doi_url(doi)))
        else:
            found.append((match.start(), match.end(), registry_url(match.group())))
    return found


class _AutoLinker(Treeprocessor):
    """Turns DOIs and trial registry ids (and in posts bare http(s) addresses) in text nodes
    into links (not in a, code, pre)."""

    SKIP = frozenset({"a", "code", "pre"})

    def __init__(self, md, *, pattern=_LINKABLE_IN_TEXT):
        super().__init__(md)
        self.pattern = pattern

    def run(self, root):
        for code in root.iter("code"):
            if code.text and STX in code.text:
                code.text = _PLACEHOLDER.sub(lambda m: chr(int(m.group(1))), code.text)
        stack = [root]
        while stack:
            element = stack.pop()
            children = list(element)
            links = _links_in(element.text or "", self.pattern)
            if links:
                element.text = self._split(element, element.text, links, 0)
            inserted = len(element) - len(children)  # anchors added for element.text
            for position, child in enumerate(children):
                if child.tag not in self.SKIP:
                    stack.append(child)
                links = _links_in(child.tail or "", self.pattern)
                if links:
                    index = position + inserted + 1
                    child.tail = self._split(element, child.tail, links, index)
                    inserted += len(links)

    @staticmethod
    def _split(parent, text, links, index):
        """Insert links for ``links`` found in ``text`` at ``index`` of ``parent``.

        Returns the text before the first link, which stays where ``text`` was.
        """
        anchors = []
        for i, (start, end, href) in enumerate(links):
            anchor = etree.Element("a", {"href": href})
            anchor.text = text[start:end]
            following = links[i + 1][0] if i + 1 < len(links) else len(text)
            anchor.tail = text[end:following]
            anchors.append(anchor)
        for offset, anchor in enumerate(anchors):
            parent.insert(index + offset, anchor)
        return text[: links[0][0]]


_INLINE_SPECIALS = re.compile(r"[\\`*_\[!~&<\n]")
_BRACKETS = re.compile(r"[\[\]()]")
MAX_INLINE_SPECIALS = 2000
"""More Markdown-significant characters than this in one text node are shown literally."""
MAX_BRACKET_SCAN = 40_000
"""Characters Python-Markdown's link parsing may scan in one text node before ``[`` is literal."""


def _bracket_scan_cost(text):
    """How far Python-Markdown's link patterns would scan: for each ``[``, the distance to its
    matching ``]`` (or the end), and for each ``(`` opened right after a ``]``, to its ``)``."""
    squares, parens, cost, previous = [], [], 0, ""
    for match in _BRACKETS.finditer(text):
        char, at = match.group(), match.start()
        if char == "[":
            squares.append(at)
        elif char == "]" and squares:
            cost += at - squares.pop()
        elif char == "(":
            parens.append((at, previous == "]" and at and text[at - 1] == "]"))
        elif char == ")" and parens:
            start, counted = parens.pop()
            cost += (at - start) if counted else 0
        previous = char
    cost += sum(len(text) - at for at in squares)
    cost += sum(len(text) - at for at, counted in parens if counted)
    return cost


class _InlineGuard(Treeprocessor):
    """Keeps Python-Markdown's inline parsing near-linear on hostile text.

    Its inline patterns rebuild the text node on every match and its link patterns rescan to
    the end for every unmatched ``[``: a paragraph of 2,000 ``[`` takes seconds. In a text node
    with too many special characters, or too much bracket scanning ahead, those characters are
    replaced by Markdown's own escape placeholders, so they are shown literally, as typed.
    """

    def run(self, root):
        for element in root.iter():
            for attr in ("text", "tail"):
                value = getattr(element, attr)
                if value and not isinstance(value, AtomicString):
                    setattr(element, attr, self._guard(value))

    @staticmethod
    def _guard(text):
        specials = len(_INLINE_SPECIALS.findall(text))
        if specials > MAX_INLINE_SPECIALS:
            return _INLINE_SPECIALS.sub(_placeholder, text)
        if "[" in text and _bracket_scan_cost(text) > MAX_BRACKET_SCAN:
            return text.replace("[", _placeholder("["))
        return text


def _placeholder(char):
    char = char if isinstance(char, str) else char.group()
    return f"{STX}{ord(char)}{ETX}"


_PLACEHOLDER = re.compile(f"{STX}([0-9]+){ETX}")


_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")


def dropped_scheme(href):
    """The scheme of ``href`` if the sanitiser would drop the link (``javascript``, ``ftp``,
    ``data``...); "" for http, https, mailto and relative addresses, which are kept."""
    scheme = _uri_scheme(href.replace(AMP_SUBSTITUTE, "&"))
    if _SCHEME.fullmatch(scheme) and scheme not in ALLOWED_PROTOCOLS:
        return scheme
    return ""


class _DroppedLinksAsText(Treeprocessor):
    """A link the sanitiser would leave without its address is shown as its text: an ``<a>``
    without ``href`` looks like a link and goes nowhere. The addresses are kept on the
    Markdown instance (``dropped_links``) so the author can be told."""

    def run(self, root):
        dropped = []
        for element in root.iter("a"):
            href = element.get("href", "")
            if dropped_scheme(href):
                dropped.append(href.replace(AMP_SUBSTITUTE, "&"))
                element.tag = "span"  # not allowed by either policy: bleach keeps its text
                element.attrib.clear()
        self.md.dropped_links = dropped


class _NoH1(Treeprocessor):
    """The page title is the h1; an author's ``#`` heading becomes an h2."""

    def run(self, root):
        for element in root.iter("h1"):
            element.tag = "h2"


class _OffSiteImagesAsLinks(Treeprocessor):
    """Pages make no third-party requests (and the CSP would block them): an image from
    another site becomes a link to it, so the reader still finds it in one click. The
    addresses are kept on the Markdown instance (``offsite_images``) to tell the author."""

    def run(self, root):
        self.md.offsite_images = offsite = []
        for element in root.iter("img"):
            src = element.get("src", "")
            if is_same_site_path(src):
                continue
            offsite.append(src.replace(AMP_SUBSTITUTE, "&"))
            label = element.get("alt") or src
            title = element.get("title")
            element.attrib.clear()
            element.tag = "a"
            element.set("href", src)
            if title:
                element.set("title", title)
            element.text = f"Image: {label}"


class _TrialpressExtension(Extension):
    """Raw HTML off, auto-links on; for comments also no headings, rules or images."""

    def __init__(self, *, comment, **kwargs):
        self.comment = comment
        super().__init__(**kwargs)

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's API)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_InlineGuard(md), "trialpress_inline_guard", 25)
        pattern = _LINKABLE_IN_TEXT if self.comment else _LINKABLE_IN_POST_TEXT
        md.treeprocessors.register(_AutoLinker(md, pattern=pattern), "trialpress_autolink", -10)
        md.treeprocessors.register(_DroppedLinksAsText(md), "trialpress_dropped_links", -20)
        if self.comment:
            for name in ("hashheader", "setextheader", "hr"):
                md.parser.blockprocessors.deregister(name)
            for name in ("image_link", "image_reference", "short_image_ref"):
                md.inlinePatterns.deregister(name)
        else:
            md.treeprocessors.register(_NoH1(md), "trialpress_no_h1", 5)
            # After inline patterns (20) and the footnotes extension's own (50, 15).
            md.treeprocessors.register(FootnoteIds(md), "trialpress_footnote_ids", 6)
            md.treeprocessors.register(AlignmentClasses(md), "trialpress_alignment", 6)
            md.treeprocessors.register(LibraryImages(md), "trialpress_library_images", 4.5)
            md.treeprocessors.register(_OffSiteImagesAsLinks(md), "trialpress_offsite_images", 4)
            md.inlinePatterns.register(
                SimpleTagInlineProcessor(r"(~~)(?=\S)(.+?)(?<=\S)~~", "del"), "del", 65
            )


def _markdown(policy):
    """One Markdown instance per policy per thread, reset between uses."""
    instances = _local.__dict__.setdefault("markdown", {})
    md = instances.get(policy.name)
    if md is None:
        comment = policy is COMMENT_POLICY
        extensions = [_TrialpressExtension(comment=comment), "sane_lists", "fenced_code"]
        extensions += ["nl2br"] if comment else ["tables", "def_list", "footnotes"]
        md = instances[policy.name] = markdown.Markdown(
            extensions=extensions,
            extension_configs={
                "footnotes": {"BACKLINK_TITLE": "Back to the text of note %d"},
            },
            output_format="html",
        )
    return md.reset()


# --------------------------------------------------------------------------- source clean-up

_UNWANTED_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Atomic: a marker, once matched, never gives back its spaces. Without it the spaces between
# markers can be split between neighbours in exponentially many ways when the match fails
# ("-    " * 12 + "x" took 4 s); with it each line start is scanned once.
_CONTAINER_MARKER = r"(?>[ ]{0,3}(?:>[ ]?|(?:[-*+]|\d{1,9}[.)])[ ]+))"
_DEEP_NESTING = re.compile(
    rf"^({_CONTAINER_MARKER}{{{MAX_NESTING}}}){_CONTAINER_MARKER}++", re.MULTILINE
)


def _clean_source(text):
    text = _UNWANTED_CHARS.sub("", text)
    text = _LONE_SURROGATE.sub("\ufffd", text)
    return _DEEP_NESTING.sub(r"\1", text)


PLAIN_TEXT_MARK = "<!-- shown as plain text: "
"""Starts the stored HTML of a text shown as plain text: only the fallback writes an HTML
comment (typed ``<!--`` is escaped and bleach strips comments), so it cannot be forged."""


def _plain_paragraphs(text, reason):
    """The fallback: escaped text, blank lines separating paragraphs, newlines kept as <br>."""
    paragraphs = _BLANK_LINE.split(text.replace("\r\n", "\n").replace("\r", "\n"))
    return f"{PLAIN_TEXT_MARK}{reason} -->\n" + "\n".join(
        "<p>" + html.escape(p.strip("\n"), quote=False).replace("\n", "<br>\n") + "</p>"
        for p in paragraphs
        if p.strip()
    )


def plain_text_reason(stored_html):
    """Why stored HTML from this module is escaped plain text rather than formatted Markdown
    ("" when it is formatted). For moderators' and authors' notes; costs no rendering."""
    if not (stored_html or "").startswith(PLAIN_TEXT_MARK):
        return ""
    return stored_html[len(PLAIN_TEXT_MARK) : stored_html.find(" -->")]


MAX_LINES_PER_BLOCK = 400
"""Python-Markdown re-splits a block once per line it consumes (quadratic): longer runs of
lines without a blank line are rendered as plain text."""
MAX_BLOCKS = 2000
"""bleach's tree walker is quadratic in the number of sibling elements."""
MAX_FENCE_SCAN = 20_000_000
"""Python-Markdown's fenced-code pattern scans to the end of the text for every fence line
that does not close (and copies the text for every one that does): fence lines times length
beyond this (about 20 ms of scanning) are plain text. A 100 KB post may have 100 code blocks."""
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_FENCE_LINE = re.compile(r"^(?:`{3}|~{3})", re.MULTILINE)

REASON_SHAPE = "its shape would make formatting too slow"
REASON_BUDGET = "formatting it took more than the CPU budget"
REASON_FAILED = "the Markdown formatter failed on it"


def _too_costly(text, policy):
    """True for the shapes that would make Markdown or bleach slow (see the limits above)."""
    if text.count("<") + text.count("&") > policy.max_escaped_chars:
        return True
    if ("```" in text or "~~~" in text) and (
        len(_FENCE_LINE.findall(text)) * len(text) > MAX_FENCE_SCAN
    ):
        return True
    if text.count("\n") < MAX_LINES_PER_BLOCK:
        return False
    blocks = _BLANK_LINE.split(text)
    return len(blocks) > MAX_BLOCKS or any(
        block.count("\n") >= MAX_LINES_PER_BLOCK for block in blocks
    )


# --------------------------------------------------------------------------- the CPU budget


class RenderBudgetExceeded(BaseException):
    """Raised inside a render that used up its CPU budget. A BaseException, so the ``except
    Exception`` blocks inside Markdown and bleach cannot swallow it."""


DEFAULT_CPU_SECONDS = 0.3


def cpu_budget_seconds():
    """settings.MARKUP_RENDER_CPU_SECONDS (0 switches the budget off)."""
    from django.conf import settings

    return float(getattr(settings, "MARKUP_RENDER_CPU_SECONDS", DEFAULT_CPU_SECONDS))


_sigprof_armed = False
_sigprof_fired = False
REFIRE_SECONDS = 0.01
"""Over budget, SIGPROF comes again every 10 ms: an exception raised inside a finaliser or a
gc callback is swallowed by Python ("Exception ignored in..."), so one signal is not enough."""


_in_gc = False


def _gc_started(phase, info):
    global _in_gc
    if phase == "start":
        _in_gc = True


def _gc_stopped(phase, info):
    global _in_gc
    if phase == "stop":
        _in_gc = False


def _watch_gc():
    """Know when the garbage collector (and the callbacks and finalisers it runs) is at work:
    ours first on "start", ours last on "stop"."""
    callbacks = gc.callbacks
    if not callbacks or callbacks[0] is not _gc_started:
        if _gc_started in callbacks:
            callbacks.remove(_gc_started)
        callbacks.insert(0, _gc_started)
    if callbacks[-1] is not _gc_stopped:
        if _gc_stopped in callbacks:
            callbacks.remove(_gc_stopped)
        callbacks.append(_gc_stopped)


def _on_sigprof(signum, frame):
    """Over budget: raise, except inside the garbage collector or a finaliser, where Python
    would swallow the exception ("Exception ignored in ..."); the next signal, 10 ms later,
    raises in the render's own code."""
    global _sigprof_fired
    if _sigprof_armed:
        _sigprof_fired = True
        if not _in_gc and frame is not None and frame.f_code.co_name != "__del__":
            raise RenderBudgetExceeded


def _sigprof_available():
    """SIGPROF is ours unless something else (a sampling profiler) installed a handler."""
    if threading.current_thread() is not threading.main_thread():
        return False
    current = signal.getsignal(signal.SIGPROF)
    if current is _on_sigprof:
        return True
    if current not in (signal.SIG_DFL, None) or signal.getitimer(signal.ITIMER_PROF)[0]:
        return False
    signal.signal(signal.SIGPROF, _on_sigprof)
    return True


def _disarm_sigprof():
    global _sigprof_armed
    _sigprof_armed = False
    signal.setitimer(signal.ITIMER_PROF, 0)


@contextmanager
def _cpu_budget(seconds):
    """Raise RenderBudgetExceeded in the block once it has used ``seconds`` of CPU.

    In the main thread (gunicorn's sync workers, management commands) an ``ITIMER_PROF``
    timer: no cost while it runs, and it interrupts even a regular expression (the ``re``
    engine checks for signals as it goes); it fires again every 10 ms until the block ends.
    Elsewhere (runserver's or an ASGI server's threads) signals cannot be used: a profile hook
    checks the thread's CPU time every 128 calls. It costs about 2-3 times the render, and
    cannot stop one long C call, which is why every pattern that sees typed text is also kept
    linear. Either way, a block that ran past its budget (its exception swallowed somewhere)
    raises when it ends.
    """
    global _sigprof_armed, _sigprof_fired
    if seconds <= 0:
        yield
    elif _sigprof_available():
        _watch_gc()
        _sigprof_fired = False
        _sigprof_armed = True
        signal.setitimer(signal.ITIMER_PROF, seconds, REFIRE_SECONDS)
        try:
            yield
        finally:
            _disarm_sigprof()
        if _sigprof_fired:
            raise RenderBudgetExceeded
    elif sys.getprofile() is None:
        deadline = time.thread_time() + seconds
        calls = 0

        def check(frame, event, arg):
            nonlocal calls
            calls += 1
            if not calls & 127 and time.thread_time() > deadline:
                raise RenderBudgetExceeded

        sys.setprofile(check)
        try:
            yield
        finally:
            sys.setprofile(None)
        if time.thread_time() > deadline:
            raise RenderBudgetExceeded
    else:  # a profiler is running this thread: it is measuring, not serving readers
        yield


# --------------------------------------------------------------------------- rendering


@dataclass(frozen=True)
class Rendering:
    """What rendering a text produced, and what the author or moderator should be told."""

    html: str
    plain_text_reason: str = ""
    """Why the text is shown as escaped plain text; "" when Markdown formatted it."""
    dropped_links: tuple = ()
    """Link addresses with a scheme the sanitiser drops, shown as their text instead."""
    dropped_images: tuple = ()
    """Image addresses not shown as images: on another site (shown as links instead), or
    removed by the sanitiser."""
    missing_images: tuple = ()
    """``image:`` addresses not shown (an id not in the media library, or not an id at
    all): their alt text is shown instead."""

    def notes(self):
        """What the author (or moderator) should be told, as sentences; [] if nothing."""
        notes = [plain_text_note(self.html)] if self.plain_text_reason else []
        if self.dropped_links:
            notes.append(dropped_links_note(self.dropped_links))
        if self.dropped_images:
            notes.append(dropped_images_note(self.dropped_images))
        if self.missing_images:
            notes.append(missing_images_note(self.missing_images))
        return notes


def plain_text_note(stored_html):
    """A sentence for the author or moderator when stored HTML is the plain-text fallback
    ("" otherwise). Reads the mark in the HTML: no rendering, so it is free in lists."""
    reason = plain_text_reason(stored_html)
    if not reason:
        return ""
    return (
        f"Shown as plain text, without formatting: {reason}. Nothing was lost; shorter "
        "paragraphs, less nesting, fewer unclosed brackets or code fences would let it format."
    )


def dropped_links_note(addresses, *, shown=10, width=80):
    listed = [a if len(a) <= width else a[: width - 1] + "\u2026" for a in addresses[:shown]]
    more = f" and {len(addresses) - shown} more" if len(addresses) > shown else ""
    return (
        f"{len(addresses)} link(s) shown as plain text: only http, https and mailto "
        f"addresses become links. Not linked: {', '.join(listed)}{more}."
    )


def _shortened(addresses, *, shown=10, width=80):
    listed = [a if len(a) <= width else a[: width - 1] + "\u2026" for a in addresses[:shown]]
    more = f" and {len(addresses) - shown} more" if len(addresses) > shown else ""
    return ", ".join(listed) + more


def dropped_images_note(addresses):
    return (
        f"{len(addresses)} image(s) not shown as images: pages show only images stored on "
        "this site, so an image from elsewhere becomes a link to it. Upload it to the media "
        f"library and insert it from there. Not shown: {_shortened(addresses)}."
    )


def missing_images_note(addresses):
    return (
        f"{len(addresses)} image(s) not in the media library (it may have been deleted), "
        f"shown as [Image: their alt text]: {_shortened(addresses)}. Insert images with "
        "the Markdown the media library gives (Media library → Images)."
    )


def post_notes(body, body_html):
    """The notes for a saved post: from the stored mark when it is plain text (free), else
    from rendering its body (remembered from the save in this process, else at most one
    budgeted render)."""
    note = plain_text_note(body_html)
    return [note] if note else post_rendering(body).notes()


def _forget_instances(policy):
    """After an interrupted render the cached Markdown and bleach objects may be half-way
    through their work: build fresh ones next time."""
    _local.__dict__.get("markdown", {}).pop(policy.name, None)
    _local.__dict__.get("cleaners", {}).pop(policy.name, None)


def _render(text, policy, *, budget=None, images=None):
    """``images``: the library images the text may use ({id: LibraryImage}), looked up by
    the caller outside the CPU budget (``blog.markup_images.mentioned_images``)."""
    text = _clean_source(text or "")
    if _too_costly(text, policy):
        return Rendering(_plain_paragraphs(text, REASON_SHAPE), REASON_SHAPE)
    seconds = cpu_budget_seconds() if budget is None else budget
    md = _markdown(policy)  # built (and their modules imported) outside the budget
    _cleaner(policy)
    try:
        with _cpu_budget(seconds):
            # convert() skips the tree processors for blank text
            md.dropped_links, md.offsite_images, md.missing_images = [], [], []
            md.library_images = images or {}
            produced = md.convert(text)
            cleaned = sanitize_html(produced, policy=policy)
            removed = dropped_by_sanitiser(produced, cleaned)
            # An image whose address is dropped is told once, as an image not shown.
            dropped = (*_missing_from(md.dropped_links, md.offsite_images), *removed.links)
            dropped_images = (*md.offsite_images, *removed.images)
            missing = tuple(md.missing_images)
    except RenderBudgetExceeded:
        if threading.current_thread() is threading.main_thread():
            _disarm_sigprof()  # in case the signal arrived inside the budget's own clean-up
        _forget_instances(policy)
        logger.warning(
            "Rendering %s text of %d characters took over %.2fs of CPU; shown as plain text",
            policy.name,
            len(text),
            seconds,
        )
        return Rendering(_plain_paragraphs(text, REASON_BUDGET), REASON_BUDGET)
    except Exception:  # RecursionError on deep nesting, or a Markdown bug: never a 500.
        _forget_instances(policy)
        logger.warning("Markdown failed; rendering as plain text", exc_info=True)
        return Rendering(_plain_paragraphs(text, REASON_FAILED), REASON_FAILED)
    return Rendering(
        cleaned, dropped_links=dropped, dropped_images=dropped_images, missing_images=missing
    )


@dataclass(frozen=True)
class Dropped:
    links: tuple = ()
    images: tuple = ()


class _Addresses(HTMLParser):
    """Every link's href and image's src in a fragment, in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.images = [], []

    def handle_starttag(self, tag, attrs):
        wanted = {"a": ("href", self.links), "img": ("src", self.images)}.get(tag)
        if wanted:
            value = dict(attrs).get(wanted[0])
            if value is not None:
                wanted[1].append(value)

    handle_startendtag = handle_starttag


def _addresses(fragment):
    parser = _Addresses()
    parser.feed(fragment)
    parser.close()
    return parser


def dropped_by_sanitiser(before, after):
    """The link and image addresses in ``before`` (Markdown's HTML) that ``after`` (the
    sanitised HTML) no longer has: what the admin preview warns about. Free when nothing
    was dropped (the attributes are counted first)."""
    if before.count("href=") == after.count("href=") and before.count("src=") == after.count(
        "src="
    ):
        return Dropped()
    was, now = _addresses(before), _addresses(after)
    return Dropped(_missing_from(was.links, now.links), _missing_from(was.images, now.images))


def _missing_from(before, after):
    remaining = Counter(after)
    gone = []
    for value in before:
        if remaining[value]:
            remaining[value] -= 1
        else:
            gone.append(value)
    return tuple(gone)


_RECENT = OrderedDict()
_RECENT_SIZE = 16
_recent_lock = threading.Lock()


def _remembered_render(text, policy):
    """The last few renderings are kept (by a hash of the text, and the library images it
    uses as they are now), so the admin can tell an author what saving their post produced
    without rendering it a second time."""
    source = text or ""
    images = mentioned_images(source) if policy is POST_POLICY else {}
    key = (
        policy.name,
        hashlib.sha256(source.encode("utf-8", "surrogatepass")).digest(),
        tuple(sorted(images.items())),
    )
    with _recent_lock:
        if key in _RECENT:
            _RECENT.move_to_end(key)
            return _RECENT[key]
    rendering = _render(source, policy, images=images)
    with _recent_lock:
        _RECENT[key] = rendering
        while len(_RECENT) > _RECENT_SIZE:
            _RECENT.popitem(last=False)
    return rendering


def post_rendering(text):
    """``render_post`` with what the author should be told (a Rendering)."""
    return _remembered_render(text, POST_POLICY)


def comment_rendering(text):
    """``render_comment`` with what the moderator should be told (a Rendering)."""
    return _remembered_render(text, COMMENT_POLICY)


def render_post(text):
    """Markdown of a post text -> sanitised HTML (the wide post policy). Pure: no database,
    no post-body transforms (the plain-words summary is stored this way)."""
    return post_rendering(text).html


def render_post_body(text):
    """What a post's stored ``body_html`` is: ``render_post``, then the registered post-body
    transforms (``blog.post_html_hooks``: the glossary, which reads the database). Every
    writer of ``body_html`` calls this, so it is the one place a body is rendered."""
    return apply_post_html_hooks(render_post(text))


def render_comment(text):
    """Markdown of a reader's comment -> sanitised HTML (the narrow comment policy).

    Headings, rules and images are not Markdown here: ``# x`` and ``![alt](url)`` stay
    the text the commenter typed. Every link gets ``rel="nofollow ugc noopener"``.
    """
    return comment_rendering(text).html
