"""Search finds published posts by what a reader types, on SQLite (FTS5) and PostgreSQL.

The same tests run on both engines (DATABASE_URL): the behaviour, not the SQL, is the spec.
"""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from blog.models import Post
from search.models import SearchDocument
from tests.factories import make_post, make_user
from tests.search_support import SOME_WORDS, all_words_titles, result_titles, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(an_author):
    """A few posts with the things readers search for."""
    return {
        "care": make_post(
            author=an_author,
            title="CARE-MS II: alemtuzumab against interferon",
            summary="Relapses fell by half.",
            body="Alemtuzumab was compared with **interferon beta 1a** in relapsing MS.",
            doi="10.1016/S0140-6736(12)61768-1",
            trial_registration="NCT00548405",
            labels=["multiple sclerosis"],
        ),
        "meniere": make_post(
            author=an_author,
            title="Vertigo trials",
            body="Betahistine in Ménière's disease: the BEMED trial.",
            labels=["otology"],
        ),
        "greek": make_post(
            author=an_author,
            title="Σκλήρυνση κατά πλάκας",
            body="Η β-interferon μειώνει τις υποτροπές.",
        ),
        "stats": make_post(
            author=make_user(first_name="Ines", last_name="Okonkwo"),
            title="Reading a forest plot",
            body="The relapse rate ratio and its confidence interval, explained.",
            labels=["statistics"],
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("alemtuzumab", "care"),  # title and body
        ("half", "care"),  # summary
        ("otology", "meniere"),  # label
        ("Okonkwo", "stats"),  # author
        ("Meniere", "meniere"),  # accents folded
        ("MÉNIÈRE", "meniere"),
        ("σκληρυνση", "greek"),  # Greek without its accents
        ("NCT00548405", "care"),  # a registry id, any case
        ("nct00548405", "care"),
        ("10.1016/S0140-6736(12)61768-1", "care"),  # a DOI, any case
        ("10.1016/s0140-6736(12)61768-1", "care"),
        ("relapse rate ratio", "stats"),
    ],
)
def test_finds_posts_by_what_readers_type(client, library, query, expected):
    assert result_titles(search(client, query)) == [library[expected].title]


@pytest.mark.parametrize("query", ["β-interferon", "Β-INTERFERON"])
def test_a_greek_letter_is_also_its_name(client, library, query):
    """Issue 14 clinician check: a lone β is "beta" and a hyphenated compound is its words
    in any order, so "β-interferon" finds "interferon beta 1a" as well as "β-interferon"."""
    titles = set(result_titles(search(client, query)))
    assert titles == {library["greek"].title, library["care"].title}


def test_every_word_must_match(client, library):
    """None has both words: the page says so, and lists those with some (labelled)."""
    assert all_words_titles(search(client, "alemtuzumab vertigo")) == []
    assert SOME_WORDS in search(client, "alemtuzumab vertigo").content.decode()


def test_a_quoted_phrase_must_match_in_order(client, library):
    assert result_titles(search(client, '"rate ratio"')) == [library["stats"].title]
    assert result_titles(search(client, '"ratio rate"')) == []


def test_english_word_forms_match(client, library):
    """Stems: "relapsing" finds "relapses", "relapse" (porter on SQLite, english on PG)."""
    titles = result_titles(search(client, "relapsing"))
    assert set(titles) == {library["care"].title, library["stats"].title}


def test_drafts_and_scheduled_posts_are_never_found(client, an_author):
    make_post(author=an_author, title="Zebrafish published")
    make_post(author=an_author, title="Zebrafish draft", status=Post.Status.DRAFT)
    make_post(
        author=an_author,
        title="Zebrafish scheduled",
        published_at=timezone.now() + timedelta(days=2),
    )
    response = search(client, "zebrafish")
    assert result_titles(response) == ["Zebrafish published"]
    assert "1 post found" in response.content.decode()


def test_drafts_are_not_found_by_their_author_either(client, an_author):
    make_post(author=an_author, title="Zebrafish draft", status=Post.Status.DRAFT)
    client.force_login(an_author)
    assert result_titles(search(client, "zebrafish")) == []


