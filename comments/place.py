"""``/comments/<id>/place/``: where a comment is read now, for comments.js (issue 19).

An old ``#comment-<id>`` link (a bookmark, a feed from before the thread had pages) may name
a comment on another page of the thread, or one readers cannot see (held, withdrawn, never
there), or one on another post. The script asks here before it moves: ``{"url": "<post>
?cpage=N#comment-<id>"}``, or ``{"url": null}`` and it stays. "Nowhere" is an answer, not an
error: a 404 would be logged in the reader's console for an old link (``/comments/<id>/
thread/``, the address the site gives out, still answers 404 for those).
"""

from django.http import JsonResponse
from django.views.decorators.http import require_safe

from comments import paging
from comments.models import Comment


def place_of(comment_id):
    """The address of the page of its thread a comment is on, scrolled to it; None for a
    comment readers do not see (held, rejected, spam, under a hidden one, on a post not
    published). Two queries: the comment with its post, the conversations before its own."""
    comment = Comment.objects.public().select_related("post").filter(pk=comment_id).first()
    return paging.location(comment) if comment is not None else None


@require_safe
def comment_place(request, comment_id):
    response = JsonResponse({"url": place_of(comment_id)})
    response["X-Robots-Tag"] = "noindex"
    return response
