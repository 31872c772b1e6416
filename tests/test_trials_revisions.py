"""The trial record in the public record (issue 13): every revision of a post keeps its
trial records as readable text; once readers have seen the post, a change to its record
needs a kind and a note, checked before anything is saved, and is announced like any
other correction (corrections box, before/after page, feeds, JSON-LD)."""

import re

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blog import revisions
from blog.models import Post, PostRevision
from tests.factories import make_post
from tests.strategies import any_script_text
from tests.test_corrections import change_url_for, diff_of, json_ld
from tests.test_trials_admin import (
    ADD_URL,
    change_url,
    existing_arms,
    outcome_row,
    record_data,
)
from tests.trials_factories import make_trial_record
from trials.models import Arm, OutcomeResult, TrialRecord
from trials.revision_text import PART_NAME
from trials.services import trial_record_refresh

pytestmark = pytest.mark.django_db

Kind = PostRevision.Kind
ARMS = [
    {"name": "Interferon beta 1a", "role": "comparator", "randomised": 231, "analysed": 202},
    {"name": "Alemtuzumab 12 mg", "role": "experimental", "randomised": 436, "analysed": 426},
]


@pytest.fixture
def admin_client(client, a_superuser):
    client.force_login(a_superuser)
    return client


def record_with_relapse(post):
    """CARE-MS II with its relapse outcome, 104/202 against 147/426, saved without the
    admin (as the demo loader saves it)."""
    record = TrialRecord.objects.create(post=post, name="CARE-MS II", decimal_mark="\u00b7")
    for i, arm in enumerate(ARMS):
        Arm.objects.create(record=record, position=i, **arm)
    return trial_record_refresh(record=record)


