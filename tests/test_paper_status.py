"""The paper's status: notices imported from the Retraction Watch CSV (or recorded by an
editor) show on the post, in both feeds and in the JSON-LD, and authors are told."""

import csv
import io
import json
import re

import feedparser
import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blog import paper_status
from blog.dois import normalise_doi
from blog.models import PaperNotice, Post
from tests.factories import make_post, make_user
from tests.strategies import any_script_paragraphs, any_script_text

pytestmark = pytest.mark.django_db

DOI = "10.1016/S0140-6736(12)61768-1"


def rw_row(**values):
    row = dict.fromkeys(paper_status.RW_COLUMNS, "")
    row.update(
        {
            "Record ID": "1001",
            "Title": "Alemtuzumab versus interferon beta 1a",
            "Journal": "The Lancet",
            "URLS": "https://retractionwatch.com/2013/01/01/example/",
            "RetractionDate": "3/14/2019 0:00",
            "RetractionDOI": "10.1016/S0140-6736(19)30000-1",
            "OriginalPaperDOI": DOI,
            "RetractionNature": "Retraction",
            "Reason": "+Error in Data;",
            "Paywalled": "No",
        }
    )
    row.update(values)
    return row


def write_csv(path, rows, *, columns=paper_status.RW_COLUMNS):
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_paper_status", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot_of_notices():
    return sorted(
        PaperNotice.objects.values_list(
            "record_id", "paper_doi", "kind", "notice_doi", "notice_url", "date", "reason"
        )
    )


@pytest.fixture
def cited(an_author):
    return make_post(author=an_author, doi=DOI, title="CARE-MS II")


def json_ld(html):
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    return json.loads(raw)


# --- DOIs -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "doi"),
    [
        (DOI, DOI.lower()),
        (" doi:10.1016/S0140-6736(12)61768-1 ", DOI.lower()),
        ("https://doi.org/10.1016/S0140-6736(12)61768-1", DOI.lower()),
        ("unavailable", ""),
        ("", ""),
        ("10.1/x", ""),
    ],
)
def test_dois_are_matched_in_one_spelling(text, doi):
    assert normalise_doi(text) == doi


def test_a_post_keeps_its_doi_as_written_and_matches_in_lower_case(cited):
    assert cited.doi == DOI and cited.paper_doi == DOI.lower()


# --- the import -----------------------------------------------------------------------
def test_import_records_notices_and_a_second_run_changes_nothing(tmp_path, cited):
    path = write_csv(
        tmp_path / "rw.csv",
        [
            rw_row(),
            rw_row(
                **{
                    "Record ID": "1002",
                    "OriginalPaperDOI": "10.1234/other.1",
                    "RetractionNature": "Correction",
                }
            ),
            rw_row(**{"Record ID": "1003", "OriginalPaperDOI": "unavailable"}),
        ],
    )
    out, _ = run(path, "--no-email")
    assert "2 created, 0 changed, 0 unchanged, 1 skipped" in out
    first = snapshot_of_notices()
    notice = PaperNotice.objects.get(record_id="1001")
    assert (notice.paper_doi, notice.kind) == (DOI.lower(), "retraction")
    assert notice.date.isoformat() == "2019-03-14"
    assert notice.source == PaperNotice.Source.RETRACTION_WATCH

    out, _ = run(path, "--no-email")
    assert "0 created, 0 changed, 2 unchanged" in out
    assert snapshot_of_notices() == first


def test_a_changed_row_is_reported_and_updated(tmp_path, cited):
    run(write_csv(tmp_path / "a.csv", [rw_row()]), "--no-email")
    out, _ = run(
        write_csv(tmp_path / "b.csv", [rw_row(RetractionNature="Expression of concern")]),
        "--no-email",
    )
    assert "0 created, 1 changed, 0 unchanged" in out
    assert PaperNotice.objects.get().kind == "expression_of_concern"


def test_dois_in_any_case_match_the_post(tmp_path, client, cited):
    run(write_csv(tmp_path / "rw.csv", [rw_row(OriginalPaperDOI=DOI.upper())]), "--no-email")
    assert "has been retracted" in client.get(cited.get_absolute_url()).content.decode()


