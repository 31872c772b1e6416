"""Fixes from the tryout of the public record (issue 13): line endings, the dates feeds
and JSON-LD give a changed post, the import's errors, the compare pages and the admin."""

import csv
import io
import json
import re
from datetime import date, timedelta

import feedparser
import pytest
from django.core import mail
from django.core.management import CommandError
from django.urls import reverse
from django.utils import timezone

from blog import paper_status
from blog.diffs import compare_snapshots
from blog.models import Disclosure, PaperNotice, PostRevision
from blog.revision_admin import RestoreForm
from blog.revisions import reader_fields
from blog.services import post_upsert
from tests.factories import make_post
from tests.test_admin_posts import change_data, change_url, existing_rows
from tests.test_paper_status import run, rw_row, write_csv

pytestmark = pytest.mark.django_db

Kind = PostRevision.Kind

BODY = "First paragraph.\n\nSecond paragraph,\nwith a second line.\n"


def crlf(text):
    return text.replace("\n", "\r\n")


@pytest.fixture
def admin_client(client, a_superuser):
    client.force_login(a_superuser)
    return client


@pytest.fixture
def multiline_post(an_author):
    post = make_post(
        author=an_author,
        title="A published write-up",
        body=BODY,
        summary="One line.\nAnother line.",
        source_citation="Cohen JA, et al.\nLancet 2012.",
        labels=["neurology"],
    )
    post.disclosures.update(statement="Nothing.\nReally nothing.")
    return post


def browser_rows(post):
    """The disclosure rows as a browser sends them: textareas with CRLF."""
    return [{**row, "statement": crlf(row["statement"])} for row in existing_rows(post)]


