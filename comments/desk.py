"""The moderator's desk (issue 16): the held comments in full, one row each, with the
buttons that act on them, counts per status and per reason, and a reply form.

The views live in ``CommentAdmin.get_urls`` (the admin's login, permissions and layout);
this module holds their logic. Every change goes through ``comments.services`` (the same
functions as the changelist's actions and the comment page's buttons), and the page runs
the same number of queries for 1 comment as for 50.
"""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe

from blog.extensions import author_select_related
from blog.metadata import author_name
from blog.models import Post
from comments import moderation, safety_rules, services
from comments.models import Comment
from roles import policy

Status = Comment.Status
PER_PAGE = 50
ALL = "all"

# Why comments are held, grouped the way a moderator works through them: each group is
# a label and the lookup that finds its reasons, built from the strings the rules write
# (comments.moderation and comments.safety_rules). "other" is everything else.
# A safety hold stores every safety reason joined ("; "): such a comment counts, and is
# found, under EACH of its safety groups (so the counts may add up to more than the total).


def _safety_group(kind):
    separator = safety_rules.REASON_SEPARATOR
    return Q(status_reason__startswith=kind) | Q(status_reason__contains=f"{separator}{kind}")


REASON_GROUPS = {
    "identifier": ("Patient identifier", _safety_group(safety_rules.PATIENT_IDENTIFIER)),
    "advice": ("Personal medical advice", _safety_group(safety_rules.MEDICAL_ADVICE)),
    "named": ("Named person with a health detail", _safety_group(safety_rules.NAMED_PERSON)),
    "links": ("Too many links", Q(status_reason__contains=" links (more than ")),
    "word": ("Moderation word", Q(status_reason__startswith="moderation word:")),
    "staff-email": ("Staff email, not signed in", Q(status_reason__startswith="a staff member")),
    "resent": ("Sent again quickly", Q(status_reason__startswith="sent again ")),
    "new": ("New commenter", Q(status_reason=moderation.DEFAULT[1])),
}
_KNOWN = Q()
for _label, _lookup in REASON_GROUPS.values():
    _KNOWN |= _lookup
REASON_GROUPS["other"] = ("Other reasons", ~_KNOWN)

# The buttons: the name a form sends, the service, what the message says, the shortcut.
ACTIONS = {
    "approve": (services.comment_approve, "approved", "a"),
    "reject": (services.comment_reject, "rejected", "r"),
    "spam": (services.comment_mark_spam, "marked as spam", "s"),
}
STATUS_VALUES = (Status.HELD, Status.APPROVED, Status.REJECTED, Status.SPAM)
KEPT_PARAMETERS = ("status", "reason", "post", "page")


class BadRequest(Exception):
    """A hand-made parameter the desk cannot read: answered with 400."""


def _positive_int(value):
    """An id as typed in ASCII digits ("²" and "١" are digits to ``str.isdigit``)."""
    value = "" if value is None else str(value)
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise BadRequest(f"Not an id: {value!r}")
    return int(value)


def read_filters(params):
    """The status, reason group and post id of the desk's query string; unknown
    values are a 400 (a hand-made address), missing ones the defaults (held, any)."""
    status = params.get("status") or Status.HELD
    if status not in (*STATUS_VALUES, ALL):
        raise BadRequest("Unknown status")
    reason = params.get("reason") or ""
    if reason and reason not in REASON_GROUPS:
        raise BadRequest("Unknown reason")
    post = params.get("post") or ""
    post_id = _positive_int(post) if post else None
    return {"status": status, "reason": reason, "post": post_id}


def kept_query(params):
    """The desk's own parameters from ``params`` (a QueryDict), as a query string: where a
    button sends the moderator back to. Nothing else is kept (no open redirect)."""
    kept = {}
    for key in KEPT_PARAMETERS:
        value = params.get(key)
        if value and len(value) <= 40:
            kept[key] = value
    return urlencode(kept)


def desk_url(query="", anchor=""):
    url = reverse("admin:comments_comment_desk")
    return f"{url}{'?' + query if query else ''}{'#' + anchor if anchor else ''}"


def _row_anchor(anchor):
    """``anchor`` when it names the list or a row ("desk-12"), else ""."""
    if anchor == "desk-list" or (anchor.startswith("desk-") and anchor[5:].isdigit()):
        return anchor
    return ""


