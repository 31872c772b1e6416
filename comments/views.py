"""Posting a comment: post/redirect/get, with a clear answer for every refusal."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import resolve
from django.views.decorators.http import require_POST

from blog.models import Post
from comments import ratelimit, services
from comments.forms import CommentForm
from comments.models import Comment
from comments.templatetags.comment_tags import render_comment_form
from config.client_ip import client_ip

AWAITING = "Your comment is awaiting moderation. Thank you: it will appear once approved."
PUBLISHED = "Your comment has been published."


def request_meta(request):
    return {
        "ip_address": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", ""),
    }


@require_POST
def post_comment(request, post_id):
    post = get_object_or_404(Post.objects.published().select_related("author"), pk=post_id)
    form = CommentForm(request.POST, post=post, user=request.user)
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
    except (services.DuplicateComment, services.InvalidParent) as refusal:
        form.add_error(None, refusal.message)
        return render_post_page(request, post, form, status=400)
    except ValidationError as invalid:  # the model's own checks, beyond the form's
        form.add_error(None, invalid.messages)
        return render_post_page(request, post, form, status=400)

    if comment.status == Comment.Status.APPROVED:
        messages.success(request, PUBLISHED)
        return redirect(comment.get_absolute_url())
    # Held and spam get the same notice: a spammer learns nothing.
    messages.info(request, AWAITING)
    return redirect(post.get_absolute_url())


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

    Uses the blog's own detail view (its template and context), so the page is the same one
    the reader was on; ``comment_section`` picks ``comment_form`` out of the context.
    """
    match = resolve(post.get_absolute_url())
    view_class = getattr(match.func, "view_class", None)
    if view_class is not None and hasattr(view_class, "get_context_data"):
        view = view_class()
        view.setup(request, *match.args, **match.kwargs)
        view.object = post
        context = view.get_context_data(object=post)
        context["comment_form"] = form
        return view.render_to_response(context, status=status)
    return render(
        request, "comments/form_page.html", {"post": post, "comment_form": form}, status=status
    )
