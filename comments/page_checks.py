"""The post page's answers about ``?cpage=`` before any template runs (issue 19).

Registered with ``blog.extensions.register_post_page_check`` by ``CommentsConfig.ready``:

- ``?cpage=1`` is the post's own address: a 301 there, with the rest of the query as the
  reader sent it (the page cache keeps only the parameters the view reads in
  ``request.GET``, so the original query string is read);
- a value that is not a page of the thread (``?cpage=02``, ``?cpage=0``, or past the last
  page, e.g. a page that existed before conversations were withdrawn) is a 404 page that
  says so and links to the post and to its last page of comments, not the site's generic
  "nothing at this address" (the address is the post's, which exists);
- a reply link (``?reply=<id>``, or the older ``?replyto=``) to a published comment of the
  post that is now on another page (a page opened before newer conversations pushed it
  on, an old bookmark) is a 302 to that page with the form under it, not a notice that
  the comment cannot be replied to.
"""

from django.http import (
    Http404,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    QueryDict,
)
from django.template.response import TemplateResponse

from comments import paging
from comments.models import Comment

TEMPLATE = "comments/no_such_page.html"


def check_post_page(request, post):
    moved = reply_on_another_page(request, post)
    if moved is not None:
        return moved
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


def reply_on_another_page(request, post):
    """The redirect to the page a reply link's comment is on, when that is not the page
    asked for; None otherwise (no reply link, an unreadable one, a comment readers cannot
    see: the page then says it cannot be replied to). One query, for reply links only."""
    from comments.rendering import OLD_REPLY_PARAMETER, REPLY_PARAMETER

    raw = request.GET.get(REPLY_PARAMETER, request.GET.get(OLD_REPLY_PARAMETER))
    if raw is None or not paging.per_page():
        return None
    if not (raw.isascii() and raw.isdigit() and not raw.startswith("0") and len(raw) <= 18):
        return None
    try:
        asked = paging.requested_number(request)
    except Http404:
        return None  # check_post_page's 404 for the page number
    comment = (
        Comment.objects.approved()
        .for_post(post)
        .filter(pk=int(raw))
        .only("pk", "post_id", "thread_path")
        .first()
    )
    if comment is None:
        return None
    number = paging.page_of(comment)
    if number == asked:
        return None
    page = paging.page_url(post.get_absolute_url(), number)
    joiner = "&" if "?" in page else "?"
    return HttpResponseRedirect(f"{page}{joiner}{REPLY_PARAMETER}={comment.pk}#respond")
