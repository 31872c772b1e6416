"""The approved thread as HTML, built in Python in one pass.

A Django ``{% for %}`` with per-comment filters costs tens of milliseconds for 500
comments (see ARCHITECTURE.md), and so does ``format_html`` (its lazy-aware escaping is
slow); one f-string per comment with the standard library's ``html.escape`` renders 500
comments in a few milliseconds. Every value is escaped except ``body_html``, which
``blog.markup`` sanitised when the comment was saved.
"""

import re
from functools import partial
from html import escape

from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

import pagecache
from comments import paging, pending
from comments.bidi import could_reorder
from comments.form_rendering import form_html
from comments.forms import BAD_PARENT, CommentForm
from comments.models import Comment, Redaction
from comments.moderation import comments_closed

# The reply link's parameter: ``?reply=<id>#respond`` puts the form under comment <id>.
# ``?replyto=``, its name until issue 19 cut a thread's bytes, is still read: links in pages
# stored before, bookmarks, a reader's history.
REPLY_PARAMETER = "reply"
OLD_REPLY_PARAMETER = "replyto"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# What a comment shows, fetched as light named tuples: half the cost of model instances.
# The thread adds its depth; the commenter's own block its status and what it answers.
SHOWN_FIELDS = (
    "pk",
    "parent_id",
    "name",
    "website",
    "title",
    "body_html",
    "competing_interests",
    "is_post_author",
    "is_staff_reply",
    "created_at",
    "edited_at",
)
THREAD_FIELDS = (*SHOWN_FIELDS, "depth")
OWN_FIELDS = (*SHOWN_FIELDS, "status", "parent__name")
# The fields the form's error summary links to, in the form's order.
SUMMARY_FIELDS = ("name", "email", "website", "title", "body", "competing_interests")


# -- one date style: "2 Dec 2026" and "2 Dec 2026, 14:05 UTC" -------------------------------


def format_date(moment, tz=None):
    local = moment.astimezone(tz or timezone.get_current_timezone())
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


def format_datetime(moment, tz=None):
    """The day, the time and the zone's abbreviation (a time without its zone is a guess for
    a reader abroad)."""
    local = moment.astimezone(tz or timezone.get_current_timezone())
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}, {local:%H:%M} {local.tzname()}"


def _datetime_attr(moment, tz):
    return moment.astimezone(tz).replace(microsecond=0).isoformat()


AUTHOR_BADGE = " <span class=comment-badge>Author</span>"
MODERATOR_BADGE = " <span class=comment-badge>Moderator</span>"

# -- lean markup: what the HTML spec lets a long thread leave out ----------------------------
# WHATWG HTML, "Unquoted attribute value syntax": a value may go without quotes when it is
# not empty and has no ASCII whitespace, ", ', =, <, > or `. An & is allowed there too, but
# is left quoted here (a character reference in a bare value reads less plainly).
_NOT_BARE = re.compile(r"[\t\n\f\r \"'=<>`&]")

# WHATWG HTML, "Optional tags": a p element's end tag may be omitted when the p is followed
# at once by one of these elements (the parser's start tag closes the open p). The list
# keeps to the ones the spec and every parser agree on whatever the document's mode (not
# <table>, which closes a p only in no-quirks mode), and matches a whole tag name only.
_CLOSES_P = re.compile(r"<(?:p|ul|ol|dl|div|blockquote|pre|hr|h[1-6])[\t\n\f\r />]")


# Text between tags needs only &, < and > escaped: quotes are plain characters there (the
# same DOM as &#x27;, and "O'Brien" is what a long thread repeats).
escape_text = partial(escape, quote=False)


def attribute_value(value):
    """An escaped attribute value, bare where the spec allows it (``id=comment-12``), else
    in double quotes."""
    return value if value and _NOT_BARE.search(value) is None else f'"{value}"'


