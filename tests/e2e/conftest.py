"""The browser harness: Debian's Chromium driven by Playwright against the live server.

What every browser test gets for free, checked when its contexts close:
- no request to any host but the live server's (no CDN, font or tracker): each one is
  blocked and recorded, and the test fails naming it;
- no console error, no uncaught page error and no dialog (alert/confirm/prompt);
- an init script in every page that traps the globals an XSS payload might set
  (``window.__xss`` and friends) and records any write to them.

Without a browser the tests skip with one loud line; under ``CI=true`` they fail instead.
"""

import importlib
import io
import os
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection

from blog.models import Post
from tests.factories import make_user

# Playwright's sync API runs an event loop in this thread; Django's async-safety check would
# otherwise refuse ORM calls made by the tests (and the in-memory SQLite live server thread).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# One address for the server and the browser: "localhost" may resolve to ::1 first.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM = os.environ.get("TRIALPRESS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
PASSWORD = "a-known-test-password"

# Globals a payload in tests/data/xss-vectors.txt may try to set; writes are recorded.
XSS_TRAP = """
(() => {
  const hits = [];
  Object.defineProperty(window, "__xssHits", {value: hits});
  for (const name of ["__xss", "xss", "pwned", "XSS"]) {
    Object.defineProperty(window, name, {
      configurable: false,
      get() { return undefined; },
      set(value) { hits.push(name + "=" + String(value)); },
    });
  }
})();
"""

_skipped_for = []


def _in_ci():
    return os.environ.get("CI", "").strip().lower() == "true"


def missing_tool(reason):
    """Skip loudly, or fail under CI=true where every browser test must run."""
    if _in_ci():
        pytest.fail(f"CI=true but {reason}: see scripts/install-browser.sh", pytrace=False)
    if reason not in _skipped_for:
        _skipped_for.append(reason)
        warnings.warn(f"BROWSER TESTS SKIPPED: {reason}", pytest.PytestWarning, stacklevel=2)
    pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")


def pytest_terminal_summary(terminalreporter):
    for reason in _skipped_for:
        terminalreporter.write_line(
            f"BROWSER TESTS SKIPPED: {reason} (run scripts/install-browser.sh as root)",
            red=True,
            bold=True,
        )


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        missing_tool(f"{CHROMIUM} not found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_tool("the playwright package is not installed (requirements-dev.txt)")

    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except Exception as exc:
        playwright.stop()
        missing_tool(f"{CHROMIUM} would not start ({exc.__class__.__name__}: {exc})")
    yield launched
    launched.close()
    playwright.stop()


@pytest.fixture(scope="session")
def java():
    found = shutil.which("java")
    if not found:
        missing_tool("java not found (the HTML checker needs default-jre-headless)")
    return found


@dataclass
class Trouble:
    """What went wrong in a context, reported when the test ends."""

    blocked: list = field(default_factory=list)
    console_errors: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)
    dialogs: list = field(default_factory=list)

    def report(self):
        lines = []
        for kind in ("blocked", "console_errors", "page_errors", "dialogs"):
            lines += [f"{kind}: {item}" for item in getattr(self, kind)]
        return lines


@pytest.fixture
def new_context(browser, live_server):
    """Make browser contexts (separate visitors: own cookies, own cache) that police themselves.

    ``new_context(java_script_enabled=False)`` and any other Playwright context option work.
    Each context's ``trouble`` lists what it caught; the test fails at teardown if any.
    """
    site = urlsplit(live_server.url).netloc
    made = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(base_url=live_server.url, **options)
        trouble = Trouble()

        def guard(route):
            url = route.request.url
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != site:
                trouble.blocked.append(url)
                route.abort("blockedbyclient")
            else:
                route.continue_()

        documents = set()

        def on_response(response):
            if response.request.resource_type == "document":
                documents.add(response.url)

        def on_console(message):
            url = message.location.get("url")
            if message.type != "error":
                return
            page_url = (url or "").split("#")[0]  # a form's action may end in #respond
            if message.text.startswith("Failed to load resource") and page_url in documents:
                return  # a 4xx page the test navigated to; the test checks its status
            trouble.console_errors.append(f"{message.text} ({url})")

        def on_dialog(dialog):
            trouble.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        context.route("**/*", guard)
        context.on("response", on_response)
        context.on("console", on_console)
        context.on("weberror", lambda error: trouble.page_errors.append(str(error.error)))
        context.on("dialog", on_dialog)
        context.add_init_script(XSS_TRAP)
        context.set_default_timeout(10_000)
        context.trouble = trouble
        made.append(context)
        return context

    yield make
    problems = []
    for number, context in enumerate(made, start=1):
        context.close()
        problems += [f"context {number} {line}" for line in context.trouble.report()]
    assert not problems, "The browser saw trouble:\n" + "\n".join(problems)


@pytest.fixture
def page(new_context):
    """One visitor with JavaScript on, at desktop width."""
    return new_context().new_page()


