"""Old addresses of imported posts: a 301 where the site itself has nothing (a 404).

Asked only for GET/HEAD requests that end in a 404, so no existing page is ever shadowed
and a post that now lives at an address wins; and before the view for ``/?p=<id>`` and
``.html`` addresses, where no page or post lives (see ``_asked_first``). One query, and
none on other pages that answer.
"""

from django.http import HttpResponsePermanentRedirect

from blog.models import Post
from imports.addresses import ITEM_PARAMETERS, legacy_key
from imports.models import LegacyAddress


def legacy_target(path, query):
    key = legacy_key(path, query=query)
    if not key:
        return None
    found = (
        LegacyAddress.objects.filter(path=key, post__in=Post.objects.published().values("pk"))
        .select_related("post")
        .only("post__slug", "post__published_at")
        .first()
    )
    return found.post.address or None if found is not None else None


class LegacyAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and self._asked_first(request):
            target = legacy_target(request.path, request.META.get("QUERY_STRING", ""))
            if target:
                return HttpResponsePermanentRedirect(target)
        response = self.get_response(request)
        if response.status_code == 404 and request.method in ("GET", "HEAD"):
            target = legacy_target(request.path, request.META.get("QUERY_STRING", ""))
            if target:
                return HttpResponsePermanentRedirect(target)
        return response

    @staticmethod
    def _asked_first(request):
        """``/?p=<id>`` (the home page would answer it) and Blogger's ``.html`` addresses:
        no post ever lives at one, and blog's own ``.html`` redirect guesses by slug alone,
        which would send an imported post's old address to another post with that slug."""
        if request.path.endswith(".html"):
            return True
        return request.path == "/" and any(
            request.GET.get(name, "").isdigit() for name in ITEM_PARAMETERS
        )
