"""Trial records in the admin: the author's workflow, messages that say what is wrong,
nothing half-saved, and authors limited to the records of their own posts."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import make_post, make_user
from trials.models import Arm, Outcome, OutcomeResult, TrialRecord
from trials.services import trial_record_refresh

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:trials_trialrecord_add")


def change_url(record):
    return reverse("admin:trials_trialrecord_change", args=[record.pk])


def formset(prefix, rows, *, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def record_data(post, *, arms=(), arms_initial=0, outcomes=(), outcomes_initial=0, **fields):
    data = {
        "post": str(post.pk),
        "name": "CARE-MS II",
        "registry_id": " nct 00548405 ",
        "position": "0",
        "phase": "3",
        "allocation": "randomised",
        "masking": "rater-masked",
        "follow_up": "2 years",
        "funders": "Genzyme (Sanofi); Bayer Schering Pharma",
        "decimal_mark": "\u00b7",
        "notes": "",
        "source_quote": "",
        "_continue": "Save and continue editing",
        # The post is public: a change to its record needs a note (test_trials_revisions).
        "change_kind": "update",
        "change_note": "Entered the trial's results.",
        **fields,
    }
    data.update(formset("arms", list(arms), initial=arms_initial))
    data.update(formset("outcomes", list(outcomes), initial=outcomes_initial))
    data.update(formset("harms", []))
    return data


ARMS = [
    {"name": "Interferon beta 1a", "intervention": "44 \u03bcg", "role": "comparator",
     "randomised": "231", "analysed": "202", "position": "0"},
    {"name": "Alemtuzumab 12 mg", "intervention": "12 mg per day", "role": "experimental",
     "randomised": "436", "analysed": "426", "position": "1"},
]  # fmt: skip


def outcome_row(arms, **fields):
    comparator, experimental = arms
    row = {
        "name": "Relapse",
        "category": "primary",
        "position": "0",
        "outcome_type": "binary",
        "time_frame": "2 years",
        "effect_measure": "rate_ratio",
        "estimate": "0\u00b751",
        "ci_level": "95",
        "ci_lower": "0\u00b739",
        "ci_upper": "0\u00b765",
        "p_value_text": "p<0\u00b70001",
        "note": "",
        "source_quote": "",
        f"arm{comparator.pk}_count": "104",
        f"arm{comparator.pk}_total": "202",
        f"arm{experimental.pk}_count": "147",
        f"arm{experimental.pk}_total": "426",
    }
    row.update(fields)
    return row


@pytest.fixture
def admin_client(client, a_superuser):
    client.force_login(a_superuser)
    return client


@pytest.fixture
def a_record(a_post):
    record = TrialRecord.objects.create(post=a_post, name="CARE-MS II")
    for i, arm in enumerate(ARMS):
        Arm.objects.create(
            record=record,
            name=arm["name"],
            role=arm["role"],
            randomised=int(arm["randomised"]),
            analysed=int(arm["analysed"]),
            position=i,
        )
    return trial_record_refresh(record=record)


def existing_arms(record):
    arms = list(record.arms.order_by("position"))
    rows = []
    for arm, row in zip(arms, ARMS, strict=True):
        rows.append({**row, "id": str(arm.pk), "record": str(record.pk)})
    return arms, rows


def test_the_post_page_lists_its_records_and_links_to_add_one(admin_client, a_record):
    page = admin_client.get(reverse("admin:blog_post_change", args=[a_record.post.pk]))
    html = page.content.decode()
    assert "Edit the trial record" in html and change_url(a_record) in html
    assert f"{ADD_URL}?post={a_record.post.pk}" in html
    assert "2 arms, 0 outcomes, 0 harms" in html
    Arm.objects.filter(record=a_record, position=1).delete()
    trial_record_refresh(record=a_record)
    page = admin_client.get(reverse("admin:blog_post_change", args=[a_record.post.pk]))
    assert "1 arm, 0 outcomes, 0 harms" in page.content.decode()


def test_a_post_saved_from_its_page_keeps_its_records(admin_client, a_record):
    """The post page's list of records is read-only: saving the post changes none."""
    page = admin_client.get(reverse("admin:blog_post_change", args=[a_record.post.pk]))
    assert 'name="trial_records-TOTAL_FORMS"' in page.content.decode()
    assert TrialRecord.objects.filter(pk=a_record.pk).exists()