def closes_p(html):
    """True when ``html`` starts with the start tag of an element that ends an open ``<p>``
    (``<p>``, a list, a quote, a code block ...): the ``</p>`` before it may be left out.
    Anything else (text, inline markup, a space or a line break first) keeps it."""
    return _CLOSES_P.match(html) is not None


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
    name = escape_text(comment.name)
    if comment.website:
        href = attribute_value(escape(comment.website))
        name = f'<a href={href} rel="nofollow ugc">{name}</a>'
    return f"<bdi>{name}</bdi>" if could_reorder(comment.name) else name


def response_url_prefix():
    """``/comments/`` for ``/comments/<id>/``, each comment's own page: reversed once a thread."""
    return reverse("comments:response", args=[0]).removesuffix("0/")


def title_html(comment):
    """The commenter's optional title, a line of its own before the body."""
    return f"<p><strong>{escape_text(comment.title)}</strong></p>" if comment.title else ""


def interests_html(comment):
    return f"<p>Competing interests: {escape_text(comment.competing_interests)}</p>"


def _end_p(following):
    """``</p>``, or nothing when ``following`` starts with an element that ends the open
    ``<p>`` itself (``closes_p``; a paragraph, most of the time, found without the regex)."""
    return "" if following.startswith("<p>") or closes_p(following) else "</p>"


class ThreadParts:
    """What a long thread repeats, each made and escaped once a render: a commenter's name
    with its link and badge, a competing-interests line ("None declared", most of them), a
    day. A thread of 500 comments has a few dozen of each."""

    def __init__(self, tz):
        self.tz = tz
        self._names, self._interests, self._days = {}, {}, {}
        # A permalink prefix -> the link's start and the end of its href (quoted or not).
        self.permalinks = {}

    def name(self, comment):
        key = (comment.name, comment.website, comment.is_post_author, comment.is_staff_reply)
        html = self._names.get(key)
        if html is None:
            html = self._names[key] = _name_html(comment) + _badge(comment)
        return html

    def interests(self, comment):
        """The competing-interests line, its ``</p>`` left out: the comment's list item
        ends after it, or its replies' ``<ol>`` follows (``comment_html``)."""
        html = self._interests.get(comment.competing_interests)
        if html is None:
            html = self._interests[comment.competing_interests] = interests_html(
                comment
            ).removesuffix("</p>")
        return html

    def day(self, moment):
        """The day in the site's time zone: ``2 Dec 2026``."""
        local = moment.astimezone(self.tz)
        key = (local.year, local.month, local.day)
        text = self._days.get(key)
        if text is None:
            text = self._days[key] = f"{local.day} {MONTHS[local.month - 1]} {local.year}"
        return text


