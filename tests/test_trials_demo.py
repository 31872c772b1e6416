"""The CARE-MS II demo's trial record: every number in it appears in the post's source,
every quoted sentence is the source's own, and the page shows what the issue asks for."""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils.html import strip_tags

from blog.models import Post
from trials.models import Harm, Outcome, TrialRecord

pytestmark = pytest.mark.django_db

SOURCE = (Path(__file__).parent / "data" / "care-ms-2-source.txt").read_text(encoding="utf-8")
DEMO = Path(__file__).resolve().parents[1] / "trials" / "demo"
SLUG = "care-ms-2-more-news-on-alemtuzumab"
NUMBER_WORDS = {3: "three"}  # the source writes "three (1%)"
NOT_FROM_THE_SOURCE = {"position"}  # display order, not a figure
DECIMAL_KEYS = {"estimate", "ci_lower", "ci_upper", "ci_level", "percent", "value"}


def demo_data():
    return json.loads((DEMO / f"{SLUG}.json").read_text(encoding="utf-8"))


def numbers_in(value, key=""):
    """Every number in the demo data, with the key it sits under."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from numbers_in(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from numbers_in(item, key)
    elif isinstance(value, bool):
        return
    elif (isinstance(value, int) and key not in NOT_FROM_THE_SOURCE) or (
        isinstance(value, str) and key in DECIMAL_KEYS
    ):
        yield key, Decimal(value)


def in_source(number):
    """The number as the source prints it (0·51, 104), as a whole token."""
    text = format(number.normalize(), "f").replace(".", "\u00b7")
    spellings = [text] + ([NUMBER_WORDS[int(number)]] if int(number) in NUMBER_WORDS else [])
    return any(
        re.search(rf"(?<![\d\u00b7]){re.escape(s)}(?![\d\u00b7])", SOURCE) for s in spellings
    )


def test_every_demo_number_appears_in_the_source():
    found = list(numbers_in(demo_data()))
    assert len(found) >= 35, "the walk found too few numbers to mean anything"
    missing = [(key, str(n)) for key, n in found if not in_source(n)]
    assert not missing, missing


def test_the_check_catches_a_number_the_source_does_not_have():
    assert in_source(Decimal("0.51"))
    assert not in_source(Decimal("0.52"))
    assert not in_source(Decimal("437"))


def test_every_quoted_sentence_and_p_value_is_the_sources_own():
    data = demo_data()
    quotes, p_values = [], []
    for record in data["records"]:
        quotes.append(record["source_quote"])
        for row in [*record["arms"], *record["outcomes"], *record["harms"]]:
            quotes.append(row["source_quote"])
        p_values += [o["p_value_text"] for o in record["outcomes"] if o.get("p_value_text")]
    assert all(quotes), "a row without its source sentence"
    assert [q for q in quotes if q not in SOURCE] == []
    assert [p for p in p_values if p not in SOURCE] == []


@pytest.fixture
def demo_post():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Post.objects.get(slug=SLUG)


def test_load_demo_creates_the_record_as_the_issue_lists_it(demo_post):
    record = TrialRecord.objects.get(post=demo_post)
    assert record.registry_id == "NCT00548405"
    arms = {arm.name: (arm.randomised, arm.analysed) for arm in record.arms.all()}
    assert arms == {"Interferon beta 1a": (231, 202), "Alemtuzumab 12 mg": (436, 426)}
    relapse = Outcome.objects.get(record=record, name="Relapse")
    assert (relapse.estimate, relapse.ci_lower, relapse.ci_upper) == (
        Decimal("0.51"),
        Decimal("0.39"),
        Decimal("0.65"),
    )
    assert (relapse.p_value_text, relapse.p_comparator, relapse.p_value) == (
        "p<0\u00b70001",
        "<",
        Decimal("0.0001"),
    )
    infections = Harm.objects.get(record=record, name="Infections")
    numbers = {r.arm.name: (r.count, r.total) for r in infections.results.select_related("arm")}
    assert numbers == {"Interferon beta 1a": (134, 202), "Alemtuzumab 12 mg": (334, 435)}
    assert len(record.snapshot["outcomes"]) == 3 and len(record.snapshot["harms"]) == 4


def test_load_demo_again_keeps_an_edited_record_and_reset_restores_it(demo_post):
    record = TrialRecord.objects.get(post=demo_post)
    TrialRecord.objects.filter(pk=record.pk).update(name="Edited by an editor")
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert TrialRecord.objects.get(post=demo_post).name == "Edited by an editor"
    call_command("load_demo", "--reset", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(TrialRecord.objects.filter(post=demo_post).values_list("name", flat=True)) == [
        "CARE-MS II"
    ]


def test_the_post_page_shows_the_tables_the_notice_and_honest_absolute_numbers(client, demo_post):
    page = client.get(demo_post.get_absolute_url()).content.decode()
    html = strip_tags(page)
    assert "Evidence at a glance" in html
    assert "Rate ratio 0\u00b751 (0\u00b739\u20130\u00b765)" in html
    assert "Hazard ratio 0\u00b758 (0\u00b738\u20130\u00b787)" in html
    assert "p&lt;0\u00b70001" in html and "p=0\u00b7008" in html
    assert "104 (51%)" in html and "147 (35%)" in html and "201 events" in html
    assert "334/435 (77%)" in html and "134/202 (66%)" in html and "393/435 (90%)" in html
    assert "69 (16%)" in html and "3 (1%)" in html
    assert "202 analysed of 231 randomised" in html
    # Infections: 134/202 vs 334/435 -> 66 and 77 in 100, NNH ceil(1/0.10445) = 10.
    assert (
        "Infections: 66 in 100 people with Interferon beta 1a, 77 in 100 with "
        "Alemtuzumab 12 mg, over 2 years." in html
    )
    assert "Number needed to harm: 10." in html
    assert "Computed by Trialpress from the reported counts" in html
    # No NNT where the abstract gives no denominators or the outcome is a rate.
    assert "Number needed to treat" not in html
    assert "Not computed for Relapse: a rate counts events" in html
    assert "Not computed for Infusion-associated reactions, Thyroid disorders, Immune" in html
    assert (
        "The trial\u2019s principal investigator at Barts Health has received payments from "
        "the trial\u2019s funder: Genzyme, Sanofi." in html.replace("&#x27;", "\u2019")
    )
    assert page.count('role="img"') == 1, "one plot: both comparisons are ratios"


def test_refresh_trial_records_rebuilds_what_readers_see(client, demo_post):
    from io import StringIO

    from trials.models import HarmResult

    HarmResult.objects.filter(harm__name="Infections", count=334).update(count=300)
    page = client.get(demo_post.get_absolute_url()).content.decode()
    assert "334/435" in page, "readers see the stored snapshot until it is refreshed"
    out = StringIO()
    call_command("refresh_trial_records", stdout=out)
    assert out.getvalue().strip() == "Refreshed 1 trial record."
    page = client.get(demo_post.get_absolute_url()).content.decode()
    assert "300/435" in page and "334/435" not in page


def test_an_outdated_snapshot_shows_nothing_rather_than_fail(client, demo_post, caplog):
    TrialRecord.objects.filter(post=demo_post).update(snapshot={"version": 0, "arms": "junk"})
    response = client.get(demo_post.get_absolute_url())
    assert response.status_code == 200
    assert "refresh_trial_records" in caplog.text
    call_command("refresh_trial_records", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert "Rate ratio" in client.get(demo_post.get_absolute_url()).content.decode()
