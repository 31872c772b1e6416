"""A second import of the same blog (issue 17 tryout): posts edited here since their import
are left alone unless --overwrite, and the report names each one."""

import pytest
from django.core.management import call_command

from blog import services as blog_services
from blog.models import Post
from imports.pipeline import import_parsed
from tests.test_import_pipeline import item, wxr


def edit_here(post, body):
    blog_services.post_upsert(
        slug=post.slug,
        author=post.author,
        fields={"body": body},
        labels=list(post.tags.names()),
        disclosures=list(
            post.disclosures.values("person", "relationship", "organisations", "statement")
        ),
    )


@pytest.mark.django_db
def test_a_post_edited_here_is_left_alone_and_named():
    import_parsed(wxr(item(title="Kept", body_html="<p>Old.</p>"), item("2", title="Other")))
    edit_here(Post.objects.get(title="Kept"), "Edited here.")
    report = import_parsed(
        wxr(
            item(title="Kept", body_html="<p>New.</p>"), item("2", title="Other", body_html="New 2")
        )
    )
    assert Post.objects.get(title="Kept").body == "Edited here."
    assert Post.objects.get(title="Other").body == "New 2"
    assert report.total("post", "kept") == 1
    assert report.total("post", "updated") == 1
    assert any(line.startswith("post \u201cKept\u201d was edited here") for line in report.lines)


@pytest.mark.django_db
def test_overwrite_replaces_the_edit_and_says_so():
    import_parsed(wxr(item(title="Kept", body_html="<p>Old.</p>")))
    edit_here(Post.objects.get(), "Edited here.")
    report = import_parsed(wxr(item(title="Kept", body_html="<p>New.</p>")), overwrite=True)
    assert Post.objects.get().body == "New."
    assert report.total("post", "updated") == 1
    assert any("replaced (--overwrite)" in line for line in report.lines)


@pytest.mark.django_db
def test_an_unedited_post_is_still_updated_and_an_unchanged_one_stays_unchanged():
    import_parsed(wxr(item(body_html="<p>Old.</p>"), item("2")))
    report = import_parsed(wxr(item(body_html="<p>New.</p>"), item("2")))
    assert report.total("post", "updated") == 1
    assert report.total("post", "unchanged") == 1
    assert report.total("post", "kept") == 0


@pytest.mark.django_db
def test_the_command_takes_overwrite(tmp_path):
    path = tmp_path / "blog.xml"
    path.write_text(
        '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<wp:wxr_version>1.2</wp:wxr_version><link>http://old.example.org</link>"
        "<item><title>T</title><wp:post_id>1</wp:post_id><wp:post_type>post</wp:post_type>"
        "<wp:status>draft</wp:status><content:encoded>Old</content:encoded></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    call_command("import_wxr", str(path))
    edit_here(Post.objects.get(), "Edited here.")
    call_command("import_wxr", str(path))
    assert Post.objects.get().body == "Edited here."
    call_command("import_wxr", str(path), "--overwrite")
    assert Post.objects.get().body == "Old"