# --- 1. line endings ----------------------------------------------------------------------
def test_an_unchanged_admin_save_with_crlf_needs_no_note(admin_client, multiline_post):
    post = multiline_post
    data = change_data(
        post,
        rows=browser_rows(post),
        body=crlf(post.body),
        summary=crlf(post.summary),
        source_citation=crlf(post.source_citation),
    )
    response = admin_client.post(change_url(post), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    post.refresh_from_db()
    assert "\r" not in post.body + post.summary + post.source_citation
    assert "\r" not in post.disclosures.get().statement
    assert not post.revisions.filter(announced=True).exists()


def test_a_labels_only_change_with_crlf_needs_no_note(admin_client, multiline_post):
    post = multiline_post
    data = change_data(
        post,
        rows=browser_rows(post),
        body=crlf(post.body),
        summary=crlf(post.summary),
        source_citation=crlf(post.source_citation),
        tags="neurology, multiple sclerosis",
    )
    response = admin_client.post(change_url(post), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(post.tags.names()) == ["multiple sclerosis", "neurology"]


def test_a_body_stored_with_crlf_is_normalised_on_the_next_save(admin_client, multiline_post):
    """A post saved before the fix kept the browser's \\r: the next save, changing nothing
    readers read, needs no note and stores \\n."""
    post = multiline_post
    type(post).objects.filter(pk=post.pk).update(body=crlf(BODY))
    data = change_data(
        post,
        rows=browser_rows(post),
        body=crlf(BODY),
        summary=crlf(post.summary),
        source_citation=crlf(post.source_citation),
        tags="neurology, ms",
    )
    response = admin_client.post(change_url(post), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    post.refresh_from_db()
    assert post.body == BODY.strip()  # the form strips the ends, as Django's fields do


def test_the_services_store_one_line_ending(multiline_post):
    post = multiline_post
    post_upsert(
        slug=post.slug,
        author=post.author,
        fields={"title": post.title, "body": crlf(BODY), "summary": "One line.\rAnother line."},
        labels=["neurology"],
        disclosures=[
            {
                "person": "Ada",
                "relationship": Disclosure.Relationship.NONE,
                "statement": "Nothing.\r\nReally nothing.",
            }
        ],
        change_kind=Kind.DISCLOSURES,
        change_note="Disclosure reworded.",
    )
    post.refresh_from_db()
    assert post.body == BODY
    assert post.summary == "One line.\nAnother line."
    assert post.disclosures.get().statement == "Nothing.\nReally nothing."


def test_line_endings_alone_are_no_change_and_no_diff():
    before = {"body": BODY, "disclosures": [{"person": "A", "statement": "x\ny"}]}
    after = {"body": crlf(BODY), "disclosures": [{"person": "A", "statement": "x\r\ny"}]}
    assert compare_snapshots(before, after, fields=reader_fields()) == []
    from blog.corrections import changed_reader_fields

    assert changed_reader_fields(before, after) == []


# --- 2 and 5i. the date a changed post was last changed, for feeds and JSON-LD -------------
DOI = "10.1016/S0140-6736(12)61768-1"


def atom_updated(client, post, url="/feeds/atom/"):
    feed = feedparser.parse(client.get(url).content)
    (entry,) = [e for e in feed.entries if e.link.endswith(post.get_absolute_url())]
    return entry.updated


def ld(client, post):
    html = client.get(post.get_absolute_url()).content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    return json.loads(raw)


def iso(moment):
    return moment.replace(microsecond=0).isoformat()


@pytest.fixture
def cited(an_author):
    return make_post(
        author=an_author,
        doi=DOI,
        title="CARE-MS II",
        labels=["neurology"],
        published_at=timezone.now() - timedelta(days=30),
    )


def test_a_notice_recorded_by_hand_moves_updated_and_date_modified(client, cited):
    before = atom_updated(client, cited)
    assert before == cited.published_at.isoformat()
    notice = PaperNotice.objects.create(
        paper_doi=DOI.lower(), kind=PaperNotice.Kind.RETRACTION, date=date(2019, 3, 14)
    )
    recorded = notice.updated_at
    assert atom_updated(client, cited) == recorded.isoformat()
    assert atom_updated(client, cited, "/labels/neurology/feeds/atom/") == recorded.isoformat()
    data = ld(client, cited)
    assert data["dateModified"] == iso(recorded)
    assert data["datePublished"] == iso(cited.published_at)
    rss = client.get("/feeds/rss/").content.decode()
    assert "retracted" in rss.casefold()


def test_an_imported_notice_moves_updated_and_date_modified(client, cited, tmp_path):
    path = write_csv(tmp_path / "rw.csv", [rw_row()])
    run(path, "--no-email")
    recorded = PaperNotice.objects.get().updated_at
    assert atom_updated(client, cited) == recorded.isoformat()
    assert ld(client, cited)["dateModified"] == iso(recorded)


def test_a_minor_change_moves_neither_date(client, cited):
    post_upsert(
        slug=cited.slug,
        author=cited.author,
        fields={"title": cited.title, "body": "A typo fixed.", "summary": cited.summary},
        labels=["neurology"],
        disclosures=list(cited.disclosures.values("person", "relationship", "statement")),
        change_kind=Kind.MINOR,
    )
    html = client.get(cited.get_absolute_url()).content.decode()
    assert "Updated" not in html
    assert ld(client, cited)["dateModified"] == iso(cited.published_at)
    assert f'property="article:modified_time" content="{iso(cited.published_at)}"' in html
    assert atom_updated(client, cited) == cited.published_at.isoformat()


# --- 3. an import file in another encoding ------------------------------------------------
def test_a_file_in_another_encoding_names_its_line_and_the_option(tmp_path, cited):
    rows = [rw_row(**{"Record ID": str(n), "Reason": "+Error in Data;" * 5}) for n in range(300)]
    rows[199]["Institution"] = "Universit\u00e9 de Montr\u00e9al"
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=paper_status.RW_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "latin1.csv"
    path.write_bytes(text.getvalue().encode("latin-1"))
    assert path.stat().st_size > 3 * 8192  # the bad byte is blocks beyond the first

    with pytest.raises(CommandError) as excinfo:
        run(path, "--no-email")
    message = str(excinfo.value)
    assert "line 201:" in message  # the header, then row 200
    assert "byte 0xe9" in message and "not UTF-8" in message
    assert "--encoding latin-1" in message and "Nothing was changed" in message
    assert not PaperNotice.objects.exists()

    out, _ = run(path, "--no-email", "--encoding", "latin-1")
    assert "300 created" in out


def test_an_unknown_encoding_is_a_clear_error(tmp_path, cited):
    path = write_csv(tmp_path / "rw.csv", [rw_row()])
    with pytest.raises(CommandError, match="Unknown encoding 'klingon'"):
        run(path, "--encoding", "klingon")


# --- 4. the compare pages -----------------------------------------------------------------
LONG_BODY = "\n\n".join(f"Paragraph {i} of the write-up." for i in range(40))


def diff_html(html):
    return "".join(re.findall(r'<div class="diff">(.*?)</div>', html, re.S))


@pytest.fixture
def long_post(an_author):
    return make_post(author=an_author, title="A long write-up", body=LONG_BODY)


def test_unchanged_text_is_folded_on_all_three_compare_pages(admin_client, long_post):
    post = long_post
    changed = LONG_BODY.replace("Paragraph 20 of", "Paragraph twenty of")
    preview = admin_client.post(
        reverse("admin:blog_post_preview", args=[post.pk]),
        change_data(post, rows=existing_rows(post), body=changed),
    ).content.decode()
    edit_data = change_data(
        post,
        rows=existing_rows(post),
        body=crlf(changed),
        change_kind="correction",
        change_note="The paragraph number.",
    )
    assert admin_client.post(change_url(post), edit_data).status_code == 302
    number = post.revisions.get(announced=True).number
    year, month, slug = post.address_parts
    public = admin_client.get(
        reverse(
            "blog:post_change",
            kwargs={"year": year, "month": f"{month:02d}", "slug": slug, "number": number},
        )
    ).content.decode()
    admin = admin_client.get(
        reverse("admin:blog_post_revision_compare", args=[post.pk]),
        {"old": number - 1, "new": number},
    ).content.decode()
    for page in (preview, public, admin):
        shown = diff_html(page)
        assert "<del>20</del><ins>twenty</ins>" in shown
        assert "unchanged lines]" in shown
        assert "Paragraph 0 of" not in shown and "Paragraph 39 of" not in shown
        assert "Paragraph 19 of" in shown and "Paragraph 21 of" in shown  # context kept


def test_a_note_ending_in_a_full_stop_is_not_followed_by_another(admin_client, long_post):
    post = long_post
    data = change_data(
        post,
        rows=existing_rows(post),
        body="Short now.",
        change_kind="update",
        change_note="The body is merged.",
    )
    assert admin_client.post(change_url(post), data).status_code == 302
    number = post.revisions.get(announced=True).number
    html = admin_client.get(
        reverse("admin:blog_post_revision_compare", args=[post.pk]),
        {"old": number - 1, "new": number},
    ).content.decode()
    assert "The body is merged." in html
    assert "merged.." not in html


def test_a_changed_disclosure_is_shown_as_a_whole_line_removed_and_added():
    rows = [
        {"person": "Ada Lovelace", "relationship": "consultancy", "organisations": "Genzyme"},
        {"person": "Bea Smith", "relationship": "none", "statement": "Nothing."},
    ]
    changed = [{**rows[0], "organisations": "Genzyme, Bayer"}, rows[1]]
    ((name, diff),) = compare_snapshots(
        {"disclosures": rows}, {"disclosures": changed}, fields=["disclosures"]
    )
    assert diff.parts == [
        ("-", "Ada Lovelace: Consultancy (Genzyme)\n"),
        ("+", "Ada Lovelace: Consultancy (Genzyme, Bayer)\n"),
        ("=", "Bea Smith: Nothing to disclose. \u201cNothing.\u201d\n"),
    ]
    html = diff.changed_html()
    assert "<del>Ada Lovelace: Consultancy (Genzyme)\n</del>" in html
    assert "<ins>Ada Lovelace: Consultancy (Genzyme, Bayer)\n</ins>" in html


def test_the_body_is_still_diffed_word_by_word():
    ((name, diff),) = compare_snapshots(
        {"body": "The hazard ratio was 0.51."},
        {"body": "The hazard ratio was 0.15."},
        fields=["body"],
    )
    assert ("-", "51") in diff.parts and ("+", "15") in diff.parts


# --- 5. wording and the admin -------------------------------------------------------------
def test_a_body_change_without_a_note_is_refused_beside_the_note_only(admin_client, a_post):
    data = change_data(a_post, rows=existing_rows(a_post), body="New numbers.")
    response = admin_client.post(change_url(a_post), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "choose what kind of change" in html and "write a change note" in html
    assert "the disclosures changed" not in html
    assert "under \u201cChange note\u201d above" not in html
    a_post.refresh_from_db()
    assert a_post.body != "New numbers."
    assert a_post.revisions.count() <= 1


def test_the_refusals_name_the_fields_to_fill_as_the_form_labels_them(admin_client, a_post):
    """The admin's summary says only "Please correct the errors below.": each error names
    the field it is about, by the label the author sees (found by a tryout)."""
    data = change_data(a_post, rows=existing_rows(a_post), body="New numbers.")
    html = admin_client.post(change_url(a_post), data).content.decode()
    assert "choose what kind of change this is in \u201cKind of change\u201d" in html
    assert "saying what changed and why in \u201cChange note\u201d" in html


def test_a_disclosure_change_without_a_note_is_refused_beside_the_disclosures(admin_client, a_post):
    rows = existing_rows(a_post)
    rows[0]["statement"] = "I consult for Genzyme."
    response = admin_client.post(change_url(a_post), change_data(a_post, rows=rows))
    html = response.content.decode()
    assert response.status_code == 200
    assert "the disclosures changed" in html
    assert a_post.disclosures.get().statement == "I have nothing to disclose."


def test_the_change_fields_are_capitalised_like_the_rest(admin_client, a_post):
    html = admin_client.get(change_url(a_post)).content.decode()
    assert ">Kind of change:</label>" in html and ">Change note:</label>" in html
    assert "kind of change:" not in html and ">change note:" not in html
    form = RestoreForm()
    assert (form["change_kind"].label, form["change_note"].label) == (
        "Kind of change",
        "Change note",
    )


def test_preview_changes_is_beside_both_save_rows(admin_client, a_post):
    html = admin_client.get(change_url(a_post)).content.decode()
    assert html.count('value="Preview changes"') == 2
    assert html.count('name="_save"') == 2


def test_the_restore_page_shows_what_the_restore_will_change(admin_client, a_draft):
    first = a_draft.body
    data = change_data(a_draft, rows=existing_rows(a_draft), body="Relapses fell by <b>49%</b>.")
    assert admin_client.post(change_url(a_draft), data).status_code == 302
    url = reverse("admin:blog_post_revision_restore", args=[a_draft.pk, 1])
    html = admin_client.get(url).content.decode()
    shown = diff_html(html)
    assert "<del>Relapses fell by &lt;b&gt;49%&lt;/b&gt;</del>" in shown
    assert f"<ins>{first.rstrip('.')}</ins>" in shown
    assert "What the restore will change" in html
    latest = a_draft.revisions.order_by("-number").first().number
    same = reverse("admin:blog_post_revision_restore", args=[a_draft.pk, latest])
    assert "already says what revision" in admin_client.get(same).content.decode()


@pytest.fixture
def imported_notice(tmp_path, cited):
    run(write_csv(tmp_path / "rw.csv", [rw_row()]), "--no-email")
    return PaperNotice.objects.get()


def test_an_imported_notice_is_shown_without_save_buttons(admin_client, imported_notice):
    url = reverse("admin:blog_papernotice_change", args=[imported_notice.pk])
    response = admin_client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert DOI.lower() in html
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert 'name="_addanother"' not in html
    forged = admin_client.post(url, {"paper_doi": "10.1000/other", "kind": "correction"})
    assert forged.status_code == 403
    imported_notice.refresh_from_db()
    assert imported_notice.paper_doi == DOI.lower()


def test_a_notice_recorded_by_hand_can_still_be_edited(admin_client, cited):
    notice = PaperNotice.objects.create(paper_doi=DOI.lower(), kind="correction")
    html = admin_client.get(
        reverse("admin:blog_papernotice_change", args=[notice.pk])
    ).content.decode()
    assert 'name="_save"' in html and 'name="paper_doi"' in html


def test_the_notices_list_offers_no_bulk_delete(admin_client, imported_notice):
    html = admin_client.get(reverse("admin:blog_papernotice_changelist")).content.decode()
    assert DOI.lower() in html
    assert "delete_selected" not in html
    response = admin_client.post(
        reverse("admin:blog_papernotice_changelist"),
        {"action": "delete_selected", "_selected_action": [imported_notice.pk]},
    )
    assert response.status_code in (200, 302)
    assert PaperNotice.objects.filter(pk=imported_notice.pk).exists()


def test_the_notice_email_names_the_paper_and_leads_with_the_new_notice(
    tmp_path, an_author, django_capture_on_commit_callbacks
):
    make_post(
        author=an_author,
        doi=DOI,
        title="CARE-MS II",
        source_title="Alemtuzumab versus interferon beta 1a",
    )
    PaperNotice.objects.create(
        paper_doi=DOI.lower(),
        kind=PaperNotice.Kind.CORRECTION,
        date=date(2013, 1, 5),
        notice_doi="10.1016/S0140-6736(13)00001-1",
    )
    with django_capture_on_commit_callbacks(execute=True):
        run(write_csv(tmp_path / "rw.csv", [rw_row()]))
    (message,) = mail.outbox
    body = message.body
    assert "Paper: Alemtuzumab versus interferon beta 1a" in body
    assert f"DOI: {DOI}" in body
    new = "New notice: Retraction (2019-03-14): https://doi.org/10.1016/S0140-6736(19)30000-1"
    earlier = (
        "Earlier notices:\n  Correction (2013-01-05): https://doi.org/10.1016/S0140-6736(13)00001-1"
    )
    assert new in body and earlier in body
    assert body.index(new) < body.index(earlier) < body.index("CARE-MS II")
