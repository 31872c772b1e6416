"""Keeping each post's search document in step with the post: the only writers.

The document is the post's own text: title, summary, body (without the glossary's "Words
explained" list, which is the glossary's text, not the post's), labels, the author's name
with the post's disclosures (who declared what, with which organisations, and the
statements: a reader finds every post whose author declared ties to a company), and the
trial registration and DOI.

``search_documents_refresh`` is called when a post, its labels, a label, its disclosures or
an author's name change (``search.upkeep`` connects it to those saves: derived data, like
the page cache, is the one job signals do here). Paths that bypass signals
(``QuerySet.update``, ``bulk_create``, a restored database) are put right with
``manage.py rebuild_search_index``.
"""

import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchVector
from django.db import connection, models, transaction
from django.db.models.functions import Left

from blog import extensions
from blog.metadata import author_name
from blog.models import Disclosure, Post
from glossary.marking import without_words_explained
from search.extraction import visible_text
from search.models import SearchDocument
from search.text import folded_words, has_lone_greek_letter, plain, words

# Weights: PostgreSQL ranks A highest. SQLite's bm25() gets the same order (search.engines).
WEIGHTS = (
    ("title", "A"),
    ("identifiers", "A"),
    ("labels", "B"),
    ("summary", "B"),
    ("author", "C"),
    ("body", "D"),
)
REBUILD_BATCH = 500


def body_text(post):
    """The body's own text as a reader sees it (``search.extraction``: a line per block),
    without the glossary's explanations."""
    return visible_text(without_words_explained(post.body_html or ""))


def disclosures_text(disclosures):
    """Each disclosure's person, organisations and statement, in the post's order."""
    parts = []
    for disclosure in disclosures:
        parts += [disclosure.person, disclosure.organisations, disclosure.statement]
    return " ".join(part for part in parts if part)


def people_text(post, disclosures):
    """The "author" field: the author's public name (``blog.metadata.author_name``, the one
    function every page asks: the author profile's display name), then the post's
    disclosures. The name is read from what ``_posts`` selected with the author."""
    return " ".join(
        part for part in (indexed_name(post.author), disclosures_text(disclosures)) if part
    )


def indexed_name(user):
    """The author's public name as the document holds it."""
    return plain(author_name(user))


def document_fields(post):
    """The document's text for ``post`` (author, labels and disclosures prefetched)."""
    labels = getattr(post, "prefetched_labels", None)
    if labels is None:
        labels = list(post.tags.all())
    disclosures = getattr(post, "prefetched_disclosures", None)
    if disclosures is None:
        disclosures = list(post.disclosures.all())
    identifiers = " ".join(value for value in (post.doi, post.trial_registration) if value)
    fields = {
        "title": plain(post.title),
        "summary": plain(post.summary),
        "body": plain(body_text(post)),
        "labels": plain(", ".join(label.name for label in labels)),
        "author": plain(people_text(post, disclosures)),
        "identifiers": plain(identifiers),
    }
    fields["folded"] = accent_folded_extras([fields[name] for name, _ in WEIGHTS])
    return fields


def accent_folded_extras(texts):
    """Each text that holds a word SQLite's tokenizer would not fold the same way (Greek
    tonos and other non-Latin accents, a lone Greek letter), folded whole, once each: so a
    phrase such as "β-ιντερφερονη" finds "β-ιντερφερόνη" as well as a lone word does. Texts in plain
    English, or with Latin accents alone (which the tokenizer folds itself: "Ménière"),
    are left out, so the column stays small and cheap to rank."""
    extras = {}
    for text in texts:
        if any(_needs_folding(word) for word in words(text)):
            extras.setdefault(folded_words(text), None)
    return " ".join(extras)


def _needs_folding(word):
    """A letter with an accent on a base letter that is not Latin (SQLite folds only
    those whose base is: "é" to "e", not "ό" to "ο"), or a lone Greek letter ("β"), which
    is also indexed by its name ("beta")."""
    if word.isascii():
        return False
    if has_lone_greek_letter(word):
        return True
    for char in word:
        decomposed = unicodedata.normalize("NFD", char)
        if len(decomposed) > 1 and not decomposed[0].isascii():
            return True
    return False