def test_duplicate_rows_are_counted_and_stored_once(tmp_path, cited):
    out, _ = run(write_csv(tmp_path / "rw.csv", [rw_row(), rw_row()]), "--no-email")
    assert "1 created" in out and "1 duplicate rows" in out
    assert PaperNotice.objects.count() == 1


def test_the_same_notice_twice_shows_once(tmp_path, client, cited):
    run(write_csv(tmp_path / "rw.csv", [rw_row(), rw_row(**{"Record ID": "2002"})]), "--no-email")
    html = client.get(cited.get_absolute_url()).content.decode()
    assert PaperNotice.objects.count() == 2
    assert html.count("read the notice") == 1


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([rw_row(), rw_row(RetractionNature="Withdrawn by the cat")], "line 3: RetractionNature"),
        ([rw_row(), rw_row(RetractionDate="the fourteenth of March")], "line 3: RetractionDate"),
        ([rw_row(), rw_row(**{"Record ID": ""})], "line 3: the Record ID"),
    ],
)
def test_a_malformed_row_stops_the_import_and_changes_nothing(tmp_path, cited, rows, message):
    run(write_csv(tmp_path / "before.csv", [rw_row(Reason="kept")]), "--no-email")
    before = snapshot_of_notices()
    rows = [rw_row(Reason="new reason"), *rows[1:]]
    with pytest.raises(CommandError) as excinfo:
        run(write_csv(tmp_path / "rw.csv", rows))
    assert message in str(excinfo.value) and "Nothing was changed" in str(excinfo.value)
    assert snapshot_of_notices() == before


def test_a_row_with_missing_or_extra_fields_is_refused(tmp_path, cited):
    path = tmp_path / "ragged.csv"
    good = io.StringIO()
    csv.writer(good).writerows([paper_status.RW_COLUMNS, list(rw_row().values())])
    path.write_text(good.getvalue() + "1003,too,few\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 3: the row does not have the header's 20"):
        run(path)
    assert not PaperNotice.objects.exists()


def test_a_file_without_the_columns_is_refused(tmp_path):
    path = write_csv(tmp_path / "x.csv", [{"a": 1}], columns=["a", "b"])
    with pytest.raises(CommandError, match="lacks the column"):
        run(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"Record ID,OriginalPaperDOI\n\xff\xfe\x00bad", "not UTF-8")],
)
def test_an_unreadable_file_is_refused(tmp_path, content, message):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(path)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "nope.csv")


def test_the_file_is_read_in_batches(tmp_path, monkeypatch, db):
    rows = [rw_row(**{"Record ID": str(n), "OriginalPaperDOI": f"10.1234/p{n}"}) for n in range(25)]
    sizes = []
    real = paper_status._store

    def spy(batch, report):
        sizes.append(len(batch))
        return real(batch, report)

    monkeypatch.setattr(paper_status, "_store", spy)
    with open(write_csv(tmp_path / "rw.csv", rows), encoding="utf-8", newline="") as stream:
        report = paper_status.import_notices(stream, batch_size=10)
    assert sizes == [10, 10, 5] and report.created == 25


def test_a_progress_line_when_asked(tmp_path, db):
    _, err = run(write_csv(tmp_path / "rw.csv", [rw_row()]), "--progress", "always", "--no-email")
    assert "100%" in err
    assert err.count("\n") == 1 and err.startswith("\rImporting [")  # one line, redrawn
    _, err = run(write_csv(tmp_path / "rw.csv", [rw_row()]), "--no-email")
    assert err == ""  # not a terminal


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(values=st.lists(st.text(max_size=30), min_size=5, max_size=5))
def test_hostile_values_never_crash_the_import(tmp_path, values):
    """Any text in the columns: imported, skipped or refused with a clear error."""
    keys = ("RetractionNature", "RetractionDate", "OriginalPaperDOI", "RetractionDOI", "URLS")
    row = rw_row(**dict(zip(keys, values, strict=True)))
    path = write_csv(tmp_path / "h.csv", [row])
    try:
        run(path, "--no-email")
    except CommandError as exc:
        assert "line 2" in str(exc)


