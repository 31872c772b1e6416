"""Journey: an editor corrects a published post (stopped until they give a kind and a note),
a reader finds the corrections box and the before/after page, and the editor compares two
revisions in the admin. axe checks every page on the way."""

import re

import pytest
from django.urls import reverse

from tests.e2e.conftest import make_staff
from tests.e2e.helpers import admin_login, axe_violations

pytestmark = pytest.mark.e2e

NOTE = "The relapse reduction was 49%, not 55% as first written."


def save(page):
    with page.expect_navigation():
        page.locator("input[name=_continue]").first.click()


def test_a_correction_from_the_admin_to_the_reader(new_context, care_ms_post):
    editor_account = make_staff(username="ed", role="Editors", first_name="Ed", last_name="Itor")
    editor = new_context().new_page()
    admin_login(editor, editor_account)
    editor.goto(reverse("admin:blog_post_change", args=[care_ms_post.pk]))
    body = editor.get_by_label("Body")
    body.fill(body.input_value().replace("Alemtuzumab", "Alemtuzumab (Lemtrada)", 1))
    save(editor)
    assert editor.locator(".errornote").first.is_visible()
    assert "choose what kind of change" in editor.content()

    editor.get_by_label("Kind of change").select_option(label="Correction")
    editor.get_by_role("textbox", name="change note").fill(NOTE)
    save(editor)
    assert "was changed successfully" in editor.content()

    reader = new_context().new_page()
    reader.goto(care_ms_post.get_absolute_url())
    box = reader.locator("aside.corrections-box")
    assert box.is_visible()
    assert NOTE in box.inner_text() and "Correction" in box.inner_text()
    assert reader.locator(".byline .updated").is_visible()
    assert axe_violations(reader) == []

    with reader.expect_navigation():
        box.get_by_role("link", name=re.compile("text before and after")).click()
    assert "Lemtrada" in reader.locator(".diff ins").first.inner_text()
    assert NOTE in reader.content()
    assert axe_violations(reader) == []

    editor.goto(reverse("admin:blog_post_revisions", args=[care_ms_post.pk]))
    assert axe_violations(editor) == []
    with editor.expect_navigation():
        editor.get_by_role("button", name="Compare the chosen revisions").click()
    assert "Lemtrada" in editor.locator(".diff ins").first.inner_text()
    assert axe_violations(editor) == []


@pytest.mark.parametrize("width", [375, 1280])
def test_the_paper_status_notice_reads_at_the_top(new_context, care_ms_post, width):
    from datetime import date

    from blog.models import PaperNotice

    PaperNotice.objects.create(
        paper_doi=care_ms_post.paper_doi,
        kind=PaperNotice.Kind.EXPRESSION_OF_CONCERN,
        date=date(2024, 5, 1),
        notice_url="https://journal.example.org/eoc",
    )
    reader = new_context(viewport={"width": width, "height": 900}).new_page()
    reader.goto(care_ms_post.get_absolute_url())
    notice = reader.locator("aside.paper-status")
    assert notice.is_visible()
    assert "expression of concern" in notice.inner_text().lower()
    title_top = reader.locator("#post-title").bounding_box()["y"]
    assert notice.bounding_box()["y"] < title_top
    scroll = reader.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width
    assert axe_violations(reader) == []


def test_the_record_pages_are_valid_html(java, page, care_ms_post, tmp_path):
    from datetime import date

    from blog.models import PaperNotice, PostRevision
    from blog.services import post_upsert
    from tests.e2e.helpers import nu_errors

    PaperNotice.objects.create(
        paper_doi=care_ms_post.paper_doi,
        kind=PaperNotice.Kind.RETRACTION,
        date=date(2024, 5, 1),
        notice_doi="10.1016/S0140-6736(24)00001-1",
    )
    post_upsert(
        slug=care_ms_post.slug,
        author=care_ms_post.author,
        fields={"body": care_ms_post.body + "\n\nAn added <paragraph> & more.\n"},
        labels=list(care_ms_post.tags.names()),
        disclosures=list(
            care_ms_post.disclosures.values("person", "relationship", "organisations", "statement")
        ),
        change_kind=PostRevision.Kind.UPDATE,
        change_note="A paragraph on <safety> & dosing.",
    )
    number = care_ms_post.revisions.get(announced=True).number
    sent = {}
    for name, url in {
        "post with its record": care_ms_post.get_absolute_url(),
        "change page": reverse(
            "blog:post_change",
            kwargs=dict(
                zip(("year", "month", "slug"), care_ms_post.address_parts, strict=True),
                number=number,
            ),
        ),
    }.items():
        response = page.goto(url)
        assert response.status == 200, (name, response.status)
        sent[name] = response.text()
    assert "paper-status" in sent["post with its record"]
    assert "&lt;safety&gt; &amp; dosing" in sent["change page"]
    errors = nu_errors(sent, tmp_path)
    assert not errors, "\n".join(f"{n}: {line}" for n, lines in errors.items() for line in lines)
