"""Issue 14, the glossary as editors keep it: the seeded terms, the services that re-render
posts, the admin and its permissions, and the demo post's abbreviations."""

import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis.extra.django import TestCase as HypothesisTestCase

from blog.demo_loader import load_demo
from blog.models import Post
from blog.readability import readability
from glossary.models import Term
from glossary.seed import OLDER_EXPLANATIONS, TERMS, glossary_seed
from glossary.services import term_delete, term_save
from tests.factories import make_post, make_user
from tests.strategies import any_script_text

DEMO_SLUG = "care-ms-2-more-news-on-alemtuzumab"
ISSUE_LIST = [
    "MS",
    "RRMS",
    "DMT",
    "rate ratio",
    "hazard ratio",
    "confidence interval",
    "p value",
    "interferon beta",
    "alemtuzumab",
    "rater-masked",
    "sustained accumulation of disability",
    "MSers",
    "EMA",
    "NICE",
    "CI",
]


@pytest.fixture(autouse=True)
def _seeded(db):
    """The demo's terms (``load_demo`` adds them; a new site starts with none)."""
    glossary_seed()


def known(word):
    return Term.objects.filter(abbreviation=word).exists() or any(
        t.casefold() == word.casefold() for t in Term.objects.values_list("term", flat=True)
    )


def test_a_new_site_starts_with_an_empty_glossary(db):
    assert Term.objects.count() == len(__import__("glossary.seed").seed.TERMS)
    Term.objects.all().delete()
    assert glossary_seed() == len(__import__("glossary.seed").seed.TERMS)
    assert glossary_seed() == 0  # idempotent


def test_seeded_terms_cover_the_issue_list(db):
    missing = [word for word in ISSUE_LIST if not known(word)]
    assert missing == []
    for term in Term.objects.all():
        assert term.explanation and len(term.explanation) <= 600


class _Text(HTMLParser):
    """The body's text outside links (DOIs and registry ids are addresses, not words)."""

    def __init__(self):
        super().__init__()
        self.depth, self.parts, self.links = 0, [], []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(("class", "glossary-ref") not in attrs)
            self.depth += self.links[-1]

    def handle_endtag(self, tag):
        if tag == "a":
            self.depth -= self.links.pop()

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def test_every_abbreviation_in_the_demo_body_is_explained(db):
    load_demo()
    post = Post.objects.get(slug=DEMO_SLUG)
    parser = _Text()
    parser.feed(post.body_html.split('<section class="words-explained"')[0])
    text = " ".join(parser.parts)
    found = set(re.findall(r"\b[A-Z][A-Z0-9]+(?:ers|s)?\b", text)) | set(ISSUE_LIST)
    assert {"MS", "RRMS", "EMA", "NICE", "CI", "FDA", "CD52", "MSers", "DMTs"} <= found
    unexplained = []
    for word in sorted(found):
        singular = word[:-1] if word.endswith("s") and not known(word) else word
        if not known(singular) and not known(word):
            unexplained.append(word)
    assert unexplained == []


def test_demo_page_marks_first_uses_and_lists_them(client, db):
    load_demo()
    post = Post.objects.get(slug=DEMO_SLUG)
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<abbr title="relapsing-remitting multiple sclerosis">RRMS</abbr>' in html
    assert '<section class="words-explained" aria-labelledby="words-explained-title">' in html
    citation = html.split("<h2>The abstract</h2>")[0].split('<div class="post-body">')[1]
    assert "glossary-ref" not in citation  # the citation's words are left alone