# --- on the page, in the feeds, in the JSON-LD ------------------------------------------
@pytest.fixture
def retracted(tmp_path, cited):
    run(write_csv(tmp_path / "rw.csv", [rw_row()]), "--no-email")
    return cited


def test_the_notice_is_at_the_top_of_the_post(client, retracted):
    html = client.get(retracted.get_absolute_url()).content.decode()
    banner = re.search(r'<aside class="paper-status.*?</aside>', html, re.S).group(0)
    assert html.index("paper-status") < html.index('id="post-title"')
    assert "has been retracted" in banner
    assert 'datetime="2019-03-14"' in banner
    assert 'href="https://doi.org/10.1016/S0140-6736(19)30000-1"' in banner


def test_a_later_correction_does_not_hide_a_retraction(tmp_path, client, cited):
    rows = [
        rw_row(),
        rw_row(
            **{
                "Record ID": "5",
                "RetractionNature": "Correction",
                "RetractionDate": "1/1/2021 0:00",
                "RetractionDOI": "10.1234/c.5",
            }
        ),
    ]
    run(write_csv(tmp_path / "rw.csv", rows), "--no-email")
    html = client.get(cited.get_absolute_url()).content.decode()
    assert "has been retracted" in html and html.count("read the notice") == 2


def test_the_notice_is_in_both_feeds(client, retracted):
    atom = feedparser.parse(client.get(reverse("blog:feed_atom")).content).entries[0]
    assert "has been retracted" in atom.content[0].value
    rss = feedparser.parse(client.get(reverse("blog:feed_rss")).content).entries[0]
    assert "has been retracted" in rss.description


def test_the_notice_is_in_the_json_ld(client, retracted):
    data = json_ld(client.get(retracted.get_absolute_url()).content.decode())
    assert data["citation"]["creativeWorkStatus"] == "Retracted"
    (notice,) = data["citation"]["correction"]
    assert notice == {
        "@type": "CorrectionComment",
        "text": "Retraction",
        "datePublished": "2019-03-14",
        "url": "https://doi.org/10.1016/S0140-6736(19)30000-1",
    }


def test_a_post_without_a_notice_shows_none(client, cited):
    html = client.get(cited.get_absolute_url()).content.decode()
    assert "paper-status" not in html
    assert "creativeWorkStatus" not in html


def test_the_page_cache_shows_an_imported_notice_at_once(tmp_path, client, cited, settings):
    settings.PAGE_CACHE_SECONDS = 300
    client.get(cited.get_absolute_url())
    run(write_csv(tmp_path / "rw.csv", [rw_row()]), "--no-email")
    assert "has been retracted" in client.get(cited.get_absolute_url()).content.decode()


