"""The thread as it was written before it went lean (every end tag, every attribute value
quoted), and an HTML5 parser's tree to compare it with (no tests here).

``closed_thread`` is the reference: the markup ``comments.rendering.render_thread`` gave
before it left out the end tags and quotes the HTML spec makes optional. The lean markup
must build the same DOM. The parser is html5lib, the WHATWG parsing algorithm in Python,
as vendored by bleach (a runtime dependency: blog.markup sanitises with it).
"""

from collections import Counter
from html import escape
from html.parser import HTMLParser

from bleach._vendor import html5lib

from comments import paging
from comments.bidi import could_reorder
from comments.rendering import MONTHS, format_datetime, response_url_prefix


def _closed_name(comment):
    name = escape(comment.name)
    if comment.website:
        name = f'<a href="{escape(comment.website)}" rel="nofollow ugc">{name}</a>'
    name = f"<bdi>{name}</bdi>" if could_reorder(comment.name) else name
    if comment.is_post_author:
        return name + ' <span class="comment-badge">Author</span>'
    if comment.is_staff_reply:
        return name + ' <span class="comment-badge">Moderator</span>'
    return name


def _closed_edited(edited_at, tz):
    stamp = edited_at.astimezone(tz).replace(microsecond=0).isoformat()
    return (
        f' <span class="comment-edited">(edited <time datetime="{stamp}">'
        f"{format_datetime(edited_at, tz)}</time>)</span>"
    )


def _closed_comment(comment, *, tz, reply_href, replies_open, response_prefix):
    pk = comment.pk
    local = comment.created_at.astimezone(tz)
    day = f"{local.day} {MONTHS[local.month - 1]} {local.year}"
    reply = f' <a href="{reply_href}{pk}#respond">Reply</a>' if replies_open else ""
    title = f"<p><strong>{escape(comment.title)}</strong></p>" if comment.title else ""
    edited = _closed_edited(comment.edited_at, tz) if comment.edited_at else ""
    return (
        f'<li id="comment-{pk}"><p>{_closed_name(comment)} '
        f'<a href="{response_prefix}{pk}/">{day}</a>{edited}{reply}</p>'
        f"{title}{comment.body_html}"
        f"<p>Competing interests: {escape(comment.competing_interests)}</p>"
    )


def closed_thread(
    comments, *, tz, reply_to=None, reply_form="", page_url="", page_number=1, replies_open=True
):
    """``render_thread``'s arguments, the markup fully closed and quoted."""
    response_prefix = response_url_prefix()
    page = f"{paging.PAGE_PARAMETER}={page_number}&amp;" if page_number > 1 else ""
    reply_href = f"{escape(page_url)}?{page}reply="
    parts = ['<ol class="comment-list">']
    last_depth = None
    for comment in comments:
        depth = comment.depth
        if last_depth is not None:
            if depth > last_depth:
                parts.append("<ol>")
            else:
                parts.append("</li></ol>" * (last_depth - depth) + "</li>")
        last_depth = depth
        parts.append(
            _closed_comment(
                comment,
                tz=tz,
                reply_href=reply_href,
                replies_open=replies_open,
                response_prefix=response_prefix,
            )
        )
        if reply_to is not None and comment.pk == reply_to:
            parts.append(reply_form)
    if last_depth is not None:
        parts.append("</li></ol>" * last_depth + "</li>")
    parts.append("</ol>")
    return "".join(parts)


def parse(html, *, fragment=True):
    """``(tree, errors)``: the DOM an HTML5 parser builds from ``html`` (inside a no-quirks
    document's body when ``fragment``), as nested tuples (tag, sorted attributes, text,
    children, tail), and the parse errors by code."""
    parser = html5lib.HTMLParser(
        tree=html5lib.treebuilders.getTreeBuilder("etree"), namespaceHTMLElements=False
    )
    if fragment:
        html = f"<!DOCTYPE html><html><head><title>t</title></head><body>{html}</body></html>"
    root = parser.parse(html)
    return _tree(root), Counter(code for _position, code, _data in parser.errors)


def _tree(element):
    return (
        element.tag,
        tuple(sorted(element.attrib.items())),
        element.text or "",
        tuple(_tree(child) for child in element),
        element.tail or "",
    )


def assert_same_dom(lean, closed):
    """The lean markup builds the closed markup's DOM, with no parse error of its own."""
    lean_tree, lean_errors = parse(lean)
    closed_tree, closed_errors = parse(closed)
    assert lean_tree == closed_tree
    assert not lean_errors - closed_errors, lean_errors - closed_errors


def closed_html(html):
    """``html`` as an HTML5 parser reads it, written back with every end tag and every
    attribute value in double quotes (html5lib's serializer): the markup a test can look
    for whatever the spec let the page leave out (``<li id="comment-3">...</li>``). Text
    keeps its characters but for ``&``, ``<`` and ``>``; attributes escape ``&`` and ``"``."""
    parser = html5lib.HTMLParser(
        tree=html5lib.treebuilders.getTreeBuilder("etree"), namespaceHTMLElements=False
    )
    document = parser.parse(html)
    walker = html5lib.getTreeWalker("etree")
    serializer = html5lib.serializer.HTMLSerializer(
        quote_attr_values="always",
        omit_optional_tags=False,
        minimize_boolean_attributes=True,
        use_trailing_solidus=False,
        resolve_entities=False,
    )
    return serializer.render(walker(document))


def comment_items(html):
    """Each comment of the thread(s) in ``html`` as the parser nests it, in page order:
    ``(pk, depth, tags)``, ``depth`` the number of comment list items around it, ``tags``
    its children's tag names (byline ``p``, ..., interests ``p``, replies ``ol``)."""
    parser = html5lib.HTMLParser(
        tree=html5lib.treebuilders.getTreeBuilder("etree"), namespaceHTMLElements=False
    )
    items = []

    def walk(element, depth):
        ident = element.get("id") or ""
        is_comment = element.tag == "li" and ident.startswith("comment-")
        if is_comment:
            items.append((int(ident.removeprefix("comment-")), depth, [c.tag for c in element]))
        for child in element:
            walk(child, depth + 1 if is_comment else depth)

    walk(parser.parse(html), 0)
    return items


class _CommentIds(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = []

    def handle_starttag(self, tag, attrs):
        ident = dict(attrs).get("id") or ""
        if tag == "li" and ident.startswith("comment-") and ident[8:].isdigit():
            self.ids.append(int(ident[8:]))


def comment_ids(html):
    """The ids of the comments (``<li id="comment-<id>">``, quoted or not) in ``html``, in
    page order: the standard library's tokenizer, quick enough for a 2,000-comment page."""
    parser = _CommentIds()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    parser.close()
    return parser.ids
