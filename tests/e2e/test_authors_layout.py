"""The register of interests on a phone and the author profile's admin on a laptop (issue 14,
tryout findings 2 and 6): nothing is hidden off the side, every column is labelled where it
shows, and the caption wraps whole words."""

import pytest
from django.urls import reverse

from authors.models import StandingInterest
from authors.services import author_profile_ensure
from blog.models import Disclosure
from tests.e2e.conftest import make_staff
from tests.e2e.helpers import admin_login
from tests.factories import make_post

pytestmark = pytest.mark.e2e

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# Whether an element's content is wider than its box (cut off, or scrolled out of sight).
CUT = "el => el.scrollWidth - el.clientWidth"


@pytest.fixture
def an_author_with_a_register(transactional_db):
    author = make_staff(
        username="wren", role="Authors", first_name="Wren", last_name="Ashdown-Featherstonehaugh"
    )
    profile = author_profile_ensure(user=author)
    for i in range(3):
        post = make_post(
            author=author, title=f"Alemtuzumab and relapses, part {i}", disclosure=False
        )
        Disclosure.objects.create(
            post=post,
            person=profile.display_name,
            relationship=Disclosure.Relationship.HONORARIA,
            organisations="Genzyme, a Sanofi company; Bayer Schering Pharma",
        )
    StandingInterest.objects.create(
        profile=profile,
        organisation="MS Society",
        relationship="other",
        statement="Trustee. " * 20,
        declared_on="2019-04-01",
    )
    return profile


def test_the_register_reads_on_a_phone(new_context, an_author_with_a_register, artifacts_dir):
    page = new_context(
        viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True
    ).new_page()
    page.goto(an_author_with_a_register.get_absolute_url())
    assert page.evaluate(SIDEWAYS) <= 0
    table = page.locator(".register-table")
    page.locator("#register-of-interests").screenshot(path=artifacts_dir / "register-375px.png")
    caption = table.locator("caption")
    assert caption.evaluate(CUT) <= 0, "the caption is cut"
    assert caption.bounding_box()["height"] > 30, "the caption should wrap onto lines"
    for row in table.locator("tbody tr").all():
        for cell in row.locator("th, td").all():
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375, cell.inner_text()
            assert cell.evaluate(CUT) <= 0, cell.inner_text()
        text = row.inner_text()
        for label in ("Relationship", "Posts", "First declared", "Last declared"):
            assert label in text, f"{label!r} is not shown beside its value: {text!r}"
    region = page.locator(".table-scroll")
    assert region.evaluate(CUT) <= 0, "nothing should be left to scroll to"


def test_the_register_is_a_table_on_a_desktop(new_context, an_author_with_a_register):
    page = new_context().new_page()
    page.goto(an_author_with_a_register.get_absolute_url())
    headers = page.locator(".register-table thead th")
    assert headers.first.is_visible()
    assert [h.inner_text() for h in headers.all()] == [
        "Organisation",
        "Relationship",
        "Posts",
        "First declared",
        "Last declared",
    ]
    assert page.locator(".table-scroll").evaluate(CUT) <= 0


def test_the_standing_interests_fit_the_admin_at_1280(new_context, an_author_with_a_register):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin_login(page, an_author_with_a_register.user)
    page.goto(reverse("admin:authors_authorprofile_change", args=[an_author_with_a_register.pk]))
    group = page.locator("#standing_interests-group")
    assert group.is_visible()
    assert page.evaluate(SIDEWAYS) <= 0
    for element in [group, *group.locator("fieldset, table, .tabular").all()]:
        assert element.evaluate(CUT) <= 0, "the standing interests overflow"
    for control in group.locator("input:visible, textarea:visible, select:visible").all():
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, control


@pytest.mark.parametrize("width", [375, 1280])
def test_axe_finds_nothing_on_the_author_page(new_context, an_author_with_a_register, width):
    from tests.e2e.helpers import axe_violations

    page = new_context(viewport={"width": width, "height": 800}).new_page()
    page.goto(an_author_with_a_register.get_absolute_url())
    assert axe_violations(page) == []


def test_the_author_page_and_a_post_with_its_cite_box_are_valid_html(
    java, page, an_author_with_a_register, tmp_path
):
    from tests.e2e.helpers import nu_errors

    post = make_post(
        author=an_author_with_a_register.user,
        title="With a paper",
        source_title="Alemtuzumab versus interferon beta 1a",
        source_authors="Coles AJ",
    )
    sent = {}
    for name, url in {
        "author page": an_author_with_a_register.get_absolute_url(),
        "post page": post.get_absolute_url(),
    }.items():
        response = page.goto(url)
        assert response.status == 200
        sent[name] = response.text()
    assert "declared interests</a>" in sent["post page"]
    assert nu_errors(sent, tmp_path) == {}
