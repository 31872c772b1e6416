"""Reader navigation built from published posts: labels in use and the archive by month.

Each helper is one query whatever the number of posts, so list pages keep a fixed budget.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count
from django.db.models.functions import TruncMonth
from taggit.models import Tag

from blog.models import Post


def labels_in_use():
    """Labels with at least one published post, each with ``num_posts``, by name (one query)."""
    return (
        Tag.objects.filter(post__in=Post.objects.published())
        .annotate(num_posts=Count("post", distinct=True))
        .order_by("name")
    )


def label_in_use_or_none(slug):
    """The label with this slug if a published post carries it (one query)."""
    return labels_in_use().filter(slug=slug).first()


@dataclass
class ArchiveYear:
    year: int
    count: int = 0
    months: list = field(default_factory=list)


@dataclass
class ArchiveMonth:
    month: date
    count: int


def archive_months():
    """Months with published posts, newest first, as ``ArchiveMonth`` (one query).

    TruncMonth works in the current time zone (settings.TIME_ZONE), the same zone
    post addresses and archive pages use, so a post near midnight on the last day of
    a month is counted under the month its address shows.
    """
    rows = (
        Post.objects.published()
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("-month")
    )
    return [ArchiveMonth(month=row["month"].date(), count=row["count"]) for row in rows]


def archive_years():
    """The archive grouped by year, newest first: what the sidebar shows (one query)."""
    years = []
    for month in archive_months():
        if not years or years[-1].year != month.month.year:
            years.append(ArchiveYear(year=month.month.year))
        years[-1].count += month.count
        years[-1].months.append(month)
    return years
