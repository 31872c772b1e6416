"""Template tags for comments.

- ``{% comment_section post %}``: the approved thread and the form (or "Comments are
  closed"), in one query for the whole thread.
- ``{% comment_feed_link post %}``: the ``<link rel="alternate">`` for the post's comment
  feed, for the post page's ``<head>``.
- ``{% held_comment_count %}`` / ``{% held_comment_count post %}``: comments waiting.
"""

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from comments.forms import BAD_PARENT, CommentForm
from comments.models import Comment
from comments.moderation import comments_closed
from comments.rendering import render_thread, visible_in_thread

register = template.Library()

# What the thread shows, fetched as light named tuples: half the cost of model instances.
THREAD_FIELDS = (
    "pk",
    "parent_id",
    "depth",
    "name",
    "website",
    "body_html",
    "competing_interests",
    "is_post_author",
    "is_staff_reply",
    "created_at",
    "edited_at",
)

BAD_REPLY = BAD_PARENT


def _user(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def render_comment_form(request, post, form, *, reply_target=None, heading_level=3):
    """The comment form's HTML (fresh security token, parent kept)."""
    user = _user(request)
    parent_id = reply_target.pk if reply_target is not None else ""
    return render_to_string(
        "comments/_form.html",
        {
            "post": post,
            "form": form,
            "token": form.fresh_token(request),
            "parent_id": parent_id,
            "reply_target": reply_target,
            "heading_level": heading_level,
            "commenting_as": (user.get_full_name() or user.get_username()) if user else "",
            "summary_fields": _fields_in_error(form),
        },
        request=request,
    )


SUMMARY_FIELDS = ("name", "email", "website", "title", "body", "competing_interests")


def _fields_in_error(form):
    """The fields the error summary links to: the ones a commenter can see and fix."""
    if not form.is_bound or not form.errors:
        return []
    return [
        form[name] for name in SUMMARY_FIELDS if name in form.errors and not form[name].is_hidden
    ]


def _requested_parent(request, form):
    raw = (
        form.data.get("parent")
        if form.is_bound
        else (request.GET.get("replyto") if request is not None else None)
    )
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        return -1


@register.simple_tag(takes_context=True)
def comment_section(context, post):
    request = context.get("request")
    form = context.get("comment_form")
    if not isinstance(form, CommentForm) or form.post.pk != post.pk:
        form = CommentForm(post=post, user=_user(request))

    comments = visible_in_thread(
        Comment.objects.approved()
        .for_post(post)
        .in_thread_order()
        .values_list(*THREAD_FIELDS, named=True)
    )
    by_id = {comment.pk: comment for comment in comments}
    # A draft or scheduled post (staff preview) takes no comments yet: its form would 404.
    unpublished = not post.is_published
    closed = unpublished or comments_closed(post)
    wanted = _requested_parent(request, form)
    reply_target = by_id.get(wanted) if wanted is not None else None
    # A ?replyto= link to a comment that is not shown; a submitted form says it itself.
    reply_error = (
        BAD_REPLY if wanted is not None and reply_target is None and not form.is_bound else ""
    )

    form_html = (
        "" if closed else render_comment_form(request, post, form, reply_target=reply_target)
    )
    post_url = post.get_absolute_url()
    thread = (
        render_thread(
            comments,
            reply_to=reply_target.pk if reply_target else None,
            reply_form=form_html,
            page_url="" if request is not None and request.path == post_url else post_url,
            replies_open=not closed,
        )
        if comments
        else ""
    )
    return render_to_string(
        "comments/_section.html",
        {
            "post": post,
            "count": len(comments),
            "thread": thread,
            "closed": closed,
            "unpublished": unpublished,
            "form_html": "" if reply_target else form_html,
            "reply_error": reply_error,
        },
        request=request,
    )


@register.simple_tag
def comment_feed_link(post):
    return format_html(
        '<link rel="alternate" type="application/atom+xml" title="Comments on {}" href="{}">',
        post.title,
        reverse("comments:feed_post", args=[post.pk]),
    )


@register.simple_tag
def held_comment_count(post=None):
    held = Comment.objects.held()
    if post is not None:
        held = held.for_post(post)
    return held.count()
