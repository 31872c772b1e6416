"""Settings fail loudly: with DEBUG off, start-up stops and names every missing variable.

Each case imports the settings in a fresh interpreter with a clean environment, since
the test process itself has already loaded them.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETUP = "import django; django.setup(); print('started')"


def start(**env):
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TRIALPRESS_VAR_DIR": "/nonexistent-trialpress-var",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", SETUP],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("debug", [None, "0", "false", ""])
def test_debug_off_without_config_stops_and_names_every_missing_variable(debug):
    result = start(**({} if debug is None else {"DEBUG": debug}))

    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"):
        assert name in result.stderr


def test_only_the_missing_ones_are_named():
    result = start(SECRET_KEY="s3cret-value", SITE_URL="https://trialpress.example")

    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert "ALLOWED_HOSTS" in message
    assert "SECRET_KEY" not in message and "SITE_URL" not in message
    assert "s3cret-value" not in result.stderr


def test_a_complete_production_environment_starts():
    result = start(
        SECRET_KEY="s3cret-value",
        ALLOWED_HOSTS="trialpress.example",
        SITE_URL="https://trialpress.example",
    )

    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_debug_on_starts_without_any_configuration():
    result = start(DEBUG="1")

    assert result.returncode == 0, result.stderr


def test_a_bad_number_is_named():
    result = start(DEBUG="1", BLOG_POSTS_PER_PAGE="ten")

    assert result.returncode != 0
    assert "BLOG_POSTS_PER_PAGE" in result.stderr
