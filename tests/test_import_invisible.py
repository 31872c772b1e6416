"""Bidi controls and zero-width characters are stripped from titles and author logins at
import; a look-alike login never becomes an existing user (issue 17 re-check H)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blog.models import Post
from imports.invisible import INVISIBLE, strip_invisible
from imports.pipeline import import_parsed
from imports.records import AuthorRecord
from tests.factories import make_user
from tests.test_import_pipeline import item, wxr

LOOK_ALIKES = ["ad\u200bmin", "\u202eadmin", "admin\ufeff", "a\u2066dmin\u2069", "admin\u200e"]


@pytest.mark.django_db
@pytest.mark.parametrize("login", LOOK_ALIKES)
def test_a_look_alike_login_is_never_the_superuser(login):
    admin = make_user(username="admin", superuser=True)
    parsed = wxr(item(author_login=login))
    parsed.authors = [AuthorRecord(login=login, display_name="Mallory")]
    report = import_parsed(parsed)
    author = Post.objects.get().author
    assert author != admin
    assert author.get_username() == "admin-2"
    assert not author.is_active and not author.is_superuser and not author.is_staff
    assert f"author login {login!r} holds invisible characters" in report.as_text()
    assert "'admin-2'" in report.as_text()


@pytest.mark.django_db
def test_a_plain_login_still_matches_its_user():
    ada = make_user(username="ada")
    import_parsed(wxr(item(author_login="ada")))
    assert Post.objects.get().author == ada


@pytest.mark.django_db
def test_invisible_characters_leave_titles_and_are_reported():
    title = (
        "\u202eAlemtuzumab\u202c \u200bversus\u2060 interferon\ufeff "
        "\u2067\u05e9\u05dc\u05d5\u05dd\u2069"
    )
    report = import_parsed(wxr(item(title=title)))
    post = Post.objects.get()
    assert post.title == "Alemtuzumab versus interferon \u05e9\u05dc\u05d5\u05dd"
    assert not any(char in INVISIBLE for char in post.title + post.slug)
    assert "invisible characters (bidi or zero-width) removed from the title" in report.as_text()
    assert not any(char in INVISIBLE for char in report.as_text())


@pytest.mark.django_db
def test_joiners_inside_words_and_emoji_stay_in_titles():
    title = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \U0001f469\u200d\u2695\ufe0f"
    report = import_parsed(wxr(item(title=title)))
    assert Post.objects.get().title == title
    assert "invisible characters" not in report.as_text()


@given(st.text(alphabet=st.sampled_from(sorted(INVISIBLE) + ["a", " ", "\u05e9"]), max_size=50))
def test_strip_leaves_no_invisible_character(text):
    assert not any(char in INVISIBLE for char in strip_invisible(text))
    kept = strip_invisible(text, keep_joiners=True)
    assert not any(char in INVISIBLE - {"\u200c", "\u200d"} for char in kept)


def test_strip_is_linear():
    text = "\u200c" * 200_000 + "a"
    assert strip_invisible(text, keep_joiners=True) == "a"
