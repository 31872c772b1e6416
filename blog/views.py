"""Thin views for readers: every list shares one mixin, every queryset starts at the model."""

import logging
from datetime import date, datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseServerError
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.views import defaults
from django.views.generic import DetailView, ListView, RedirectView, TemplateView

from blog import extensions, metadata
from blog.models import Post, PostAddress, labels_prefetch, with_addresses
from blog.navigation import (
    kept_count,
    kept_label_in_use_or_none,
    kept_list,
    kept_post,
    listed_labels,
    neighbours,
)

logger = logging.getLogger(__name__)


# What a summary never shows (blog.rendering): the text of the post, its Markdown and the
# cited article, left in the database on list pages.
LIST_DEFERRED = (
    "body",
    "body_html",
    "plain_summary",
    "plain_summary_html",
    "source_citation",
    "source_title",
    "source_authors",
)


class KeptCountPaginator(Paginator):
    """A paginator told how to count (``count``: a callable), so the count can be kept."""

    def __init__(self, *args, count, **kwargs):
        self._count = count
        super().__init__(*args, **kwargs)

    @cached_property
    def count(self):
        return self._count()


class PostListMixin:
    """What every list of posts shares: published posts only, newest first, paginated.

    A bad ``?page=`` (0, -1, abc, past the end) of a list that has posts is a 404 page
    that says so and links to the list's first and last pages (``no_such_page``), not
    the site's "nothing at this address": the list is there. An empty list that needs
    posts is the generic 404.
    Pages that need posts to exist (``require_posts``: a label, a month) let the paginator
    say "empty" too, instead of ListView's extra ``exists()`` query. The paginator's
    ``COUNT`` is kept per page-cache generation (``blog.navigation.kept_count``): the same
    list has the same number of posts until something a reader sees changes, or the next
    scheduled post goes live.
    """

    model = Post
    context_object_name = "posts"
    template_name = "blog/post_list.html"
    require_posts = False
    paginator_class = KeptCountPaginator

    def get_paginate_by(self, queryset):
        return settings.BLOG_POSTS_PER_PAGE

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            missing = self.no_such_page()
            if missing is None:
                raise
            return missing

    def no_such_page(self):
        """The 404 for a page the list does not have, or None when the list itself is
        missing or empty (the kept count: no query once the list has been seen)."""
        raw = self.request.GET.get(self.page_kwarg)
        posts = getattr(self, "object_list", None)
        if raw is None or posts is None:
            return None
        pages = self.get_paginator(posts, self.get_paginate_by(posts)).num_pages
        if not pages:  # a label or a month with no published post
            return None
        response = TemplateResponse(
            self.request,
            "blog/no_such_page.html",
            {
                "list_heading": self.get_list_heading(),
                "asked": raw[:20],
                "pages": pages,
                "list_url": self.request.path,
            },
            status=404,
        )
        response["X-Robots-Tag"] = "noindex"
        return response

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        key = self.count_key()
        return super().get_paginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page=not self.require_posts,
            count=lambda: kept_count(key, self.request, queryset.count),
            **kwargs,
        )

    def count_key(self):
        """What the list's posts depend on besides the generation: the view and its URL's
        arguments (a view that filters on anything else adds it)."""
        view = type(self)
        return (view.__module__, view.__qualname__, *sorted(self.kwargs.items()))

    def get_queryset(self):
        return self.filter_posts(Post.objects.published()).for_listing().defer(*LIST_DEFERRED)

    def filter_posts(self, posts):
        return posts

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["list_heading"] = self.get_list_heading()
        posts = context[self.context_object_name]
        page = context.get("page_obj")
        # The page's posts, kept per generation (blog.navigation.kept_list) like its count.
        number = page.number if page is not None else 0  # not bool(page): len() reads it
        key = (*self.count_key(), number, self.get_paginate_by(None))
        context[self.context_object_name] = kept_list(
            key, self.request, lambda: with_addresses(posts)
        )
        return context

    def get_list_heading(self):
        return ""


class PostListView(PostListMixin, ListView):
    """The home page."""


class LabelPostListView(PostListMixin, ListView):
    require_posts = True
    template_name = "blog/label_detail.html"

    def get(self, request, *args, **kwargs):
        self.label = kept_label_in_use_or_none(kwargs["slug"], request)
        if self.label is None:
            raise Http404("No published post has this label.")
        return super().get(request, *args, **kwargs)

    def filter_posts(self, posts):
        return posts.for_label(self.label.slug)

    def get_list_heading(self):
        return f"Posts labelled \u201c{self.label.name}\u201d"

    def get_context_data(self, **kwargs):
        return super().get_context_data(label=self.label, **kwargs)


class YearArchiveView(PostListMixin, ListView):
    require_posts = True
    template_name = "blog/archive.html"

    def filter_posts(self, posts):
        return posts.filter(published_at__year=self.kwargs["year"])

    def get_list_heading(self):
        return f"Posts from {self.kwargs['year']}"


