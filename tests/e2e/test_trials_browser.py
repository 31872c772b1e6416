"""The trial results on the post page in a browser: at 375 and 1,280 px the tables and the
forest plot are visible and the page never scrolls sideways (a wide table scrolls inside
its own box); axe finds nothing; the Nu checker finds no error, also for a post with two
trials and thirty outcomes."""

import pytest

from tests.e2e.helpers import axe_violations, nu_errors
from tests.factories import make_post, make_user
from tests.trials_factories import make_trial_record

pytestmark = pytest.mark.e2e

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def a_busy_trial_post(transactional_db):
    """Two trials, one with thirty outcomes and thirty harms (both plot scales)."""
    post = make_post(author=make_user(first_name="Bea", last_name="Busy"), title="Two trials")
    make_trial_record(post=post, name="FIRST", outcomes=30, harms=30)
    make_trial_record(post=post, name="SECOND", position=1, registry_id="ISRCTN12345678")
    return post


def check_fits(page, width):
    overflow = page.evaluate(SIDEWAYS)
    assert overflow <= 0, f"the post page scrolls {overflow}px sideways at {width}px"
    for box in page.locator(".trial-table-wrap, .forest-plot svg").all():
        box.scroll_into_view_if_needed()
        assert box.is_visible()
        rect = box.bounding_box()
        assert rect["width"] > 100, rect
        assert rect["x"] >= 0 and rect["x"] + rect["width"] <= width + 0.5, (width, rect)


@pytest.mark.parametrize("width", [375, 1280])
def test_tables_and_plot_fit_the_screen(new_context, care_ms_post, artifacts_dir, width):
    page = new_context(
        viewport={"width": width, "height": 800}, is_mobile=width < 600, has_touch=width < 600
    ).new_page()
    page.goto(care_ms_post.get_absolute_url())
    section = page.locator("section.trial-results")
    assert section.is_visible()
    assert page.get_by_role("table", name="Outcomes of CARE-MS II").count() == 1
    assert page.get_by_role("img", name="CARE-MS II").count() == 1
    assert page.get_by_text("Rate ratio 0\u00b751 (0\u00b739\u20130\u00b765)").is_visible()
    assert page.get_by_text("Number needed to harm: 10.").is_visible()
    check_fits(page, width)
    section.screenshot(path=artifacts_dir / f"trial-results-{width}px.png")


@pytest.mark.parametrize("width", [375, 1280])
def test_thirty_outcomes_scroll_inside_their_box_not_the_page(
    new_context, a_busy_trial_post, width
):
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    page.goto(a_busy_trial_post.get_absolute_url())
    assert page.locator("section.trial-results tbody tr").count() == 30 + 30 + 1 + 1
    check_fits(page, width)
    # Keyboard users can reach (and so scroll) each table's box.
    wrap = page.locator(".trial-table-wrap").first
    wrap.focus()
    assert page.evaluate("document.activeElement.classList.contains('trial-table-wrap')")


def test_axe_finds_nothing_in_the_trial_results(new_context, care_ms_post, a_busy_trial_post):
    page = new_context().new_page()
    found = {}
    for post in (care_ms_post, a_busy_trial_post):
        page.goto(post.get_absolute_url())
        assert page.locator("section.trial-results").is_visible()
        sources = page.locator("details.trial-sources summary")
        if sources.count():
            sources.first.click()  # checked opened, too
        found[post.title] = axe_violations(page)
    for width in (375,):
        small = new_context(viewport={"width": width, "height": 800}).new_page()
        small.goto(care_ms_post.get_absolute_url())
        found[f"at {width}px"] = axe_violations(small)
    found = {name: lines for name, lines in found.items() if lines}
    assert not found, "\n".join(
        f"{name}: {line}" for name, lines in found.items() for line in lines
    )


def test_nu_html_checker_finds_no_errors(java, page, care_ms_post, a_busy_trial_post, tmp_path):
    sent = {}
    for post in (care_ms_post, a_busy_trial_post):
        response = page.goto(post.get_absolute_url())
        assert response.status == 200
        sent[post.title] = response.text()
        assert "trial-results" in sent[post.title]
    sent["known broken page"] = (
        "<!DOCTYPE html><html lang=en><head><title>x</title></head><body><p><div></body>"
    )
    errors = nu_errors(sent, tmp_path)
    assert errors.pop("known broken page", []), "the checker did not run"
    assert not errors, "\n".join(
        f"{name}: {line}" for name, lines in errors.items() for line in lines
    )
