"""Posts, their labels and their conflict-of-interest disclosures.

The publication rule lives in one place, ``PostQuerySet.published()``; views, feeds,
sitemaps and template tags all go through it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager

from blog import markup


def labels_prefetch():
    """Labels prefetched into a plain list (``Post.labels``).

    Prefetching the taggit manager itself makes Django build one filtered, joined
    queryset per post just to hold the rows (about a third of a millisecond each); a
    list attribute costs nothing per post.
    """
    return models.Prefetch("tags", to_attr="prefetched_labels")


class PostQuerySet(models.QuerySet):
    def published(self, *, now=None):
        """Posts a reader may see: status published and a publish date not in the future."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def for_label(self, slug):
        return self.filter(tags__slug=slug)

    def for_listing(self):
        """What a list page shows, in a fixed number of queries whatever the count."""
        return (
            self.select_related("author")
            .prefetch_related(labels_prefetch())
            .order_by("-published_at", "-pk")
        )

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
        max_length=200, unique=True, help_text="The last part of the post's address."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    summary = models.TextField(
        blank=True, help_text="One or two sentences for list pages, feeds and search engines."
    )
    body = models.TextField(help_text="Markdown. DOIs and trial registry ids link themselves.")
    body_html = models.TextField(editable=False, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        "publish date",
        default=timezone.now,
        db_index=True,
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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tags = TaggableManager("labels", blank=True, help_text="A comma-separated list of labels.")

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # body_html is derived: computed here, in exactly one place, from the source.
        self.body_html = markup.render_post(self.body)
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        local = timezone.localtime(self.published_at)
        return reverse(
            "blog:post_detail",
            kwargs={"year": local.year, "month": f"{local.month:02d}", "slug": self.slug},
        )

    def clean(self):
        super().clean()
        if self.status == self.Status.PUBLISHED and not self.has_disclosures():
            raise ValidationError(
                {
                    "status": "A post cannot be published without at least one "
                    "conflict-of-interest disclosure (\u201cnothing to disclose\u201d counts)."
                }
            )

    def has_disclosures(self):
        """True if the post has (or, in a form being saved, will have) a disclosure.

        A form that saves disclosures alongside the post sets ``pending_disclosures``
        to the number it will save, because they are not in the database yet.
        """
        pending = getattr(self, "pending_disclosures", None)
        if pending is not None:
            return pending > 0
        return self.pk is not None and self.disclosures.exists()

    @property
    def labels(self):
        """The post's labels: the prefetched list when there is one, else one query."""
        prefetched = self.__dict__.get("prefetched_labels")
        return prefetched if prefetched is not None else list(self.tags.all())

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def doi_url(self):
        return markup.doi_url(self.doi) if self.doi else ""

    @property
    def trial_registration_url(self):
        return markup.registry_url(self.trial_registration) if self.trial_registration else ""


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