def test_a_scheduled_post_is_found_once_its_time_has_come(client, an_author):
    post = make_post(
        author=an_author, title="Okapi study", published_at=timezone.now() + timedelta(days=2)
    )
    assert result_titles(search(client, "okapi")) == []
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    assert result_titles(search(client, "okapi")) == ["Okapi study"]


def test_an_unpublished_post_disappears_from_results(client, an_author):
    post = make_post(author=an_author, title="Okapi study")
    post.status = Post.Status.DRAFT
    post.save()
    assert result_titles(search(client, "okapi")) == []


def test_best_match_first_then_newest_first(client, an_author):
    now = timezone.now()
    make_post(
        author=an_author,
        title="Gadolinium",
        body="Other words.",
        published_at=now - timedelta(days=9),
    )
    for days in (5, 1, 3):
        make_post(
            author=an_author,
            title=f"Imaging {days}",
            body="Gadolinium in a sentence.",
            published_at=now - timedelta(days=days),
        )
    titles = result_titles(search(client, "gadolinium"))
    assert titles[0] == "Gadolinium"  # in the title: ranks above the body matches
    assert titles[1:] == ["Imaging 1", "Imaging 3", "Imaging 5"]  # equal rank: newest first


def test_results_are_paged_with_a_count(client, an_author):
    for i in range(23):
        make_post(
            author=an_author,
            title=f"Natalizumab note {i}",
            published_at=timezone.now() - timedelta(hours=i),
        )
    first = search(client, "natalizumab")
    html = first.content.decode()
    assert "23 posts found for <q>natalizumab</q>, page 1 of 3." in html
    assert len(result_titles(first)) == 10
    assert 'href="/search/?q=natalizumab&amp;page=2"' in html
    third = search(client, "natalizumab", page=3)
    assert result_titles(third) == [f"Natalizumab note {i}" for i in range(20, 23)]
    # Past the end: the last page; not a page number: the first (never an error).
    assert result_titles(search(client, "natalizumab", page=4)) == result_titles(third)
    assert result_titles(search(client, "natalizumab", page="x")) == result_titles(first)


def test_the_snippet_highlights_the_words_found_and_escapes_the_rest(client, an_author):
    make_post(author=an_author, title="A result", body="Relapses: p<0·001 & n=202 with siponimod.")
    html = search(client, "siponimod").content.decode()
    assert "p&lt;0·001 &amp; n=202 with <mark>siponimod</mark>" in html


def test_a_body_cannot_forge_a_highlight(client, an_author):
    make_post(author=an_author, title="Forged", body="siponimod \ue000bold\ue001 <mark>x</mark>")
    html = search(client, "siponimod").content.decode()
    snippet = html[html.index('class="search-snippet"') :]
    snippet = snippet[: snippet.index("</p>")]
    assert snippet.count("<mark>") == 1
    assert "&lt;mark&gt;" in snippet or "<mark>x" not in snippet


def test_accented_words_are_highlighted(client, library):
    html = search(client, "meniere").content.decode()
    assert "<mark>Ménière" in html


def test_changes_to_a_post_reach_the_index(client, an_author):
    post = make_post(author=an_author, title="Ocrelizumab", labels=["neurology"])
    post.title = "Ofatumumab"
    post.save()
    assert result_titles(search(client, "ocrelizumab")) == []
    assert result_titles(search(client, "ofatumumab")) == ["Ofatumumab"]
    post.tags.add("immunology")
    assert result_titles(search(client, "immunology")) == ["Ofatumumab"]
    label = post.tags.get(name="immunology")
    label.name = "Immunotherapy"
    label.save()
    assert result_titles(search(client, "immunotherapy")) == ["Ofatumumab"]
    an_author.last_name = "Quillfeather"
    an_author.save()
    assert result_titles(search(client, "quillfeather")) == ["Ofatumumab"]
    post.delete()
    assert not SearchDocument.objects.exists()
    assert result_titles(search(client, "ofatumumab")) == []


