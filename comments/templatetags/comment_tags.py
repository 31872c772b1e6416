"""Template tags for comments.

- ``{% comment_section post %}``: the approved thread and the form (or "Comments are
  closed"), in one query for the whole thread: ``comments.rendering.ThreadPresenter``.
- ``{% comment_page_links post canonical %}``: the ``<head>``'s canonical address of this
  page of the thread and its ``rel="prev"``/``"next"`` pages (``comments.paging``); it
  shares the section's result on the request, so it costs no query of its own.
- ``{% comment_feed_link post %}``: the ``<link rel="alternate">`` for the post's comment
  feed, for the post page's ``<head>``.
- ``{% held_comment_count %}`` / ``{% held_comment_count post %}``: comments waiting.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from comments import paging
from comments.models import Comment
from comments.rendering import ThreadPresenter

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_section(context, post):
    """A form sent back (errors, preview) comes as ``comment_form`` in the context."""
    presenter = ThreadPresenter.for_request(
        post, request=context.get("request"), form=context.get("comment_form")
    )
    return presenter.render()


@register.simple_tag(takes_context=True)
def comment_page_links(context, post, canonical):
    presenter = ThreadPresenter.for_request(
        post, request=context.get("request"), form=context.get("comment_form")
    )
    return mark_safe(paging.head_links_html(presenter.page(), canonical))  # noqa: S308


@register.simple_tag(takes_context=True)
def comment_page_title(context, post):
    """ " (comments, page 2 of 7)" for the <title> of a later page of the thread, so each
    page's title differs (tabs, history, search results); nothing on page 1. The same
    fetch as the section's (kept on the request): no query of its own."""
    presenter = ThreadPresenter.for_request(
        post, request=context.get("request"), form=context.get("comment_form")
    )
    page = presenter.page()
    if page.number <= 1:
        return ""
    return f" (comments, page {page.number} of {page.count})"


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
