"""BibTeX and RIS downloads of a post and of the paper it discusses.

The same visibility as the post page (``Post.objects.visible_to``): staff may download a
draft's citation, nobody else learns it exists. Downloads carry today's date as the date
accessed, so they are never stored by the page cache (``no-cache``).
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import patch_cache_control

from blog import extensions
from blog.models import Post
from citations import bibtex, ris
from citations.works import paper_work, post_work

FORMATS = {
    "bib": (bibtex.entry, "application/x-bibtex; charset=utf-8"),
    "ris": (ris.record, "application/x-research-info-systems; charset=utf-8"),
}


def _post(request, year, month, slug):
    post = get_object_or_404(
        Post.objects.visible_to(request.user).select_related(*extensions.author_select_related()),
        slug=slug,
    )
    local = timezone.localtime(post.published_at)
    if (local.year, local.month) != (year, month):
        raise Http404("No post at this address.")
    return post


def download(request, year, month, slug, work, fmt):
    post = _post(request, year, month, slug)
    cited = post_work(post) if work == "post" else paper_work(post)
    if cited is None:
        raise Http404("This post names no paper.")
    write, content_type = FORMATS[fmt]
    response = HttpResponse(write(cited), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{cited.key}-{work}.{fmt}"'
    patch_cache_control(response, no_cache=True)
    if not post.is_published:
        patch_cache_control(response, private=True)
        response["X-Robots-Tag"] = "noindex"
    return response
