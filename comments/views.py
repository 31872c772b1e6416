"""Posting a comment: post/redirect/get, with a clear answer for every refusal."""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.html import escape
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from blog.views import PostDetailView
from comments import (
    editing,
    extensions,
    moderation,
    paging,
    pending,
    preview,
    ratelimit,
    safety_rules,
    services,
)
from comments.forms import CommentForm
from comments.models import Comment
from comments.place import place_of
from comments.rendering import OWN_NOTICE_TAG, format_datetime, render_comment_form
from config.client_ip import client_ip

logger = logging.getLogger(__name__)

# The commenter's own block shows the held comment at once (comments.rendering.pending_html):
# the notice says so rather than "it will appear once approved".
AWAITING = (
    "Your comment is awaiting moderation. Thank you: until a moderator approves it, only "
    "you can see it (below, in this browser); then it is published for everyone."
)
OWN_BLOCK = "#your-comments"
# The commenter's notices are shown by the own block, where the page lands, not at the top
# of the page (templates/base.html leaves them out): comments.rendering.OWN_NOTICE_TAG.
OWN_TAG = OWN_NOTICE_TAG
PUBLISHED = "Your comment has been published."
RECEIVED = "Your comment was already received (you sent this form twice): it is stored once."


def request_meta(request):
    return {
        "ip_address": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", ""),
    }


def _published_post_or_404(post_id):
    post = services.published_post(post_id)
    if post is None:
        raise Http404("No published post at this address.")
    return post


@require_http_methods(["GET", "HEAD", "POST"])
def post_comment(request, post_id):
    post = _published_post_or_404(post_id)
    if request.method != "POST":
        # The form's address stays in the address bar after an error: take a reload or
        # a bookmark to the post's form, not to a blank "method not allowed".
        return redirect(f"{post.get_absolute_url()}#respond")
    form = CommentForm(request.POST, post=post, user=request.user)
    if moderation.comments_closed(post):
        # Before the form's own errors: the post page of a closed post has no form, and
        # the text would be lost with them. This page keeps it.
        return _refused(request, post, form, services.CommentsClosed(), status=403)
    if "preview" in request.POST:
        return _preview_page(request, post, form)
    if not form.is_valid():
        return render_post_page(request, post, form, status=400)
    try:
        comment = services.comment_submit(
            post=post,
            data=form.submission_data(),
            request_meta=request_meta(request),
            user=request.user,
        )
    except services.CommentsClosed as refusal:
        return _refused(request, post, form, refusal, status=403)
    except services.RateLimited as refusal:
        response = _refused(request, post, form, refusal, status=429)
        response["Retry-After"] = str(ratelimit.seconds_until_reset(settings.COMMENT_RATE_LIMIT))
        return response
    except services.AlreadySent as refusal:
        if _same_text(refusal.comment, form, post):
            response = _already_received(request, refusal.comment)
            pending.remember(request, response, refusal.comment.pk)
            return response
        form.token_spent = True
        form.add_error(None, refusal.message)
        return render_post_page(request, post, form, status=400)
    except services.DuplicateComment as refusal:
        # The back button, or the same text again from a new page: it is stored already.
        return _landing(request, refusal.earlier, refusal.message, refusal.message, own_block=False)
    except services.InvalidParent as refusal:
        form.add_error(None, refusal.message)
        return render_post_page(request, post, form, status=400)
    except ValidationError as invalid:  # the model's own checks, beyond the form's
        form.add_error(None, invalid.messages)
        return render_post_page(request, post, form, status=400)

    extra = _app_notices(comment)  # e.g. "we have emailed you a link to confirm your address"
    response = _landing(
        request,
        comment,
        " ".join([PUBLISHED, *extra]),
        " ".join([awaiting_notice(comment), *extra]),
    )
    pending.remember(request, response, comment.pk)  # this browser's own (issue 15)
    return response


def _app_notices(comment):
    """What other apps add to the notice after sending (comments.extensions.notices_for:
    subscriptions on the notify-me ticks). The comment is stored: a failing app only
    loses its sentence."""
    try:
        return [str(text).strip() for text in extensions.notices_for(comment)]
    except Exception:
        logger.exception("An app's notice failed for comment %s", comment.pk)
        return []


def awaiting_notice(comment):
    """The generic notice, plus every reason in plain words and one instruction when a
    clinical-safety rule held the comment (a moderator removes personal details; no need to
    send it again). Spam and other holds keep the generic notice: a spammer learns nothing."""
    why = None
    if comment.status == Comment.Status.HELD:
        why = safety_rules.held_notice(comment.status_reason)
    return f"{AWAITING} {why}" if why else AWAITING