def comment_html(
    comment,
    *,
    tz,
    reply_href=f"?{REPLY_PARAMETER}=",
    replies_open=True,
    response_prefix="",
    parts=None,
    then="",
):
    """One comment, its ``<li>`` left open for the replies, then ``then`` (the reply form,
    under the comment it answers). Every value is escaped (``html.escape``: attribute
    values with their quotes, text between tags for &, < and >, ``escape_text``), except
    ``body_html``: sanitised by ``blog.markup`` when the comment was saved. ``parts``: a
    ``ThreadParts`` shared by the thread's comments.

    The markup is lean on purpose (a long thread is mostly this, hundreds of times over:
    issue 19 budgets its HTML against its text): no classes, since the stylesheet and
    comments.js find the parts by structure (the first ``<p>`` is the byline: name, date,
    reply link; then the title's line if it has one; the last ``<p>`` is the competing
    interests). The date is the day in the site's time zone and the link to the comment's
    own, citable page (``response_prefix`` + id); the ``<li id=comment-<id>>`` is its
    anchor in the thread. The reply link is ``reply_href`` + id (``?reply=``, with the
    page and the post's address where needed) and is tied to its comment by sitting in the
    comment's list item. Both are named by their place in the comment; comments.js gives
    them names of their own ("2 Dec 2026, Jane Marsh's comment", "Reply to Jane Marsh"),
    which cost a long thread's HTML about 70 bytes a comment. The website link needs no
    ``noopener``: it opens no new window.

    Leaner still, and the same to every HTML parser (the DOM a browser builds is that of
    the fully closed, quoted markup; tests/test_lean_thread_markup.py parses both): the
    end tags the spec makes optional are left out where it allows (WHATWG "Optional
    tags"): ``</li>`` (``render_thread``), the competing-interests line's ``</p>`` (the
    list item's last content, or its replies' ``<ol>`` follows), the body's last ``</p>``
    (the competing-interests ``<p>`` follows) and the byline's and title's ``</p>`` when
    the next thing is a ``<p>`` or another element that ends a ``<p>`` (``closes_p``);
    attribute values with nothing the spec forbids bare go without quotes (the id, the
    permalink, the website when it allows; the reply link has ``=`` and keeps them).
    """
    if parts is None:
        parts = ThreadParts(tz)
    pk = comment.pk
    reply = f' <a href="{reply_href}{pk}#respond">Reply</a>' if replies_open else ""
    body = comment.body_html
    interests = parts.interests(comment)
    if then:
        interests += _end_p(then)
    title = comment.title
    if title:
        title = title_html(comment).removesuffix("</p>") + _end_p(body or interests)
        byline_end = ""  # the title's <p> ends the byline
    elif body.startswith("<p>"):  # most comments: the check without a call
        byline_end = ""
    else:
        byline_end = _end_p(body or interests)
    # The body's last </p>: the competing-interests <p> that follows ends it.
    body = body.removesuffix("</p>")
    permalink = parts.permalinks.get(response_prefix)
    if permalink is None:  # the id and the "/" need no quotes: the prefix decides
        quote = "" if _NOT_BARE.search(response_prefix) is None else '"'
        permalink = parts.permalinks[response_prefix] = (
            f"<a href={quote}{response_prefix}",
            f"/{quote}>",
        )
    return (
        f"<li id=comment-{pk}><p>{parts.name(comment)} "
        f"{permalink[0]}{pk}{permalink[1]}{parts.day(comment.created_at)}</a>"
        f"{edited_html(comment.edited_at, tz) if comment.edited_at else ''}"
        f"{reply}{byline_end}{title}{body}{interests}{then}"
    )


