"""What an import remembers: which source item became which row, and the old addresses.

``ImportedItem`` makes a second import of the same file update instead of duplicate;
``LegacyAddress`` lets every address the item had on the old blog answer with a 301.
"""

from django.db import models

from blog.models import Post


class ImportedItem(models.Model):
    """One item of an export (post, comment or image) and the row it became."""

    class Kind(models.TextChoices):
        POST = "post", "Post"
        COMMENT = "comment", "Comment"
        IMAGE = "image", "Image"

    format = models.CharField(max_length=20)  # "blogger", "wxr"
    source_site = models.CharField(max_length=500, blank=True)  # the blog's URL or id
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source_id = models.CharField(max_length=500)
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="import_records"
    )
    comment = models.ForeignKey(
        "comments.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    image = models.ForeignKey(
        "media_library.Image", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now=True)
    source_url = models.CharField(
        "original address", max_length=500, blank=True, help_text="Where it was on the old blog."
    )
    fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text="A hash of the post as the import last wrote it: a different one on the "
        "next import means it was edited here since (imports.pipeline).",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["format", "source_site", "kind", "source_id"], name="unique_imported_item"
            )
        ]

    def __str__(self):
        return f"{self.format} {self.kind} {self.source_id}"


class LegacyAddress(models.Model):
    """An address (a path, with ``?p=<id>`` where WordPress used one) a post had on the old
    blog. Served only when nothing else answers there (``imports.middleware``)."""

    path = models.CharField(max_length=500, unique=True)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="legacy_addresses")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "imported old address"
        verbose_name_plural = "imported old addresses"

    def __str__(self):
        return self.path