def test_adding_a_record_with_arms_then_numbers_per_arm(admin_client, a_post):
    response = admin_client.post(ADD_URL, record_data(a_post, arms=ARMS))
    assert response.status_code == 302, response.content.decode()[:3000]
    record = TrialRecord.objects.get(post=a_post)
    assert record.registry_id == "NCT00548405", "case and spaces normalised"
    assert [a["name"] for a in record.snapshot["arms"]] == [a["name"] for a in ARMS]

    page = admin_client.get(change_url(record)).content.decode()
    arms, arm_rows = existing_arms(record)
    assert f'name="outcomes-__prefix__-arm{arms[0].pk}_count"' in page
    assert "Interferon beta 1a: n" in page

    data = record_data(a_post, arms=arm_rows, arms_initial=2, outcomes=[outcome_row(arms)])
    response = admin_client.post(change_url(record), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    outcome = Outcome.objects.get(record=record)
    assert (str(outcome.estimate), outcome.p_comparator) == ("0.510000", "<")
    counts = {r.arm.name: (r.count, r.total) for r in outcome.results.select_related("arm")}
    assert counts == {"Interferon beta 1a": (104, 202), "Alemtuzumab 12 mg": (147, 426)}
    record.refresh_from_db()
    assert record.snapshot["outcomes"][0]["results"][str(arms[0].pk)]["count"] == "104"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"estimate": "0\u00b790"}, "lies outside its interval"),
        ({"ci_lower": "0\u00b770"}, "must be above the lower bound"),
        ({"estimate": "-0.5", "ci_lower": "-1", "ci_upper": "0.2"}, "is above 0"),
        ({"estimate": "NaN"}, "is not a number"),
        ({"estimate": "about half"}, "is not a number"),
        ({"estimate": "0,51"}, "not a comma"),
        ({"p_value_text": "NS"}, "is not a p value"),
        ({"p_value_text": "p=1\u00b75"}, "between 0 and 1"),
        ({"ci_upper": ""}, "Give both bounds"),
        ({"effect_measure": ""}, "Choose the effect measure"),
        ({"ci_level": "120"}, "between 50% and 99.99%"),
    ],
)
def test_a_bad_comparison_is_explained_and_nothing_is_saved(
    admin_client, a_record, fields, message
):
    arms, arm_rows = existing_arms(a_record)
    arm_rows[0]["name"] = "Renamed in the same save"
    data = record_data(
        a_record.post, arms=arm_rows, arms_initial=2, outcomes=[outcome_row(arms, **fields)]
    )
    response = admin_client.post(change_url(a_record), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Outcome.objects.exists()
    assert not Arm.objects.filter(name="Renamed in the same save").exists(), "half-saved"


@pytest.mark.parametrize(
    ("arm_index", "values", "message"),
    [
        (0, {"count": "250", "total": "202"}, "More people with the event (250) than analysed"),
        (0, {"count": "-1"}, "greater than or equal to 0"),
        (0, {"count": "many"}, "Enter a whole number"),
        (0, {"count": "1000000000", "total": "1000000000"}, "No trial arm has more than"),
        (0, {"count": "104", "total": "300"}, "than were randomised to Interferon beta 1a"),
        (1, {"count": "147", "total": "426", "percent": "60"}, "does not match 147 of 426"),
        (1, {"count": "147", "events": "20"}, "Fewer events (20) than people"),
        (1, {"total": "426", "count": ""}, "Give the number of people with the event"),
    ],
)
def test_bad_numbers_for_an_arm_are_explained_beside_them(
    admin_client, a_record, arm_index, values, message
):
    arms, arm_rows = existing_arms(a_record)
    arm = arms[arm_index]
    per_arm = {f"arm{arm.pk}_{key}": value for key, value in values.items()}
    data = record_data(
        a_record.post, arms=arm_rows, arms_initial=2, outcomes=[outcome_row(arms, **per_arm)]
    )
    response = admin_client.post(change_url(a_record), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not OutcomeResult.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("randomised", "1000000000", "No trial arm has more than 10,000,000 people"),
        ("randomised", "-5", "greater than or equal to 0"),
        ("analysed", "two hundred", "Enter a whole number"),
        ("analysed", "10\u2079", "Enter a whole number"),
    ],
)
def test_absurd_arm_sizes_are_refused_in_plain_words(admin_client, a_post, field, value, message):
    arms = [dict(ARMS[0], **{field: value}), ARMS[1]]
    response = admin_client.post(ADD_URL, record_data(a_post, arms=arms))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TrialRecord.objects.exists()