def test_rebuild_puts_right_what_bypassed_the_saves(client, an_author):
    post = make_post(author=an_author, title="Cladribine")
    Post.objects.filter(pk=post.pk).update(title="Teriflunomide")  # no signal
    assert result_titles(search(client, "teriflunomide")) == []
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "Search index rebuilt: 1 posts." in out.getvalue()
    assert result_titles(search(client, "teriflunomide")) == ["Teriflunomide"]
    assert result_titles(search(client, "cladribine")) == []


def test_migrate_fills_in_missing_documents(an_author):
    post = make_post(author=an_author, title="Fingolimod")
    SearchDocument.objects.all().delete()
    from search.documents import search_documents_fill_missing

    search_documents_fill_missing()
    assert SearchDocument.objects.get(pk=post.pk).title == "Fingolimod"


def test_a_sign_in_does_not_rewrite_documents(an_author, django_assert_num_queries):
    make_post(author=an_author)
    an_author.last_login = timezone.now()
    with django_assert_num_queries(1):
        an_author.save(update_fields=["last_login"])
    assert get_user_model().objects.get(pk=an_author.pk).last_login is not None


def test_a_rebuild_writes_the_same_document_as_a_save(an_author):
    """The batch path (rebuild, and migrate's fill) and the per-post path agree, vector too."""
    from search.documents import search_documents_rebuild

    post = make_post(
        author=an_author,
        title="Ménière & β-interferon",
        summary="Σκλήρυνση",
        body="Relapse rate: p<0·001.",
        doi="10.1016/S0140-6736(12)61768-1",
        trial_registration="NCT00548405",
        labels=["otology", "MS"],
    )
    saved = SearchDocument.objects.values().get(pk=post.pk)
    # Only text with accents SQLite's tokenizer keeps (Greek) or a lone Greek letter (the
    # title's β, indexed as "beta" too), folded whole; a text with Latin accents alone is
    # left out (the tokenizer folds them itself).
    assert saved["folded"] == "meniere beta interferon σκληρυνση"
    search_documents_rebuild(post_ids=[post.pk])
    assert SearchDocument.objects.values().get(pk=post.pk) == saved
    search_documents_rebuild()
    assert SearchDocument.objects.values().get(pk=post.pk) == saved


def test_above_the_ranking_limit_the_newest_matches_are_ranked_and_the_reader_told(
    client, an_author, monkeypatch
):
    """Above ``RANKED_NEWEST`` matches only the newest are ranked (speed: issue 14): an old
    post with the word in its title is left out, and the page says so."""
    from search import engines

    monkeypatch.setattr(engines, "RANKED_NEWEST", 3)
    now = timezone.now()
    make_post(author=an_author, title="Gadolinium", body="x", published_at=now - timedelta(days=9))
    for days in (1, 2, 3, 4):
        make_post(
            author=an_author,
            title=f"Imaging {days}",
            body="Gadolinium in a sentence.",
            published_at=now - timedelta(days=days),
        )
    response = search(client, "gadolinium")
    html = response.content.decode()
    assert result_titles(response) == ["Imaging 1", "Imaging 2", "Imaging 3"]
    assert "More than 3 posts found for <q>gadolinium</q>" in html
    assert "the best matches among the newest 3 are shown" in html
    assert result_titles(search(client, "gadolinium", page=2)) == result_titles(response)
    # At the limit exactly, everything is ranked and counted as before.
    monkeypatch.setattr(engines, "RANKED_NEWEST", 5)
    response = search(client, "gadolinium")
    assert result_titles(response)[0] == "Gadolinium"
    assert "5 posts found for <q>gadolinium</q>" in response.content.decode()
    assert "More than" not in response.content.decode()


def test_the_ranked_newest_are_right_whatever_the_order_of_ids(client, an_author, monkeypatch):
    """The newest by publication date, not by id: posts written out of date order."""
    from search import engines

    monkeypatch.setattr(engines, "RANKED_NEWEST", 2)
    now = timezone.now()
    for days in (1, 30, 2, 40):
        make_post(
            author=an_author,
            title=f"Okapi {days}",
            body="Okapi.",
            published_at=now - timedelta(days=days),
        )
    assert result_titles(search(client, "okapi")) == ["Okapi 1", "Okapi 2"]
