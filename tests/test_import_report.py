"""The import report an operator reads (issue 17 tryout 14)."""

from io import StringIO

import pytest
from django.core.management import call_command

from imports.pipeline import import_parsed
from tests.test_import_pipeline import item, wxr

DATA = "tests/data/imports/"


@pytest.mark.django_db
def test_the_report_counts_published_labels_and_addresses():
    report = import_parsed(
        wxr(
            item("1", labels=("Ménière", "MS"), old_urls=("http://old.example.org/a/",)),
            item("2", labels=("MS",), old_urls=("http://old.example.org/b/",)),
        ),
        publish_with_disclosure="None.",
    )
    text = report.as_text()
    assert text.startswith("Import of a WordPress (WXR) file:")
    assert "posts: 2 created, 2 published" in text
    assert "labels: 2 created" in text
    assert "old addresses: 2 created" in text


@pytest.mark.django_db
def test_image_lines_name_their_post_and_lines_are_grouped():
    body = '<p><img src="http://old.example.org/a.png" alt="A"></p>'
    report = import_parsed(wxr(item("1", title="Pictures", body_html=body)))
    text = report.as_text()
    assert "  Images (1):" in text
    assert (
        "post \u201cPictures\u201d: image left as a link (no --media folder): "
        "http://old.example.org/a.png"
    ) in text


@pytest.mark.django_db
def test_skipped_entries_are_counted_per_entry_not_per_kind(tmp_path):
    attachments = "".join(
        f"<item><title>A{n}</title><wp:post_id>{100 + n}</wp:post_id>"
        "<wp:post_type>attachment</wp:post_type></item>"
        for n in range(5)
    )
    menu = "<item><wp:post_id>200</wp:post_id><wp:post_type>nav_menu_item</wp:post_type></item>"
    path = tmp_path / "x.xml"
    path.write_text(
        '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        f"<wp:wxr_version>1.2</wp:wxr_version>{attachments}{menu}</channel></rss>",
        encoding="utf-8",
    )

    out = StringIO()
    call_command("import_wxr", str(path), stdout=out)
    text = out.getvalue()
    assert "entries: 6 skipped" in text
    assert "Skipped (2):" in text and "attachment: 5 items skipped" in text


@pytest.mark.django_db
def test_a_blogger_report_is_named_blogger():
    out = StringIO()
    call_command("import_blogger", DATA + "blogger-small.xml", stdout=out)
    assert out.getvalue().startswith("Import of a Blogger file:")
