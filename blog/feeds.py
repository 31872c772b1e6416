"""Atom and RSS feeds of published posts, site-wide and per label.

Each item carries the full post: the body, the conflict-of-interest disclosures and the
source with its DOI link, so a feed reader shows the disclosures as the site does. In Atom
that goes in ``<content type="html">`` with the summary in ``<summary>``; in RSS it is the
``<description>``.

Items carry nothing that changes without the post being saved (no comment count), so the
ETag and Last-Modified below, computed from the posts alone, never answer a stale 304.
Every absolute address comes from settings.SITE_URL, never the request's Host header.
Feed views answer conditional GETs (ETag and Last-Modified) with 304.
"""

import hashlib
from contextvars import ContextVar
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, F, Func, IntegerField, Max, Subquery, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.views.decorators.http import condition

import pagecache
from blog import extensions, public_record
from blog.feed_urls import with_absolute_addresses
from blog.metadata import absolute_url, author_name, description
from blog.models import PaperNotice, Post, with_addresses
from blog.navigation import label_in_use_or_none

FEED_LENGTH = 20


class FullContentAtom1Feed(Atom1Feed):
    """Atom with the item's plain-text summary in <summary> and the full post, as HTML,
    in <content> (Django's Atom1Feed puts the description in <summary type="html">)."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"]:
            handler.addQuickElement("summary", item["description"], {"type": "text"})
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


@with_absolute_addresses
def _render_full_content(post):
    return render_to_string(
        "blog/feed_item.html",
        {"post": post, "SITE_URL": settings.SITE_URL, "SITE_NAME": settings.SITE_NAME},
    ) + extensions.feed_content(post)


# What the current request's feed items may be kept under: (page-cache generation, the
# feed's ETag), set by ``conditional`` for the request; None outside a feed's view.
_item_state = ContextVar("feed_item_state", default=None)
_kept_items = {}


def _kept_key(post, state):
    return (
        *state,
        timezone.get_current_timezone_name(),
        settings.SITE_NAME,
        post.pk,
        post.get_absolute_url(),
    )


# A feed's posts, kept under the same state as their items' HTML; see ``feed_posts``.
_kept_feed_posts = {}


def feed_posts(posts, *, feed=("site",)):
    """The newest FEED_LENGTH of ``posts`` with what their items print, in a fixed number
    of queries; the disclosures and the extensions' rows only for posts whose item HTML is
    not kept already (``full_content``).

    ``feed`` names the list (the site's, a label's). The posts themselves are kept in this
    process under the state their items' HTML is kept under (the page-cache generation and
    the feed's ETag, which is read from the posts on every request): a warm feed reads
    nothing but that state. Each post is only read once kept."""
    state = _item_state.get()
    if state is None:
        return _feed_posts(posts, state)
    key = (
        *state,
        timezone.get_current_timezone_name(),
        get_script_prefix(),
        get_urlconf(),
        *feed,
    )
    found = _kept_feed_posts.get(key)
    if found is None:
        found = _feed_posts(posts, state)
        if len(_kept_feed_posts) > 256 or any(other[:2] != state for other in _kept_feed_posts):
            _kept_feed_posts.clear()  # only the current generation and state are kept
        _kept_feed_posts[key] = found
    else:
        _prefetch_unkept(found)  # their items' HTML may have been dropped since
    return found


def _feed_posts(posts, state):
    posts = public_record.attach(with_addresses(posts.for_listing()[:FEED_LENGTH]))
    if state is None:
        prefetch_related_objects(posts, "disclosures", *extensions.prefetches())
        return posts
    for post in posts:
        post.feed_item_key = _kept_key(post, state)
    _prefetch_unkept(posts)
    return posts


def _prefetch_unkept(posts):
    missing = [post for post in posts if post.feed_item_key not in _kept_items]
    if missing:  # Django skips what a post has fetched already
        prefetch_related_objects(missing, "disclosures", *extensions.prefetches())


def full_content(post):
    """The whole post as feed HTML: summary, body, source and disclosures.

    Rendered once per worker and change: kept in this process under the shared page-cache
    generation (any change to what an item prints moves it on, on every worker) and the
    feed's own freshness state (its ETag: posts, announced changes, notices about papers,
    authors' names), with the time zone, the site's address and name and the post's own
    address. Outside a feed's view, or without a readable cache, it is rendered each time.
    """
    state = _item_state.get()
    if state is None:
        return _render_full_content(post)
    key = getattr(post, "feed_item_key", None) or _kept_key(post, state)
    found = _kept_items.get(key)
    if found is None:
        found = _render_full_content(post)
        if len(_kept_items) > 2000 or any(other[:2] != state for other in _kept_items):
            _kept_items.clear()  # only the current generation and state are kept
        _kept_items[key] = found
    return found


class PostFeed(Feed):
    feed_type = Rss201rev2Feed
    url_name = "blog:feed_rss"

    def __call__(self, request, *args, **kwargs):
        """Django's, with the XML written to a string and set once instead of a thousand
        writes to the response, and no Last-Modified (``conditional`` dates the feed)."""
        try:
            obj = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist as missing:
            raise Http404("Feed object does not exist.") from missing
        feed = self.get_feed(obj, request)
        return HttpResponse(feed.writeString("utf-8"), content_type=feed.content_type)

    def title(self):
        return settings.SITE_NAME

    def description(self):
        return settings.SITE_TAGLINE

    def link(self):
        return absolute_url(reverse("blog:post_list"))

    def feed_url(self):
        return absolute_url(reverse(self.url_name))

    def items(self):
        return feed_posts(Post.objects.published())

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_description(self, item):
        return full_content(item)

    def item_guid(self, item):
        """A stable id: survives a change of slug or publish date (RFC 4151 tag URI)."""
        host = urlsplit(settings.SITE_URL).hostname or "localhost"
        return f"tag:{host},{item.created_at:%Y-%m-%d}:post-{item.pk}"

    item_guid_is_permalink = False

    def item_author_name(self, item):
        return author_name(item.author)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        """The last announced change or notice about the paper, else the publish date."""
        return public_record.last_public_change(item)

    def item_categories(self, item):
        return [tag.name for tag in item.labels]


class AtomPostFeed(PostFeed):
    feed_type = FullContentAtom1Feed
    url_name = "blog:feed_atom"

    def subtitle(self):
        return settings.SITE_TAGLINE

    def item_description(self, item):
        return description(item)

    def item_extra_kwargs(self, item):
        return {"content": full_content(item)}


class LabelFeedMixin:
    def get_object(self, request, slug):
        label = label_in_use_or_none(slug)
        if label is None:
            raise Http404("No published post has this label.")
        return label

    def title(self, label):
        return f"{settings.SITE_NAME}: {label.name}"

    def description(self, label):
        return f"Posts labelled \u201c{label.name}\u201d on {settings.SITE_NAME}."

    def subtitle(self, label):
        return self.description(label)

    def link(self, label):
        return absolute_url(reverse("blog:label_detail", kwargs={"slug": label.slug}))

    def feed_url(self, label):
        return absolute_url(reverse(self.label_url_name, kwargs={"slug": label.slug}))

    def items(self, label):
        return feed_posts(Post.objects.published().for_label(label.slug), feed=("label", label.pk))


class LabelRssFeed(LabelFeedMixin, PostFeed):
    label_url_name = "blog:label_feed_rss"


class LabelAtomFeed(LabelFeedMixin, AtomPostFeed):
    label_url_name = "blog:label_feed_atom"


def _notices(which):
    """How many notices about papers there are, or the newest change to one (a subquery)."""
    notices = PaperNotice.objects.order_by()
    if which == "count":
        counted = notices.annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
        return Subquery(counted.values("n")[:1])
    return Subquery(notices.order_by("-updated_at").values("updated_at")[:1])


def _published_state(request):
    """How many posts are live, the newest change, publish date and announced change, and
    the notices about papers (how many, the newest change).

    One query per request (the notices as scalar subqueries): ``condition`` asks for the
    ETag and the Last-Modified date.

    The publish date matters because a scheduled post goes live without being saved;
    the count matters because unpublishing or deleting one lowers neither maximum.
    """
    if not hasattr(request, "_blog_published_state"):
        request._blog_published_state = Post.objects.published().aggregate(
            count=Count("pk"),
            updated=Max("updated_at"),
            published=Max("published_at"),
            announced=Max("announced_at"),
            # Items carry the status of the papers they discuss (blog.public_record).
            notices=Max(_notices("count")),
            noticed=Max(_notices("newest")),
            # What else items print, e.g. the authors' names (blog.extensions).
            **{
                f"extension_{i}": Max(latest)
                for i, latest in enumerate(extensions.feed_freshness())
            },
        )
    return request._blog_published_state


def _extension_changes(state):
    return [value for name, value in sorted(state.items()) if name.startswith("extension_")]


def feed_etag(request, *args, **kwargs):
    state = _published_state(request)
    key = "|".join(
        str(value)
        for value in (
            *(state[name] for name in ("count", "updated", "published", "announced")),
            *(state[name] for name in ("notices", "noticed")),
            *_extension_changes(state),
        )
    )
    key = f"{key}|{settings.SITE_URL}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def feed_last_modified(request, *args, **kwargs):
    state = _published_state(request)
    candidates = (state["updated"], state["published"], state["announced"], state["noticed"])
    dates = [d for d in (*candidates, *_extension_changes(state)) if d is not None]
    return max(dates) if dates else None


def _dated_by_state(feed):
    """Django's Feed dates its response by the newest item's date, which an edit or an
    author's new name leaves alone, so a client asking If-Modified-Since would get a stale
    304 (ConditionalGetMiddleware reads the header): ``condition`` dates it by the state."""

    def view(request, *args, **kwargs):
        current = pagecache.generation_for(request)
        token = _item_state.set(None if current is None else (current, feed_etag(request)))
        try:
            response = feed(request, *args, **kwargs)
        finally:
            _item_state.reset(token)
        response.headers.pop("Last-Modified", None)
        return response

    return view


def conditional(feed):
    return condition(etag_func=feed_etag, last_modified_func=feed_last_modified)(
        _dated_by_state(feed)
    )


rss_feed = conditional(PostFeed())
atom_feed = conditional(AtomPostFeed())
label_rss_feed = conditional(LabelRssFeed())
label_atom_feed = conditional(LabelAtomFeed())
