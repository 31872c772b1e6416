"""Review dates, as health sites keep them: when a post was last checked, when it is due.

A post is overdue the day after its review is due. Its due date is ``next_review_due``;
without one, ``POST_REVIEW_AFTER_DAYS`` (default 1,095: three years) after it was last
reviewed, or after it was published if it never was. An overdue post shows a plain
notice (``review_notice``) that ends with where to find current advice
(``POST_REVIEW_ADVICE``); the home, label and archive lists mark it too
(``blog/_review_marker.html``). The page cache keeps no page past the moment the next
notice appears (``next_notice_timestamp``, registered with ``pagecache.register_expiry``).
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Min, Q
from django.utils import timezone

DEFAULT_REVIEW_AFTER_DAYS = 3 * 365
DEFAULT_REVIEW_ADVICE = "For current advice, ask your doctor or care team."


def review_after_days():
    return int(getattr(settings, "POST_REVIEW_AFTER_DAYS", DEFAULT_REVIEW_AFTER_DAYS))


def review_advice():
    return getattr(settings, "POST_REVIEW_ADVICE", DEFAULT_REVIEW_ADVICE).strip()


def review_due(post):
    """The date the post's review is due."""
    if post.next_review_due:
        return post.next_review_due
    checked = post.last_reviewed or timezone.localdate(post.published_at)
    return checked + timedelta(days=review_after_days())


def review_notice(post, today=None):
    """The notice for a post past its review date, as a sentence, or ""."""
    today = today or timezone.localdate()
    if today <= review_due(post):
        return ""
    if post.last_reviewed:
        notice = (
            f"This was last reviewed in {post.last_reviewed:%B %Y} and is overdue for its next "
            "review; treatments and advice may have changed."
        )
    else:
        written = timezone.localdate(post.published_at).year
        notice = (
            f"This was written in {written} and has not been reviewed since; treatments and "
            "advice may have changed."
        )
    advice = review_advice()
    return f"{notice} {advice}" if advice else notice


def _start_of_day_after(day):
    moment = datetime.combine(day + timedelta(days=1), time.min)
    return timezone.make_aware(moment, timezone.get_current_timezone())


def next_notice_timestamp():
    """The Unix time at which the next published post becomes overdue, or None.

    One query: the earliest due date still ahead under each of the three rules.
    """
    from blog.models import Post

    today = timezone.localdate()
    days = timedelta(days=review_after_days())
    earliest_published = timezone.now() - days - timedelta(days=1)
    found = Post.objects.published().aggregate(
        due=Min("next_review_due", filter=Q(next_review_due__gte=today)),
        reviewed=Min(
            "last_reviewed",
            filter=Q(next_review_due__isnull=True, last_reviewed__gte=today - days),
        ),
        published=Min(
            "published_at",
            filter=Q(
                next_review_due__isnull=True,
                last_reviewed__isnull=True,
                published_at__gte=earliest_published,
            ),
        ),
    )
    candidates = []
    if found["due"]:
        candidates.append(found["due"])
    if found["reviewed"]:
        candidates.append(found["reviewed"] + days)
    if found["published"]:
        candidates.append(timezone.localdate(found["published"]) + days)
    candidates = [day for day in candidates if day >= today]
    if not candidates:
        return None
    return _start_of_day_after(min(candidates)).timestamp()
