"""Posts, their labels and their conflict-of-interest disclosures.

The publication rule lives in one place, ``PostQuerySet.published()``; views, feeds,
sitemaps and template tags all go through it.
"""

import logging
import re
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager, _TaggableManager
from taggit.models import Tag

from blog import extensions, markup
from blog.addresses import post_address
from blog.dois import bare_doi, normalise_doi
from blog.publication_rule import PUBLISHED, check_post_publishable

logger = logging.getLogger(__name__)

# --- Addresses ---------------------------------------------------------------------------
# ONE slug rule for posts and labels: what ``slugify(allow_unicode=True)`` makes (letters
# and digits of any script, "_" and "-"). The URL converter (blog.urls), the functions that
# make slugs and the checks below use SLUG_PATTERN; it is also what Django's
# validate_unicode_slug accepts, the validator of both slug fields (allow_unicode=True).
# reverse() percent-encodes addresses, so feeds, the sitemap and links carry plain ASCII.
SLUG_PATTERN = r"[-\w]+"
_WHOLE_SLUG = re.compile(rf"{SLUG_PATTERN}\Z")

# Post dates readers can reach: every address has a four-digit year (blog.urls).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


def slug_from(text, *, fallback, max_length):
    """The slug for ``text`` under the one rule, or ``fallback`` when nothing is left
    (a title or label of emoji only)."""
    slug = slugify(text, allow_unicode=True)[:max_length].strip("-_")
    return slug or fallback


def unique_slug(base, *, taken, max_length):
    """``base``, else ``base-2``, ``base-3``... the first not in ``taken`` (a queryset of
    rows with a ``slug``), as WordPress does: silent, so a clash tells nobody that a post
    or label they may not see exists."""
    used = set(taken.filter(slug__startswith=base[: max_length - 4]).values_list("slug", flat=True))
    if base not in used:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)] + suffix
        if candidate not in used:
            return candidate
        n += 1


def validate_publish_date(value):
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    if not EARLIEST_YEAR <= local.year <= LATEST_YEAR:
        raise ValidationError(
            f"Enter a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}.",
            code="out_of_range",
        )


def publish_date_bounds():
    """The first and the last moment (exclusive) of a date an address can show."""
    zone = timezone.get_current_timezone()
    return (
        datetime(EARLIEST_YEAR, 1, 1, tzinfo=zone),
        datetime(LATEST_YEAR + 1, 1, 1, tzinfo=zone),
    )


# --- Labels ------------------------------------------------------------------------------
LABEL_NAME_MAX_LENGTH = Tag._meta.get_field("name").max_length
LABEL_SLUG_MAX_LENGTH = Tag._meta.get_field("slug").max_length


class LabelQuerySet(models.QuerySet):
    def named(self, name):
        """The label called ``name``, whatever its case ("MS" is "ms"), or None.

        ``iexact`` finds most; SQLite compares only ASCII letters without case, so a miss is
        checked again in Python (``casefold``: "MÉNIÈRE" is "Ménière"). That scan of the
        names happens only when a label is about to be created, which is rare.
        """
        found = self.filter(name__iexact=name).order_by("pk").first()
        if found is not None:
            return found
        wanted = name.casefold()
        for pk, stored in self.order_by("pk").values_list("pk", "name"):
            if stored.casefold() == wanted:
                return self.get(pk=pk)
        return None


class Label(Tag):
    """taggit's Tag, shown under the Blog section of the admin as "labels"."""

    objects = LabelQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = "label"
        verbose_name_plural = "labels"


def label_slug(name, *, exclude_pk=None):
    """A free slug for a label called ``name`` under the one rule."""
    base = slug_from(name, fallback="label", max_length=LABEL_SLUG_MAX_LENGTH)
    return unique_slug(
        base, taken=Tag.objects.exclude(pk=exclude_pk), max_length=LABEL_SLUG_MAX_LENGTH
    )


def label_for_name(name):
    """The label called ``name`` (any case), created with a rule-made slug if new.

    A concurrent creation of the same label or slug loses the race quietly and retries.
    """
    name = name.strip()
    for _attempt in range(3):
        existing = Label.objects.named(name)
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                return Label.objects.create(name=name, slug=label_slug(name))
        except IntegrityError:
            continue
    raise IntegrityError(f"Could not create the label {name!r}")


