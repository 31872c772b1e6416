"""Which blog a file comes from (issue 17 tryout 11): two blogs exported from localhost are
different blogs; this site's own export read back updates its posts, never duplicates."""

from io import StringIO

import pytest
from django.core.management import call_command

from blog.models import Post
from comments.models import Comment
from imports.models import ImportedItem
from imports.pipeline import import_parsed
from imports.records import ParsedFile
from tests.factories import make_post, make_user
from tests.test_import_pipeline import item


def local_blog(title, *items):
    return ParsedFile(
        format="wxr", site_url="http://localhost/", site_title=title, items=list(items)
    )


@pytest.mark.django_db
def test_two_local_blogs_with_their_own_titles_are_two_blogs():
    import_parsed(local_blog("Small export", item("1", title="Small")))
    report = import_parsed(local_blog("Theme test data", item("1", title="Theme")))
    assert sorted(Post.objects.values_list("title", flat=True)) == ["Small", "Theme"]
    assert report.total("post", "created") == 1
    assert any("a local one" in line and "Theme test data" in line for line in report.lines)


@pytest.mark.django_db
def test_a_row_from_before_the_title_counted_is_adopted_not_duplicated():
    import_parsed(local_blog("", item("1", title="Once")))
    ImportedItem.objects.update(source_site="http://localhost/")  # as older imports stored it
    report = import_parsed(local_blog("Blog", item("1", title="Once")))
    assert Post.objects.count() == 1
    assert report.total("post", "unchanged") == 1
    assert set(ImportedItem.objects.values_list("source_site", flat=True)) == {
        "http://localhost/ | Blog"
    }


@pytest.mark.django_db
def test_the_sites_own_export_read_back_updates_its_posts(settings, tmp_path):
    author = make_user(username="alice")
    post = make_post(author=author, title="Own post", slug="own-post", body="Mine.")
    Comment.objects.create(post=post, name="Reader", email="r@example.org", body="Hi.")
    path = tmp_path / "site.xml"
    call_command("export_wxr", "-o", str(path), stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("import_wxr", str(path), stdout=out, stderr=StringIO())
    assert Post.objects.count() == 1
    assert Comment.objects.count() == 1
    assert "posts: 1 unchanged" in out.getvalue()
    call_command("import_wxr", str(path), stdout=StringIO(), stderr=StringIO())
    assert Post.objects.count() == 1 and Comment.objects.count() == 1
