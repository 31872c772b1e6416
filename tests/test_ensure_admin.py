"""The admin as its operator meets it.

`manage.py ensure_admin`: a local superuser with a random, stored, printed password, and
the admin's address on SITE_URL; the admin's pages are headed with the site's name.
"""

import re
import stat
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given

from tests.strategies import any_script_text
from tests.test_settings_env import settings_in_subprocess

pytestmark = pytest.mark.django_db

LINE = re.compile(r"^Admin: (\S+)  user: admin  password: (\S+)$")


@pytest.fixture
def var_dir(tmp_path, settings):
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("ensure_admin", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def printed_password(output):
    match = LINE.match(output.strip())
    assert match, output
    return match.group(2)


def printed_address(output):
    match = LINE.match(output.strip())
    assert match, output
    return match.group(1)


def test_first_run_creates_a_superuser_with_a_random_stored_password(var_dir):
    output, _ = run()

    password = printed_password(output)
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.is_active
    assert admin.email == "admin@localhost"
    assert admin.check_password(password)
    assert len(password) >= 20
    stored = var_dir / "admin-password.txt"
    assert stored.read_text().strip() == password
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600


def test_every_later_run_prints_the_same_password_and_changes_nothing(var_dir):
    first, _ = run()
    hashed = get_user_model().objects.get(username="admin").password

    second, _ = run()

    assert printed_password(second) == printed_password(first)
    assert get_user_model().objects.filter(username="admin").count() == 1
    assert get_user_model().objects.get(username="admin").password == hashed


def test_passwords_differ_between_installations(var_dir, tmp_path, settings):
    first = printed_password(run()[0])
    get_user_model().objects.all().delete()
    settings.VAR_DIR = tmp_path / "elsewhere"

    assert printed_password(run()[0]) != first


def test_a_missing_password_file_resets_the_password(var_dir):
    old = printed_password(run()[0])
    (var_dir / "admin-password.txt").unlink()

    new = printed_password(run()[0])

    admin = get_user_model().objects.get(username="admin")
    assert new != old
    assert admin.check_password(new) and not admin.check_password(old)
    assert (var_dir / "admin-password.txt").read_text().strip() == new


def test_a_fresh_database_reuses_the_stored_password(var_dir):
    old = printed_password(run()[0])
    get_user_model().objects.all().delete()

    assert printed_password(run()[0]) == old
    assert get_user_model().objects.get(username="admin").check_password(old)


def test_a_password_changed_in_the_admin_is_not_overwritten(var_dir):
    run()
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("chosen-by-the-operator")
    admin.save()

    output, warning = run()

    admin.refresh_from_db()
    assert admin.check_password("chosen-by-the-operator")
    assert "no longer works" in warning
    assert "chosen-by-the-operator" not in output


def test_quiet_prints_nothing_but_still_creates_the_user(var_dir):
    output, _ = run("--quiet")

    assert output == ""
    assert get_user_model().objects.filter(username="admin", is_superuser=True).exists()


def test_the_printed_address_is_the_admin_on_site_url(var_dir, settings):
    settings.SITE_URL = "https://trials.example.org"

    assert printed_address(run()[0]) == "https://trials.example.org/admin/"


def test_the_printed_address_follows_a_moved_admin(var_dir, settings):
    """Nothing is hard-coded: the address comes from the URL configuration."""
    assert printed_address(run()[0]) == settings.SITE_URL + reverse("admin:index")


def test_without_site_url_the_address_is_where_make_run_serves():
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    (port,) = re.findall(r"^PORT \?= (\d+)$", makefile, re.M)
    (served,) = set(re.findall(r"runserver (\S+):\$\(PORT\)", makefile))
    default = settings_in_subprocess(["SITE_URL"], DEBUG="1", SITE_URL="")["SITE_URL"]

    assert default == f"http://{served}:{port}"
    # On another port (PORT=8010 make run), the address in mail and links follows it.
    (run_env,) = re.findall(r"^RUN_ENV = (.*)$", makefile, re.M)
    assert 'SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"' in run_env
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    commands = [line for line in run.splitlines()[1:] if "manage.py" in line]
    assert len(commands) == 6 and all("$(RUN_ENV)" in line for line in commands)


# --------------------------------------------------------------------------- headings


class Headings(HTMLParser):
    """The <title>, the branding link (#site-name) and the first <h1>, decoded once."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title, self.site_name, self.h1, self._in, self._depth = "", "", "", None, 0

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in = "title"
        elif dict(attrs).get("id") == "site-name":
            self._in = "site_name"
        elif tag == "h1" and not self.h1 and self._in is None:
            self._in = "h1"

    def handle_endtag(self, tag):
        if (self._in, tag) in {("title", "title"), ("site_name", "div"), ("h1", "h1")}:
            self._in = None

    def handle_data(self, data):
        if self._in:
            setattr(self, self._in, getattr(self, self._in) + data)


def headings(response):
    parser = Headings()
    parser.feed(response.content.decode())
    parser.close()
    return parser


def test_the_sign_in_page_is_headed_with_the_site_name(client, settings):
    settings.SITE_NAME = "Trialpress"

    page = headings(client.get(reverse("admin:login")))

    assert page.site_name.strip() == "Trialpress"
    assert page.title.strip() == "Log in | Trialpress admin"
    assert "Django" not in page.title + page.site_name


def test_the_admin_index_is_headed_with_the_site_name(client, a_superuser, settings):
    settings.SITE_NAME = "Trialpress"
    client.force_login(a_superuser)

    page = headings(client.get(reverse("admin:index")))

    assert page.site_name.strip() == "Trialpress"
    assert page.title.strip() == "Trialpress administration | Trialpress admin"
    assert page.h1.strip() == "Trialpress administration"


@given(name=any_script_text())
def test_a_site_name_in_any_script_heads_the_admin_escaped_once(client, db, name):
    from django.test import override_settings

    with override_settings(SITE_NAME=name):
        page = headings(client.get(reverse("admin:login")))

    assert page.site_name.strip() == name.strip()
    assert page.title.strip() == f"Log in | {name} admin".strip()
