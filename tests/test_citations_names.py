"""Issue 14 clinician check: a public name with a title, an apostrophe, a hyphen and accents
("Dr Siân O'Brien-Ménière") is cited as a person in BibTeX, RIS and APA ("O'Brien-Ménière,
S."), without the title; a team or a single word is still cited whole."""

import bibtexparser
import pytest
import rispy
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from authors.services import author_profile_ensure, author_profile_save
from citations.works import post_author_name
from tests.factories import make_post, make_user
from tests.strategies import any_script_text

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:.*deprecated:DeprecationWarning"),
]

PUBLIC = "Dr Siân O'Brien-Ménière"


def named(public, **account):
    user = make_user(**account)
    profile = author_profile_ensure(user=user)
    profile.display_name = public
    author_profile_save(profile=profile)
    user.refresh_from_db()
    return user


def downloads(client, post):
    year, month, slug = post.address_parts
    args = [year, month, slug]
    bib = client.get(reverse("citations:post_bib", args=args)).content.decode()
    ris = client.get(reverse("citations:post_ris", args=args)).content.decode()
    page = client.get(post.get_absolute_url()).content.decode()
    cite = page.split('id="cite"')[1].split("</section>")[0]
    return bibtexparser.loads(bib).entries[0]["author"], rispy.loads(ris)[0]["authors"], cite


@pytest.mark.parametrize(
    "account",
    [
        {"first_name": "Sian", "last_name": "O\u2019Brien-Meniere"},  # curly, no accents
        {"first_name": "Siân", "last_name": "O'BRIEN-MÉNIÈRE"},
        {"first_name": "", "last_name": ""},  # only the title says it is a person
        {"first_name": "S", "last_name": "Brien"},  # an account name that does not match
    ],
)
def test_the_name_is_split_and_the_title_dropped(client, account):
    post = make_post(author=named(PUBLIC, **account), title="Alemtuzumab")
    bib, ris, cite = downloads(client, post)
    assert bib == "O'Brien-Ménière, Siân"
    assert ris == ["O'Brien-Ménière, Siân"]
    assert "O&#x27;Brien-Ménière, S. (" in cite
    assert "Dr" not in bib + ris[0] and "Dr Siân" not in cite


@pytest.mark.parametrize("title", ["Dr", "Dr.", "Prof", "Professor", "Mr", "Mrs", "Ms", "Mx"])
def test_every_title_is_dropped(title):
    name = post_author_name(named(f"{title} Jan van der Berg"))
    assert (name.family, name.given, name.literal) == ("van der Berg", "Jan", "")


@pytest.mark.parametrize("title", ["Sir", "Dame"])
def test_sir_and_dame_too_with_the_account_s_last_name(title):
    name = post_author_name(named(f"{title} Ada Lovelace", last_name="Lovelace"))
    assert (name.family, name.given) == ("Lovelace", "Ada")


@pytest.mark.parametrize(
    "public", ["Trialpress", "The Barts MS team", "Dr", "Dr Who", "Dr CARE-MS investigators"]
)
def test_a_single_word_or_a_team_is_cited_whole(public):
    assert post_author_name(named(public)).literal == public


@settings(max_examples=40, deadline=None)
@given(
    given_name=any_script_text(max_size=20).filter(lambda s: len(s.split()) == 1),
    family=any_script_text(max_size=30).filter(lambda s: len(s.split()) == 1),
    title=st.sampled_from(["Dr", "Prof", "Ms"]),
)
def test_any_script_titled_name_is_split(given_name, family, title):
    name = post_author_name(named(f"{title} {given_name} {family}"))
    assert name.literal or (name.family, name.given) == (family, given_name)