def test_saving_a_term_re_renders_the_posts_that_use_it(db, django_capture_on_commit_callbacks):
    Term.objects.all().delete()
    uses = make_post(body="The EDSS went up.")
    other = make_post(body="Nothing to explain.")
    other_html = other.body_html
    with django_capture_on_commit_callbacks(execute=True):
        term_save(
            term=Term(
                term="Expanded Disability Status Scale", abbreviation="EDSS", explanation="A score."
            )
        )
    uses.refresh_from_db()
    other.refresh_from_db()
    assert '<abbr title="Expanded Disability Status Scale">EDSS</abbr>' in uses.body_html
    assert other.body_html == other_html
    term = Term.objects.get(abbreviation="EDSS")
    term.explanation = "A score from 0 to 10."
    with django_capture_on_commit_callbacks(execute=True):
        term_save(term=term)
    uses.refresh_from_db()
    assert "A score from 0 to 10." in uses.body_html
    with django_capture_on_commit_callbacks(execute=True):
        term_delete(term=term)
    uses.refresh_from_db()
    assert "glossary-ref" not in uses.body_html and "Words explained" not in uses.body_html


def test_rerender_commands_include_the_glossary(db):
    Term.objects.all().delete()
    post = make_post(body="The EDSS went up.")
    Term.objects.create(
        slug="edss",
        term="Expanded Disability Status Scale",
        abbreviation="EDSS",
        explanation="A score.",
    )
    post.refresh_from_db()
    assert "glossary-ref" not in post.body_html  # written around the service
    call_command("rerender_posts", stdout=StringIO())
    post.refresh_from_db()
    assert "glossary-ref" in post.body_html
    Term.objects.all().delete()
    out = StringIO()
    call_command("rerender_glossary", stdout=out)
    post.refresh_from_db()
    assert "glossary-ref" not in post.body_html
    assert "1 post(s) re-rendered." in out.getvalue()


def test_a_term_twice_in_any_case_is_refused(db):
    with pytest.raises(ValidationError) as caught:
        term_save(term=Term(term="HAZARD RATIO", explanation="Again."))
    assert "term" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        term_save(term=Term(term="Something else", abbreviation="MS", explanation="Again."))
    assert "abbreviation" in caught.value.message_dict


@pytest.mark.parametrize("term", ["", "   ", "—!?", "one two three four five six seven"])
def test_a_term_without_words_or_too_long_is_refused(db, term):
    with pytest.raises(ValidationError):
        term_save(term=Term(term=term, explanation="x"))


class TestAnyScriptTerms(HypothesisTestCase):
    @settings(max_examples=25, deadline=None)
    @given(term=any_script_text(max_size=40), explanation=any_script_text(max_size=120))
    def test_any_term_is_saved_or_refused_with_a_message(self, term, explanation):
        try:
            saved = term_save(term=Term(term=term, explanation=explanation))
        except ValidationError as error:
            assert error.message_dict
            return
        assert saved.slug
        post = make_post(body=f"Before {term} after.")
        response = self.client.get(post.get_absolute_url())
        assert response.status_code == 200


