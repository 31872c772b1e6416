"""Journey 6: a hostile commenter sends every vector of the shared XSS corpus, a moderator
approves them all, and a reader opens the post: nothing runs.

"Nothing runs" is checked four ways: no dialog opens (the harness records any); no global
from the trap list is written (``window.__xss`` and friends, see conftest.XSS_TRAP); no
console or page error (a script refused by the Content-Security-Policy logs one); and no
element in the comments carries an event-handler attribute or a script-capable URL that a
later hover or click could fire. The mouse is also moved over every comment. The page is
read twice: as served, and with the CSP bypassed, so that the sanitiser is tested on its
own and the CSP stays a second line of defence.
"""

import re

import pytest
from django.urls import reverse

from comments.models import Comment
from comments.services import comment_submit
from tests.e2e.helpers import admin_approve, admin_login, submit_comment, xss_vectors

pytestmark = pytest.mark.e2e

THROUGH_THE_FORM = 10  # the rest through comments.services, for speed

SHOWN = """(ids) => ids.filter((id) => {
  const entry = document.getElementById(id);
  return !entry || !entry.checkVisibility() || !entry.innerText.includes("Mallory");
})"""

LEFTOVERS = """(ids) => {
  const found = [];
  const risky = /^(script|iframe|frame|object|embed|svg|math|form|base|meta|style|link)$/i;
  for (const id of ids) {
    for (const el of document.getElementById(id).querySelectorAll("*")) {
      const tag = id + " " + el.tagName.toLowerCase();
      if (risky.test(el.tagName)) found.push(tag);
      for (const attr of el.attributes) {
        const name = attr.name.toLowerCase();
        const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, "").toLowerCase();
        if (name.startsWith("on")) found.push(tag + " " + name);
        if (/^(javascript|data|vbscript):/.test(value)) found.push(tag + " " + name + "=" + value);
      }
    }
  }
  return found;
}"""


def test_no_payload_runs_after_approval(new_context, care_ms_post, a_moderator, settings):
    settings.COMMENTS_PER_PAGE = 0  # every vector on the one page checked
    vectors = xss_vectors()
    assert len(vectors) >= 40, f"the corpus has only {len(vectors)} distinct vectors"

    hostile = new_context().new_page()
    for number, vector in enumerate(vectors[:THROUGH_THE_FORM]):
        hostile.goto(care_ms_post.get_absolute_url())
        submit_comment(
            hostile, name=f"Mallory {number}", email=f"mallory{number}@example.org", body=vector
        )
    for number, vector in enumerate(vectors[THROUGH_THE_FORM:], start=THROUGH_THE_FORM):
        comment_submit(
            post=care_ms_post,
            data={
                "name": f"Mallory {number}",
                "email": f"mallory{number}@example.org",
                "body": vector,
                "competing_interests": "None declared",
            },
            request_meta={"ip_address": "192.0.2.66", "user_agent": "e2e"},
        )
    assert Comment.objects.filter(post=care_ms_post).count() == len(vectors)

    moderator = new_context().new_page()
    admin_login(moderator, a_moderator)
    message = admin_approve(moderator, status_filter="all")
    assert re.search(r"approved", message, re.I), message
    statuses = set(Comment.objects.filter(post=care_ms_post).values_list("status", flat=True))
    assert statuses == {Comment.Status.APPROVED}

    anchors = [c.anchor for c in Comment.objects.filter(post=care_ms_post)]
    # As served (with the site's Content-Security-Policy), and again with the browser told
    # to ignore that policy: the sanitiser alone must make every payload inert.
    for reader_context, sweep in ((new_context(), False), (new_context(bypass_csp=True), True)):
        reader = reader_context.new_page()
        reader.goto(care_ms_post.get_absolute_url())
        missing = reader.evaluate(SHOWN, anchors)
        assert missing == [], f"approved comments missing from the page: {missing}"
        if sweep:  # the mouse over every comment, where no policy would stop a handler
            for anchor in anchors:
                reader.locator(f"#{anchor}").hover()
        reader.wait_for_timeout(300)

        assert reader.evaluate("window.__xssHits") == []
        assert reader_context.trouble.dialogs == []
        assert reader_context.trouble.page_errors == []
        assert reader_context.trouble.console_errors == []  # a CSP refusal logs one
        leftovers = reader.evaluate(LEFTOVERS, anchors)
        assert leftovers == [], "script-capable markup survived:\n" + "\n".join(leftovers)


def test_the_checks_catch_a_payload_that_does_run(new_context):
    """If a payload did get through, this test's checks would see it."""
    # Every page's CSP (the admin's included) would block the payload first: bypass it here.
    context = new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(reverse("admin:login"))
    page.evaluate(
        """() => {
            const entry = document.createElement("div");
            entry.id = "comment-0";
            entry.innerHTML = '<img src="/nothing.png" onerror="window.__xss=1">'
                + '<a href="java\\tscript:void(0)">x</a><svg></svg>';
            document.body.append(entry);
        }"""
    )
    page.wait_for_function("window.__xssHits.length > 0")
    assert page.evaluate("window.__xssHits") == ["__xss=1"]
    found = page.evaluate(LEFTOVERS, ["comment-0"])
    assert "comment-0 img onerror" in found
    assert "comment-0 a href=javascript:void(0)" in found
    assert "comment-0 svg" in found
    context.trouble.console_errors.clear()  # the 404 for /nothing.png was on purpose