def edited_html(edited_at, tz):
    """The "(edited <time>)" mark: the commenter changed the text then (comments.editing)."""
    return (
        f" <span class=comment-edited>(edited <time datetime={_datetime_attr(edited_at, tz)}>"
        f"{format_datetime(edited_at, tz)}</time>)</span>"
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


def render_thread(
    comments, *, reply_to=None, reply_form="", page_url="", page_number=1, replies_open=True
):
    """``comments``: visible ones in thread order (``visible_in_thread``); ``reply_form`` is
    placed under comment ``reply_to``. ``page_url``: the post's address, needed only when
    the page is served at another one (the form sent back with errors), since the reply
    links are relative; ``page_number``: the page of the thread, which reply links keep.
    No reply links when the post takes no comments.

    No ``</li>``: a list item's end tag may be left out before the next ``<li>`` and at the
    end of its list (WHATWG "Optional tags"); ``comment_html`` says what else is left out.
    """
    tz = timezone.get_current_timezone()
    response_prefix = response_url_prefix()
    page = f"{paging.PAGE_PARAMETER}={page_number}&amp;" if page_number > 1 else ""
    reply_href = f"{escape(page_url)}?{page}{REPLY_PARAMETER}="
    shared = ThreadParts(tz)
    parts = ['<ol class="comment-list">']
    last_depth = None  # depth of the comment whose <li> is still open
    for comment in comments:
        depth = comment.depth
        if last_depth is not None:
            if depth > last_depth:
                parts.append("<ol>")
            elif depth < last_depth:
                parts.append("</ol>" * (last_depth - depth))
        last_depth = depth
        parts.append(
            comment_html(
                comment,
                tz=tz,
                reply_href=reply_href,
                replies_open=replies_open,
                response_prefix=response_prefix,
                parts=shared,
                then=reply_form if reply_to is not None and comment.pk == reply_to else "",
            )
        )
    parts.append("</ol>" * ((last_depth or 0) + 1))
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped in comment_html


# --- the post's comment section: one presenter ---------------------------------------------


def _signed_in(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _fields_in_error(form):
    """The fields the error summary links to: the ones a commenter can see and fix."""
    if not form.is_bound or not form.errors:
        return []
    return [
        form[name] for name in SUMMARY_FIELDS if name in form.errors and not form[name].is_hidden
    ]


def render_comment_form(request, post, form, *, reply_target=None, heading_level=3, page_number=1):
    """The comment form's HTML (fresh security token, parent kept): comments.form_rendering."""
    user = _signed_in(request)
    return form_html(
        request,
        post,
        form,
        reply_target=reply_target,
        heading_level=heading_level,
        commenting_as=(user.get_full_name() or user.get_username()) if user else "",
        summary_fields=_fields_in_error(form),
        page_number=page_number,
    )


class ThreadPresenter:
    """The post's comment section: what is fetched (one query, ``THREAD_FIELDS``), where
    the form goes (under the comment a ``?reply=`` or a sent reply names, else below),
    and how it is shown (``render_thread``; the commenter's own block is
    ``pending_slot``'s, per request). ``form``: a bound ``CommentForm`` sent back with its
    errors or preview; any other value gets a fresh form.

    ``{% comment_section post %}`` is ``ThreadPresenter(post, ...).render()``.
    """

    template_name = "comments/_section.html"

    def __init__(self, post, *, request=None, form=None):
        self.post = post
        self.request = request
        self._sent_form = (
            form if isinstance(form, CommentForm) and form.post.pk == post.pk else None
        )
        self._form = self._sent_form
        self._given = form
        self._page = None

    @classmethod
    def for_request(cls, post, *, request=None, form=None):
        """The request's presenter for the post: the head's title and links and the section
        (three template tags) share one, so the page is fetched and the form built once."""
        if request is None:
            return cls(post, form=form)
        kept = request.__dict__.setdefault("_thread_presenters", {})
        presenter = kept.get(post.pk)
        if presenter is None or presenter._given is not form:
            presenter = kept[post.pk] = cls(post, request=request, form=form)
        return presenter

    @property
    def form(self):
        """The sent form, else a fresh one (built on first use: the head's tags need none)."""
        if self._form is None:
            self._form = CommentForm(post=self.post, user=_signed_in(self.request))
        return self._form

    @property
    def form_sent(self):
        """True for a bound form sent back (errors, preview): it names the comment it
        answers, and says itself what is wrong with it."""
        return self._sent_form is not None and self._sent_form.is_bound

    def page(self):
        """The page of the thread this presenter shows (``comments.paging``), fetched once:
        the head's ``{% comment_page_links %}`` and title and the section share the
        request's presenter (``for_request``), and so this page."""
        if self._page is None:
            fetched = paging.fetch(self.post, self._page_number(), THREAD_FIELDS)
            fetched.comments = visible_in_thread(fetched.rows)
            self._page = fetched
        return self._page

    def _page_number(self):
        """``?cpage=``; for a form sent back (errors, preview), the page of the comment it
        answers, so the form opens under it again."""
        if not self.form_sent:
            return paging.requested_number(self.request)
        wanted = self.requested_parent()
        if not wanted or wanted < 0 or not paging.per_page():
            return 1
        parent = (
            Comment.objects.approved()
            .for_post(self.post)
            .filter(pk=wanted)
            .only("pk", "post_id", "thread_path")
            .first()
        )
        return paging.page_of(parent) if parent is not None else 1

    def comments(self):
        return self.page().comments

    def requested_parent(self):
        """The comment a reply is for: the sent form's, else ``?reply=`` (or the older
        ``?replyto=``); -1 when unreadable."""
        request = self.request
        if self.form_sent:
            raw = self._sent_form.data.get("parent")
        elif request is not None:
            raw = request.GET.get(REPLY_PARAMETER, request.GET.get(OLD_REPLY_PARAMETER))
        else:
            raw = None
        if raw in (None, ""):
            return None
        try:
            return int(raw)
        except (TypeError, ValueError):
            return -1

    def context(self):
        post, request = self.post, self.request
        page = self.page()
        comments = page.comments
        # A draft or scheduled post (staff preview) takes no comments yet: its form would 404.
        unpublished = not post.is_published
        closed = unpublished or comments_closed(post)
        wanted = self.requested_parent()
        reply_target = (
            next((c for c in comments if c.pk == wanted), None) if wanted is not None else None
        )
        # A ?reply= link to a comment that is not shown; a submitted form says it itself.
        missing = wanted is not None and reply_target is None
        reply_error = BAD_PARENT if missing and not self.form_sent else ""
        form_html = (
            ""
            if closed
            else render_comment_form(
                request, post, self.form, reply_target=reply_target, page_number=page.number
            )
        )
        post_url = post.get_absolute_url()
        page_url = "" if request is not None and request.path == post_url else post_url
        thread = (
            render_thread(
                comments,
                reply_to=reply_target.pk if reply_target else None,
                reply_form=form_html,
                page_url=page_url,
                page_number=page.number,
                replies_open=not closed,
            )
            if comments
            else ""
        )
        # The whole thread's count (kept on the post by the services) when it has pages.
        count = post.comment_count if page.paged else len(comments)
        return {
            "post": post,
            "count": count,
            "count_text": f"{count:,}",  # 3,000 comments
            "page": page,
            # Above the thread as well: on a phone, the end of a page is far away.
            "pager_top": mark_safe(  # noqa: S308 - escaped in pager_html
                paging.pager_html(page, post_url, label="Pages of comments")
            ),
            "pager": mark_safe(paging.pager_html(page, post_url)),  # noqa: S308 - escaped
            "thread": thread,
            "closed": closed,
            "unpublished": unpublished,
            "form_html": "" if reply_target else form_html,
            "reply_error": reply_error,
        }

    def render(self):
        return render_to_string(self.template_name, self.context(), request=self.request)


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
    from comments import editing  # editing formats its times here: imported on use

    return list(
        Comment.objects.filter(pk__in=ids, post_id=post_id, status__in=editing.CHANGEABLE)
        .annotate(
            answered=Exists(editing.answering_replies(OuterRef("pk"))),
            redacted=Exists(Redaction.objects.filter(comment_id=OuterRef("pk"))),
        )
        .order_by("-created_at", "-pk")  # the newest first, right under the notice
        .values_list(*OWN_FIELDS, "answered", "redacted", named=True)
    )


def _own_label(comment, tz):
    """What the own block's links call the comment: its title, else its time."""
    if comment.title:
        return f"“{escape(comment.title)}”"
    return f"your comment of {format_datetime(comment.created_at, tz)}"


def _published_label(comment, tz):
    """The "… is published" sentence's link: "Your comment “Title”", else "Your comment of
    <time>" (not "Your comment your comment of …")."""
    if comment.title:
        return f"Your comment “{escape(comment.title)}”"
    return f"Your comment of {format_datetime(comment.created_at, tz)}"


def _own_actions(comment, *, now, tz):
    """Edit and Withdraw links while the commenter may still use them, each named for the
    comment (a visually hidden part): a screen reader's list of links tells them apart."""
    from comments import editing

    until = editing.deadline(comment)
    if comment.answered or comment.redacted or now > until:
        return ""
    edit = reverse("comments:edit", args=[comment.pk])
    withdraw = reverse("comments:withdraw", args=[comment.pk])
    label = _own_label(comment, tz)
    return (
        f'<a href="{edit}">Edit<span class="visually-hidden"> {label}</span></a> or '
        f'<a href="{withdraw}">withdraw<span class="visually-hidden"> {label}</span></a> it '
        f'until <time datetime="{_datetime_attr(until, tz)}">{format_datetime(until, tz)}</time>.'
    )


OWN_NOTICE_TAG = "comment-own"


def own_notices(request):
    """The commenter's notices (sent, edited, withdrawn: tagged ``OWN_NOTICE_TAG`` by
    comments.views), shown by the own block; the rest stay at the top (templates/base.html).
    A request with a notice is never served from or stored in the page cache."""
    stored = getattr(request, "_messages", None)
    if stored is None:
        return []
    return [m for m in stored if OWN_NOTICE_TAG in (m.extra_tags or "").split()]


def site_notices(messages):
    """The notices for the top of the page: all but the own block's."""
    return [m for m in messages if OWN_NOTICE_TAG not in (m.extra_tags or "").split()]


def _notice_html(notices):
    if not notices:
        return ""
    lines = "".join(
        f'<p class="message message-{escape(m.tags)}">{escape(str(m))}</p>' for m in notices
    )
    return f'<div class="comments-own-notice" role="status">{lines}</div>'


def _in_thread(pk):
    """A comment's place in the thread from the own block: through its permalink, since a
    thread in pages may show it on another page than this one (comments.paging)."""
    return reverse("comments:thread", args=[pk])


def _own_items(comments, *, tz, now):
    items = []
    for comment in comments:
        actions = _own_actions(comment, now=now, tz=tz)
        pk = comment.pk
        if comment.status == "approved":
            if actions:
                items.append(
                    f'<p class="comment-own"><a href="{_in_thread(pk)}">'
                    f"{_published_label(comment, tz)}</a> is published. {actions}</p>"
                )
            continue
        local = comment.created_at.astimezone(tz)
        in_reply = ""
        if comment.parent_id:
            in_reply = (
                f' in reply to <a href="{_in_thread(comment.parent_id)}">'
                f"<bdi>{escape(comment.parent__name or '')}</bdi></a>"
            )
        edited = edited_html(comment.edited_at, tz) if comment.edited_at else ""
        items.append(
            f'<ol class="comment-list comment-list-own"><li id="comment-{pk}" '
            f'class="comment-pending"><p>{_name_html(comment)} '
            f'<time datetime="{local:%Y-%m-%d}">{format_date(local)}</time>{edited}{in_reply} '
            f'<strong class="comment-pending-mark">Awaiting moderation</strong></p>'
            f"{title_html(comment)}{comment.body_html}"
            f"{interests_html(comment)}"
            + (f'<p class="comment-own">{actions}</p>' if actions else "")
            + "</li></ol>"
        )
    return items


def pending_html(request, post_id):
    """This browser's held comments on the post, marked "Awaiting moderation", and Edit /
    Withdraw links for its comments still in their edit window, the newest first, under the
    commenter's notice (the page lands here after sending, editing or withdrawing). Never
    anyone else's: the ids come from the signed cookie only. Nothing, and no query, without
    the cookie or a notice."""
    notice = _notice_html(own_notices(request))
    ids = pending.comment_ids(request)
    if not ids and not notice:
        return ""  # most readers: every cached page's hit asks
    comments = _own_comments(ids, post_id) if ids else []
    tz = timezone.get_current_timezone()
    items = _own_items(comments, tz=tz, now=timezone.now())
    if not items and not notice:
        return ""
    note = '<p class="comments-own-note">Only you see this, in this browser.</p>' if items else ""
    return mark_safe(  # noqa: S308 - every value escaped above; body_html sanitised on save
        '<section class="comments-own" id="your-comments" aria-labelledby="your-comments-heading">'
        '<h3 id="your-comments-heading">Your comments</h3>'
        f"{notice}{note}{''.join(items)}</section>"
    )