def _preview_page(request, post, form):
    """The Preview button without JavaScript: the post page again, the rendered comment
    above the form, the text kept; nothing stored, no moderation, no rate-limit count."""
    form.previewed = True
    if not form.is_valid():
        return render_post_page(request, post, form, status=400)
    form.preview_html = preview.preview_html(form)
    response = render_post_page(request, post, form, status=200)
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_POST
def preview_comment(request, post_id):
    """The in-place preview (static/js/comment-preview.js): the preview section alone."""
    post = _published_post_or_404(post_id)
    form = CommentForm(request.POST, post=post, user=request.user)
    if moderation.comments_closed(post):
        closed = escape(services.CommentsClosed.message)
        response = HttpResponse(f'<p class="comments-notice" role="alert">{closed}</p>', status=403)
    elif form.is_valid():
        response = HttpResponse(preview.preview_html(form))
    else:
        # 200, not 400: the answer is the preview section, saying what to fix (a 400 to a
        # fetch() is logged as a console error by browsers, for a commenter's typo).
        response = HttpResponse(preview.errors_html(form))
    patch_cache_control(response, private=True, no_store=True)
    return response


def own_block_location(comment):
    """This browser's own block on the page of the thread where the comment is (or will
    be, once approved: a reply on its conversation's page), so the notice, the comment and
    the conversation it joins are in one place (comments.paging); never a page that does
    not exist yet (a held comment that would open a new page: the last one)."""
    post_url = comment.post.get_absolute_url()
    return paging.page_url(post_url, paging.page_of(comment), OWN_BLOCK)


def _landing(request, comment, published, waiting, *, own_block=True):
    """Where the browser goes after sending: this browser's own block, which the caller's
    cookie fills, with the notice at its top (held, spam, which looks the same: a spammer
    learns nothing, or published: the block names it with a link to it in the thread);
    ``own_block=False`` (a comment the cookie may not name) the top notice. Without a
    fragment the browser keeps the form's "#respond" and a phone lands on an empty form far
    from both."""
    if not own_block:  # a comment this browser may not call its own: the top notice
        if comment.status == Comment.Status.APPROVED:
            messages.success(request, published)
            return redirect(paging.location(comment))  # its page of the thread, in one hop
        messages.info(request, waiting)
        return redirect(f"{comment.post.get_absolute_url()}#notice")
    if comment.status == Comment.Status.APPROVED:
        messages.success(request, published, extra_tags=OWN_TAG)
    else:
        messages.info(request, waiting, extra_tags=OWN_TAG)
    return redirect(own_block_location(comment))


def _same_text(comment, form, post):
    return comment.post_id == post.pk and comment.body == form.cleaned_data.get("body")


def _already_received(request, comment):
    """A double click or the back button sent the form again: the comment it sent, once."""
    if comment.status == Comment.Status.REJECTED:
        messages.info(request, RECEIVED)
        return redirect(f"{comment.post.get_absolute_url()}#notice")
    return _landing(
        request,
        comment,
        f"{RECEIVED} It is published.",
        f"{RECEIVED} It is awaiting moderation.",
    )


def _refused(request, post, form, refusal, *, status):
    """A page that says why and keeps the commenter's text (a fresh form, prefilled)."""
    retry = status == 429
    form_html = ""
    if retry:
        parent_id = form.cleaned_data.get("parent")
        target = Comment.objects.approved().for_post(post).filter(pk=parent_id).first()
        form_html = render_comment_form(request, post, form, reply_target=target, heading_level=2)
    return render(
        request,
        "comments/refused.html",
        {
            "post": post,
            "form": form,
            "form_html": form_html,
            "message": refusal.message,
            "can_retry": retry,
        },
        status=status,
    )


def render_post_page(request, post, form, *, status):
    """The post page again, with the bound form: errors beside fields, the text kept.

    The blog's own detail view presents it (its template and context, by a direct import:
    re-entering it through ``resolve(post.get_absolute_url())`` failed for an address that
    is not ASCII, which is percent-encoded); ``comment_section`` picks ``comment_form`` out
    of the context.
    """
    view = PostDetailView()
    year, month, slug = post.address_parts
    view.setup(request, year=year, month=month, slug=slug)
    # The view's own queryset: the author, the labels and the disclosures as its page has
    # them (the POST looked up the post's columns alone: comments.services.published_post).
    view.object = view.get_queryset().filter(pk=post.pk).first() or post
    context = view.get_context_data(object=post)
    context["comment_form"] = form
    return view.render_to_response(context, status=status)


# --- the commenter's own comment: edit or withdraw (issue 15) -----------------------------

