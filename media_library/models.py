"""An image in the media library: its description, and the files written once on upload."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from blog.markup_images import LibraryImage

_CONTROL = frozenset(chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))


def validate_no_control_characters(value):
    if any(char in _CONTROL for char in value):
        raise ValidationError("Remove the control characters (invisible, not printable).")


def media_url(name):
    """The address of a stored file on this site: MEDIA_URL + its name (ASCII by
    construction, media_library.services). Never the storage's own URL: with object
    storage that would be another host, and pages make no third-party request."""
    return settings.MEDIA_URL + name


class Image(models.Model):
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text="For you, in the media library; readers do not see it. "
        "The file's name if left empty.",
    )
    alt_text = models.CharField(
        "alternative text",
        max_length=500,
        validators=[validate_no_control_characters],
        help_text="What the image shows, for readers who cannot see it (screen readers, "
        "images off). Describe what matters here, e.g. \u201cKaplan\u2013Meier curves: "
        "relapse-free survival higher with alemtuzumab at 24 months\u201d.",
    )
    caption = models.CharField(
        max_length=1000,
        blank=True,
        validators=[validate_no_control_characters],
        help_text="Shown under the image in posts (plain text).",
    )
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    format = models.CharField(max_length=4, editable=False)
    files = models.JSONField(
        default=list,
        editable=False,
        help_text="The stored files, narrowest first: [{name, width, height, bytes}].",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uploaded_images",
        editable=False,
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.title or f"Image {self.pk}"

    def clean(self):
        self.title, self.caption = self.title.strip(), self.caption.strip()
        self.alt_text = self.alt_text.strip()
        if not self.alt_text:
            raise ValidationError({"alt_text": "Describe the image: alternative text is required."})

    @property
    def markdown(self):
        """What an author pastes into a post: ``![alt](image:42)``."""
        return f"![{markdown_alt(self.alt_text)}](image:{self.pk})"

    @property
    def thumbnail(self):
        """The narrowest stored file (a dict), for the admin's list."""
        return self.files[0] if self.files else None

    def as_library_image(self):
        files = [entry for entry in self.files if entry.get("name")]
        if not files:
            return None
        middle = next((f for f in files if f["width"] >= 960), files[-1])
        return LibraryImage(
            src=media_url(middle["name"]),
            srcset=tuple((media_url(f["name"]), f["width"]) for f in files),
            width=self.width,
            height=self.height,
            alt=self.alt_text,
            caption=self.caption,
        )

    def stored_names(self):
        return [entry["name"] for entry in self.files if entry.get("name")]


def markdown_alt(text):
    """Alt text made safe inside ``![...]``: one line, brackets and backslashes escaped."""
    one_line = " ".join(text.split())
    return "".join("\\" + char if char in "\\[]" else char for char in one_line)
