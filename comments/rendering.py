"""The approved thread as HTML, built in Python in one pass.

A Django ``{% for %}`` with per-comment filters costs tens of milliseconds for 500
comments (see ARCHITECTURE.md), and so does ``format_html`` (its lazy-aware escaping is
slow); one f-string per comment with the standard library's ``html.escape`` renders 500
comments in a few milliseconds. Every value is escaped except ``body_html``, which
``blog.markup`` sanitised when the comment was saved.
"""

from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from comments.bidi import could_reorder

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

AUTHOR_BADGE = ' <span class="comment-badge">Author</span>'
MODERATOR_BADGE = ' <span class="comment-badge">Moderator</span>'


def _badge(comment):
    """The post's author's badge, else the moderator's on a reply from the desk (stored
    on the comment at save time: no query); a reader can type neither."""
    if comment.is_post_author:
        return AUTHOR_BADGE
    return MODERATOR_BADGE if comment.is_staff_reply else ""


def _name_html(comment):
    """The name, inside ``<bdi>`` when it needs it: a right-to-left name, or a U+202E typed
    into one, cannot reorder the date and links that follow it on the line. (Only then: on
    a long thread the eleven bytes add up.)"""
    name = escape(comment.name)
    if comment.website:
        name = f'<a href="{escape(comment.website)}" rel="nofollow ugc noopener">{name}</a>'
    return f"<bdi>{name}</bdi>" if could_reorder(comment.name) else name


def response_url_prefix():
    """``/comments/`` for ``/comments/<id>/``, each comment's own page: reversed once a thread."""
    return reverse("comments:response", args=[0]).removesuffix("0/")


def comment_html(comment, *, tz, page_url="", replies_open=True, response_prefix=""):
    """One comment, its ``<li>`` left open for the replies. Every value is escaped
    (``html.escape``, quotes included), except ``body_html``: sanitised by ``blog.markup``
    when the comment was saved.

    The markup is lean on purpose (a long thread is mostly this, hundreds of times over):
    no classes, since the stylesheet and comments.js find the parts by structure (the first
    ``<p>`` is the byline: name, dated permalink, reply link; the last ``<p>`` is the
    competing interests); the date is the day in the site's time zone; the reply link is
    relative to the post's page (``?replyto=<id>``; ``page_url`` when the thread is shown
    at another address) and is tied to its comment by sitting in the comment's list item.
    "Link" leads to the comment's own, citable page (``response_prefix`` + id).
    """
    pk = comment.pk
    local = comment.created_at.astimezone(tz)
    reply = f' <a href="{page_url}?replyto={pk}#respond">Reply</a>' if replies_open else ""
    return (
        f'<li id="comment-{pk}"><p>{_name_html(comment)}'
        f"{_badge(comment)} "
        f'<a href="#comment-{pk}"><time datetime="{local:%Y-%m-%d}">'
        f"{local.day} {MONTHS[local.month - 1]} {local.year}</time></a>"
        f' <a href="{response_prefix}{pk}/">Link</a>'
        f"{reply}</p>"
        f"{comment.body_html}"
        f"<p>Competing interests: {escape(comment.competing_interests)}</p>"
    )


def visible_in_thread(comments):
    """The approved ``comments`` (in thread order) that readers see: a reply whose parent is
    not shown (rejected later, say) is left out with its subtree, since it would read as an
    answer to the wrong comment. The rule of ``CommentQuerySet.visible()``, in one pass."""
    shown, visible = set(), []
    for comment in comments:
        if comment.parent_id is None or comment.parent_id in shown:
            shown.add(comment.pk)
            visible.append(comment)
    return visible


def render_thread(comments, *, reply_to=None, reply_form="", page_url="", replies_open=True):
    """``comments``: visible ones in thread order (``visible_in_thread``); ``reply_form`` is
    placed under comment ``reply_to``. ``page_url``: the post's address, needed only when
    the page is served at another one (the form sent back with errors), since the reply
    links are relative. No reply links when the post takes no comments.
    """
    tz = timezone.get_current_timezone()
    response_prefix = response_url_prefix()
    parts = ['<ol class="comment-list">']
    last_depth = None  # depth of the comment whose <li> is still open
    for comment in comments:
        depth = comment.depth
        if last_depth is not None:
            if depth > last_depth:
                parts.append("<ol>")
            else:
                parts.append("</li></ol>" * (last_depth - depth) + "</li>")
        last_depth = depth
        parts.append(
            comment_html(
                comment,
                tz=tz,
                page_url=page_url,
                replies_open=replies_open,
                response_prefix=response_prefix,
            )
        )
        if reply_to is not None and comment.pk == reply_to:
            parts.append(reply_form)
    if last_depth is not None:
        parts.append("</li></ol>" * last_depth + "</li>")
    parts.append("</ol>")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped in comment_html