class MonthArchiveView(PostListMixin, ListView):
    require_posts = True
    template_name = "blog/archive.html"

    def filter_posts(self, posts):
        start, end = month_bounds(self.kwargs["year"], self.kwargs["month"])
        return posts.filter(published_at__gte=start, published_at__lt=end)

    def get_list_heading(self):
        month = date(self.kwargs["year"], self.kwargs["month"], 1)
        return f"Posts from {month:%B %Y}"


def month_bounds(year, month):
    """The first instant of the month and of the next, in TIME_ZONE (the zone of post
    addresses): a plain range on the indexed column, where ``__year``/``__month`` extract
    both from every published post's date (in Python, on SQLite)."""
    zone = timezone.get_current_timezone()
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start, end


class LabelListView(ListView):
    context_object_name = "labels"
    template_name = "blog/label_list.html"

    def get_queryset(self):
        return listed_labels()


class PostDetailView(DetailView):
    """One post. Staff may preview drafts and scheduled posts; nobody may cache that preview."""

    context_object_name = "post"
    template_name = "blog/post_detail.html"

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
        except Http404:
            moved_to = old_address_target(kwargs["year"], kwargs["month"], kwargs["slug"])
            if moved_to is None:
                raise
            return HttpResponsePermanentRedirect(moved_to)
        # Other apps' answers before any template runs (comments: ?cpage=1 is the post's own
        # address; a page of the thread that does not exist is a 404).
        instead = extensions.post_page_response(request, self.object)
        if instead is not None:
            return instead
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_queryset(self):
        return (
            Post.objects.visible_to(self.request.user)
            .select_related(*extensions.author_select_related())
            .prefetch_related(labels_prefetch(), "disclosures", *extensions.prefetches())
        )

    def get_object(self, queryset=None):
        if queryset is None and not self.request.user.is_authenticated:
            # A reader sees published posts only: the same for everyone, kept per generation.
            post = kept_post(("post", self.kwargs["slug"]), self.request, super().get_object)
        else:
            post = super().get_object(queryset)
        local = timezone.localtime(post.published_at)
        if (local.year, local.month) != (self.kwargs["year"], self.kwargs["month"]):
            raise Http404("No post at this address.")
        return post

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        post = self.object
        older, newer = neighbours(post, self.request, _neighbour)
        context.update(
            previous_post=older if older is not None and older.address else None,
            next_post=newer if newer is not None and newer.address else None,
            meta=metadata.for_post(post),
        )
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not self.object.is_published:
            patch_cache_control(response, private=True, no_cache=True)
            response["X-Robots-Tag"] = "noindex"
        return response


def old_address_target(year, month, slug):
    """Where a published post that used to live at this address lives now, or None.

    Asked only when no post answers at the address, so a new post there wins (one query).
    """
    old = (
        PostAddress.objects.filter(
            year=year,
            month=month,
            slug=slug,
            post__in=Post.objects.published().values("pk"),
        )
        .select_related("post")
        .first()
    )
    if old is None:
        return None
    return old.post.address or None


def _neighbour(post, *, older):
    """The published post just before (older) or after this one, or None (one query);
    kept per generation by ``blog.navigation.neighbours``, which the page asks."""
    at, pk = post.published_at, post.pk
    if older:
        condition = Q(published_at__lt=at) | Q(published_at=at, pk__lt=pk)
        order = ("-published_at", "-pk")
    else:
        condition = Q(published_at__gt=at) | Q(published_at=at, pk__gt=pk)
        order = ("published_at", "pk")
    return (
        Post.objects.published()
        .filter(condition)
        .order_by(*order)
        .only("title", "slug", "published_at")
        .first()
    )


class LegacyPostRedirectView(RedirectView):
    """Blogger addresses (/2012/11/slug.html, often with ?m=1) move permanently."""

    permanent = True
    query_string = False

    def get_redirect_url(self, *args, **kwargs):
        post = Post.objects.published().only("slug", "published_at").filter(slug=kwargs["slug"])
        if post:
            return post[0].get_absolute_url()
        moved_to = old_address_target(kwargs["year"], kwargs["month"], kwargs["slug"])
        if moved_to is None:
            raise Http404("No post at this address.")
        return moved_to


class RobotsTxtView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"


def page_not_found(request, exception):
    return defaults.page_not_found(request, exception, template_name="404.html")


FALLBACK_500 = (
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
    "<title>Server error</title></head><body><h1>Something went wrong</h1>"
    "<p>We could not show this page. Please try again in a few minutes.</p></body></html>"
)


def server_error(request):
    """The 500 page, rendered without the request or the database, which may be what failed."""
    try:
        content = render_to_string("500.html")
    except Exception:  # the page that reports a failure must not fail itself
        logger.exception("Could not render 500.html; serving the plain fallback")
        content = FALLBACK_500
    return HttpResponseServerError(content)