def vector_for(fields):
    """The weighted tsvector of the folded words (PostgreSQL)."""
    vector = None
    for name, weight in WEIGHTS:
        part = SearchVector(
            models.Value(folded_words(fields[name]), output_field=models.TextField()),
            weight=weight,
            config="english",
        )
        vector = part if vector is None else vector + part
    return vector


def _posts(post_ids):
    return (
        Post.objects.filter(pk__in=post_ids)
        .select_related(*extensions.author_select_related())
        .prefetch_related(
            models.Prefetch("tags", to_attr="prefetched_labels"),
            models.Prefetch(
                "disclosures",
                queryset=Disclosure.objects.order_by("position", "pk"),
                to_attr="prefetched_disclosures",
            ),
        )
    )


@transaction.atomic
def search_documents_refresh(*, post_ids):
    """Write the search documents of these posts from what is stored now."""
    post_ids = list(post_ids)
    for post in _posts(post_ids):
        fields = document_fields(post)
        SearchDocument.objects.update_or_create(post_id=post.pk, defaults=fields)
        if connection.vendor == "postgresql":
            SearchDocument.objects.filter(post_id=post.pk).update(vector=vector_for(fields))


def name_relations():
    """The user's relations the public name is read from (``"author_profile"``, registered
    by the authors app with ``blog.extensions.register_author_name``; search never imports
    it)."""
    return [lookup.split("__", 1)[1] for lookup in extensions.author_select_related("author")[1:]]


def search_documents_renamed(*, user_id):
    """Re-index the posts of this author whose document holds another name than the one
    readers now see (their profile was renamed, made or deleted). One query finds them
    (compared exactly: a change of case counts); none is rewritten when the name stands."""
    user = get_user_model().objects.select_related(*name_relations()).filter(pk=user_id).first()
    if user is None:
        return 0
    name = indexed_name(user)
    stale = (
        SearchDocument.objects.filter(post__author_id=user_id)
        .annotate(head=Left("author", len(name) + 1))
        .exclude(author=name)
        .exclude(head=name + " ")
        .values_list("post_id", flat=True)
    )
    stale = list(stale)
    if stale:
        search_documents_refresh(post_ids=stale)
    return len(stale)


@transaction.atomic
def search_documents_rebuild(*, post_ids=None):
    """The documents of these posts (every post by default) written afresh, in batches:
    after bulk changes, a restore, or an install that predates search. Returns the count."""
    if post_ids is None:
        SearchDocument.objects.all().delete()
        ids = list(Post.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(post_ids)
        SearchDocument.objects.filter(post_id__in=ids).delete()
    for start in range(0, len(ids), REBUILD_BATCH):
        batch = list(_posts(ids[start : start + REBUILD_BATCH]))
        documents = [SearchDocument(post_id=p.pk, **document_fields(p)) for p in batch]
        SearchDocument.objects.bulk_create(documents)
        if connection.vendor == "postgresql" and documents:
            _write_vectors(documents)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite" and post_ids is None:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
        elif connection.vendor == "postgresql":
            # Fresh statistics, so the planner uses the GIN index at once rather than
            # scanning every document until autovacuum gets round to it.
            cursor.execute("ANALYZE search_document")
    return len(ids)


def _write_vectors(documents):
    """One UPDATE for a batch (PostgreSQL): the same weighted vector as ``vector_for``,
    built from the folded words, 10 times faster than an UPDATE per document."""
    columns = [name for name, _weight in WEIGHTS]
    vector = " || ".join(
        f"setweight(to_tsvector('english'::regconfig, v.{name}), '{weight}')"
        for name, weight in WEIGHTS
    )
    row = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    params = []
    for document in documents:
        params += [document.pk, *(folded_words(getattr(document, name)) for name in columns)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE search_document AS d SET vector = {vector} "  # noqa: S608 - constants
            f"FROM (VALUES {', '.join([row] * len(documents))}) AS v(id, {', '.join(columns)}) "
            "WHERE d.post_id = v.id",
            params,
        )


def search_documents_fill_missing(**kwargs):
    """After ``migrate``: posts without a document (an install that predates search, or
    rows loaded around the ORM) get one. Cheap when none is missing (one query)."""
    missing = list(Post.objects.filter(search_document__isnull=True).values_list("pk", flat=True))
    if missing:
        search_documents_rebuild(post_ids=missing)
