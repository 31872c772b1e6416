"""A hit's snippet as HTML: the engine's text escaped, then only our markers made <mark>.

The engines put private-use markers around matched words (``search.text``); stored text
never holds them (``search.text.plain``), so after escaping, the only markup in a snippet
is the <mark> elements added here.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from search.text import MARK_END, MARK_START


def snippet_html(text):
    escaped = escape(text or "")
    opened = escaped.count(MARK_START)
    if opened != escaped.count(MARK_END):  # never from our engines: show it unmarked
        return mark_safe(escaped.replace(MARK_START, "").replace(MARK_END, ""))  # noqa: S308
    return mark_safe(  # noqa: S308 - escaped above; the markers are our only markup
        escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )
