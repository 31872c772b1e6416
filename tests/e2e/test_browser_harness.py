"""The harness itself: the browser reaches the live server, static files load, and the
guards catch what they promise to catch (so a green journey means something)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.e2e


def test_live_server_serves_pages_and_static_files(page):
    css_responses = []
    page.on(
        "response",
        lambda r: css_responses.append(r) if r.request.resource_type == "stylesheet" else None,
    )
    page.goto(reverse("admin:login"))
    assert page.get_by_label("Username").is_visible()
    assert css_responses, "the page linked no stylesheet"
    assert all(r.status == 200 for r in css_responses), [(r.url, r.status) for r in css_responses]


def test_guards_block_other_hosts_and_record_trouble(new_context):
    # The guards are the second line: every page's CSP would block the tracker first.
    context = new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(reverse("admin:login"))
    page.evaluate(
        """() => {
            const img = document.createElement("img");
            img.src = "http://cdn.example.org/tracker.gif";
            document.body.append(img);
            window.__xss = 1;
            setTimeout(() => { throw new Error("boom"); }, 0);
            alert("hello");
        }"""
    )
    page.wait_for_timeout(200)
    trouble = context.trouble
    assert trouble.blocked == ["http://cdn.example.org/tracker.gif"]
    assert trouble.dialogs == ["alert: hello"]
    assert any("boom" in error for error in trouble.page_errors)
    assert page.evaluate("window.__xssHits") == ["__xss=1"]
    assert page.evaluate("window.__xss") is None
    # Everything above was on purpose: forgive it so the teardown check passes.
    trouble.blocked.clear()
    trouble.dialogs.clear()
    trouble.page_errors.clear()
    trouble.console_errors.clear()
