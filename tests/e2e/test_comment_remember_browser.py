"""A commenter who ticks "Save my name, email and website in this browser" finds them filled
in next time (WordPress's checkbox); unticked, nothing is kept, and sending unticked forgets
them. Kept in localStorage only: the page, and what the server caches, are the same for all."""

import json

import pytest

from comments.models import Comment
from tests.e2e.helpers import AWAITING, comment_form, fill_comment, submit_button

pytestmark = pytest.mark.e2e

REMEMBER = "Save my name, email and website in this browser for my next comment"
KEY = "trialpress-commenter"


def send(page, post, *, body, remember=None, **fields):
    page.goto(post.get_absolute_url())
    form = comment_form(page)
    if fields:
        fill_comment(form, body=body, **fields)
    else:
        form.get_by_label("Comment:", exact=True).fill(body)
    if remember is not None:
        form.get_by_label(REMEMBER).set_checked(remember)
    with page.expect_navigation():
        submit_button(form).click()
    assert page.get_by_text(AWAITING).first.is_visible()
    return Comment.objects.get(body=body)


def typed(page, name):
    return comment_form(page).locator(f"input[name={name}]").input_value()


def test_ticked_the_next_comment_starts_with_name_email_and_website(new_context, care_ms_post):
    visitor = new_context().new_page()
    first = send(
        visitor,
        care_ms_post,
        body="First.",
        remember=True,
        name="Zoë 李 محمد",
        email="zoe@example.org",
        website="https://zoe.example.org/",
    )
    assert first.name == "Zoë 李 محمد"
    visitor.goto(care_ms_post.get_absolute_url())
    form = comment_form(visitor)
    assert typed(visitor, "name") == "Zoë 李 محمد"
    assert typed(visitor, "email") == "zoe@example.org"
    assert typed(visitor, "website") == "https://zoe.example.org/"
    assert form.get_by_label(REMEMBER).is_checked()
    assert form.locator("textarea[name=body]").input_value() == ""
    second = send(visitor, care_ms_post, body="Second, with the saved details.")
    assert (second.name, second.email, second.website) == (
        "Zoë 李 محمد",
        "zoe@example.org",
        "https://zoe.example.org/",
    )
    # Another visitor (another browser) gets nothing, from the same cached page.
    other = new_context().new_page()
    other.goto(care_ms_post.get_absolute_url())
    assert (
        typed(other, "name") == "" and not comment_form(other).get_by_label(REMEMBER).is_checked()
    )


def test_unticked_nothing_is_kept_and_unticking_forgets(new_context, care_ms_post):
    visitor = new_context().new_page()
    send(visitor, care_ms_post, body="Not kept.", name="Ann", email="ann@example.org")
    assert visitor.evaluate(f"localStorage.getItem('{KEY}')") is None
    send(visitor, care_ms_post, body="Kept.", remember=True, name="Ann", email="ann@example.org")
    stored = json.loads(visitor.evaluate(f"localStorage.getItem('{KEY}')"))
    assert stored == {"name": "Ann", "email": "ann@example.org", "website": ""}
    send(visitor, care_ms_post, body="Forget me now.", remember=False)
    assert visitor.evaluate(f"localStorage.getItem('{KEY}')") is None
    visitor.goto(care_ms_post.get_absolute_url())
    assert typed(visitor, "name") == "" and typed(visitor, "email") == ""


def test_junk_in_storage_is_ignored_and_the_form_still_works(new_context, care_ms_post):
    visitor = new_context().new_page()
    visitor.goto(care_ms_post.get_absolute_url())
    for junk in ["{not json", "[1, 2]", json.dumps({"name": 5, "email": "x" * 5000})]:
        visitor.evaluate("([key, value]) => localStorage.setItem(key, value)", [KEY, junk])
        visitor.reload()
        assert typed(visitor, "name") == "" and typed(visitor, "email") == ""
    send(visitor, care_ms_post, body="Sent anyway.", name="Bo", email="bo@example.org")


def test_without_javascript_there_is_no_promise_to_remember(new_context, care_ms_post):
    visitor = new_context(java_script_enabled=False).new_page()
    visitor.goto(care_ms_post.get_absolute_url())
    assert comment_form(visitor).get_by_label(REMEMBER).count() == 0


def test_details_the_server_refuses_are_not_kept(new_context, care_ms_post):
    """An email without "@" gets the form's error: it is not kept for next time (the
    tryout: it was, and the next form started with it)."""
    visitor = new_context().new_page()
    visitor.goto(care_ms_post.get_absolute_url())
    form = comment_form(visitor)
    fill_comment(form, name="Ann", email="not-an-email", body="Refused.")
    form.get_by_label(REMEMBER).check()
    with visitor.expect_navigation():
        submit_button(form).click()
    assert "Enter a valid email address" in visitor.content()
    assert visitor.evaluate(f"localStorage.getItem('{KEY}')") is None
    assert not Comment.objects.filter(body="Refused.").exists()