@pytest.fixture(autouse=True)
def _production_like_settings(settings):
    """The page cache on, as in production (so a journey sees stale pages if invalidation
    fails); the anti-spam timers off, since a browser fills a form in milliseconds and every
    visitor comes from 127.0.0.1."""
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_HEADER = True  # journeys check X-Page-Cache
    settings.COMMENT_MIN_SUBMIT_SECONDS = 0
    settings.COMMENT_RATE_LIMIT = "off"


@pytest.fixture
def care_ms_post(transactional_db):
    """The demo content, loaded as `make run` loads it; returns the CARE-MS II write-up."""
    call_command("load_demo", stdout=io.StringIO())
    return Post.objects.published().get(slug="care-ms-2-more-news-on-alemtuzumab")


@pytest.fixture
def care_ms_post_with_thread(care_ms_post):
    """The write-up with a discussion, so the quality gates see a thread as readers do:
    nested replies, a commenter's website link, the author's badge, a right-to-left name,
    Markdown (a link, emphasis, a quote, a list); and one held comment for the queue."""
    from comments.models import Comment
    from comments.services import comment_approve, post_recount_comments

    moderator = make_staff(username="thread-moderator", role="Moderators")

    def approved(body, parent=None, **fields):
        fields.setdefault("name", "Ann Reader")
        fields.setdefault("email", "ann@example.org")
        comment = Comment.objects.create(post=care_ms_post, parent=parent, body=body, **fields)
        comment_approve(comment=comment, moderator=moderator)
        return comment

    top = approved(
        "Were the raters *really* masked? See [the protocol](https://example.org/protocol).",
        website="https://ann.example.org",
    )
    reply = approved(
        "> Were the raters really masked?\n\nYes: a separate rater, blinded to the arm.",
        parent=top,
        name=care_ms_post.author.get_full_name(),
        email=care_ms_post.author.email,
        is_post_author=True,
        competing_interests="See the disclosure above",
    )
    approved(
        "- infusion reactions\n- thyroid disease\n- ITP", parent=reply, name="\u05d3\u05e0\u05d4"
    )
    approved("What will NICE say about the price?", name="Ben Okafor", email="ben@example.org")
    Comment.objects.create(
        post=care_ms_post, name="Held Reader", email="held@example.org", body="Waiting."
    )
    post_recount_comments(post_id=care_ms_post.pk)
    return care_ms_post


def restore_role_groups():
    """The roles' groups come from a data migration. The live server needs transactional
    tests, whose teardown empties every table, data migrations' rows included; the
    migration's own function puts the groups back."""
    schema_editor = SimpleNamespace(connection=connection)
    groups_migration = importlib.import_module("roles.migrations.0001_groups")
    groups_migration.create_groups(django_apps, schema_editor)
    authors_comments = importlib.import_module(
        "roles.migrations.0002_authors_moderate_own_comments"
    )
    authors_comments.grant_comment_moderation(django_apps, schema_editor)
    drafts_and_images = importlib.import_module(
        "roles.migrations.0003_authors_delete_drafts_and_images"
    )
    drafts_and_images.grant(django_apps, schema_editor)
    trials_permissions = importlib.import_module("trials.migrations.0002_role_permissions")
    trials_permissions.grant(django_apps, schema_editor)
    profiles = importlib.import_module("authors.migrations.0002_profiles_and_permissions")
    profiles.grant_permissions(django_apps, schema_editor)  # == Search, authors, citing ==
    glossary = importlib.import_module("glossary.migrations.0002_role_permissions")
    glossary.grant(django_apps, schema_editor)
    redaction = importlib.import_module("comments.migrations.0005_moderators_redact")
    redaction.grant(django_apps, schema_editor)  # == issue 16: redaction ==
    subscriptions = importlib.import_module("subscriptions.migrations.0002_role_permissions")
    subscriptions.grant(django_apps, schema_editor)  # == Notify me (issue 15) ==
    withdrawn = importlib.import_module("comments.migrations.0010_withdrawn_comment_audit")
    withdrawn.grant(django_apps, schema_editor)  # == withdrawn comments (issue 15) ==


@pytest.fixture(scope="module", autouse=True)
def _leave_the_migrated_data(django_db_setup, django_db_blocker):
    """After each browser test module, put back what the last flush took, so the tests that
    run after these (pytest-django runs transactional tests late) find the database as
    migrated."""
    yield
    with django_db_blocker.unblock():
        restore_role_groups()


def make_staff(*, username, role, **fields):
    """A staff account in one of the roles' groups, with PASSWORD."""
    restore_role_groups()
    user = make_user(username=username, staff=True, password=PASSWORD, **fields)
    user.groups.set([Group.objects.get(name=role)])
    return user


@pytest.fixture
def a_moderator(transactional_db):
    return make_staff(username="moderator", role="Moderators", first_name="Mo", last_name="Derator")


@pytest.fixture
def an_author_account(transactional_db):
    return make_staff(username="edith", role="Authors", first_name="Edith", last_name="Author")


@pytest.fixture
def artifacts_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
