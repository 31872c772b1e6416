"""Template helpers for reader pages: sidebar widgets and small formatting filters."""

from django import template
from django.template.loader import render_to_string

from blog import metadata, rendering
from blog.navigation import rendered_sidebar, sidebar_archive, sidebar_labels

register = template.Library()


@register.simple_tag(takes_context=True)
def sidebar(context):
    """The sidebar (archive, labels, feeds), its HTML kept per generation in this worker."""
    request, view = context.get("request"), context.get("view")
    year = view.kwargs.get("year") if view is not None else None
    return rendered_sidebar(
        request,
        year,
        lambda: render_to_string("blog/_sidebar_widgets.html", {"request": request, "view": view}),
    )


@register.inclusion_tag("blog/_archive_nav.html", takes_context=True)
def archive_nav(context):
    """Blogger's archive widget: years and months with counts, newest first (cached)."""
    years = sidebar_archive(context.get("request"))
    kwargs = context.get("view").kwargs if context.get("view") else {}
    open_year = kwargs.get("year") or (years[0].year if years else None)
    return {"years": years, "open_year": open_year}


@register.inclusion_tag("blog/_label_nav.html", takes_context=True)
def label_nav(context):
    """Every label in use with its number of published posts (cached per generation)."""
    return {"labels": sidebar_labels(context.get("request"))}


@register.simple_tag(takes_context=True)
def post_summaries(context, posts, show_review_marker=True):
    """The summaries of a list of posts, in one pass (blog.rendering)."""
    return rendering.summaries_html(
        posts, context.get("request"), show_review_marker=show_review_marker
    )


@register.simple_tag(takes_context=True)
def post_summary(context, post, show_review_marker=False):
    return rendering.summary_html(
        post, context.get("request"), show_review_marker=show_review_marker
    )


@register.simple_tag(takes_context=True)
def post_byline(context, post):
    """The author, the date, the last announced change and the labels (blog.rendering)."""
    return rendering.byline_html(post, context.get("request"))


@register.simple_tag(takes_context=True)
def review_marker(context, post):
    """ "May be out of date" on lists, for a post past its review date (blog.rendering)."""
    return rendering.review_marker_html(post, context.get("request"))


@register.filter
def comment_count_text(count):
    return rendering.comment_count_text(count)


@register.filter
def author_name(user):
    return metadata.author_name(user)


@register.filter
def registry_name(registration):
    return metadata.registry_name(registration)


@register.filter
def source_authors(post):
    return metadata.source_authors(post)
