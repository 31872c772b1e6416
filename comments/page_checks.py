"""The post page's answers about ``?cpage=`` before any template runs (issue 19).

Registered with ``blog.extensions.register_post_page_check`` by ``CommentsConfig.ready``:

- ``?cpage=1`` is the post's own address: a 301 there, with the rest of the query as the
  reader sent it (the page cache keeps only the parameters the view reads in
  ``request.GET``, so the original query string is read);
- a value that is not a page of the thread (``?cpage=02``, ``?cpage=0``, or past the last
  page, e.g. a page that existed before conversations were withdrawn) is a 404 page that
  says so and links to the post and to its last page of comments, not the site's generic
  "nothing at this address" (the address is the post's, which exists).
"""

from django.http import Http404, HttpResponsePermanentRedirect, QueryDict
from django.template.response import TemplateResponse

from comments import paging

TEMPLATE = "comments/no_such_page.html"


def check_post_page(request, post):
    if paging.PAGE_PARAMETER not in request.GET:
        return None
    raw = request.GET.get(paging.PAGE_PARAMETER, "")
    try:
        number = paging.requested_number(request)
    except Http404:
        return no_such_page(request, post, raw)
    if number == 1:
        return HttpResponsePermanentRedirect(_without_page(post, request))
    from comments.rendering import ThreadPresenter  # rendering imports paging

    try:
        ThreadPresenter.for_request(post, request=request).page()  # kept for the section
    except Http404:
        return no_such_page(request, post, raw)
    return None


def _without_page(post, request):
    query = QueryDict(request.META.get("QUERY_STRING", ""), mutable=True)
    query.pop(paging.PAGE_PARAMETER, None)
    rest = query.urlencode()
    return post.get_absolute_url() + (f"?{rest}" if rest else "")


def no_such_page(request, post, raw):
    """A 404 that names what is missing: this page of the post's comments."""
    pages = paging.fetch(post, 1, ("pk", "parent_id", "depth")).count
    post_url = post.get_absolute_url()
    response = TemplateResponse(
        request,
        TEMPLATE,
        {
            "post": post,
            "asked": raw[:20],
            "pages": pages,
            "last_page_url": paging.page_url(post_url, pages, "#comments"),
        },
        status=404,
    )
    response["X-Robots-Tag"] = "noindex"
    return response
