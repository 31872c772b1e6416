"""Revisions: every save through the services or the admin is kept, compactly, and any
revision can be read back, compared with another, and restored as a new revision."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blog import revisions
from blog.demo_loader import DEMO_DIR, read_demo_post
from blog.models import Post, PostRevision
from blog.services import (
    post_publish,
    post_restore,
    post_revision_record,
    post_unpublish,
    post_upsert,
)
from tests.factories import make_post, make_user
from tests.strategies import any_script_paragraphs, any_script_text
from tests.test_admin_posts import change_data, change_url, existing_rows

pytestmark = pytest.mark.django_db

NOTHING = {"person": "Wren Ashdown", "relationship": "none", "organisations": "", "statement": ""}


@pytest.fixture
def admin_client(client, a_superuser):
    client.force_login(a_superuser)
    return client


def upsert(author, **fields):
    data = {"title": "T", "body": "One two three.", "summary": "", **fields}
    return post_upsert(slug="t", author=author, fields=data, disclosures=[NOTHING])[0]


def numbers(post):
    return list(post.revisions.values_list("number", flat=True))


def test_each_service_save_records_a_revision_with_who(an_author):
    post = upsert(an_author)
    post_publish(post=post, editor=an_author)
    post_unpublish(post=post)
    assert numbers(post) == [1, 2, 3]
    statuses = list(post.revisions.values_list("status", flat=True))
    assert statuses == ["draft", "published", "draft"]
    assert post.revisions.get(number=2).editor == an_author


def test_a_save_that_changes_nothing_stores_nothing(an_author):
    post = upsert(an_author)
    upsert(an_author)
    assert numbers(post) == [1]


def test_a_snapshot_holds_text_labels_disclosures_and_source(an_author):
    post = make_post(
        author=an_author,
        status=Post.Status.DRAFT,
        labels=["ms", "Ménière's"],
        body="Σκλήρυνση 多発性硬化症 🧠 p<0·001 & n=202",
        doi="10.1016/S0140-6736(12)61768-1",
    )
    post_publish(post=post)  # a post made around the services: its state before is kept
    data = revisions.snapshot(post.pk, 2)
    assert data["body"] == "Σκλήρυνση 多発性硬化症 🧠 p<0·001 & n=202"
    assert data["labels"] == ["ms", "Ménière's"]
    assert data["disclosures"][0]["relationship"] == "none"
    assert data["doi"] == "10.1016/S0140-6736(12)61768-1"
    assert revisions.snapshot(post.pk, 1)["status"] == "draft"
    assert data["status"] == "published"


def test_every_revision_reads_back_across_keyframes(an_author):
    post = upsert(an_author)
    bodies = {1: "One two three."}
    for n in range(2, revisions.KEYFRAME_EVERY * 2 + 5):
        bodies[n] = f"One two three, save {n} ünïcode {'x' * (n % 7)}."
        upsert(an_author, body=bodies[n])
    stored = revisions.snapshots(post.pk, list(bodies))
    assert {n: s["body"] for n, s in stored.items()} == bodies
    keyframes = list(post.revisions.filter(is_keyframe=True).values_list("number", flat=True))
    assert keyframes == [1, revisions.KEYFRAME_EVERY + 1, 2 * revisions.KEYFRAME_EVERY + 1]


def test_storage_grows_with_the_change_not_the_post(an_author):
    """The CARE-MS II body (6 KB); each save changes one word. A delta revision costs a
    small fraction of a whole compressed snapshot (measured: python -m benchmarks.revisions)."""
    demo = read_demo_post(Path(DEMO_DIR) / "care-ms-ii.md")
    body = demo.fields["body"]
    post = upsert(an_author, body=body)
    for n in range(2, 12):
        body = body.replace("the", f"the{n}", 1)
        upsert(an_author, body=body)
    sizes = [len(bytes(b)) for b in post.revisions.values_list("snapshot", flat=True)]
    whole = sizes[0]
    assert whole > 1500
    assert max(sizes[1:]) < whole / 8, sizes


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(any_script_paragraphs(), min_size=2, max_size=5))
def test_any_text_round_trips(texts):
    raws = [revisions._dumps({"body": t}) for t in texts]
    previous = None
    for raw in raws:
        blob = revisions.encode(raw, previous=previous)
        assert revisions.decode(blob, previous=previous) == raw
        previous = raw


def test_restore_brings_back_the_text_as_a_new_revision(an_author):
    post = upsert(an_author, title="First", body="The first text.")
    upsert(an_author, title="Second", body="The second text.")

    revision = post_restore(post=post, number=1, editor=an_author)

    post.refresh_from_db()
    assert (post.title, post.body) == ("First", "The first text.")
    assert revision.number == 3 and revision.restored_from == 1
    assert revisions.snapshot(post.pk, 3)["body"] == "The first text."


def test_restoring_a_public_post_needs_a_change_note(a_post, an_author):
    post_upsert(
        slug=a_post.slug,
        author=an_author,
        fields={"title": a_post.title, "body": "Changed.", "summary": a_post.summary},
        disclosures=list(a_post.disclosures.values("person", "relationship", "statement")),
        change_kind="correction",
        change_note="A number was wrong.",
    )
    first = a_post.revisions.order_by("number").first().number
    with pytest.raises(Exception) as excinfo:
        post_restore(post=a_post, number=first)
    assert "change_note" in excinfo.value.message_dict
    a_post.refresh_from_db()
    assert a_post.body == "Changed."


def test_restoring_a_missing_revision_is_refused(a_post):
    with pytest.raises(Exception, match="no revision 99"):
        post_restore(post=a_post, number=99)


# --- the admin ------------------------------------------------------------------------
def test_an_admin_save_records_a_revision_by_its_editor(admin_client, a_superuser, a_draft):
    data = change_data(a_draft, rows=existing_rows(a_draft), body="New words here.")
    assert admin_client.post(change_url(a_draft), data).status_code == 302
    latest = a_draft.revisions.order_by("-number").first()
    assert latest.editor == a_superuser
    assert revisions.snapshot(a_draft.pk, latest.number)["body"] == "New words here."
    # The state before the first recorded change is kept too.
    assert revisions.snapshot(a_draft.pk, 1)["body"] != "New words here."


def _two_revisions(admin_client, post):
    data = change_data(post, rows=existing_rows(post), body="Relapses fell <b>by 49%</b> 🧠.")
    assert admin_client.post(change_url(post), data).status_code == 302


def test_the_revision_list_and_word_diff(admin_client, a_draft):
    _two_revisions(admin_client, a_draft)
    listing = admin_client.get(reverse("admin:blog_post_revisions", args=[a_draft.pk]))
    assert listing.status_code == 200
    assert "Restore revision 1" in listing.content.decode()

    url = reverse("admin:blog_post_revision_compare", args=[a_draft.pk])
    html = admin_client.get(url, {"old": 1, "new": 2}).content.decode()
    assert "<ins>Relapses fell &lt;b&gt;by 49%&lt;/b&gt; 🧠</ins>" in html
    assert "<del>Body of write-up" in html


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"old": "1"},
        {"old": "x", "new": "2"},
        {"old": "1", "new": "99"},
        {"old": "-1", "new": "1"},
    ],
)
def test_a_bad_comparison_shows_the_form_with_a_message(admin_client, a_draft, query):
    _two_revisions(admin_client, a_draft)
    url = reverse("admin:blog_post_revision_compare", args=[a_draft.pk])
    response = admin_client.get(url, query)
    html = response.content.decode()
    assert response.status_code == (404 if query.get("new") == "99" else 400)
    assert 'class="errornote"' in html
    assert "Compare the chosen revisions" in html  # the form to choose again
    assert ("no revision 99" if query.get("new") == "99" else "Choose two revisions") in html


def test_restore_in_the_admin(admin_client, a_draft):
    _two_revisions(admin_client, a_draft)
    url = reverse("admin:blog_post_revision_restore", args=[a_draft.pk, 1])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"change_kind": "", "change_note": ""})
    assert response.status_code == 302
    a_draft.refresh_from_db()
    assert a_draft.body.startswith("Body of write-up")
    assert a_draft.revisions.order_by("-number").first().restored_from == 1


def test_restore_of_a_public_post_without_a_note_shows_the_error(admin_client, a_post):
    data = change_data(a_post, rows=existing_rows(a_post), body="Changed.", change_kind="minor")
    assert admin_client.post(change_url(a_post), data).status_code == 302
    url = reverse("admin:blog_post_revision_restore", args=[a_post.pk, 1])
    response = admin_client.post(url, {"change_kind": "", "change_note": ""})
    assert response.status_code == 400
    assert "choose what kind of change" in response.content.decode()
    a_post.refresh_from_db()
    assert a_post.body == "Changed."


def test_another_author_sees_no_history(client, a_draft):
    from django.contrib.auth.models import Group

    other = make_user(username="other", staff=True)
    other.groups.add(Group.objects.get(name="Authors"))
    client.force_login(other)
    for name, args in [
        ("admin:blog_post_revisions", [a_draft.pk]),
        ("admin:blog_post_revision_restore", [a_draft.pk, 1]),
        ("admin:blog_post_revision_compare", [a_draft.pk]),
    ]:
        assert client.get(reverse(name, args=args), {"old": 1, "new": 1}).status_code == 404


def test_preview_shows_unsaved_changes_and_saves_nothing(admin_client, a_post):
    before = (Post.objects.get(pk=a_post.pk).body, PostRevision.objects.count())
    data = change_data(a_post, rows=existing_rows(a_post), body="A *new* finding.")
    response = admin_client.post(reverse("admin:blog_post_preview", args=[a_post.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<em>new</em>" in html and "Preview of unsaved changes" in html
    assert "<ins>" in html
    assert "no-store" in response["Cache-Control"]
    assert (Post.objects.get(pk=a_post.pk).body, PostRevision.objects.count()) <= (
        before[0],
        before[1] + 1,  # the baseline of a post made around the services, at most
    )
    assert Post.objects.get(pk=a_post.pk).body == before[0]


def test_a_preview_with_errors_says_what_to_fix(admin_client, a_post):
    data = change_data(a_post, rows=existing_rows(a_post), title="")
    response = admin_client.post(reverse("admin:blog_post_preview", args=[a_post.pk]), data)
    assert response.status_code == 400
    assert "title" in response.content.decode()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(note=any_script_text(max_size=200))
def test_any_note_is_kept_as_typed(a_post, an_author, note):
    post_upsert(
        slug=a_post.slug,
        author=an_author,
        fields={"title": a_post.title, "body": f"Body {note}", "summary": a_post.summary},
        disclosures=list(a_post.disclosures.values("person", "relationship", "statement")),
        change_kind="update",
        change_note=note,
    )
    assert a_post.revisions.order_by("-number").first().note == note.strip()


def test_the_storage_benchmark_runs_and_stores_less_than_whole_snapshots(db):
    from benchmarks import revisions as bench

    figures = bench.measure(saves=12)
    assert figures["revisions"] >= 12
    assert 0 < figures["stored"] < figures["whole"]
    assert not Post.objects.filter(slug__contains="revisions-bench").exists()


def test_another_app_can_add_a_part_readers_read(a_post, an_author, monkeypatch):
    """The trials app registers the trial record; a change to it needs a note too."""
    record = {"arms": [{"name": "alemtuzumab", "relapse_free": "65%"}]}
    monkeypatch.setattr(revisions, "snapshot_parts", {})
    revisions.register_snapshot_part("trial", lambda post: record)
    with pytest.raises(ValueError):
        revisions.register_snapshot_part("body", lambda post: "")
    fields = {"title": a_post.title, "body": a_post.body, "summary": a_post.summary}
    rows = list(a_post.disclosures.values("person", "relationship", "statement"))
    post_upsert(
        slug=a_post.slug,
        author=an_author,
        fields=fields,
        disclosures=rows,
        change_kind="minor",
        change_note="",
    )  # records the baseline with the part
    record["arms"][0]["relapse_free"] = "78%"  # the trials app saved its record, then:
    with pytest.raises(ValidationError) as excinfo:
        post_revision_record(post=a_post, editor=an_author)
    assert "change_kind" in excinfo.value.message_dict
    post_revision_record(
        post=a_post, editor=an_author, change_kind="correction", change_note="78%, not 65%."
    )
    number = a_post.revisions.get(announced=True).number
    assert revisions.snapshot(a_post.pk, number)["trial"] == record
