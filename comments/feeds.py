"""Atom feeds of approved comments: one per post and one for the whole site.

Feeds name the commenter but never carry an email address (no ``item_author_email``).
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from blog.models import Post
from comments.bidi import could_reorder
from comments.models import Comment

FEED_SIZE = 30


def _isolated(name):
    """The name between U+2068 and U+2069 (plain text's <bdi>) when it could reorder the
    rest of a feed title; other names are left as they are."""
    if could_reorder(name):
        return f"\u2068{name}\u2069"
    return name


class _CommentFeed(Feed):
    feed_type = Atom1Feed

    def item_title(self, item):
        return f"{_isolated(item.name)} on \u201c{item.post.title}\u201d"

    def item_description(self, item):
        return item.body_html

    def item_link(self, item):
        return item.get_absolute_url()

    def item_author_name(self, item):
        return item.name

    def item_author_link(self, item):
        return item.website or None

    def item_pubdate(self, item):
        return item.created_at

    def item_guid(self, item):
        return f"{settings.SITE_URL}{item.get_absolute_url()}"

    item_guid_is_permalink = True


class LatestCommentsFeed(_CommentFeed):
    def title(self):
        return f"{settings.SITE_NAME}: recent comments"

    def subtitle(self):
        return f"The latest approved comments on {settings.SITE_NAME}."

    def link(self):
        return reverse("blog:post_list")

    def feed_url(self):
        return reverse("comments:feed_latest")

    def items(self):
        return (
            Comment.objects.public()
            .select_related("post")
            .order_by("-created_at", "-pk")[:FEED_SIZE]
        )


class PostCommentsFeed(_CommentFeed):
    def get_object(self, request, post_id):
        return get_object_or_404(Post.objects.published(), pk=post_id)

    def title(self, post):
        return f"Comments on \u201c{post.title}\u201d"

    def subtitle(self, post):
        return f"Approved comments on \u201c{post.title}\u201d, {settings.SITE_NAME}."

    def link(self, post):
        return post.get_absolute_url()

    def feed_url(self, post):
        return reverse("comments:feed_post", args=[post.pk])

    def items(self, post):
        items = list(
            Comment.objects.visible().for_post(post).order_by("-created_at", "-pk")[:FEED_SIZE]
        )
        for item in items:
            item.post = post  # already loaded: no query per item
        return items
