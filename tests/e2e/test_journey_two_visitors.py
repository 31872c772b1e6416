"""Journey 7: two visitors, two browsers, one (cached) page: each one's comment goes through.

The post page is served from the shared page cache to the second visitor. If the cache kept
the first visitor's CSRF token (or dropped the cookie), the second visitor's submission
would get a 403; if tokens leaked across visitors, one page could break another's form.
"""

import pytest

from comments.models import Comment
from tests.e2e.helpers import AWAITING, comment_form, fill_comment, submit_button

pytestmark = pytest.mark.e2e


def send(page, *, name, email, body):
    form = comment_form(page)
    fill_comment(form, name=name, email=email, body=body)
    with page.expect_navigation():
        submit_button(form).click()
    main = page.locator("main").inner_text()
    assert "CSRF" not in page.content() and "Forbidden" not in main, f"{name} was refused"
    assert page.get_by_text(AWAITING).first.is_visible(), f"{name} saw no notice"


def test_two_visitors_comment_from_the_same_cached_page(new_context, care_ms_post):
    url = care_ms_post.get_absolute_url()
    alice = new_context().new_page()
    bob = new_context().new_page()
    alice.goto(url)
    served = bob.goto(url)
    assert served.headers.get("x-page-cache") == "hit", "Bob's page did not come from the cache"
    bob_token = bob.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    alice_token = alice.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    assert alice_token != bob_token, "two visitors were served the same CSRF token"

    send(bob, name="Bob Second", email="bob@example.org", body="Bob sent this first.")
    # Alice's page was loaded before Bob sent his comment; it must still work for her.
    send(alice, name="Alice First", email="alice@example.org", body="Alice sent this later.")

    # The other way round: Bob's visit fills the cache, Alice gets the cached copy.
    bob.goto(url)
    served = alice.goto(url)
    assert served.headers.get("x-page-cache") == "hit"
    send(alice, name="Alice First", email="alice@example.org", body="Alice, once more.")
    send(bob, name="Bob Second", email="bob@example.org", body="Bob, once more.")

    # Back to a page the browser already holds in its history, and send from it again.
    bob.go_back()
    bob.wait_for_load_state()
    send(bob, name="Bob Second", email="bob@example.org", body="Bob, from history.")

    stored = {(c.name, c.body) for c in Comment.objects.filter(post=care_ms_post)}
    assert stored == {
        ("Bob Second", "Bob sent this first."),
        ("Alice First", "Alice sent this later."),
        ("Alice First", "Alice, once more."),
        ("Bob Second", "Bob, once more."),
        ("Bob Second", "Bob, from history."),
    }
