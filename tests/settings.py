"""Fast, self-contained settings for the test suite, on top of config.settings.

The engine still comes from DATABASE_URL, so the same suite runs on SQLite and PostgreSQL.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SITE_URL", "http://testserver")

from config.settings import *  # noqa: E402,F403
from config.settings import DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
    for alias in ("default",)
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["OPTIONS"].pop("init_command", None)
# The page cache is tested on its own (tests/test_page_cache.py), which turns it on.
PAGE_CACHE_SECONDS = 0
SECURE_SSL_REDIRECT = False
# Static files are served from the finders in tests; there is no collectstatic output.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # One test database per run, so that two runs on one server never collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_trialpress_{os.getpid()}"}
# Tasks (mail included) run as they are queued, after the commit, so mail.outbox is complete
# when a request returns; tests/test_outbox*.py use the database and RQ backends for real.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": [TASKS_QUEUE],  # noqa: F405
    }
}
