"""Post summaries and bylines as HTML, built in Python in one pass.

The home, label, archive and author pages list ten posts; each summary through templates
(``{% include %}`` of the summary, the byline and the review marker, some thirty-five
variables resolved, ``{% author_link %}``, two date filters and a ``{% url %}`` per label) was
nearly half of those pages' time. Here each is one f-string, as ``comments/rendering.py``
does for the thread: every value is escaped with the standard library's ``html.escape``
(what Django's ``escape`` does), and nothing is marked safe that did not come from here.
The templates ``blog/_byline.html``, ``_review_marker.html`` and ``_post_summary.html`` call
these, so every page that includes them shows the same markup.
"""

from datetime import UTC
from html import escape

from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import mark_safe

from authors.cards import page_card
from blog.addresses import label_address
from blog.metadata import author_name
from blog.review_dates import review_notice


def _iso_utc(moment):
    """``|utc|date:'Y-m-d\\TH:i:s\\Z'``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _long_date(local):
    """``|date:"j F Y"`` of a local datetime or a date."""
    return f"{local.day} {MONTHS[local.month]} {local.year:04d}"


def comment_count_text(count):
    count = count or 0
    if count == 0:
        return "No comments"
    if count == 1:
        return "1 comment"
    return f"{count} comments"


class SummaryRenderer:
    """Renders bylines and summaries for one request: the time zone, today's date and the
    author links are looked up once for all the posts of a page."""

    def __init__(self, request=None):
        self.request = request
        self.zone = timezone.get_current_timezone()
        self.today = timezone.localdate()
        self._authors = {}

    def _local(self, moment):
        return moment.astimezone(self.zone)

    def author_html(self, user):
        """``{% author_link user %}``: a link to the author's page, else the plain name."""
        key = user.pk
        found = self._authors.get(key)
        if found is None:
            card = page_card(user, self.request)
            name = escape(author_name(user))
            if card is None:
                found = f'<span class="author">{name}</span>'
            else:
                found = f'<a class="author" rel="author" href="{escape(card.url)}">{name}</a>'
            if key is not None:
                self._authors[key] = found
        return found

    def byline(self, post):
        published = post.published_at
        updated = ""
        if post.announced_at:
            updated = (
                '<span class="updated">. Updated <a href="#corrections"><time datetime="'
                f'{_iso_utc(post.announced_at)}">{_long_date(self._local(post.announced_at))}'
                "</time></a></span>"
            )
        html = (
            f'<p class="byline">By {self.author_html(post.author)}\non <time datetime="'
            f'{_iso_utc(published)}">{_long_date(self._local(published))}</time>{updated}</p>\n'
        )
        labels = post.labels
        if labels:
            links = ", ".join(
                f'<a class="label" rel="tag" href="{escape(label_address(label.slug))}">'
                f"{escape(label.name)}</a>"
                for label in labels
            )
            html += f'<p class="labels"><span class="labels-title">Labels:</span>\n{links}</p>\n'
        return html

    def review_marker(self, post):
        if not review_notice(post, self.today):
            return ""
        if post.last_reviewed:
            reviewed = post.last_reviewed
            said = (
                f"last reviewed in {MONTHS[reviewed.month]} {reviewed.year:04d}; "
                "its next review is overdue."
            )
        else:
            written = self._local(post.published_at).year
            said = f"written in {written:04d} and not reviewed since."
        return f'<p class="review-marker"><strong>May be out of date:</strong> {said}</p>\n'

    def summary(self, post, *, show_review_marker=True):
        pk = post.pk
        url = escape(post.get_absolute_url())
        title = escape(post.title)
        marker = self.review_marker(post) if show_review_marker else ""
        summary = f'<p class="summary">{escape(post.summary)}</p>\n' if post.summary else ""
        count = comment_count_text(post.comment_count)
        return (
            f'<article class="post-summary" aria-labelledby="post-{pk}-title">\n'
            f'  <h2 class="post-title" id="post-{pk}-title"><a href="{url}">{title}</a></h2>\n'
            f"  {self.byline(post)}  {marker}  {summary}"
            '  <p class="post-summary-footer">\n'
            f'    <a href="{url}">Read the post<span class="visually-hidden">: {title}</span></a>\n'
            '    <span aria-hidden="true">·</span>\n'
            f'    <a class="comment-count" href="{url}#comments">{count}'
            f'<span class="visually-hidden"> on {title}</span></a>\n'
            "  </p>\n</article>\n"
        )


def summaries_html(posts, request=None, *, show_review_marker=True):
    """The summaries of ``posts``, in order, as one safe string."""
    renderer = SummaryRenderer(request)
    return mark_safe(  # noqa: S308  every value above is escaped
        "".join(renderer.summary(post, show_review_marker=show_review_marker) for post in posts)
    )


def summary_html(post, request=None, *, show_review_marker=True):
    return summaries_html([post], request, show_review_marker=show_review_marker)


def byline_html(post, request=None):
    return mark_safe(SummaryRenderer(request).byline(post))  # noqa: S308  escaped above


def review_marker_html(post, request=None):
    return mark_safe(SummaryRenderer(request).review_marker(post))  # noqa: S308  escaped above
