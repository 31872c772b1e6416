"""What readers are shown of a post's record: its announced changes and the notices about
the paper it discusses (Crossmark's "updates"). Each is one query per page, or per feed,
whatever the number of revisions; results are kept on the post for the page's other uses
(the byline, the JSON-LD).
"""

from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse

from blog import revisions
from blog.diffs import compare_snapshots
from blog.models import PaperNotice, PostRevision

ANNOUNCED_ONLY = ("post_id", "number", "created_at", "kind", "note")

# Most serious first: the notice a post's banner leads with.
SEVERITY = {
    PaperNotice.Kind.RETRACTION: 3,
    PaperNotice.Kind.EXPRESSION_OF_CONCERN: 2,
    PaperNotice.Kind.CORRECTION: 1,
    PaperNotice.Kind.REINSTATEMENT: 0,
}


def announced_prefetch():
    """For querysets of posts: their announced changes, oldest first, in one query."""
    return Prefetch(
        "revisions",
        queryset=PostRevision.objects.filter(announced=True)
        .only(*ANNOUNCED_ONLY)
        .order_by("number"),
        to_attr="prefetched_announced_changes",
    )


def announced_changes(post):
    """The post's announced changes, oldest first (one query unless prefetched)."""
    cached = post.__dict__.get("prefetched_announced_changes")
    if cached is None:
        if post.pk is None or post.announced_at is None:
            cached = []
        else:
            cached = list(
                PostRevision.objects.filter(post_id=post.pk, announced=True)
                .only(*ANNOUNCED_ONLY)
                .order_by("number")
            )
        post.prefetched_announced_changes = cached
    return cached


def paper_notices(post):
    """Notices about the paper the post cites, newest first, each notice once."""
    cached = post.__dict__.get("prefetched_paper_notices")
    if cached is None:
        rows = PaperNotice.objects.filter(paper_doi=post.paper_doi) if post.paper_doi else []
        cached = _distinct(rows)
        post.prefetched_paper_notices = cached
    return cached


def last_public_change(post):
    """When readers were last given something new about the post: its publication, its
    last announced change, or the newest notice recorded about its paper (a retraction
    found today changes the post for its readers today). A minor fix is not news. The
    feeds' ``<updated>``, the JSON-LD's ``dateModified`` and ``article:modified_time``."""
    recorded = [notice.updated_at for notice in paper_notices(post)]
    return max(moment for moment in (post.published_at, post.announced_at, *recorded) if moment)


def attach(posts):
    """Load both for a list of posts in at most two queries (the feeds), none for posts
    without a DOI or an announced change; returns the list."""
    posts = list(posts)
    dois = {post.paper_doi for post in posts if post.paper_doi}
    by_doi = {}
    for notice in PaperNotice.objects.filter(paper_doi__in=dois) if dois else []:
        by_doi.setdefault(notice.paper_doi, []).append(notice)
    for post in posts:
        post.prefetched_paper_notices = _distinct(by_doi.get(post.paper_doi, []))
    missing = []
    for post in posts:
        if post.announced_at is None:
            post.prefetched_announced_changes = []
        elif "prefetched_announced_changes" not in post.__dict__:
            missing.append(post)
    if missing:
        prefetch_related_objects(missing, announced_prefetch())
    return posts


def _distinct(notices):
    """The same notice recorded twice (two database records, or by hand and imported) is
    shown once; newest first."""
    seen, result = set(), []
    for notice in sorted(notices, key=lambda n: (n.date is not None, n.date, n.pk), reverse=True):
        key = (notice.kind, notice.notice_doi or notice.notice_url, notice.date)
        if key not in seen:
            seen.add(key)
            result.append(notice)
    return result


def lead_notice(notices):
    """The notice the banner leads with: the newest, unless a more serious one stands
    (a later correction does not hide a retraction; a reinstatement after it does)."""
    if not notices:
        return None
    newest = notices[0]
    if newest.kind == PaperNotice.Kind.REINSTATEMENT:
        return newest
    return max(notices, key=lambda n: (SEVERITY[n.kind], n.date is not None, n.date))


def public_change(post, number):
    """(revision, [(field name, Diff)]) for announced change ``number`` of a published
    post, compared with what readers saw before it; None if there is no such change."""
    revision = PostRevision.objects.filter(post=post, number=number, announced=True).first()
    if revision is None:
        return None
    before_number = revisions.last_seen_number(post.pk, before=revision)
    if before_number is None:
        return None
    texts = revisions.snapshots(post.pk, [before_number, number])
    before = texts[before_number]
    # A part registered after the "before" revision was stored is not shown as all new.
    fields = [name for name in revisions.reader_fields() if name in before]
    changes = compare_snapshots(before, texts[number], fields=fields)
    return revision, changes


# --- The same for machines: JSON-LD (schema.org) -------------------------------------------
STATUS_WORDS = {
    PaperNotice.Kind.RETRACTION: "Retracted",
    PaperNotice.Kind.EXPRESSION_OF_CONCERN: "Expression of concern",
    PaperNotice.Kind.CORRECTION: "Corrected",
    PaperNotice.Kind.REINSTATEMENT: "Reinstated",
}


def json_ld_corrections(post, *, absolute_url):
    """schema.org ``correction``: one CorrectionComment per announced change."""
    year, month, slug = post.address_parts
    return [
        {
            "@type": "CorrectionComment",
            "text": f"{change.get_kind_display()}: {change.note}",
            "datePublished": change.created_at.replace(microsecond=0).isoformat(),
            "url": absolute_url(
                reverse(
                    "blog:post_change",
                    kwargs={
                        "year": year,
                        "month": f"{month:02d}",
                        "slug": slug,
                        "number": change.number,
                    },
                )
            ),
        }
        for change in announced_changes(post)
    ]


def json_ld_paper_status(post):
    """For the cited ScholarlyArticle: its status and the notices about it."""
    notices = paper_notices(post)
    lead = lead_notice(notices)
    if lead is None:
        return {}
    return {
        "creativeWorkStatus": STATUS_WORDS[lead.kind],
        "correction": [
            {
                "@type": "CorrectionComment",
                "text": notice.get_kind_display(),
                **({"datePublished": notice.date.isoformat()} if notice.date else {}),
                **({"url": notice.link} if notice.link else {}),
            }
            for notice in notices
        ],
    }
