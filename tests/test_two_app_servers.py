"""Two app servers that agree (issue 19): two gunicorn instances on two ports, one PostgreSQL
database, one Redis, the page cache on (DEBUG off, as deployed).

What one server changes, the other shows on its very next page; the limits count requests to
both; a restart of one loses nothing. The servers and their database are built once for the
module (tests/two_servers_support.py); each test works on its own objects and addresses.
"""

import time

import pytest

from tests.two_servers_support import (
    COMMENT_RATE,
    MAKE_DRAFT,
    SIGN_IN_FAILURES,
    Browser,
    forms,
    two_servers_fixture,  # noqa: F401 - provides the module fixture "two_servers"
)

pytestmark = pytest.mark.redis


@pytest.fixture(autouse=True)
def _no_server_error(two_servers):
    """Whatever a test asserts, neither server may have logged a traceback meanwhile."""
    yield
    assert "Traceback" not in two_servers.logs(), two_servers.logs()


def _held_comment(site, body):
    rows = site.database.rows(
        "SELECT id, status FROM comments_comment WHERE body = %s AND post_id = %s",
        (body, site.post_pk),
    )
    assert len(rows) == 1, rows
    return rows[0]


def _cached_on(browser, server, path):
    """GET the page twice from ``server``: the second answer comes from the page cache."""
    browser.get(server, path)
    page = browser.get(server, path)
    assert page.status == 200 and page.cache == "hit", (page.status, page.headers)
    return page


def test_a_page_one_server_stored_is_served_by_the_other(two_servers):
    site = two_servers
    reader = Browser()
    first = reader.get(site.a, site.post_url)
    other = reader.get(site.b, site.post_url)
    assert first.status == other.status == 200
    assert other.cache == "hit", site.logs()  # the same deploy version, one shared cache
    assert "Two servers, one thread" in other.text
    assert "__tp" not in other.text  # every placeholder filled for this visitor


def test_a_comment_approved_through_one_is_on_the_next_page_of_the_other(two_servers):
    site = two_servers
    reader, moderator = Browser(), Browser()
    body = "Approved on server A, read on B: Ήταν τυφλοί οι αξιολογητές; 評価者は盲検 עברית 🧠"
    sent = reader.comment(site.a, site.post_url, 1, body)
    assert sent.status == 302, sent.text[:500]
    comment_id, status = _held_comment(site, body)
    assert status == "held"
    before = _cached_on(Browser(), site.b, site.post_url)
    assert body not in before.text

    assert moderator.sign_in(site.a, "mo").status == 302
    desk = moderator.get(site.a, "/admin/comments/comment/desk/")
    assert desk.status == 200 and body in desk.text
    attrs, fields = next(f for f in forms(desk.text) if f[1].get("comment") == str(comment_id))
    approved = moderator.post(site.a, attrs["action"], {**fields, "action": "approve"})
    assert approved.status == 302, approved.text[:500]
    assert _held_comment(site, body)[1] == "approved"

    after = Browser().get(site.b, site.post_url)
    assert after.status == 200 and after.cache != "hit"
    assert body in after.text, site.logs()


def test_a_post_published_on_one_leaves_the_others_cached_pages(two_servers):
    site = two_servers
    title = "Published through server A"
    draft = site.database.run_json(MAKE_DRAFT, title)
    home = _cached_on(Browser(), site.b, "/")
    assert title not in home.text
    assert Browser().get(site.b, draft["url"]).status == 404

    editor = Browser()
    assert editor.sign_in(site.a, "ed").status == 302
    changelist = editor.get(site.a, "/admin/blog/post/")
    attrs, fields = next(f for f in forms(changelist.text) if "csrfmiddlewaretoken" in f[1])
    published = editor.post(
        site.a,
        "/admin/blog/post/",
        {
            "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
            "action": "publish_selected",
            "_selected_action": str(draft["pk"]),
            "index": "0",
        },
    )
    assert published.status == 302, published.text[:500]

    home = Browser().get(site.b, "/")
    assert home.status == 200 and home.cache != "hit"
    assert title in home.text, site.logs()
    assert Browser().get(site.b, draft["url"]).status == 200


def _clear_of_the_day_boundary():
    """The comment rate is per calendar day (UTC): never count across midnight."""
    left = 86400 - time.time() % 86400
    if left < 120:
        time.sleep(left + 1)


def test_the_comment_rate_limit_counts_across_both_servers(two_servers):
    site = two_servers
    _clear_of_the_day_boundary()
    reader = Browser()
    servers = [site.a, site.b] * COMMENT_RATE
    for number, server in enumerate(servers[:COMMENT_RATE]):
        sent = reader.comment(server, site.post_url, 100 + number)
        assert sent.status == 302, (server.label, sent.text[:500])
    for number, server in enumerate((site.b, site.a)):
        refused = reader.comment(server, site.post_url, 200 + number)
        assert refused.status == 429, (server.label, refused.status)
        assert int(refused.headers["Retry-After"]) > 0
    stored = site.database.rows(
        "SELECT COUNT(*) FROM comments_comment WHERE email LIKE %s", (f"%{reader.address}%",)
    )
    assert stored == [(COMMENT_RATE,)]
    assert Browser().comment(site.b, site.post_url, 300).status == 302  # another address


def test_the_sign_in_throttle_counts_across_both_servers(two_servers):
    site = two_servers
    intruder = Browser()
    for number in range(SIGN_IN_FAILURES):
        server = (site.a, site.b)[number % 2]
        failed = intruder.sign_in(server, "mo", password="not-the-password")
        assert failed.status == 200, (server.label, failed.status)
        assert "sessionid" not in {c.name for c in intruder.jar}
    for server in (site.a, site.b):
        refused = intruder.sign_in(server, "mo")  # even the right password now waits
        assert refused.status == 429, (server.label, refused.status)
        assert "Too many failed sign-in attempts" in refused.text
    assert Browser().sign_in(site.b, "mo").status == 302  # from elsewhere, in at once


def test_a_restart_of_one_server_loses_nothing(two_servers):
    site = two_servers
    reader, moderator = Browser(), Browser()
    assert moderator.sign_in(site.b, "mo").status == 302
    body = "Sent to server B just before it restarts: is the extension study out?"
    sent = reader.comment(site.b, site.post_url, 400, body)
    assert sent.status == 302, sent.text[:500]
    stopped = site.b.process.pid
    assert site.b.stop() == 0  # SIGTERM: gunicorn's graceful stop, finished cleanly
    site.b.start()
    assert site.b.process.pid != stopped

    comment_id, status = _held_comment(site, body)
    assert status == "held"
    # The moderators' email, still queued for the worker: the POST queues the comment's id
    # and the worker composes the mail (comments.notifications.mail_held_comment).
    mail = site.database.rows(
        "SELECT status FROM django_tasks_database_dbtaskresult "
        "WHERE task_path = 'comments.notifications.mail_held_comment' "
        "AND args_kwargs::text LIKE %s",
        (f'%"comment_id": {comment_id}%',),
    )
    assert mail == [("READY",)], mail
    desk = moderator.get(site.b, "/admin/comments/comment/desk/")
    assert desk.status == 200 and body in desk.text  # still signed in: sessions are shared
    page = Browser().get(site.b, site.post_url)
    assert page.status == 200 and body not in page.text  # held: not shown
    assert Browser().get(site.a, site.post_url).cache == "hit"  # they still agree
