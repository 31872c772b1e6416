"""The reader's side of the blog: lists, posts, labels, archive, feeds, sitemap."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path, register_converter

from blog import feeds, record_views, views
from blog.label_addresses import follows_renamed_labels
from blog.models import SLUG_PATTERN
from blog.sitemaps import SITEMAPS


class SlugConverter:
    """Slugs in any script (blog.models.SLUG_PATTERN, the one rule for posts and labels).

    Django matches the decoded path, so ``/labels/%CE%B2-interferon/`` is ``β-interferon``;
    reverse() percent-encodes it back.
    """

    regex = SLUG_PATTERN

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class YearConverter:
    """Four digits from 1000 to 2999: every year a datetime holds in any time zone."""

    regex = "[12][0-9]{3}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class MonthConverter:
    """Always two digits (01-12), as post addresses are written."""

    regex = "0[1-9]|1[0-2]"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(YearConverter, "yyyy")
register_converter(MonthConverter, "mm")
register_converter(SlugConverter, "anyslug")

app_name = "blog"
urlpatterns = [
    path("", views.PostListView.as_view(), name="post_list"),
    path("labels/", views.LabelListView.as_view(), name="label_list"),
    path(
        "labels/<anyslug:slug>/",
        follows_renamed_labels(views.LabelPostListView.as_view()),
        name="label_detail",
    ),
    path(
        "labels/<anyslug:slug>/feeds/atom/",
        follows_renamed_labels(feeds.label_atom_feed),
        name="label_feed_atom",
    ),
    path(
        "labels/<anyslug:slug>/feeds/rss/",
        follows_renamed_labels(feeds.label_rss_feed),
        name="label_feed_rss",
    ),
    path("feeds/atom/", feeds.atom_feed, name="feed_atom"),
    path("feeds/rss/", feeds.rss_feed, name="feed_rss"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.RobotsTxtView.as_view(), name="robots_txt"),
    path("<yyyy:year>/", views.YearArchiveView.as_view(), name="archive_year"),
    path("<yyyy:year>/<mm:month>/", views.MonthArchiveView.as_view(), name="archive_month"),
    path(
        "<yyyy:year>/<mm:month>/<anyslug:slug>/",
        views.PostDetailView.as_view(),
        name="post_detail",
    ),
    path(
        "<yyyy:year>/<mm:month>/<anyslug:slug>/changes/<int:number>/",
        record_views.PostChangeView.as_view(),
        name="post_change",
    ),
    path(
        "<yyyy:year>/<mm:month>/<anyslug:slug>.html",
        views.LegacyPostRedirectView.as_view(),
        name="post_legacy",
    ),
]
