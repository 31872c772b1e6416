"""The sitemap: every published post, every label in use, every archive year and month.

Addresses are built from settings.SITE_URL, not the request's Host header.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from blog.models import Post, with_addresses
from blog.navigation import archive_years, listed_labels


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
        return with_addresses(
            Post.objects.published()
            .only("slug", "published_at", "updated_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, post):
        return post.updated_at


class LabelSitemap(SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return listed_labels()

    def location(self, label):
        return reverse("blog:label_detail", kwargs={"slug": label.slug})


class ArchiveSitemap(SiteUrlSitemap):
    """Each year's archive page, then its months: all from one query."""

    changefreq = "monthly"
    priority = 0.3

    def items(self):
        paths = []
        for year in archive_years():
            paths.append(reverse("blog:archive_year", kwargs={"year": year.year}))
            paths += [
                reverse(
                    "blog:archive_month",
                    kwargs={"year": month.month.year, "month": month.month.month},
                )
                for month in year.months
            ]
        return paths

    def location(self, path):
        return path


SITEMAPS = {"posts": PostSitemap, "labels": LabelSitemap, "archive": ArchiveSitemap}
