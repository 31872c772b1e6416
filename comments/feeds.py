"""Atom feeds of approved comments: one per post and one for the whole site.

Feeds name the commenter but never carry an email address (no ``item_author_email``).
Each entry carries the comment and the commenter's competing-interests line, as the page
shows them; every address comes from settings.SITE_URL, never the request's Host header.

An edited comment (issue 15) says "(edited <time>)" after its text, as the thread does,
and its entry's ``<updated>`` is the edit's time; an entry's title is "<name> on “<post>”",
after the comment's own title if it has one; an entry links to the comment's own page.

Conditional GETs: the ETag and Last-Modified follow the latest change of any comment the
feed could show, approved, moderated or edited (``moderated_at`` or ``edited_at``, else
``created_at``), and the number shown; so a comment held for a week and approved today, or
edited a minute ago, changes both, and a reader asking If-Modified-Since gets it instead
of a 304. One aggregate query.
"""

import hashlib
from html import escape

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce, Greatest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date, quote_etag

from blog.metadata import absolute_url
from blog.models import Post
from comments.bidi import could_reorder
from comments.models import Comment
from comments.rendering import edited_html

FEED_SIZE = 30


def _isolated(name):
    """The name between U+2068 and U+2069 (plain text's <bdi>) when it could reorder the
    rest of a feed title; other names are left as they are."""
    if could_reorder(name):
        return f"\u2068{name}\u2069"
    return name


def _changed_at(comment):
    """The latest of its approval (or other moderation) and its author's last edit."""
    return max(comment.moderated_at or comment.created_at, comment.edited_at or comment.created_at)


# The same, in the database: Greatest of two non-null values (PostgreSQL's GREATEST skips
# NULLs where SQLite's MAX returns NULL, so neither is given one).
CHANGED_AT = Greatest(Coalesce("moderated_at", "created_at"), Coalesce("edited_at", "created_at"))

# What a feed could show, or showed and may have lost since (moderated or edited away).
CANDIDATES = (
    Q(status=Comment.Status.APPROVED) | Q(moderated_at__isnull=False) | Q(edited_at__isnull=False)
)


class _CommentFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        state = self.change_state(request, *args, **kwargs)
        key = f"{state['shown']}|{state['changed']}|{settings.SITE_URL}"
        etag = quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32])
        last_modified = state["changed"].timestamp() if state["changed"] else None
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = super().__call__(request, *args, **kwargs)
        response.headers["ETag"] = etag
        response.headers.pop("Last-Modified", None)  # the newest item's: not enough
        if last_modified is not None:
            response.headers["Last-Modified"] = http_date(last_modified)
        return response

    def change_state(self, request, *args, **kwargs):
        """``shown``: how many comments the feed could show; ``changed``: the latest
        status change among them and those moderated away from them."""
        return self.candidates(request, *args, **kwargs).aggregate(
            shown=Count("pk", filter=Q(status=Comment.Status.APPROVED)),
            changed=Max(CHANGED_AT),
        )

    def item_title(self, item):
        """ "<name> on “<post>”", after the comment's title if it has one: a title alone
        says neither who wrote it nor where."""
        who = f"{_isolated(item.name)} on \u201c{item.post.title}\u201d"
        return f"{item.title} \u2014 {who}" if item.title else who

    def item_description(self, item):
        interests = escape(item.competing_interests)
        edited = ""
        if item.edited_at:
            edited = (
                f"<p>{edited_html(item.edited_at, timezone.get_current_timezone()).strip()}</p>"
            )
        return f"{item.body_html}{edited}<p>Competing interests: {interests}</p>"

    def item_link(self, item):
        """The comment's own, citable page (/comments/<id>/); the entry's id stays its place
        in the thread (``item_guid``), so readers do not see old entries as new."""
        return absolute_url(item.get_response_url())

    def item_author_name(self, item):
        return item.name

    def item_author_link(self, item):
        return item.website or None

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return _changed_at(item)

    def item_guid(self, item):
        """The entry's id: the comment's place on the post's page, as it has always been
        (``get_absolute_url()`` now goes through the thread's pages, which would have
        changed every id once and shown readers old entries as new)."""
        return absolute_url(f"{item.post.get_absolute_url()}#{item.anchor}")

    item_guid_is_permalink = False


class LatestCommentsFeed(_CommentFeed):
    def candidates(self, request):
        return Comment.objects.filter(post__in=Post.objects.published()).filter(CANDIDATES)

    def title(self):
        return f"{settings.SITE_NAME}: recent comments"

    def subtitle(self):
        return f"The latest approved comments on {settings.SITE_NAME}."

    def link(self):
        return absolute_url(reverse("blog:post_list"))

    def feed_url(self):
        return absolute_url(reverse("comments:feed_latest"))

    def items(self):
        return (
            Comment.objects.public()
            .select_related("post")
            .order_by("-created_at", "-pk")[:FEED_SIZE]
        )


class PostCommentsFeed(_CommentFeed):
    def get_object(self, request, post_id):
        cached = getattr(request, "_comment_feed_post", None)
        if cached is None or cached.pk != int(post_id):
            cached = get_object_or_404(Post.objects.published(), pk=post_id)
            request._comment_feed_post = cached
        return cached

    def candidates(self, request, post_id):
        post = self.get_object(request, post_id)
        return Comment.objects.for_post(post).filter(CANDIDATES)

    def title(self, post):
        return f"Comments on \u201c{post.title}\u201d"

    def subtitle(self, post):
        return f"Approved comments on \u201c{post.title}\u201d, {settings.SITE_NAME}."

    def link(self, post):
        return absolute_url(post.get_absolute_url())

    def feed_url(self, post):
        return absolute_url(reverse("comments:feed_post", args=[post.pk]))

    def items(self, post):
        items = list(
            Comment.objects.visible().for_post(post).order_by("-created_at", "-pk")[:FEED_SIZE]
        )
        for item in items:
            item.post = post  # already loaded: no query per item
        return items