def labels_from_string(text):
    """Labels as an author types them: separated by commas, as in WordPress.

    Quotes around a label are optional (``"multiple sclerosis", alemtuzumab``) and let a
    label hold a comma; text without a comma is one label.
    """
    names, current, quoted = [], [], False
    for char in text or "":
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            names.append("".join(current))
            current = []
        else:
            current.append(char)
    names.append("".join(current))
    seen, result = set(), []
    for name in (" ".join(n.split()) for n in names):
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            result.append(name)
    return result


def labels_to_string(tags):
    """The admin field's text for these labels: ``a, multiple sclerosis`` (no quotes
    unless a label holds a comma); ``labels_from_string`` reads it back unchanged."""
    names = sorted((tag.name for tag in tags), key=str.casefold)
    return ", ".join(f'"{name}"' if "," in name else name for name in names)


def label_has_address(label):
    """True if the label's slug can be an address. A slug stored around the admin's
    checks cannot: the label is left out of pages (and logged) rather than break them."""
    if _WHOLE_SLUG.match(label.slug or ""):
        return True
    logger.warning("Label %s has no valid address (slug %r): left out", label.pk, label.slug)
    return False


def with_addresses(posts):
    """The posts whose address can be built, in order; ``Post.has_address`` logs the others."""
    return [post for post in posts if post.has_address]


class LabelManager(_TaggableManager):
    """Labels given by name are found case-insensitively or created under the slug rule."""

    def _to_tag_model_instances(self, tags, tag_kwargs):
        tags = [label_for_name(tag) if isinstance(tag, str) else tag for tag in tags]
        return super()._to_tag_model_instances(tags, tag_kwargs)


def labels_prefetch():
    """Labels prefetched into a plain list (``Post.labels``).

    Prefetching the taggit manager itself makes Django build one filtered, joined
    queryset per post just to hold the rows (about a third of a millisecond each); a
    list attribute costs nothing per post.
    """
    return models.Prefetch("tags", to_attr="prefetched_labels")


