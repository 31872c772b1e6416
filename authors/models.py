"""Author profiles and the standing entries of their register of interests.

A profile belongs to one user (``AuthorProfile.user``); posts keep pointing at the user, so
the blog never needs this app. Disclosures stay on posts (blog.Disclosure); the register
of interests (``authors.register``) reads them from the author's published posts, and adds
the standing entries kept here.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from authors.orcid import OrcidField, normalise, orcid_url
from blog.models import Disclosure

SLUG_MAX_LENGTH = 100


class AuthorProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="author_profile"
    )
    display_name = models.CharField(
        max_length=200, help_text="Your name as readers see it on your author page."
    )
    slug = models.SlugField(
        max_length=SLUG_MAX_LENGTH,
        unique=True,
        allow_unicode=True,
        help_text="The last part of your author page's address. Made from your name if left empty.",
        blank=True,
    )
    bio = models.TextField(
        "short biography",
        max_length=1500,
        blank=True,
        help_text="A few sentences: your work, your field. Plain text.",
    )
    affiliation = models.CharField(
        max_length=300, blank=True, help_text="Where you work, e.g. a hospital or university."
    )
    orcid = OrcidField(
        "ORCID iD",
        blank=True,
        help_text="Like 0000-0002-1825-0097 or https://orcid.org/0000-0002-1825-0097 "
        "(stored as the address).",
    )
    email_on_responses = models.BooleanField(
        "Email me when a response to my post is approved",
        default=True,
        help_text="One email per response (right of reply), with a link to answer it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]
        verbose_name = "author profile"

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("authors:detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        self.orcid = normalise(self.orcid)
        self.display_name = " ".join(self.display_name.split())

    @property
    def orcid_url(self):
        return orcid_url(self.orcid)


class StandingInterest(models.Model):
    """A declared interest not tied to one post (a board seat, a grant, shares), dated."""

    profile = models.ForeignKey(
        AuthorProfile, on_delete=models.CASCADE, related_name="standing_interests"
    )
    organisation = models.CharField(max_length=300)
    relationship = models.CharField(
        max_length=30,
        choices=[c for c in Disclosure.Relationship.choices if c[0] != "none"],
    )
    statement = models.TextField(blank=True, help_text="Shown word for word.")
    declared_on = models.DateField(help_text="When you declared it.")
    ended_on = models.DateField(
        null=True, blank=True, help_text="When it ended; leave empty while it lasts."
    )

    class Meta:
        ordering = ["-declared_on", "pk"]
        verbose_name = "standing interest"

    def __str__(self):
        return f"{self.organisation}: {self.get_relationship_display()}"

    def clean(self):
        super().clean()
        if self.ended_on and self.declared_on and self.ended_on < self.declared_on:
            raise ValidationError({"ended_on": "The end date is before the declared date."})


class ResponseNotice(models.Model):
    """One right-of-reply email (``authors.right_of_reply``): the unique comment makes each
    approved response mail its post's author once, whatever happens to it afterwards. The
    unsubscribe link in that email names this row and works once (``link_used_at``)."""

    comment = models.OneToOneField(
        "comments.Comment", on_delete=models.CASCADE, related_name="response_notice"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="response_notices"
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    link_used_at = models.DateTimeField("unsubscribe link used at", null=True, blank=True)

    class Meta:
        verbose_name = "right-of-reply email"

    def __str__(self):
        return f"Right-of-reply email about comment {self.comment_id}"
