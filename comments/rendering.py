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

import pagecache
from comments import pending
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
        f"{edited_html(comment.edited_at, tz) if comment.edited_at else ''}"
        f' <a href="{response_prefix}{pk}/">Link</a>'
        f"{reply}</p>"
        f"{comment.body_html}"
        f"<p>Competing interests: {escape(comment.competing_interests)}</p>"
    )


def edited_html(edited_at, tz):
    """The "(edited <time>)" mark: the commenter changed the text then (comments.editing)."""
    local = edited_at.astimezone(tz).replace(microsecond=0)
    return (
        f' <span class="comment-edited">(edited <time datetime="{local.isoformat()}">'
        f"{local.day} {MONTHS[local.month - 1]} {local.year}, {local:%H:%M}</time>)</span>"
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


# --- the commenter's own comments (issue 15), filled in per request ----------------------

PENDING_PLACEHOLDER = "pending_comments"


def pending_slot(request, post_id):
    """Where this browser's own comments go, under the thread. A page bound for the shared
    cache gets a placeholder (the same for everyone), filled per request by
    ``pending_html``; any other page gets the HTML itself."""
    if request is None:
        return ""
    if getattr(request, "page_cache_candidate", False):
        return mark_safe(pagecache.punch(PENDING_PLACEHOLDER, post_id))  # noqa: S308 - ours
    return pending_html(request, post_id)


def fill_pending_placeholder(request, arg):
    return pending_html(request, int(arg)) if arg else ""


def _own_comments(ids, post_id):
    """One query: this browser's comments on the post that it may still see or change."""
    from django.db.models import Exists, OuterRef

    from comments import editing
    from comments.models import Comment, Redaction

    return list(
        Comment.objects.filter(pk__in=ids, post_id=post_id, status__in=editing.CHANGEABLE)
        .annotate(
            answered=Exists(editing.answering_replies(OuterRef("pk"))),
            redacted=Exists(Redaction.objects.filter(comment_id=OuterRef("pk"))),
        )
        .order_by("created_at", "pk")
        .values_list(
            "pk",
            "name",
            "website",
            "body_html",
            "competing_interests",
            "is_post_author",
            "status",
            "created_at",
            "edited_at",
            "parent_id",
            "parent__name",
            "answered",
            "redacted",
            named=True,
        )
    )


def _own_actions(comment, *, now, tz):
    """Edit and Withdraw links while the commenter may still use them."""
    from comments import editing

    until = editing.deadline(comment)
    if comment.answered or comment.redacted or now > until:
        return ""
    local = until.astimezone(tz).replace(microsecond=0)
    edit = reverse("comments:edit", args=[comment.pk])
    withdraw = reverse("comments:withdraw", args=[comment.pk])
    return (
        f'<a href="{edit}">Edit</a> or <a href="{withdraw}">withdraw</a> it until '
        f'<time datetime="{local.isoformat()}">{local:%H:%M}</time>.'
    )


def pending_html(request, post_id):
    """This browser's held comments on the post, marked "Awaiting moderation", and Edit /
    Withdraw links for its comments still in their edit window. Never anyone else's: the
    ids come from the signed cookie only. Nothing, and no query, without the cookie."""
    ids = pending.comment_ids(request)
    if not ids:
        return ""
    comments = _own_comments(ids, post_id)
    if not comments:
        return ""
    tz = timezone.get_current_timezone()
    now = timezone.now()
    items = []
    for comment in comments:
        actions = _own_actions(comment, now=now, tz=tz)
        pk = comment.pk
        if comment.status == "approved":
            if actions:
                items.append(
                    f'<p class="comment-own">Your <a href="#comment-{pk}">comment</a> is '
                    f"published. {actions}</p>"
                )
            continue
        local = comment.created_at.astimezone(tz)
        in_reply = ""
        if comment.parent_id:
            in_reply = (
                f' in reply to <a href="#comment-{comment.parent_id}">'
                f"<bdi>{escape(comment.parent__name or '')}</bdi></a>"
            )
        edited = edited_html(comment.edited_at, tz) if comment.edited_at else ""
        items.append(
            f'<ol class="comment-list comment-list-own"><li id="comment-{pk}" '
            f'class="comment-pending"><p>{_name_html(comment)} '
            f'<time datetime="{local:%Y-%m-%d}">{local.day} {MONTHS[local.month - 1]} '
            f"{local.year}</time>{edited}{in_reply} "
            f'<strong class="comment-pending-mark">Awaiting moderation</strong></p>'
            f"{comment.body_html}"
            + (f'<p class="comment-own">{actions}</p>' if actions else "")
            + f"<p>Competing interests: {escape(comment.competing_interests)}</p></li></ol>"
        )
    if not items:
        return ""
    return mark_safe(  # noqa: S308 - every value escaped above; body_html sanitised on save
        '<section class="comments-own" id="your-comments" aria-labelledby="your-comments-heading">'
        '<h3 id="your-comments-heading">Your comments</h3>'
        '<p class="comments-own-note">Only you see this, in this browser.</p>'
        f"{''.join(items)}</section>"
    )