class PostQuerySet(models.QuerySet):
    def published(self, *, now=None):
        """Posts a reader may see: status published and a publish date not in the future
        (and within the years an address can show: rows stored around the admin's checks
        are left out rather than break every page)."""
        earliest, latest = publish_date_bounds()
        return self.filter(
            status=Post.Status.PUBLISHED,
            published_at__lte=now or timezone.now(),
            published_at__gte=earliest,
            published_at__lt=latest,
        )

    def for_label(self, slug):
        return self.filter(tags__slug=slug)

    def for_listing(self):
        """What a list page shows, in a fixed number of queries whatever the count."""
        return (
            self.select_related(*extensions.author_select_related())
            .prefetch_related(labels_prefetch())
            .order_by("-published_at", "-pk")
        )

    def update(self, **kwargs):
        """A bulk update that publishes posts is held to the publication rule too."""
        if kwargs.get("status") == PUBLISHED and self.filter(disclosures__isnull=True).exists():
            check_post_publishable(status=PUBLISHED, disclosure_count=0)
        return super().update(**kwargs)

    def visible_to(self, user):
        """Published posts, plus the unpublished ones this user may open in the admin
        (an author previews their own drafts; editors and moderators preview any)."""
        from roles import policy

        if user is None or not (user.is_active and user.is_staff):
            return self.published()
        return self.published() | policy.posts_visible_to(user, self)


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        allow_unicode=True,  # Django's validate_unicode_slug is SLUG_PATTERN
        help_text="The last part of the post's address.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    summary = models.TextField(
        blank=True, help_text="One or two sentences for list pages, feeds and search engines."
    )
    body = models.TextField(help_text="Markdown. DOIs and trial registry ids link themselves.")
    body_html = models.TextField(editable=False, blank=True)
    # --- In plain words (README "Plain language") ---
    plain_summary = models.TextField(
        "in plain words",
        blank=True,
        help_text="Markdown. What the trial means for a person with MS, in everyday words: "
        "what was compared in whom, how much better (out of 100 people), the main risks, "
        "who paid, your ties, who it applies to, how current it is.",
    )
    plain_summary_html = models.TextField(editable=False, blank=True)
    last_reviewed = models.DateField(
        "last reviewed", null=True, blank=True, help_text="When this post was last checked."
    )
    next_review_due = models.DateField(
        "next review due", null=True, blank=True, help_text="When it should be checked again."
    )
    # --- end In plain words ---
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        "publish date",
        default=timezone.now,
        db_index=True,
        validators=[validate_publish_date],
        help_text="A date in the future schedules the post.",
    )
    comments_open = models.BooleanField(
        default=True, help_text="Untick to close the comments on this post."
    )
    # The cited article and the trial, for the Source section and citation metadata.
    source_citation = models.TextField(
        "citation",
        blank=True,
        help_text="The cited article as you would write it in a reference list.",
    )
    source_title = models.CharField("article title", max_length=500, blank=True)
    source_authors = models.CharField(
        "article authors", max_length=500, blank=True, help_text="Separate authors with semicolons."
    )
    source_journal = models.CharField("journal", max_length=200, blank=True)
    source_date = models.DateField("article date", null=True, blank=True)
    doi = models.CharField(
        "DOI", max_length=200, blank=True, help_text="For example 10.1016/S0140-6736(12)61768-1"
    )
    trial_registration = models.CharField(
        "trial registration",
        max_length=100,
        blank=True,
        help_text="A registry id: NCT00548405, ISRCTN12345678 or a EudraCT number.",
    )
    # Maintained by the comments app (which depends on blog, never the reverse),
    # so list pages show counts without a join.
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    # Derived from ``doi`` in save(): the DOI as notices about the paper name it.
    paper_doi = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    # When the last announced change was made (blog.revisions), for the byline and feeds.
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tags = TaggableManager(
        "labels",
        blank=True,
        manager=LabelManager,
        help_text="Separate labels with commas: multiple sclerosis, alemtuzumab. A label may "
        'hold spaces; quotes are optional ("multiple sclerosis", alemtuzumab). Capitals do '
        "not make a new label: MS and ms are one.",
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        indexes = [
            # Lists and archives select on the first two columns; the feeds' freshness
            # state (count and newest dates of every published post) reads all four from
            # the index alone, without the rows and their text (4x faster on SQLite).
            models.Index(
                fields=["status", "published_at", "updated_at", "announced_at"],
                name="blog_post_published_state",
            )
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # body_html is derived: computed here, in exactly one place, from the source.
        self.body_html = markup.render_post_body(self.body)
        self.plain_summary_html = markup.render_post(self.plain_summary)
        self.paper_doi = normalise_doi(self.doi)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = update_fields = {*update_fields, "body_html"}
        if update_fields is not None and "plain_summary" in update_fields:
            kwargs["update_fields"] = update_fields = {*update_fields, "plain_summary_html"}
        if update_fields is not None and "doi" in update_fields:
            kwargs["update_fields"] = {*update_fields, "paper_doi"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """The post's address: ``reverse("blog:post_detail", ...)`` without a reverse() per
        call (blog.addresses)."""
        local = timezone.localtime(self.published_at)
        return post_address(local.year, local.month, self.slug)

    @property
    def has_address(self):
        """False (logged) for a row stored around the admin's checks that no address can
        hold, so that a list leaves it out and shows the rest instead of failing.

        The same checks as the URL patterns, without reverse(): a few microseconds a post.
        """
        try:
            year = timezone.localtime(self.published_at).year
        except (ValueError, OverflowError):
            year = None
        if _WHOLE_SLUG.match(self.slug or "") and year and EARLIEST_YEAR <= year <= LATEST_YEAR:
            return True
        logger.warning("Post %s has no valid address (slug %r)", self.pk, self.slug)
        return False

    @property
    def address(self):
        """``get_absolute_url()``, or "" when the post has no valid address."""
        return self.get_absolute_url() if self.has_address else ""

    @property
    def address_parts(self):
        local = timezone.localtime(self.published_at)
        return local.year, local.month, self.slug

    def clean(self):
        super().clean()
        if self.status == self.Status.PUBLISHED:
            check_post_publishable(status=self.status, disclosure_count=self.disclosure_count())
        if (
            self.last_reviewed
            and self.next_review_due
            and self.next_review_due <= self.last_reviewed
        ):
            raise ValidationError(
                {
                    "next_review_due": "The next review is due after the last review: "
                    "pick a later date."
                }
            )

    def disclosure_count(self):
        """How many disclosures the post has (or, in a form being saved, will have).

        A form that saves disclosures alongside the post sets ``pending_disclosures``
        to the number it will save, because they are not in the database yet.
        """
        pending = getattr(self, "pending_disclosures", None)
        if pending is not None:
            return pending
        return self.disclosures.count() if self.pk is not None else 0

    @property
    def labels(self):
        """The post's labels: the prefetched list when there is one, else one query."""
        prefetched = self.__dict__.get("prefetched_labels")
        labels = prefetched if prefetched is not None else list(self.tags.all())
        return [label for label in labels if label_has_address(label)]

    @property
    def announced_changes(self):
        """Changes announced to readers, oldest first (blog.public_record)."""
        from blog.public_record import announced_changes

        return announced_changes(self)

    @property
    def paper_notices(self):
        """Notices about the paper this post discusses, newest first (blog.public_record)."""
        from blog.public_record import paper_notices

        return paper_notices(self)

    @property
    def review_due(self):
        """When this post's review is due (blog.review_dates)."""
        from blog.review_dates import review_due

        return review_due(self)

    @property
    def review_notice(self):
        """The "not reviewed since" notice, or "" (blog.review_dates)."""
        from blog.review_dates import review_notice

        return review_notice(self)

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def doi_url(self):
        return markup.doi_url(self.doi) if self.doi else ""

    @property
    def trial_registration_url(self):
        return markup.registry_url(self.trial_registration) if self.trial_registration else ""


class DisclosureQuerySet(models.QuerySet):
    def delete(self):
        """A queryset delete that would leave a published post without a disclosure is
        refused (and undone), as the publication rule says."""
        with transaction.atomic():
            post_ids = set(self.values_list("post_id", flat=True))
            result = super().delete()
            stranded = Post.objects.filter(
                pk__in=post_ids, status=PUBLISHED, disclosures__isnull=True
            )
            if post_ids and stranded.exists():
                check_post_publishable(status=PUBLISHED, disclosure_count=0)
        return result

    delete.queryset_only = True


class Disclosure(models.Model):
    """One declared relationship (or the declaration that there is none)."""

    class Relationship(models.TextChoices):
        PRINCIPAL_INVESTIGATOR = "principal_investigator", "Principal investigator"
        CONSULTANCY = "consultancy", "Consultancy"
        HONORARIA = "honoraria", "Honoraria"
        RESEARCH_FUNDING = "research_funding", "Research funding"
        EMPLOYMENT = "employment", "Employment"
        SHARES = "shares", "Shares or stock"
        TRAVEL = "travel", "Travel or accommodation"
        OTHER = "other", "Other"
        NONE = "none", "Nothing to disclose"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="disclosures")
    person = models.CharField("who", max_length=200)
    relationship = models.CharField(max_length=30, choices=Relationship.choices)
    organisations = models.CharField(
        max_length=500, blank=True, help_text="Companies or bodies concerned, comma-separated."
    )
    statement = models.TextField(
        blank=True, help_text="The statement as the person wrote it, shown verbatim."
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.person}: {self.get_relationship_display()}"

    def clean(self):
        super().clean()
        if self.relationship not in (self.Relationship.NONE,) and not (
            self.organisations or self.statement
        ):
            raise ValidationError(
                {"organisations": "Name the organisations concerned, or write the statement."}
            )


class PostAddress(models.Model):
    """An address a published post used to have: it answers with a 301 to the post.

    Recorded by ``blog.services.post_address_remember`` when a live post's date or slug
    changes (WordPress keeps old slugs the same way). A post that now lives at the address
    wins over the redirect.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="old_addresses")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    slug = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "old address"
        verbose_name_plural = "old addresses"
        constraints = [
            models.UniqueConstraint(fields=["year", "month", "slug"], name="unique_old_address")
        ]

    def __str__(self):
        return f"/{self.year:04d}/{self.month:02d}/{self.slug}/"


class LabelAddress(models.Model):
    """A slug a label used to have: its page and feeds answer there with a 301 to the
    label's address now (``blog.label_addresses``), so links and feed subscriptions
    survive an Editor changing the slug. A label that now has the slug wins."""

    label = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="old_addresses")
    slug = models.CharField(max_length=LABEL_SLUG_MAX_LENGTH, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "old label address"
        verbose_name_plural = "old label addresses"

    def __str__(self):
        return f"/labels/{self.slug}/"


# --- The public record -------------------------------------------------------------------
class PostRevision(models.Model):
    """What a post said after one save: its text, labels, disclosures and source, who saved
    it and when, and (once the post is public) why it changed.

    ``snapshot`` is written and read by ``blog.revisions`` only (compressed JSON, most
    revisions stored as a delta against the one before).
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        CLARIFICATION = "clarification", "Clarification"
        UPDATE = "update", "Update"
        DISCLOSURES = "disclosures", "Change to the disclosures"
        MINOR = "minor", "Minor change (typo), not announced"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The post's status and date at this revision: whether readers could see it.
    status = models.CharField(max_length=10, choices=Post.Status.choices)
    published_at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=Kind.choices, blank=True)
    note = models.TextField("change note", blank=True)
    announced = models.BooleanField(default=False)
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    snapshot = models.BinaryField(editable=False)
    is_keyframe = models.BooleanField(default=True, editable=False)

    class Meta:
        ordering = ["post", "number"]
        verbose_name = "revision"
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="unique_revision_number")
        ]
        indexes = [models.Index(fields=["post", "announced", "number"])]

    def __str__(self):
        return f"{self.post_id} revision {self.number}"