def test_post_page_queries_do_not_grow_with_notices(client, cited, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run(write_csv(tmp_path / "a.csv", [rw_row()]), "--no-email")
    client.get(cited.get_absolute_url())
    with CaptureQueriesContext(connection) as one:
        client.get(cited.get_absolute_url())
    rows = [rw_row(**{"Record ID": str(n), "RetractionDOI": f"10.1234/n.{n}"}) for n in range(30)]
    run(write_csv(tmp_path / "b.csv", rows), "--no-email")
    client.get(cited.get_absolute_url())
    with CaptureQueriesContext(connection) as many:
        client.get(cited.get_absolute_url())
    assert len(many) == len(one)


# --- authors are told -------------------------------------------------------------------
def test_authors_of_published_posts_are_emailed_once(
    tmp_path, an_author, cited, django_capture_on_commit_callbacks
):
    make_post(author=an_author, doi=DOI.upper(), title="A second look")
    make_post(author=an_author, doi=DOI, status=Post.Status.DRAFT, title="Unpublished")
    with django_capture_on_commit_callbacks(execute=True):
        out, _ = run(write_csv(tmp_path / "rw.csv", [rw_row()]))
    assert "1 author(s) emailed" in out
    (message,) = mail.outbox
    assert message.to == [an_author.email]
    assert "CARE-MS II" in message.body and "A second look" in message.body
    assert "Unpublished" not in message.body
    assert "Retraction (2019-03-14): https://doi.org/10.1016/S0140-6736(19)30000-1" in message.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run(write_csv(tmp_path / "rw.csv", [rw_row()]))
    assert mail.outbox == []  # nothing changed, nobody told again


class BrokenMailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")


def test_a_mail_failure_does_not_undo_the_import(
    tmp_path, cited, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenMailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        out, _ = run(write_csv(tmp_path / "rw.csv", [rw_row()]))
    assert "1 author(s) emailed" in out  # queued; the worker's sending failed
    assert "a paper you wrote about has a new notice" in caplog.text
    assert "mail server down" in caplog.text
    assert PaperNotice.objects.count() == 1


# --- an editor records a notice by hand -------------------------------------------------
def test_an_editor_records_a_notice_in_the_admin(client, cited, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Group

    editor = make_user(username="ed", staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    url = reverse("admin:blog_papernotice_add")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "paper_doi": f"https://doi.org/{DOI.upper()}",
                "kind": "expression_of_concern",
                "date": "2024-05-01",
                "notice_doi": "",
                "notice_url": "https://journal.example.org/eoc",
                "reason": "",
            },
        )
    assert response.status_code == 302
    notice = PaperNotice.objects.get()
    assert (notice.paper_doi, notice.source) == (DOI.lower(), "editor")
    assert len(mail.outbox) == 1
    client.logout()
    html = client.get(cited.get_absolute_url()).content.decode()
    assert "expression of concern" in html
    assert 'href="https://journal.example.org/eoc"' in html


def test_the_admin_refuses_a_notice_without_a_doi(admin_client, db):
    response = admin_client.post(
        reverse("admin:blog_papernotice_add"),
        {
            "paper_doi": "not a doi",
            "kind": "retraction",
            "date": "",
            "notice_doi": "",
            "notice_url": "javascript:alert(1)",
            "reason": "",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a DOI" in html and "Enter a valid URL" in html
    assert not PaperNotice.objects.exists()


def test_imported_notices_are_read_only_in_the_admin(admin_client, tmp_path, cited):
    run(write_csv(tmp_path / "rw.csv", [rw_row()]), "--no-email")
    notice = PaperNotice.objects.get()
    url = reverse("admin:blog_papernotice_change", args=[notice.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="paper_doi"' not in html
    delete = reverse("admin:blog_papernotice_delete", args=[notice.pk])
    assert admin_client.get(delete).status_code == 403


@pytest.fixture
def admin_client(client, a_superuser):
    client.force_login(a_superuser)
    return client


def test_authors_and_moderators_may_not_record_notices(client, an_author):
    client.force_login(an_author)
    assert client.get(reverse("admin:blog_papernotice_add")).status_code == 403
    assert client.get(reverse("admin:blog_papernotice_changelist")).status_code == 403


def test_a_new_notice_changes_the_feed_validators(tmp_path, client, cited):
    url = reverse("blog:feed_rss")
    etag = client.get(url)["ETag"]
    run(write_csv(tmp_path / "rw.csv", [rw_row()]), "--no-email")
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert "has been retracted" in response.content.decode()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(doi=any_script_text(max_size=60), reason=any_script_paragraphs(max_size=300))
def test_any_text_in_the_notice_form_is_an_error_or_kept(admin_client, doi, reason):
    response = admin_client.post(
        reverse("admin:blog_papernotice_add"),
        {
            "paper_doi": doi,
            "kind": "correction",
            "date": "",
            "notice_doi": "",
            "notice_url": "",
            "reason": reason,
        },
    )
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        notice = PaperNotice.objects.latest("pk")
        assert notice.paper_doi == normalise_doi(doi) and notice.reason == reason.strip()
    else:
        assert "Enter a DOI" in response.content.decode() or "Null" in response.content.decode()
