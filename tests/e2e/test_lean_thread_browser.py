"""The thread's lean markup in a real browser and the Nu HTML Checker: Chromium builds the
same DOM from it as from the fully closed, quoted markup it replaced, and the checker finds
no error in it, on a varied thread (nested replies, titles, edited comments, websites with
and without a query, bidi names, bodies starting with a list, a quote or a code block, page
2, a closed post, the reply form under a comment). tests/test_lean_thread_markup.py makes
the same comparison with html5lib, on random threads too."""

import pytest
from django.utils import timezone

from comments.rendering import render_thread
from tests.e2e.helpers import nu_errors
from tests.lean_markup_support import closed_thread
from tests.test_lean_thread_markup import varied_thread

pytestmark = pytest.mark.e2e

FORM = '\n<div id="respond"><h3>Reply</h3><form method="post" action="/c/"></form></div>\n'
CASES = {
    "page 1": {},
    "page 2": {"page_url": "/2026/12/a-post/", "page_number": 2},
    "closed post": {"replies_open": False},
    "reply form under a reply": {"reply_to": 4, "reply_form": FORM},
    "reply form on page 2": {
        "reply_to": 1,
        "reply_form": FORM,
        "page_url": "/2026/12/a-post/",
        "page_number": 2,
    },
}


def _document(thread):
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Thread</title></head>"
        f'<body><section class="comments">{thread}</section></body></html>'
    )


def _pages(*, valid_urls=False):
    tz = timezone.get_current_timezone()
    comments = varied_thread()
    if valid_urls:  # the checker would fault a typed '"><' in an address, quoted or not
        comments = [
            c._replace(website="https://example.org/it's") if '"' in c.website else c
            for c in comments
        ]
    return {
        name: (
            _document(render_thread(comments, **options)),
            _document(closed_thread(comments, tz=tz, **options)),
        )
        for name, options in CASES.items()
    }


def test_chromium_builds_the_closed_markups_dom_from_the_lean_one(browser, transactional_db):
    page = browser.new_page()
    try:
        for name, (lean, closed) in _pages().items():
            page.set_content(closed)
            expected = page.evaluate("document.documentElement.outerHTML")
            page.set_content(lean)
            assert page.evaluate("document.documentElement.outerHTML") == expected, name
            assert page.locator("li[id^='comment-']").count() == len(varied_thread()), name
            # The parts comments.js and the stylesheet find by structure.
            bylines = page.locator("li[id^='comment-'] > p:first-child")
            assert bylines.count() == len(varied_thread()), name
            interests = page.locator("li[id^='comment-'] > p:last-of-type")
            assert interests.first.text_content() == "Competing interests: None declared", name
    finally:
        page.close()


def test_the_nu_checker_finds_no_error_in_the_lean_thread(java, tmp_path, transactional_db):
    sent = {name: lean for name, (lean, _closed) in _pages(valid_urls=True).items()}
    errors = nu_errors(sent, tmp_path)
    assert not errors, "\n".join(
        f"{name}: {line}" for name, lines in errors.items() for line in lines
    )