class PaperNotice(models.Model):
    """A published notice about a paper posts may cite: a correction, an expression of
    concern, a retraction or a reinstatement (Crossmark's update types)."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        EXPRESSION_OF_CONCERN = "expression_of_concern", "Expression of concern"
        RETRACTION = "retraction", "Retraction"
        REINSTATEMENT = "reinstatement", "Reinstatement"

    class Source(models.TextChoices):
        RETRACTION_WATCH = "retraction_watch", "Retraction Watch"
        EDITOR = "editor", "Editor"

    paper_doi = models.CharField(
        "paper DOI",
        max_length=200,
        db_index=True,
        help_text="The DOI of the paper the notice is about, e.g. 10.1016/S0140-6736(12)61768-1",
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    notice_doi = models.CharField("notice DOI", max_length=200, blank=True)
    notice_url = models.URLField(
        "notice address", max_length=500, blank=True, help_text="Used when there is no DOI."
    )
    date = models.DateField("notice date", null=True, blank=True)
    source = models.CharField(max_length=30, choices=Source.choices, default=Source.EDITOR)
    record_id = models.CharField(
        "Retraction Watch record ID", max_length=50, blank=True, editable=False
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "notice about a paper"
        verbose_name_plural = "notices about papers"
        constraints = [
            models.UniqueConstraint(
                fields=["source", "record_id"],
                condition=~models.Q(record_id=""),
                name="unique_notice_record",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.paper_doi}"

    def clean(self):
        super().clean()
        doi = normalise_doi(self.paper_doi)
        if not doi:
            raise ValidationError({"paper_doi": "Enter a DOI, e.g. 10.1016/S0140-6736(12)61768-1"})
        self.paper_doi = doi
        if self.notice_doi:
            notice = bare_doi(self.notice_doi)
            if not notice:
                raise ValidationError({"notice_doi": "Enter a DOI, or leave this empty."})
            self.notice_doi = notice

    @property
    def link(self):
        """Where a reader reads the notice: its DOI, else its address."""
        return markup.doi_url(self.notice_doi) if self.notice_doi else self.notice_url
