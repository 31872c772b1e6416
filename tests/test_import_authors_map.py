"""--author OLD=USERNAME and the report line for every author matched here (issue 17
tryout 9)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from blog.models import Post
from imports.pipeline import import_parsed
from imports.records import AuthorRecord
from tests.factories import make_user
from tests.test_import_pipeline import item, wxr

DATA = "tests/data/imports/"


@pytest.mark.django_db
def test_author_mapping_gives_posts_to_the_named_user():
    alice = make_user(username="alice")
    parsed = wxr(item("1", author_login="Ada Writer"), item("2", author_login="bob"))
    parsed.authors = [AuthorRecord(login="Ada Writer"), AuthorRecord(login="bob")]
    report = import_parsed(parsed, author_map={"ada writer": alice})
    by_author = dict(Post.objects.values_list("title", "author__username"))
    assert by_author["Post 1"] == "alice"
    assert by_author["Post 2"] == "bob"
    assert "author 'Ada Writer' is the user 'alice' (--author)" in report.lines


@pytest.mark.django_db
def test_a_username_match_is_reported():
    make_user(username="admin")
    parsed = wxr(item("1", author_login="admin"))
    parsed.authors = [AuthorRecord(login="admin")]
    report = import_parsed(parsed)
    assert Post.objects.get().author.username == "admin"
    assert any(
        line.startswith("author 'admin' is this site's existing user 'admin' (same username")
        for line in report.lines
    )


@pytest.mark.django_db
def test_the_command_takes_repeated_author_options():
    make_user(username="ada")
    make_user(username="zed")
    out = StringIO()
    call_command(
        "import_blogger",
        DATA + "blogger-small.xml",
        "--author",
        "Ada Writer=ada",
        "--author",
        "Nobody=zed",
        stdout=out,
    )
    authors = set(Post.objects.values_list("author__username", flat=True))
    assert "ada" in authors
    assert "--author nobody: no author of that name in the file" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pair", "says"), [("ada", "OLD=USERNAME"), ("=ada", "OLD=USERNAME"), ("x=ghost", "no user")]
)
def test_a_bad_author_option_ends_before_anything_is_read(pair, says):
    with pytest.raises(CommandError, match=says):
        call_command("import_blogger", DATA + "blogger-small.xml", "--author", pair)
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_a_new_author_line_says_how_to_let_them_write():
    parsed = wxr(item("1", author_login="newbie"))
    parsed.authors = [AuthorRecord(login="newbie")]
    report = import_parsed(parsed)
    line = next(line for line in report.lines if "created as the inactive user" in line)
    assert "Staff status" in line and "Authors group" in line
