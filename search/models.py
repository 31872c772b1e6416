"""One search document per post: the text a reader can find it by, kept beside the post.

The document holds every post (drafts too); searches join it to
``Post.objects.published()``, so the publication rule is applied when a reader asks, and a
scheduled post becomes findable the moment it goes live, without re-indexing.

The engines index it in their own way (see ``search.engines``): on SQLite an FTS5 table
(``search_fts``) kept in step with this table by triggers; on PostgreSQL ``vector``, a
weighted tsvector of the folded words, with a GIN index.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from blog.models import Post


class SearchDocument(models.Model):
    post = models.OneToOneField(
        Post, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    title = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="The body's visible text, without markup.")
    labels = models.TextField(blank=True)
    author = models.TextField(blank=True)
    identifiers = models.TextField(blank=True, help_text="DOI and trial registration.")
    folded = models.TextField(
        blank=True,
        help_text="Words with accents SQLite's tokenizer keeps, folded (it folds only Latin "
        "accents: this lets 'σκληρυνση' find 'Σκλήρυνση').",
    )
    vector = SearchVectorField(null=True, editable=False)  # PostgreSQL only

    class Meta:
        db_table = "search_document"

    def __str__(self):
        return self.title