def with_outcome(admin_client, record):
    """The record with its relapse outcome, entered in the admin as a minor change (kept
    in the history, not announced)."""
    arms, arm_rows = existing_arms_of(record)
    data = record_data(
        record.post,
        arms=arm_rows,
        arms_initial=2,
        outcomes=[outcome_row(arms)],
        change_kind=Kind.MINOR,
        change_note="",
    )
    response = admin_client.post(change_url(record), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def existing_arms_of(record):
    arms = list(record.arms.order_by("position"))
    _, rows = existing_arms(record)
    return arms, rows


def change_count(admin_client, record, *, count, kind="", note=""):
    """POST the record's change form with the comparator's relapse count set to ``count``."""
    arms, arm_rows = existing_arms_of(record)
    outcome = record.outcomes.get()
    row = outcome_row(
        arms, id=str(outcome.pk), record=str(record.pk), **{f"arm{arms[0].pk}_count": count}
    )
    data = record_data(
        record.post,
        arms=arm_rows,
        arms_initial=2,
        outcomes=[row],
        outcomes_initial=1,
        change_kind=kind,
        change_note=note,
    )
    return admin_client.post(change_url(record), data)


def comparator_count(record):
    return OutcomeResult.objects.get(outcome__record=record, arm__role="comparator").count


@pytest.fixture
def a_public_record(admin_client, a_post):
    """A record with numbers on a post readers have seen (its history has a revision)."""
    record = record_with_relapse(a_post)
    with_outcome(admin_client, record)
    assert revisions.last_seen_number(a_post.pk) is not None
    return record


# --- the text a revision keeps ---------------------------------------------------------------
def test_a_revision_keeps_the_record_as_lines_a_reader_reads(admin_client, a_public_record):
    post = a_public_record.post
    number = post.revisions.order_by("-number").first().number
    text = revisions.snapshot(post.pk, number)[PART_NAME]
    assert "Trial: CARE-MS II" in text
    assert (
        "Arm: Alemtuzumab 12 mg (experimental; 12 mg per day; 436 randomised, 426 analysed)" in text
    )
    relapse = next(line for line in text.splitlines() if line.startswith("Outcome"))
    assert relapse.startswith("Outcome (primary): Relapse, 2 years \u2014 ")
    assert "104/202" in relapse and "147/426" in relapse
    assert "rate ratio 0\u00b751 (0\u00b739\u20130\u00b765)" in relapse
    assert "p<0\u00b70001" in relapse


# --- the refusal ---------------------------------------------------------------------------
def test_a_change_without_a_note_is_a_form_error_and_saves_nothing(admin_client, a_public_record):
    before = a_public_record.post.revisions.count()
    response = change_count(admin_client, a_public_record, count="110")
    assert response.status_code == 200
    html = response.content.decode()
    assert "choose what kind of change this is" in html
    assert "write a change note" in html
    assert 'value="110"' in html  # the typing is kept
    assert comparator_count(a_public_record) == 104
    assert a_public_record.post.revisions.count() == before
    a_public_record.refresh_from_db()
    assert "104" in str(a_public_record.snapshot)


def test_a_note_without_a_kind_is_refused_too(admin_client, a_public_record):
    response = change_count(admin_client, a_public_record, count="110", note="Was 104.")
    assert response.status_code == 200
    assert "choose what kind of change this is" in response.content.decode()
    assert comparator_count(a_public_record) == 104


def test_an_unchanged_record_saves_without_a_note(admin_client, a_public_record):
    before = a_public_record.post.revisions.count()
    response = change_count(admin_client, a_public_record, count="104")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert a_public_record.post.revisions.count() == before


# --- the announcement ----------------------------------------------------------------------
def announce(admin_client, record, *, count="110", note="The comparator had 110 relapses."):
    response = change_count(admin_client, record, count=count, kind=Kind.CORRECTION, note=note)
    assert response.status_code == 302, response.content.decode()[:3000]
    return record.post.revisions.get(announced=True)


def test_a_correction_is_listed_in_the_post_s_corrections_box(
    client, admin_client, a_public_record
):
    revision = announce(admin_client, a_public_record)
    post = Post.objects.get(pk=a_public_record.post.pk)
    assert post.announced_at == revision.created_at
    assert revision.kind == Kind.CORRECTION and revision.editor is not None
    html = client.get(post.get_absolute_url()).content.decode()
    box = re.search(r'<aside class="corrections-box".*?</aside>', html, re.S).group(0)
    assert "<strong>Correction</strong>" in box
    assert "The comparator had 110 relapses." in box
    assert change_url_for(post, revision.number) in box
    assert "110/202" in html  # the page shows the corrected number


def test_the_before_and_after_page_shows_the_changed_numbers(client, admin_client, a_public_record):
    revision = announce(admin_client, a_public_record)
    post = a_public_record.post
    response = client.get(change_url_for(post, revision.number))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h2" in html and "Trial records</h2>" in html
    diff = diff_of(html)
    # The count and the percentage computed from it; nothing else.
    assert re.findall(r"<del>(.*?)</del>", diff) == ["104", "51"]
    assert re.findall(r"<ins>(.*?)</ins>", diff) == ["110", "54"]
    assert "Relapse, 2 years" in diff  # the line around the change says what it is


def test_the_feeds_and_the_json_ld_carry_the_correction(client, admin_client, a_public_record):
    announce(admin_client, a_public_record, note="Relapses: 110, not 104.")
    post = a_public_record.post
    atom = feedparser.parse(client.get(reverse("blog:feed_atom")).content).entries[0]
    assert "Relapses: 110, not 104." in atom.content[0].value
    data = json_ld(client.get(post.get_absolute_url()).content.decode())
    notes = [c["text"] for c in data["correction"]]
    assert notes == ["Correction: Relapses: 110, not 104."]


def test_a_minor_fix_needs_no_note_and_is_not_announced(client, admin_client, a_public_record):
    response = change_count(admin_client, a_public_record, count="105", kind=Kind.MINOR)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert comparator_count(a_public_record) == 105
    revision = a_public_record.post.revisions.order_by("-number").first()
    assert revision.kind == Kind.MINOR and not revision.announced
    html = client.get(a_public_record.post.get_absolute_url()).content.decode()
    assert "corrections-box" not in html and "105/202" in html


def test_a_draft_s_record_changes_freely(admin_client, an_author):
    draft = make_post(author=an_author, status=Post.Status.DRAFT)
    record = record_with_relapse(draft)
    with_outcome(admin_client, record)
    response = change_count(admin_client, record, count="99")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert comparator_count(record) == 99
    assert not draft.revisions.filter(announced=True).exists()
    assert (
        "99/202" in revisions.snapshot(draft.pk, draft.revisions.latest("number").number)[PART_NAME]
    )


# --- adding and deleting a record ---------------------------------------------------------------
def test_adding_a_record_to_a_public_post_needs_a_note(admin_client, a_post):
    data = record_data(a_post, change_kind="", change_note="")
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "write a change note" in response.content.decode()
    assert not TrialRecord.objects.exists()
    data = record_data(a_post, change_kind=Kind.UPDATE, change_note="Added the trial's results.")
    assert admin_client.post(ADD_URL, data).status_code == 302
    revision = a_post.revisions.get(announced=True)
    assert "Trial: CARE-MS II" in revisions.snapshot(a_post.pk, revision.number)[PART_NAME]


def test_adding_a_record_to_a_draft_needs_no_note(admin_client, an_author):
    draft = make_post(author=an_author, status=Post.Status.DRAFT)
    response = admin_client.post(ADD_URL, record_data(draft, change_kind="", change_note=""))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TrialRecord.objects.filter(post=draft).exists()


def delete_url(record):
    return reverse("admin:trials_trialrecord_delete", args=[record.pk])


def test_deleting_a_public_post_s_record_needs_a_note(client, admin_client, a_public_record):
    page = admin_client.get(delete_url(a_public_record)).content.decode()
    assert 'name="change_note"' in page
    response = admin_client.post(delete_url(a_public_record), {"post": "yes"})
    assert response.status_code == 200
    assert "write a change note" in response.content.decode()
    assert TrialRecord.objects.filter(pk=a_public_record.pk).exists()
    response = admin_client.post(
        delete_url(a_public_record),
        {"post": "yes", "change_kind": Kind.CORRECTION, "change_note": "Wrong trial."},
    )
    assert response.status_code == 302
    assert not TrialRecord.objects.filter(pk=a_public_record.pk).exists()
    post = a_public_record.post
    revision = post.revisions.get(announced=True)
    html = client.get(change_url_for(post, revision.number)).content.decode()
    assert "CARE-MS II" in "".join(re.findall(r"<del>(.*?)</del>", diff_of(html), re.S))


def test_deleting_a_draft_s_record_needs_no_note(admin_client, an_author):
    record = record_with_relapse(make_post(author=an_author, status=Post.Status.DRAFT))
    assert admin_client.post(delete_url(record), {"post": "yes"}).status_code == 302
    assert not TrialRecord.objects.filter(pk=record.pk).exists()


# --- hostile notes and the page's cost ----------------------------------------------------------
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(note=any_script_text(max_size=200), kind=st.sampled_from([Kind.CORRECTION, Kind.UPDATE]))
def test_any_note_is_kept_as_typed(admin_client, an_author, note, kind):
    post = make_post(author=an_author)
    record = record_with_relapse(post)
    with_outcome(admin_client, record)
    response = change_count(admin_client, record, count="111", kind=kind, note=note)
    if not note.strip():
        assert response.status_code == 200 and comparator_count(record) == 104
        return
    assert response.status_code == 302, response.content.decode()[:2000]
    assert post.revisions.get(announced=True).note == note.strip()


def test_the_post_page_costs_the_same_after_record_corrections(client, admin_client, an_author):
    post = make_post(author=an_author)
    make_trial_record(post=post)
    record = record_with_relapse(make_post(author=an_author))
    with_outcome(admin_client, record)
    announce(admin_client, record, count="120", note="First.")
    url = record.post.get_absolute_url()
    client.get(url)  # the sidebar is cached from here on
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(10):
        kind = Kind.MINOR if n % 2 else Kind.UPDATE
        response = change_count(admin_client, record, count=str(121 + n), kind=kind, note=f"N{n}")
        assert response.status_code == 302
    client.get(url)
    with CaptureQueriesContext(connection) as eleven:
        html = client.get(url).content.decode()
    assert len(eleven) == len(one)
    assert html.count("See the text before and after") == 6
    assert "130/202" in html


def test_history_from_before_the_part_existed_is_not_a_change(client, an_author, monkeypatch):
    """Posts whose revisions were stored before trial records were part of them: a later
    correction of the text neither needs a note for the record nor shows it as all new;
    the first change to the record is compared with what is stored now."""
    from blog.services import post_upsert

    post = make_post(author=an_author)
    make_trial_record(post=post)
    rows = list(post.disclosures.values("person", "relationship", "statement"))

    def upsert(body, **note):
        fields = {"title": post.title, "summary": post.summary, "body": body}
        post_upsert(slug=post.slug, author=an_author, fields=fields, disclosures=rows, **note)

    with monkeypatch.context() as patched:
        patched.setattr(revisions, "snapshot_parts", {})
        upsert("As first published.", change_kind=Kind.MINOR)
    assert PART_NAME not in revisions.snapshot(post.pk, post.revisions.latest("number").number)
    upsert("As corrected.", change_kind=Kind.CORRECTION, change_note="Fixed the text.")
    revision = post.revisions.get(announced=True)
    html = client.get(change_url_for(post, revision.number)).content.decode()
    assert "Trial records" not in html and "<ins>corrected</ins>" in html
