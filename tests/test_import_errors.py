"""What an operator reads when a file cannot be imported (issue 17 tryout 13): the file's
name, what is wrong in words, the command to use instead, and "Nothing was imported"."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from blog.models import Post
from imports.safe_xml import readable_size

DATA = "tests/data/imports/"


def error_of(command, path):
    with pytest.raises(CommandError) as caught:
        call_command(command, str(path))
    assert not Post.objects.exists()
    return str(caught.value)


@pytest.mark.django_db
def test_a_blogger_file_given_to_import_wxr_says_use_import_blogger():
    message = error_of("import_wxr", DATA + "blogger-small.xml")
    assert "blogger-small.xml" in message
    assert "import_blogger" in message
    assert message.endswith("Nothing was imported.")


@pytest.mark.django_db
def test_a_wordpress_file_given_to_import_blogger_says_use_import_wxr():
    message = error_of("import_blogger", DATA + "wxr-1.2-blog.xml")
    assert "wxr-1.2-blog.xml" in message and "import_wxr" in message
    assert message.endswith("Nothing was imported.")


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["import_wxr", "import_blogger"])
def test_a_folder_and_an_empty_file_are_named_as_such(command, tmp_path):
    assert "is a folder" in error_of(command, tmp_path)
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    message = error_of(command, empty)
    assert "empty.xml is empty" in message and message.endswith("Nothing was imported.")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "looks like a JPEG image"),
        (b'{"db": [{"meta": {}}]}', "looks like JSON"),
        (b"hello", "is not XML"),
    ],
)
def test_a_file_that_is_not_xml_says_so(content, says, tmp_path):
    path = tmp_path / "export.xml"
    path.write_bytes(content)
    for command in ("import_wxr", "import_blogger"):
        message = error_of(command, path)
        assert says in message and "export.xml" in message
        assert "invalid token" not in message


@pytest.mark.django_db
def test_a_malformed_blogger_file_says_how_to_mend_it():
    message = error_of("import_blogger", DATA + "malformed.xml")
    assert "not well-formed" in message and "Download it again" in message


@pytest.mark.django_db
def test_a_small_size_limit_is_shown_in_readable_units(settings, tmp_path):
    settings.IMPORT_MAX_BYTES = 100
    message = error_of("import_wxr", DATA + "wxr-1.2-blog.xml")
    assert "more than the 100 bytes" in message and "0.0 MB" not in message


@pytest.mark.parametrize(
    ("n", "shown"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (999, "999 bytes"),
        (1_500, "1.5 kB"),
        (100_000_000, "100.0 MB"),
        (3 * 10**9, "3.0 GB"),
    ],
)
def test_readable_size(n, shown):
    assert readable_size(n) == shown