def _user(username, group):
    user = make_user(username=username, staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def test_editors_manage_the_glossary_in_the_admin(client, db):
    client.force_login(_user("ed", "Editors"))
    response = client.post(
        reverse("admin:glossary_term_add"),
        {
            "term": "annualised relapse rate",
            "abbreviation": "",
            "explanation": "How often attacks happen.",
            "slug": "",
        },
    )
    assert response.status_code == 302
    assert Term.objects.filter(
        term="annualised relapse rate", slug="annualised-relapse-rate"
    ).exists()
    response = client.post(
        reverse("admin:glossary_term_add"),
        {
            "term": "Annualised Relapse Rate",
            "abbreviation": "",
            "explanation": "Again.",
            "slug": "",
        },
    )
    assert response.status_code == 200
    assert "already in the glossary" in response.content.decode()


def test_authors_can_read_but_not_change_it(client, db):
    client.force_login(_user("au", "Authors"))
    term = Term.objects.first()
    assert client.get(reverse("admin:glossary_term_changelist")).status_code == 200
    assert client.get(reverse("admin:glossary_term_add")).status_code == 403
    response = client.post(
        reverse("admin:glossary_term_change", args=[term.pk]),
        {"term": "changed", "explanation": "changed", "slug": term.slug},
    )
    assert response.status_code == 403
    term.refresh_from_db()
    assert term.term != "changed"


# --- after the lay tryout (a newly diagnosed reader) -------------------------------------


@pytest.mark.parametrize("slug, term, abbreviation, explanation", TERMS, ids=[t[0] for t in TERMS])
def test_each_seeded_explanation_is_plain(slug, term, abbreviation, explanation):
    """A reading age of 12 at most (textstat, as the admin's advice measures it)."""
    assert readability(explanation).reading_age <= 12


def test_no_explanation_uses_an_abbreviation_it_leaves_unexplained(db):
    """Capitals in an explanation are a glossary abbreviation or explained in place, as
    "NHS" is inside NICE's entry ("The NHS is ...")."""
    unexplained = []
    for term in Term.objects.all():
        for word in set(re.findall(r"\b[A-Z][A-Z0-9]+\b", term.explanation)):
            in_place = re.search(rf"\b(?:The {word} is\b|{word} \()", term.explanation)
            if not known(word) and not in_place:
                unexplained.append((term.slug, word))
    assert unexplained == []
    assert "The NHS is" in Term.objects.get(slug="nice").explanation


def test_ratios_say_which_group_is_compared_with_which(db):
    for slug in ("rate-ratio", "hazard-ratio"):
        explanation = Term.objects.get(slug=slug).explanation
        assert "treatment being tested" in explanation and "comparison group" in explanation
        assert "Below 1 means it happened less" in explanation
        assert "first group" not in explanation


def test_explanations_claim_nothing_the_sources_do_not(db):
    texts = " ".join(Term.objects.values_list("explanation", flat=True))
    for claim in ("Most are mild", "can be treated", "The body that decides"):
        assert claim not in texts, claim
    assert "scored each person’s disability" in Term.objects.get(slug="rater-masked").explanation
    assert "the writer of this post" in Term.objects.get(slug="msers").explanation


def test_the_words_the_tryout_found_unexplained_are_explained_on_the_demo_page(client, db):
    load_demo()
    post = Post.objects.get(slug=DEMO_SLUG)
    html = client.get(post.get_absolute_url()).content.decode()
    for slug in (
        "first-line-treatment",
        "glatiramer",
        "efficacy",
        "adverse-effect",
        "subcutaneous",
        "intravenous",
        "baseline",
        "thyroid-disorder",
        "secondary-autoimmunity",
        "coprimary-endpoint",
        "relapse-rate",
        "1-2-2-ratio",
        "microgram",
        "milligram",
        "risk-benefit-ratio",
        "lancet-decimal-point",
    ):
        assert f'<dt id="word-{slug}">' in html, slug
        assert f'href="#word-{slug}"' in html, slug
    less_than = Term.objects.get(slug="lancet-decimal-point").explanation
    assert "“<”" in less_than and "“less than”" in less_than and "0.05 as 0\u00b705" in less_than
    # The quote stays as the source has it: the words are marked, never changed.
    assert 'and at least one <a class="glossary-ref"' in html
    assert ">1st line</abbr></a>" in html


def test_the_seed_brings_an_old_wording_up_to_date_and_keeps_an_editors(
    db,
):
    """A site loaded before the rewording: terms still worded as the old seed had them get
    today's text (and the posts using them are re-rendered); an editor's text is kept."""
    new = {slug: explanation for slug, _t, _a, explanation in TERMS}
    Term.objects.filter(slug="rate-ratio").update(explanation=OLDER_EXPLANATIONS["rate-ratio"][0])
    Term.objects.filter(slug="nice").update(explanation="Our editor's own words about NICE.")
    post = make_post(body="The rate ratio was 0.5.")
    assert "half as often in one group as in the other" in post.body_html
    assert glossary_seed() == 1
    assert Term.objects.get(slug="rate-ratio").explanation == new["rate-ratio"]
    assert Term.objects.get(slug="nice").explanation == "Our editor's own words about NICE."
    post.refresh_from_db()
    assert "treatment being tested" in post.body_html
    assert glossary_seed() == 0


def test_every_older_explanation_belongs_to_a_seeded_term_that_changed():
    new = {slug: explanation for slug, _t, _a, explanation in TERMS}
    for slug, older in OLDER_EXPLANATIONS.items():
        assert slug in new and new[slug] not in older, slug
