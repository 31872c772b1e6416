"""An approved comment's own, citable page (as BMJ rapid responses are): ``/comments/<id>/``.

Its address names only the comment, so a citation keeps working when the post's address
changes (a corrected slug); the page links the post it answers. Only what readers see
in the thread has a page: a held, rejected or spam comment, a reply under a hidden
comment, or a comment on a post not published is a 404, which the page cache never stores.
Comment is watched by the page cache, so a page stored here goes stale when the comment
changes. One query: the comment with its post, the post's author and its parent.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from blog.metadata import absolute_url, json_ld_script_content, machine_datetime
from citations.styles import apa, person_name
from citations.works import Work
from comments.models import Comment
from comments.plain_text import body_text, excerpt


def open_graph(comment, url, text):
    """Open Graph: what a link to the response shows where it is shared."""
    return [
        ("og:type", "article"),
        ("og:site_name", settings.SITE_NAME),
        ("og:title", comment.display_title),
        ("og:url", url),
        ("og:description", excerpt(text)),
    ]


def highwire(comment, url):
    """Highwire Press tags: what Zotero and Google Scholar read."""
    return [
        ("citation_title", comment.display_title),
        ("citation_author", comment.name),
        ("citation_publication_date", f"{timezone.localtime(comment.created_at):%Y/%m/%d}"),
        ("citation_journal_title", settings.SITE_NAME),
        ("citation_public_url", url),
    ]


def json_ld(comment, url, text):
    post = comment.post
    post_url = absolute_url(post.get_absolute_url())
    author = {"@type": "Person", "name": comment.name}
    if comment.website:
        author["url"] = comment.website
    data = {
        "@context": "https://schema.org",
        "@type": "Comment",
        "@id": url,
        "url": url,
        "name": comment.display_title,
        "author": author,
        "dateCreated": machine_datetime(comment.created_at),
        "dateModified": machine_datetime(comment.edited_at or comment.created_at),
        "text": text,
        "about": {
            "@type": "BlogPosting",
            "@id": post_url,
            "url": post_url,
            "headline": post.title,
        },
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
    }
    if comment.parent_id:
        data["parentItem"] = {
            "@type": "Comment",
            "@id": absolute_url(comment.parent.get_response_url()),
        }
    return data


def citation(comment, url):
    """APA for a comment: Name. (Date). Title [Response to "Post title"]. Site. URL."""
    return apa(
        Work(
            kind="comment",
            title=f"{comment.display_title} [Response to \u201c{comment.post.title}\u201d]",
            authors=[person_name(comment.name)],
            container=settings.SITE_NAME,
            issued=timezone.localtime(comment.created_at).date(),
            url=url,
        )
    )


@require_safe
def comment_response(request, comment_id):
    comment = (
        Comment.objects.public()
        .select_related("post__author", "parent")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        raise Http404("No published comment at this address.")
    url = absolute_url(comment.get_response_url())
    text = body_text(comment.body_html)
    return render(
        request,
        "comments/response.html",
        {
            "comment": comment,
            "post": comment.post,
            "url": url,
            "highwire": highwire(comment, url),
            "open_graph": open_graph(comment, url, text),
            "json_ld": json_ld_script_content(json_ld(comment, url, text)),
            "citation": citation(comment, url),
        },
    )