EDITED = "Your comment has been updated."
EDITED_HELD = (
    "Your edit is saved. Your comment is awaiting moderation: until a moderator approves it, "
    "only you can see it (below, in this browser)."
)
WITHDRAWN = "Your comment has been withdrawn."


def _own_comment(request, comment_id):
    """The comment, if this browser's signed cookie names it and it can still be seen by
    its author; else 404 (the same for someone else's comment and a missing one)."""
    if not pending.owns(request, comment_id):
        raise Http404("No comment of yours at this address.")
    comment = (
        Comment.objects.filter(pk=comment_id, status__in=editing.CHANGEABLE)
        .select_related("post")
        .first()
    )
    if comment is None or not comment.post.is_published:
        raise Http404("No comment of yours at this address.")
    return comment


def _private(response):
    patch_cache_control(response, private=True, no_store=True)
    return response


def _edit_page(request, comment, form, *, message="", status=200, preview_html=""):
    return _private(
        render(
            request,
            "comments/edit.html",
            {
                "comment": comment,
                "post": comment.post,
                "form": form,
                "refusal": message,
                "deadline": editing.deadline(comment),
                "deadline_text": format_datetime(editing.deadline(comment)),
                "max_words": settings.COMMENT_MAX_WORDS,
                "preview_html": preview_html,
            },
            status=status,
        )
    )


@require_http_methods(["GET", "HEAD", "POST"])
def edit_comment(request, comment_id):
    """The edit form (works without JavaScript). A refusal (too late, answered) says why and
    keeps the text typed, so it can be copied."""
    comment = _own_comment(request, comment_id)
    posted = request.method == "POST"
    data = None
    if posted:
        # A field the sent form did not have (a page rendered before it had it) is kept.
        data = request.POST.copy()
        for name in editing.EDITED_FIELDS:
            if name not in data:
                data[name] = getattr(comment, name)
    form = editing.EditForm(data, instance=comment)
    refusal = editing.refusal(comment, now=timezone.now())
    if refusal:
        return _edit_page(request, comment, form, message=refusal, status=403)
    if not posted:
        return _edit_page(request, comment, form)
    if not form.is_valid():
        return _edit_page(request, comment, form, status=400)
    if "preview" in request.POST:  # the edit page again, the rendered text above the form
        html = preview.preview_html(form, heading_level=1)
        return _edit_page(request, comment, form, preview_html=html)
    try:
        comment = services.comment_edit(
            comment_id=comment.pk,
            body=form.cleaned_data["body"],
            title=form.cleaned_data["title"],
            competing_interests=form.cleaned_data["competing_interests"],
            user=request.user,
            request_meta=request_meta(request),
        )
    except services.ChangeRefused as refused:
        return _edit_page(request, comment, form, message=refused.message, status=403)
    except ValidationError as invalid:
        form.add_error("body", invalid.messages)
        return _edit_page(request, comment, form, status=400)
    if comment.status == Comment.Status.APPROVED:
        messages.success(request, EDITED, extra_tags=OWN_TAG)
    else:
        messages.info(request, EDITED_HELD, extra_tags=OWN_TAG)
    return redirect(own_block_location(comment))


@require_http_methods(["GET", "HEAD", "POST"])
def withdraw_comment(request, comment_id):
    """A page asking to confirm; its POST deletes the comment (services.comment_withdraw)."""
    comment = _own_comment(request, comment_id)
    refusal = editing.refusal(comment, now=timezone.now())
    if refusal or request.method != "POST" or request.POST.get("confirm") != "1":
        context = {"comment": comment, "post": comment.post, "refusal": refusal}
        return _private(
            render(request, "comments/withdraw.html", context, status=403 if refusal else 200)
        )
    try:
        services.comment_withdraw(comment_id=comment.pk)
    except services.ChangeRefused as refused:
        context = {"comment": comment, "post": comment.post, "refusal": refused.message}
        return _private(render(request, "comments/withdraw.html", context, status=403))
    messages.success(request, WITHDRAWN, extra_tags=OWN_TAG)
    response = redirect(f"{comment.post.get_absolute_url()}{OWN_BLOCK}")
    pending.forget(request, response, comment.pk)
    return response


# --- a comment's permalink in its thread (issue 19: threads in pages) ----------------------


@require_safe
def comment_in_thread(request, comment_id):
    """``/comments/<id>/thread/``: 302 to the page of the thread the comment is on now
    (``<post>?cpage=N#comment-<id>``), which changes as conversations are added. Two
    queries: the comment with its post, the conversations before its own. A comment
    readers do not see (held, rejected, spam, under a hidden one, on a post not published)
    is a 404 (``comments.place``, which comments.js asks, answers null instead)."""
    where = place_of(comment_id)
    if where is None:
        raise Http404("No published comment at this address.")
    return redirect(where)
