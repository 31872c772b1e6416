"""Every documented knob has the documented default and is read from the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "COMMENT_MAX_LINKS": 2,
    "COMMENT_MIN_SUBMIT_SECONDS": 3,
    "COMMENT_FORM_MAX_AGE_SECONDS": 86400,
    "COMMENT_RATE_LIMIT": "5/m",
    "COMMENT_MAX_DEPTH": 3,
    "COMMENT_APPROVE_RETURNING": True,
    "COMMENT_MODERATORS": [],
    "COMMENT_MAX_LENGTH": 10000,
    "COMMENT_DUPLICATE_SECONDS": 600,
    "TASKS_BACKEND": "database",
    "TASKS_QUEUE": "default",
    "TASKS_STALE_AFTER_SECONDS": 1800,
    "OUTBOX_MAX_ATTEMPTS": 5,
    "OUTBOX_RETRY_SECONDS": 60,
    "PAGE_CACHE_SECONDS": 300,
    "PAGE_CACHE_LOCAL_ENTRIES": 128,
    "MAX_REQUEST_BODY_BYTES": 262144,
    "ADMIN_LOGIN_MAX_FAILURES": 5,
    "ADMIN_LOGIN_LOCKOUT_SECONDS": 900,
    "CLIENT_IP_HEADER": "REMOTE_ADDR",
    "TIME_ZONE": "UTC",
    "BLOG_POSTS_PER_PAGE": 10,
    "EMAIL_TIMEOUT": 10,
}

OVERRIDES = {
    "COMMENT_MAX_LINKS": ("7", 7),
    "COMMENT_MIN_SUBMIT_SECONDS": ("0", 0),
    "COMMENT_RATE_LIMIT": ("off", "off"),
    "COMMENT_MAX_DEPTH": ("5", 5),
    "COMMENT_APPROVE_RETURNING": ("0", False),
    "COMMENT_MODERATORS": ("a@example.org, b@example.org", ["a@example.org", "b@example.org"]),
    "COMMENT_MODERATION_WORDS": ("viagra,casino", None),
    "COMMENT_DUPLICATE_SECONDS": ("60", 60),
    "PAGE_CACHE_SECONDS": ("0", 0),
    "PAGE_CACHE_LOCAL_ENTRIES": ("16", 16),
    "MAX_REQUEST_BODY_BYTES": ("1024", 1024),
    "CLIENT_IP_HEADER": ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_FOR"),
    "TIME_ZONE": ("Europe/London", "Europe/London"),
    "EMAIL_FILE_PATH": ("/srv/trialpress/mail", "/srv/trialpress/mail"),
    "TASKS_QUEUE": ("site-a", "site-a"),
    "OUTBOX_MAX_ATTEMPTS": ("3", 3),
    "OUTBOX_RETRY_SECONDS": ("5", 5),
}


def settings_in_subprocess(names, **env):
    """The named settings, as JSON, from config.settings in a clean, production-like process."""
    environment = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": "k" * 50,
        "ALLOWED_HOSTS": "example.org",
        "SITE_URL": "https://example.org",
        **env,
    }
    code = (
        "import json, config.settings as s;"
        f"print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}, default=list))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_documented_defaults():
    assert settings_in_subprocess(DEFAULTS) == DEFAULTS


@pytest.mark.parametrize("name", sorted(OVERRIDES))
def test_each_knob_is_read_from_the_environment(name):
    raw, expected = OVERRIDES[name]
    value = settings_in_subprocess([name], **{name: raw})[name]
    if expected is None:
        assert value and value != settings_in_subprocess([name])[name]
    else:
        assert value == expected


def test_a_blank_variable_means_the_default_not_off():
    assert settings_in_subprocess(["COMMENT_RATE_LIMIT"], COMMENT_RATE_LIMIT="") == {
        "COMMENT_RATE_LIMIT": "5/m"
    }


def test_the_file_mail_backend_writes_where_email_file_path_says(tmp_path):
    """EMAIL_FILE_PATH defaults to var/mail (under TRIALPRESS_VAR_DIR) and is read from the
    environment; with the file-based backend each message lands there as a file."""
    default = settings_in_subprocess(["EMAIL_FILE_PATH"], TRIALPRESS_VAR_DIR=str(tmp_path))
    assert default == {"EMAIL_FILE_PATH": str(tmp_path / "mail")}

    outbox = tmp_path / "outbox"
    code = (
        "import django; django.setup();"
        "from django.core.mail import send_mail;"
        "send_mail('Subject p<0.001', 'Body', None, ['ed@example.org'])"
    )
    environment = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": "k" * 50,
        "ALLOWED_HOSTS": "example.org",
        "SITE_URL": "https://example.org",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TRIALPRESS_VAR_DIR": str(tmp_path),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
    }
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, timeout=60, check=True)
    (message,) = outbox.iterdir()
    assert "Subject: Subject p<0.001" in message.read_text()


def test_the_readme_documents_every_default_knob():
    readme = (ROOT / "README.md").read_text()
    for name in DEFAULTS:
        assert f"`{name}`" in readme, f"{name} is not documented in README.md"


def test_the_embedded_database_folder_is_created_readable_by_its_owner_only(tmp_path):
    """A plain `migrate` deploy on SQLite: the folder holding the database (password hashes,
    commenters' addresses) is made 0700, not left for every local user to read."""
    var = tmp_path / "new" / "var"
    settings_in_subprocess(["DEBUG"], TRIALPRESS_VAR_DIR=str(var))
    assert var.is_dir()
    assert var.stat().st_mode & 0o777 == 0o700


def test_an_existing_folder_keeps_the_mode_its_operator_gave_it(tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o750)
    var.chmod(0o750)
    settings_in_subprocess(["DEBUG"], TRIALPRESS_VAR_DIR=str(var))
    assert var.stat().st_mode & 0o777 == 0o750
