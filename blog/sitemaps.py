"""The sitemap: every published post, every label in use, every archive year and month.

Addresses are built from settings.SITE_URL, not the request's Host header.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from blog.models import Post
from blog.navigation import archive_months, archive_years, labels_in_use


class SiteUrlSitemap(Sitemap):
    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        parts = urlsplit(settings.SITE_URL)
        return parts.netloc + parts.path.rstrip("/")


class PostSitemap(SiteUrlSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Post.objects.published().only("slug", "published_at", "updated_at").order_by(
            "-published_at", "-pk"
        )

    def lastmod(self, post):
        return post.updated_at


class LabelSitemap(SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return labels_in_use()

    def location(self, label):
        return reverse("blog:label_detail", kwargs={"slug": label.slug})


class ArchiveYearSitemap(SiteUrlSitemap):
    changefreq = "monthly"
    priority = 0.3

    def items(self):
        return archive_years()

    def location(self, item):
        return reverse("blog:archive_year", kwargs={"year": item.year})


class ArchiveMonthSitemap(SiteUrlSitemap):
    changefreq = "monthly"
    priority = 0.3

    def items(self):
        return archive_months()

    def location(self, item):
        return reverse(
            "blog:archive_month", kwargs={"year": item.month.year, "month": item.month.month}
        )


SITEMAPS = {
    "posts": PostSitemap,
    "labels": LabelSitemap,
    "archive-years": ArchiveYearSitemap,
    "archive": ArchiveMonthSitemap,
}
