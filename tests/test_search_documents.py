"""Issue 14 tryout: what a post's search document holds. The post's disclosures (person,
organisations, statement) are searched and kept in step; the glossary's "Words explained"
list is the glossary's text, not the post's, and is never indexed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog.models import Disclosure, Post
from glossary.models import Term
from glossary.services import term_save
from search.documents import search_documents_rebuild
from search.models import SearchDocument
from tests.factories import make_post
from tests.search_support import result_titles, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def declared(an_author):
    post = make_post(author=an_author, title="CARE-MS II", disclosure=False)
    Disclosure.objects.create(
        post=post,
        person="Dr Hollis Vantreight",
        relationship=Disclosure.Relationship.HONORARIA,
        organisations="Genzyme, Quillon Pharma",
        statement="Speaker fees from Bayer Zyloris in 2011.",
    )
    post.status = Post.Status.PUBLISHED
    post.save()
    make_post(author=an_author, title="Unrelated")
    return post


@pytest.mark.parametrize("query", ["Vantreight", "Quillon", "quillon pharma", "Zyloris"])
def test_a_post_is_found_by_its_disclosures(client, declared, query):
    assert result_titles(search(client, query)) == ["CARE-MS II"]


def test_the_author_is_found_by_name_too(client, declared):
    assert set(result_titles(search(client, "Ashdown"))) == {"CARE-MS II", "Unrelated"}


def test_a_changed_disclosure_is_searched_as_it_now_reads(
    client, declared, django_capture_on_commit_callbacks
):
    disclosure = declared.disclosures.get()
    disclosure.organisations = "Brightwater Biologics"
    disclosure.save()
    assert result_titles(search(client, "quillon")) == []
    assert result_titles(search(client, "brightwater")) == ["CARE-MS II"]
    added = Disclosure.objects.create(
        post=declared,
        person="Pim Osterhout",
        relationship=Disclosure.Relationship.CONSULTANCY,
        organisations="Marrowgate",
    )
    assert result_titles(search(client, "marrowgate")) == ["CARE-MS II"]
    with django_capture_on_commit_callbacks(execute=True):
        added.delete()
    assert result_titles(search(client, "marrowgate")) == []
    assert result_titles(search(client, "brightwater")) == ["CARE-MS II"]


def test_a_post_deleted_with_its_disclosures_leaves_no_document(
    declared, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        declared.delete()
    assert not SearchDocument.objects.filter(pk=declared.pk).exists()


def test_a_rebuild_writes_the_disclosures_as_a_save_does(declared):
    saved = SearchDocument.objects.values().get(pk=declared.pk)
    assert "Quillon Pharma" in saved["author"]
    assert "Speaker fees from Bayer Zyloris in 2011." in saved["author"]
    search_documents_rebuild()
    assert SearchDocument.objects.values().get(pk=declared.pk) == saved


def _rebuild_queries():
    with CaptureQueriesContext(connection) as context:
        search_documents_rebuild()
    return len(context.captured_queries)


def test_the_rebuild_costs_the_same_queries_for_many_disclosures(an_author):
    """Disclosures come in one prefetch, whatever their number."""
    posts = [make_post(author=an_author, title=f"Post {i}") for i in range(3)]
    few = _rebuild_queries()
    for post in posts:
        for j in range(5):
            Disclosure.objects.create(
                post=post, person=f"P{j}", relationship="consultancy", organisations="Acme"
            )
    assert _rebuild_queries() == few


@pytest.fixture
def glossary_term(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return term_save(
            term=Term(
                term="Expanded Disability Status Scale",
                abbreviation="EDSS",
                explanation="A score doctors use, from 0 (no problems) to 10 (zeppelin).",
            )
        )


def test_words_explained_are_not_indexed(client, an_author, glossary_term):
    post = make_post(author=an_author, title="Disability", body="The EDSS went up by one.")
    assert 'class="words-explained"' in post.body_html  # the glossary did mark it
    document = SearchDocument.objects.get(pk=post.pk)
    assert document.body == "The EDSS went up by one."
    assert "zeppelin" not in document.body and "Words explained" not in document.body
    assert result_titles(search(client, "zeppelin")) == []
    assert result_titles(search(client, "EDSS")) == ["Disability"]
    search_documents_rebuild()
    assert SearchDocument.objects.get(pk=post.pk).body == "The EDSS went up by one."


def test_words_explained_in_the_author_s_own_text_stay_indexed(client, an_author):
    """Only the glossary's list is left out: an author's heading of the same name stays."""
    post = make_post(
        author=an_author, title="Own words", body="## Words explained\n\nA zeppelin is an airship."
    )
    assert "zeppelin" in SearchDocument.objects.get(pk=post.pk).body
    assert result_titles(search(client, "zeppelin")) == ["Own words"]
