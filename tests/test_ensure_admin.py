"""`manage.py ensure_admin`: a local superuser with a random, stored, printed password."""

import re
import stat
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db

LINE = re.compile(r"^Admin: http://127\.0\.0\.1:8000/admin/  user: admin  password: (\S+)$")


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