def safe_desk_next(value):
    """The desk address ``value`` names (a ``next`` parameter: the Redact page opened from
    the desk), rebuilt from the desk's own parameters and a row anchor; None for anything
    else (another site, another page, a scheme, a path with dots), so it never redirects
    elsewhere."""
    value = (value or "")[:600]
    if "\\" in value or any(ord(c) < 32 for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path != reverse("admin:comments_comment_desk"):
        return None
    return desk_url(kept_query(QueryDict(parts.query)), _row_anchor(parts.fragment))


def _counts(visible, post_id):
    """Comments per status, and held comments per reason group: one query."""
    scope = visible if post_id is None else visible.filter(post_id=post_id)
    held = Q(status=Status.HELD)
    aggregates = {f"status_{s}": Count("pk", filter=Q(status=s)) for s in STATUS_VALUES}
    for key, (_label, lookup) in REASON_GROUPS.items():
        aggregates[f"reason_{key}"] = Count("pk", filter=held & lookup)
    totals = scope.order_by().aggregate(**aggregates)
    statuses = [(s, Status(s).label, totals[f"status_{s}"]) for s in STATUS_VALUES]
    reasons = [
        (key, label, totals[f"reason_{key}"])
        for key, (label, _lookup) in REASON_GROUPS.items()
        if totals[f"reason_{key}"]
    ]
    return statuses, reasons


def _posts_to_filter(visible):
    """The posts the user may see comments on that have any: one query."""
    return list(
        Post.objects.filter(pk__in=visible.order_by().values("post_id"))
        .order_by("title", "pk")
        .values_list("pk", "title")
    )


def desk_view(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    try:
        filters = read_filters(request.GET)
    except BadRequest:
        return HttpResponseBadRequest("Unknown filter.")
    visible = model_admin.get_queryset(request)
    comments = visible
    if filters["status"] != ALL:
        comments = comments.filter(status=filters["status"])
    if filters["reason"]:
        comments = comments.filter(REASON_GROUPS[filters["reason"]][1])
    if filters["post"] is not None:
        comments = comments.filter(post_id=filters["post"])
    oldest_first = filters["status"] == Status.HELD
    # The moderator's public name (blog.metadata.author_name) and the number of redactions
    # come with the rows: no query per row.
    comments = comments.select_related("post", *author_select_related("moderated_by"))
    comments = comments.annotate(desk_redactions=Count("redactions", distinct=True)).order_by(
        *(("created_at", "pk") if oldest_first else ("-created_at", "-pk"))
    )
    page = Paginator(comments, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    moderatable = set(
        policy.comments_moderated_by(
            request.user, Comment.objects.filter(pk__in=[c.pk for c in rows])
        ).values_list("pk", flat=True)
    )
    can_redact = request.user.has_perm("comments.add_redaction")
    statuses, reasons = _counts(visible, filters["post"])
    query = kept_query(request.GET)
    status_anchor, status_text = _status_line(request)
    for index, comment in enumerate(rows):
        comment.desk_status_line = status_text if status_anchor == f"desk-{comment.pk}" else ""
        following = rows[index + 1] if index + 1 < len(rows) else None
        comment.desk_after = f"desk-{following.pk}" if following else "desk-list"
        comment.desk_may_moderate = comment.pk in moderatable
        comment.desk_moderator_name = (
            author_name(comment.moderated_by) if comment.moderated_by else ""
        )
        comment.desk_may_redact = can_redact and comment.desk_may_moderate
        # The Redact page comes back here, at this row (comments.admin, safe_desk_next).
        comment.desk_redact_next = urlencode({"next": desk_url(query, f"desk-{comment.pk}")})
        comment.desk_may_reply = comment.desk_may_moderate and comment.status in (
            Status.HELD,
            Status.APPROVED,
        )
        # Replying to a held comment approves it (services.comment_reply_as_staff).
        comment.desk_reply_approves = comment.status == Status.HELD
        # Sanitised by blog.markup when the comment was saved (Comment.render_body).
        comment.desk_body = mark_safe(comment.body_html)  # noqa: S308
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Moderator\u2019s desk",
        "rows": rows,
        "page_obj": page,
        "filters": filters,
        "statuses": statuses,
        "reasons": reasons,
        "reason_groups": [(key, label) for key, (label, _q) in REASON_GROUPS.items()],
        "posts": _posts_to_filter(visible),
        "query": query,
        "show_email": policy.is_moderator(request.user),
        "actions": [(name, verb, key) for name, (_s, verb, key) in ACTIONS.items()],
        "status_choices": [(s, Status(s).label) for s in STATUS_VALUES],
        "page_query": _page_query(request.GET),
        "max_length": settings.COMMENT_MAX_LENGTH,
        # Told above the list when the row it was meant for is not on this page.
        "list_status_line": (
            status_text if status_text and not any(c.desk_status_line for c in rows) else ""
        ),
    }
    return TemplateResponse(request, "admin/comments/comment/desk.html", context)


def _page_query(params):
    """The query string without ``page``, for the pager's links."""
    kept = QueryDict(kept_query(params), mutable=True)
    kept.pop("page", None)
    return kept.urlencode()


def _comment_to_moderate(model_admin, request):
    """The comment a desk form names: 400 for a malformed id, 404 for one the user may
    not see (or that does not exist), 403 for one they may see but not moderate."""
    comment_id = _positive_int(request.POST.get("comment"))
    comment = model_admin.get_queryset(request).filter(pk=comment_id).first()
    if comment is None:
        raise Http404("No such comment.")
    if not model_admin.has_change_permission(request, comment):
        raise PermissionDenied
    return comment


STATUS_KEY = "comment_desk_status"


def _tell(model_admin, request, text, level, anchor):
    """The admin message, and the same words kept for the row the desk comes back to
    (``desk_view`` shows them there once, as a status line: the admin's message is at the
    top of the page, off-screen after a jump to a row far down)."""
    model_admin.message_user(request, text, level)
    remember_status(request, text, anchor)


def remember_status(request, text, anchor):
    request.session[STATUS_KEY] = {"anchor": anchor, "text": text[:300]}


def _status_line(request):
    """(anchor, text) told once after an action, or (None, "")."""
    told = request.session.pop(STATUS_KEY, None)
    if not isinstance(told, dict):
        return None, ""
    return _row_anchor(str(told.get("anchor", ""))) or "desk-list", str(told.get("text", ""))


def _after(request):
    return _row_anchor(request.POST.get("after", "")) or "desk-list"


def _back(request, anchor=None):
    """Back to the desk's page the form was on (its own parameters only), at ``anchor`` or
    at the row the form named as the next one."""
    query = kept_query(QueryDict(request.POST.get("return_query", "")[:400]))
    anchor = request.POST.get("after", "") if anchor is None else anchor
    anchor = _row_anchor(anchor) or "desk-list"
    return HttpResponseRedirect(desk_url(query, anchor))


def desk_act(model_admin, request):
    """One button of one row: Approve, Reject or Spam, then back to the same page, at the
    row that followed (the acted-on one usually leaves the held view)."""
    try:
        comment = _comment_to_moderate(model_admin, request)
    except BadRequest:
        return HttpResponseBadRequest("Not a comment id.")
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        return HttpResponseBadRequest("Unknown action.")
    service, verb, _key = action
    service(comment=comment, moderator=request.user)
    _tell(model_admin, request, f"Comment {comment.pk} {verb}.", messages.SUCCESS, _after(request))
    return _back(request)


def desk_reply(model_admin, request):
    """Publish a reply as the signed-in user (the post's author, or a moderator)."""
    try:
        comment = _comment_to_moderate(model_admin, request)
    except BadRequest:
        return HttpResponseBadRequest("Not a comment id.")
    try:
        reply = services.comment_reply_as_staff(
            parent=comment,
            user=request.user,
            body=request.POST.get("body", ""),
            competing_interests=request.POST.get("competing_interests", ""),
        )
    except services.ReplyRefused as refusal:
        text = f"No reply to comment {comment.pk}: {refusal.message}"
        _tell(model_admin, request, text, messages.ERROR, f"desk-{comment.pk}")
        return _back(request, f"desk-{comment.pk}")
    text = f"Your reply to comment {comment.pk} is published (comment {reply.pk})."
    _tell(model_admin, request, text, messages.SUCCESS, _after(request))
    return _back(request)
