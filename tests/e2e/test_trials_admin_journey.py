"""An author puts a trial's numbers on their post in the admin, as a person would: from the
post's page to "Add a trial record", the arms first, then an outcome with each group's
numbers typed as the source prints them (0·51); a mistake is explained beside its field and
nothing is saved; the corrected record shows on the post page. axe checks the record page."""

import re

import pytest
from django.urls import reverse

from tests.e2e.conftest import PASSWORD
from tests.e2e.helpers import admin_login, axe_violations
from tests.factories import make_post
from trials.models import Outcome, TrialRecord

pytestmark = pytest.mark.e2e


def save(page, button="_continue"):
    """Save as an author of a published post does: a change to what readers saw says what
    kind of change it is and why (the corrections box lists it)."""
    kind = page.locator("select[name=change_kind]")
    if kind.count():
        kind.select_option(value="update")
        page.locator("textarea[name=change_note]").fill("Entered the trial's results.")
    with page.expect_navigation():
        page.locator(f"input[name={button}]").first.click()


LINE_LAYOUT = """line => {
  const boxes = [...line.querySelectorAll(':scope > div')].map(column => ({
    label: column.querySelector('label').getBoundingClientRect().top
      - column.getBoundingClientRect().top,
    column: column.getBoundingClientRect(),
    error: column.querySelector('ul.errorlist')?.getBoundingClientRect() || null,
  }));
  return boxes.map(b => ({label: b.label, left: b.column.left, right: b.column.right,
    error: b.error && {left: b.error.left, right: b.error.right}}));
}"""


def check_errors_stay_beside_their_fields(page):
    """In a line of several fields, an error sits within its own field's column (it wraps
    rather than running into the next label) and each label stays at the top of its column,
    level with the others (not pushed down by an error above it)."""
    lines = page.locator(".form-multiline:has(ul.errorlist)")
    assert lines.count() >= 2
    for index in range(lines.count()):
        columns = lines.nth(index).evaluate(LINE_LAYOUT)
        assert all(abs(column["label"]) <= 8 for column in columns), columns
        for column, after in zip(columns, columns[1:] + [None], strict=True):
            if column["error"]:
                assert column["error"]["right"] <= column["right"] + 0.5, columns
                if after is not None and after["left"] > column["left"]:  # same visual row
                    assert column["error"]["right"] <= after["left"], columns


def test_author_adds_a_trial_record_then_its_numbers(new_context, an_author_account, artifacts_dir):
    post = make_post(author=an_author_account, title="OPERA I: ocrelizumab")
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin_login(page, an_author_account)
    page.goto(reverse("admin:blog_post_change", args=[post.pk]))
    with page.expect_navigation():
        page.get_by_role("link", name="Add a trial record to this post").click()

    page.get_by_label("Short name").fill("OPERA I")
    page.get_by_label("Registry id").fill("nct 01247324")
    page.get_by_label("Phase").select_option(label="Phase 3")
    page.get_by_label("Funder(s)").fill("F. Hoffmann-La Roche Ltd")
    page.get_by_label("Decimal mark").select_option(value="\u00b7")
    page.get_by_role("button", name=re.compile("Add another Arm", re.I)).click()
    page.get_by_role("button", name=re.compile("Add another Arm", re.I)).click()
    for index, (name, role, randomised) in enumerate(
        [("Interferon beta 1a", "Comparator", "411"), ("Ocrelizumab", "Experimental", "410")]
    ):
        page.locator(f"[name=arms-{index}-name]").fill(name)
        page.locator(f"[name=arms-{index}-role]").select_option(label=role)
        page.locator(f"[name=arms-{index}-randomised]").fill(randomised)
    save(page)
    record = TrialRecord.objects.get(post=post)
    assert record.registry_id == "NCT01247324"
    comparator, experimental = record.arms.order_by("position", "pk")

    page.get_by_role("button", name=re.compile("Add another Outcome", re.I)).click()
    page.locator("[name=outcomes-0-name]").fill("Relapse")
    page.locator("[name=outcomes-0-outcome_type]").select_option(label="Rate (events over time)")
    page.locator("[name=outcomes-0-effect_measure]").select_option(label="Rate ratio")
    page.locator("[name=outcomes-0-estimate]").fill("0\u00b790")  # outside its interval
    page.locator("[name=outcomes-0-ci_lower]").fill("0\u00b736")
    page.locator("[name=outcomes-0-ci_upper]").fill("0\u00b762")
    page.locator("[name=outcomes-0-p_value_text]").fill("p<0\u00b70001")
    page.locator(f"[name=outcomes-0-arm{comparator.pk}_count]").fill("500")
    page.locator(f"[name=outcomes-0-arm{comparator.pk}_total]").fill("500")  # > randomised
    save(page)
    errors = " ".join(page.locator(".errorlist").all_inner_texts())
    assert "lies outside its interval" in errors
    assert "than were randomised to Interferon beta 1a (411)" in errors
    assert not Outcome.objects.exists()
    page.screenshot(path=artifacts_dir / "trial-record-admin-1280px.png", full_page=True)
    check_errors_stay_beside_their_fields(page)

    page.locator("[name=outcomes-0-estimate]").fill("0\u00b746")
    page.locator(f"[name=outcomes-0-arm{comparator.pk}_count]").fill("")
    page.locator(f"[name=outcomes-0-arm{comparator.pk}_total]").fill("")
    page.locator(f"[name=outcomes-0-arm{experimental.pk}_events]").fill("100")
    save(page)
    assert page.locator(".errorlist").count() == 0, page.locator(".errorlist").all_inner_texts()
    assert Outcome.objects.get(record=record).results.get().events == 100

    page.goto(post.get_absolute_url())
    assert page.get_by_text("Rate ratio 0\u00b746 (0\u00b736\u20130\u00b762)").is_visible()
    assert page.get_by_role("img", name="OPERA I").count() == 1
    assert comparator.name == "Interferon beta 1a"


def test_axe_finds_nothing_on_the_record_page(new_context, care_ms_post, an_author_account):
    """The demo record's page as its post's author sees it: arms, outcomes and harms with
    each group's numbers."""
    from django.contrib.auth import get_user_model

    author = get_user_model().objects.get(pk=care_ms_post.author_id)
    author.set_password(PASSWORD)
    author.groups.set(an_author_account.groups.all())
    author.save()
    record = TrialRecord.objects.get(post=care_ms_post)
    # axe-core itself applies inline styles while it checks this page (the admin's stacked
    # inlines), which the site's CSP rightly blocks: the CSP is bypassed for axe's sake only.
    page = new_context(bypass_csp=True).new_page()
    admin_login(page, author)
    page.goto(reverse("admin:trials_trialrecord_change", args=[record.pk]))
    assert page.locator("[name=outcomes-0-name]").input_value() == "Relapse"
    found = axe_violations(page)
    assert not found, "\n".join(found)