def test_two_arms_with_one_name_are_refused(admin_client, a_post):
    arms = [ARMS[0], dict(ARMS[1], name=ARMS[0]["name"])]
    response = admin_client.post(ADD_URL, record_data(a_post, arms=arms))
    assert response.status_code == 200
    assert "Please correct the duplicate data for name" in response.content.decode()
    assert not TrialRecord.objects.exists()


def test_more_analysed_than_randomised_is_refused(admin_client, a_post):
    arms = [dict(ARMS[0], analysed="240"), ARMS[1]]
    response = admin_client.post(ADD_URL, record_data(a_post, arms=arms))
    assert response.status_code == 200
    assert "More people analysed (240) than randomised (231)" in response.content.decode()
    assert not TrialRecord.objects.exists()


@pytest.mark.parametrize(
    ("bad", "wrong"),
    [
        ("NCT123", "NCT needs 8 digits; you typed 3."),
        ("NCT0054840", "NCT needs 8 digits; you typed 7."),
        ("ISRCTN1234567", "ISRCTN needs 8 digits; you typed 7."),
        ("EudraCT 2007-1161-32", "has 4, 6 and 2 digits between its dashes; you typed 4, 4, 2."),
        ("12345", ""),
    ],
)
def test_a_malformed_registry_id_is_refused_beside_its_field(admin_client, a_post, bad, wrong):
    response = admin_client.post(ADD_URL, record_data(a_post, registry_id=bad))
    assert response.status_code == 200
    html = response.content.decode()
    field_row = html[html.index("field-registry_id") :]
    field_row = field_row[: field_row.index("</div>\n\n")]
    assert "is not a registry id we know" in field_row
    assert wrong in field_row
    assert "EudraCT 2007-001161-32" in field_row
    top = html[: html.index("field-registry_id")]
    assert "is not a registry id we know" not in top


def test_an_arm_with_numbers_is_not_deleted_and_the_author_is_told_why(admin_client, a_record):
    arms, arm_rows = existing_arms(a_record)
    admin_client.post(
        change_url(a_record),
        record_data(a_record.post, arms=arm_rows, arms_initial=2, outcomes=[outcome_row(arms)]),
    )
    outcome = Outcome.objects.get()
    arm_rows[1]["DELETE"] = "on"
    outcome_fields = outcome_row(arms, id=str(outcome.pk), record=str(a_record.pk))
    response = admin_client.post(
        change_url(a_record),
        record_data(
            a_record.post,
            arms=arm_rows,
            arms_initial=2,
            outcomes=[outcome_fields],
            outcomes_initial=1,
        ),
    )
    assert response.status_code == 200
    assert (
        "Remove this arm&#x27;s numbers first: Alemtuzumab 12 mg has numbers in Relapse."
        in response.content.decode()
    )
    assert OutcomeResult.objects.count() == 2 and Arm.objects.count() == 2
    a_record.refresh_from_db()
    assert len(a_record.snapshot["arms"]) == 2

    # Its numbers emptied first (one save), the arm goes in the next.
    emptied = {k: "" for k in outcome_fields if k.startswith(f"arm{arms[1].pk}_")}
    del arm_rows[1]["DELETE"]
    data = record_data(
        a_record.post,
        arms=arm_rows,
        arms_initial=2,
        outcomes=[{**outcome_fields, **emptied, "effect_measure": "", "estimate": "",
                   "ci_lower": "", "ci_upper": ""}],
        outcomes_initial=1,
    )  # fmt: skip
    assert admin_client.post(change_url(a_record), data).status_code == 302
    arm_rows[1]["DELETE"] = "on"
    data["arms-1-DELETE"] = "on"
    response = admin_client.post(change_url(a_record), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(Arm.objects.values_list("name", flat=True)) == ["Interferon beta 1a"]


def test_an_arm_with_numbers_is_not_deleted_outside_the_admin_either(a_record):
    from django.db.models import RestrictedError

    arm = a_record.arms.first()
    outcome = Outcome.objects.create(record=a_record, name="Relapse", outcome_type="binary")
    OutcomeResult.objects.create(outcome=outcome, arm=arm, count=3, total=10)
    with pytest.raises(RestrictedError):
        arm.delete()
    a_record.delete()  # the whole record still goes, numbers and all
    assert not OutcomeResult.objects.exists()


# --- who may edit what ---------------------------------------------------------------------
@pytest.fixture
def another_author(db):
    user = make_user(username="other-author", staff=True)
    user.groups.add(Group.objects.get(name="Authors"))
    return user


def test_the_roles_migration_grants_trial_permissions(an_author):
    assert an_author.has_perm("trials.change_trialrecord")
    assert an_author.has_perm("trials.add_outcomeresult")
    moderator = make_user(username="mod", staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    assert moderator.has_perm("trials.view_trialrecord")
    assert not moderator.has_perm("trials.change_trialrecord")


def test_an_author_edits_the_records_of_their_own_posts(client, an_author, a_record):
    client.force_login(an_author)
    arms, arm_rows = existing_arms(a_record)
    response = client.post(
        change_url(a_record),
        record_data(a_record.post, arms=arm_rows, arms_initial=2, outcomes=[outcome_row(arms)]),
    )
    assert response.status_code == 302
    assert Outcome.objects.filter(record=a_record).exists()


def test_another_author_can_neither_see_nor_change_the_record(client, another_author, a_record):
    client.force_login(another_author)
    changelist = client.get(reverse("admin:trials_trialrecord_changelist")).content.decode()
    assert "CARE-MS II" not in changelist
    assert client.get(change_url(a_record)).status_code in (302, 403, 404)
    arms, arm_rows = existing_arms(a_record)
    client.post(
        change_url(a_record),
        record_data(
            a_record.post, arms=arm_rows, arms_initial=2, outcomes=[outcome_row(arms)], name="X"
        ),
    )
    a_record.refresh_from_db()
    assert a_record.name == "CARE-MS II" and not Outcome.objects.exists()


def test_an_author_cannot_attach_a_record_to_another_authors_post(client, another_author, a_post):
    client.force_login(another_author)
    own = make_post(author=another_author, title="Mine")
    page = client.get(ADD_URL).content.decode()
    assert "Mine" in page and a_post.title not in page
    response = client.post(ADD_URL, record_data(a_post))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not TrialRecord.objects.exists()
    assert client.post(ADD_URL, record_data(own)).status_code == 302


def test_the_permissions_migration_reverses_and_runs_again_cleanly():
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("trials.migrations.0002_role_permissions")
    editor = SimpleNamespace(connection=connection)
    authors = Group.objects.get(name="Authors")
    before = set(authors.permissions.values_list("codename", flat=True))
    migration.revoke(apps, editor)
    after = set(authors.permissions.values_list("codename", flat=True))
    assert after == {
        c
        for c in before
        if not c.endswith(("trialrecord", "outcomeresult", "arm", "outcome", "harm", "harmresult"))
    }
    assert "change_post" in after
    migration.grant(apps, editor)
    migration.grant(apps, editor)
    assert set(authors.permissions.values_list("codename", flat=True)) == before


@pytest.mark.parametrize("value", ["abc", "999999", "-1", "1 OR 1=1", "\u202e1"])
def test_the_add_page_with_a_bad_post_in_its_address_still_opens(admin_client, a_post, value):
    response = admin_client.get(ADD_URL, {"post": value})
    assert response.status_code == 200
    assert 'name="post"' in response.content.decode()


def test_the_record_page_shows_how_the_funder_line_was_read(admin_client, a_record):
    a_record.funders = "Genzyme (Sanofi) and Bayer Schering Pharma"
    a_record.save()
    html = admin_client.get(change_url(a_record)).content.decode()
    assert "funders, read as" in html.lower()
    assert "Genzyme; Sanofi; Bayer Schering Pharma" in html


def test_changing_an_outcome_that_has_numbers_updates_them(admin_client, a_record):
    """Editing a saved outcome's numbers once answered 500 (a second row for the arm)."""
    arms, arm_rows = existing_arms(a_record)
    data = record_data(a_record.post, arms=arm_rows, arms_initial=2, outcomes=[outcome_row(arms)])
    assert admin_client.post(change_url(a_record), data).status_code == 302
    outcome = Outcome.objects.get()
    changed = outcome_row(
        arms, id=str(outcome.pk), record=str(a_record.pk), **{f"arm{arms[0].pk}_count": "100"}
    )
    data = record_data(
        a_record.post, arms=arm_rows, arms_initial=2, outcomes=[changed], outcomes_initial=1
    )
    response = admin_client.post(change_url(a_record), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    counts = dict(OutcomeResult.objects.values_list("arm__name", "count"))
    assert counts == {"Interferon beta 1a": 100, "Alemtuzumab 12 mg": 147}


def test_an_arm_has_no_role_until_the_author_picks_one(admin_client, a_post):
    page = admin_client.get(f"{ADD_URL}?post={a_post.pk}").content.decode()
    empty_form = page[page.index('id="arms-empty"') :]
    role = empty_form[empty_form.index('name="arms-__prefix__-role"') :]
    assert '<option value="" selected>' in role[: role.index("</select>")]
    arms = [dict(ARMS[0], role="experimental"), dict(ARMS[1], role="")]
    response = admin_client.post(ADD_URL, record_data(a_post, arms=arms))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert "Mark exactly one arm" not in html, "one message: the missing role"
    assert not TrialRecord.objects.exists()


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        (("experimental", "experimental"), "now none are."),
        (("comparator", "comparator"), "now 2 are."),
    ],
)
def test_two_arms_need_exactly_one_comparator(admin_client, a_post, roles, message):
    arms = [dict(arm, role=role) for arm, role in zip(ARMS, roles, strict=True)]
    response = admin_client.post(ADD_URL, record_data(a_post, arms=arms))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mark exactly one arm as the comparator" in html and message in html
    assert not TrialRecord.objects.exists()


def test_a_comparison_needs_two_saved_arms(admin_client, a_record):
    arms, arm_rows = existing_arms(a_record)
    arm_rows[1]["DELETE"] = "on"
    row = outcome_row(arms)
    row = {k: v for k, v in row.items() if not k.startswith(f"arm{arms[1].pk}_")}
    # The numbers form still lists both arms (the deletion is not saved yet): one arm alone.
    Arm.objects.filter(pk=arms[1].pk).delete()
    a_record.refresh_from_db()
    response = admin_client.post(
        change_url(a_record),
        record_data(a_record.post, arms=arm_rows[:1], arms_initial=1, outcomes=[row]),
    )
    assert response.status_code == 200
    assert "A comparison is between two groups" in response.content.decode()
    assert not Outcome.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"estimate": "0,45"}, "estimate"), ({"estimate": "about half"}, "estimate")],
)
def test_a_number_that_cannot_be_read_gets_one_message(admin_client, a_record, fields, field):
    arms, arm_rows = existing_arms(a_record)
    data = record_data(
        a_record.post, arms=arm_rows, arms_initial=2, outcomes=[outcome_row(arms, **fields)]
    )
    html = admin_client.post(change_url(a_record), data).content.decode()
    errors = html[html.index(f'id="id_outcomes-0-{field}_error"') :]
    errors = errors[: errors.index("</ul>")]
    assert errors.count("<li>") == 1, errors
    assert "Give the estimate reported" not in html


def test_stored_decimals_are_shown_as_typed_in_the_admin(admin_client, a_record):
    """A confidence level of 95 is stored as 95.00 and an estimate as 0.510000: the form
    shows 95 and 0.51."""
    arms, arm_rows = existing_arms(a_record)
    data = record_data(a_record.post, arms=arm_rows, arms_initial=2, outcomes=[outcome_row(arms)])
    assert admin_client.post(change_url(a_record), data).status_code == 302
    html = admin_client.get(change_url(a_record)).content.decode()
    assert 'name="outcomes-0-ci_level" value="95"' in html
    assert 'name="outcomes-0-estimate" value="0.51"' in html
    assert "95.00" not in html and "0.510000" not in html
