"""The WordPress (WXR) importer: the parser's records, the command end to end, hostile files.

The files in tests/data/imports/wxr-*.xml were written for these tests, following WXR 1.0,
1.1 and 1.2 as WordPress (and WordPress.com) write them.
"""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from blog.models import Label, Post
from comments.models import Comment
from imports.models import ImportedItem, LegacyAddress
from imports.records import CommentStatus, ItemKind, ItemStatus
from imports.safe_xml import ImportFileError
from imports.wxr import parse_wxr
from imports.wxr_export import as_html, cdata
from tests.strategies import any_script_text

DATA = Path(__file__).parent / "data" / "imports"
BLOG = DATA / "wxr-1.2-blog.xml"
UTC = dt.UTC


def by_id(parsed):
    return {item.source_id: item for item in parsed.items}


def run_import(path, *args):
    from io import StringIO

    out = StringIO()
    call_command("import_wxr", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def content_counts():
    return (
        Post.objects.count(),
        Comment.objects.count(),
        Label.objects.count(),
        get_user_model().objects.count(),
        ImportedItem.objects.count(),
        LegacyAddress.objects.count(),
    )


# --- The parser ------------------------------------------------------------------------------
class TestBlogFile:
    @pytest.fixture
    def parsed(self, settings):
        settings.TIME_ZONE = "Europe/Athens"
        return parse_wxr(BLOG)

    def test_channel_and_authors(self, parsed):
        assert parsed.format == "wxr"
        assert parsed.site_url == "https://old.example.org/blog"  # the blog's, not the network's
        assert parsed.site_title == "Νευρολογία & trials"
        assert [(a.login, a.display_name, a.email) for a in parsed.authors] == [
            ("alice", "Alice Ångström", "alice@example.org"),
            ("Bob", "Bob", "bob@example.org"),
        ]

    def test_kinds_and_statuses(self, parsed):
        items = by_id(parsed)
        assert {key: item.status for key, item in items.items()} == {
            "10": ItemStatus.PUBLISHED,
            "11": ItemStatus.DRAFT,
            "12": ItemStatus.SCHEDULED,
            "13": ItemStatus.DRAFT,  # password-protected: never published
            "14": ItemStatus.PRIVATE,
            "15": ItemStatus.PENDING,
            "16": ItemStatus.TRASH,
            "2": ItemStatus.PUBLISHED,
            "10~2": ItemStatus.DRAFT,
        }
        assert items["2"].kind == ItemKind.PAGE
        assert items["10"].kind == ItemKind.POST
        assert any("password-protected" in line for line in items["13"].problems)

    def test_other_kinds_are_skipped_and_counted(self, parsed):
        assert "attachment: 2 items skipped" in "\n".join(parsed.skipped)
        assert any(line.startswith("nav_menu_item: 1 item skipped") for line in parsed.skipped)
        assert any(line.startswith("product: 1 item skipped (a custom") for line in parsed.skipped)
        assert any("categories and tags: 1 used by no post" in line for line in parsed.skipped)

    def test_duplicate_ids(self, parsed):
        """A second copy (same title and date) is skipped; a different post reusing the
        id is kept under an id of its own, as WordPress's importer keeps both."""
        assert any("a second copy of item '10'" in line for line in parsed.skipped)
        second = by_id(parsed)["10~2"]
        assert second.title == "A second copy of CARE-MS II"
        assert any("used twice" in line for line in second.problems)
        assert [item.source_id for item in parsed.items].count("10") == 1

    def test_text_fields(self, parsed):
        post = by_id(parsed)["10"]
        assert post.title == "CARE-MS II: alemtuzumab & relapses"  # unescaped once
        assert post.body_html.startswith("First paragraph with <strong>bold</strong>.")
        assert "p<0·001 & n=202" in post.body_html  # as in the file: the pipeline converts
        assert post.excerpt == "Alemtuzumab vs interferon &amp; more"
        assert post.slug == "care-ms-ii"
        assert by_id(parsed)["12"].slug == "οκρελιζουμάμπη"  # WordPress percent-encodes

    def test_labels(self, parsed):
        """Categories and tags (Unicode, unescaped); post formats are not labels."""
        assert by_id(parsed)["10"].labels == ("Σκλήρυνση κατά πλάκας", "Ménière", "Trials & errors")
        assert by_id(parsed)["11"].labels == ("Ménière",)

    def test_dates(self, parsed):
        items = by_id(parsed)
        assert items["10"].published_at == dt.datetime(2012, 11, 24, 9, 30, tzinfo=UTC)
        assert items["10"].updated_at == dt.datetime(2013, 1, 2, 9, 0, tzinfo=UTC)
        # No GMT date (a draft): the local date, read in this site's time zone (UTC+2).
        assert items["11"].published_at == dt.datetime(2013, 3, 1, 6, 15, tzinfo=UTC)
        assert items["11"].problems == ()
        # The zero timestamp (1970-01-01 GMT, 1969-12-31 16:00 local) and odd formats.
        for key in ("14", "15"):
            assert items[key].published_at is None
            assert any("no usable date" in line for line in items[key].problems)
        assert "'not a date'" in " ".join(items["15"].problems)

    def test_old_addresses(self, parsed):
        """The permalink (its line breaks trimmed), a permalink guid and ?p=<id>."""
        items = by_id(parsed)
        assert items["10"].old_urls == (
            "https://old.example.org/blog/2012/11/24/care-ms-ii/",
            "https://old.example.org/blog/?p=10",
        )
        assert "https://old.example.org/blog/members-only-guid/" in items["13"].old_urls
        assert "https://old.example.org/blog/?page_id=2" in items["2"].old_urls
        for item in parsed.items:
            assert all(url == "".join(url.split()) for url in item.old_urls)

    def test_authors_of_items(self, parsed):
        items = by_id(parsed)
        assert items["10"].author_login == "alice"
        assert items["11"].author_login == "Bob"  # "bob": logins match without case
        assert items["12"].author_login == "alice"  # ">alice", mended with a line
        assert "'>alice' is malformed" in items["12"].problems[0]
        assert items["13"].author_login == "alice"  # "mallory": the first author, with a line
        assert any("'mallory' matches no author" in line for line in items["13"].problems)

    def test_comments(self, parsed):
        post = by_id(parsed)["10"]
        comments = {c.source_id: c for c in post.comments}
        assert {key: c.status for key, c in comments.items()} == {
            "101": CommentStatus.APPROVED,
            "102": CommentStatus.APPROVED,
            "103": CommentStatus.APPROVED,
            "104": CommentStatus.HELD,
            "105": CommentStatus.SPAM,
            "106": CommentStatus.REJECTED,
            "107": CommentStatus.APPROVED,
            "108": CommentStatus.APPROVED,
        }
        assert comments["107"].kind == "pingback"
        assert comments["101"].author_name == "Zoë"
        assert comments["101"].author_ip == "192.0.2.1"
        assert comments["101"].created_at == dt.datetime(2012, 11, 25, 10, 0, tzinfo=UTC)
        assert comments["108"].created_at is None
        # Threading: 103 replies to 102, which replies to 101; parents come first.
        assert comments["102"].parent_source_id == "101"
        assert comments["103"].parent_source_id == "102"
        order = [c.source_id for c in post.comments]
        assert order.index("101") < order.index("102") < order.index("103")
        # The orphan becomes top-level; the duplicate id is dropped, the first kept.
        assert comments["108"].parent_source_id == ""
        assert comments["101"].body_html == "Approved, top level."
        problems = "\n".join(post.problems)
        assert "comment 108: parent 999 is not in this post" in problems
        assert "comment 101: duplicate wp:comment_id" in problems
        assert "comment 108: no usable date" in problems


def test_wxr_1_0_from_wordpress_com():
    """No author list (the creators are the authors), drafts as a post type dated at the
    zero timestamp, tags as domain="tag", categories without a domain."""
    parsed = parse_wxr(DATA / "wxr-1.0-wordpress-com.xml")
    assert parsed.site_url == "http://testbed.wordpress.com"
    assert [a.login for a in parsed.authors] == ["jj"]
    draft, post = parsed.items
    assert (draft.status, draft.kind, draft.published_at) == (ItemStatus.DRAFT, ItemKind.POST, None)
    assert "'1969-12-31 16:00:00'" in draft.problems[0]
    assert draft.labels == ("Uncategorized",)
    assert post.labels == ("Everything",)  # "Everything" and "everything" are one label
    assert post.title == "Favorite things, \u2018old\u2019 and new"
    assert post.comments[0].author_url == "http://"  # the pipeline drops invalid addresses


def test_wxr_1_1_crlf_and_loops():
    path = DATA / "wxr-1.1-crlf-loops.xml"
    assert path.read_bytes().count(b"\r\n") > 20  # the file keeps its Windows line endings
    parsed = parse_wxr(path)
    (item,) = parsed.items
    assert item.slug == "hello-world"
    assert item.labels == ("alpha",)  # a custom taxonomy is not a label
    comments = {c.source_id: c for c in item.comments}
    assert set(comments) == {"1", "2", "4"}  # the webmention is skipped
    # 1 -> 2 -> 1 is cut at 1; 4 replies to itself: no comment is its own ancestor.
    assert comments["1"].parent_source_id == ""
    assert comments["2"].parent_source_id == "1"
    assert comments["4"].parent_source_id == ""
    assert comments["4"].status == CommentStatus.HELD  # "maybe": held, with a line
    text = "\n".join(item.problems)
    assert "'webmention' is not a comment" in text
    assert "approval 'maybe' unknown" in text
    assert "comment 4: its chain of parents loops back" in text


def test_long_reply_chain_is_linear():
    """A chain of 3,000 replies (each listed before its parent) threads in one pass."""
    from imports.records import CommentRecord
    from imports.wxr import _threaded

    n = 3000
    records = [
        CommentRecord(
            source_id=str(i), author_name="x", body_html="x", created_at=None,
            parent_source_id=str(i - 1) if i else "",
        )
        for i in reversed(range(n))
    ]  # fmt: skip
    problems = []
    ordered = _threaded(records, problems)
    assert [r.source_id for r in ordered] == [str(i) for i in range(n)]
    assert problems == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("wxr-bomb.xml", "declares a DTD"),
        ("wxr-external-entity.xml", "declares a DTD"),
        ("wxr-malformed.xml", "not well-formed XML: no element found at line 6"),
        ("wxr-undeclared-prefix.xml", 'add xmlns:excerpt="http://wordpress.org/export/1.0'),
        ("wxr-not-wordpress.xml", "Not a WordPress export"),
    ],
)
def test_hostile_files_are_refused_by_the_parser(name, message):
    with pytest.raises(ImportFileError) as caught:
        parse_wxr(DATA / name)
    assert message in str(caught.value)


def test_a_blogger_file_is_not_a_wxr(tmp_path):
    path = tmp_path / "blogger.xml"
    path.write_text("<feed xmlns='http://www.w3.org/2005/Atom'><title>B</title></feed>")
    with pytest.raises(ImportFileError, match="an Atom feed.*import_blogger"):
        parse_wxr(path)


def test_disclosures_meta_must_be_a_list_of_disclosures(tmp_path):
    good = json.dumps([{"person": "Ada", "relationship": "none", "statement": "None."}])
    path = tmp_path / "meta.xml"
    path.write_text(
        wxr_document(
            item(post_id=1, title="Good", meta={"_trialpress_disclosures": good})
            + item(post_id=2, title="Bad", meta={"_trialpress_disclosures": '{"person": 1}'})
            + item(post_id=3, title="Markdown", meta={"_trialpress_markdown": "*Hi* ]]> there"})
        ),
        encoding="utf-8",
    )
    good_item, bad_item, markdown_item = parse_wxr(path).items
    assert json.loads(good_item.meta["disclosures"])[0]["person"] == "Ada"
    assert "disclosures" not in bad_item.meta
    assert "_trialpress_disclosures is not a list" in bad_item.problems[0]
    assert markdown_item.meta == {"markdown": "*Hi* ]]> there"}


@given(title=any_script_text(), label=any_script_text(), name=any_script_text())
def test_typed_text_in_any_script_comes_through(tmp_path_factory, title, label, name):
    """What WordPress stores as HTML (titles, labels, names), escaped once by the export
    and unescaped once by the parser: the text as typed, spaces collapsed."""
    path = tmp_path_factory.mktemp("typed") / "typed.xml"
    path.write_text(
        wxr_document(item(post_id=7, title=title, label=label, comment_author=name)),
        encoding="utf-8",
    )
    (parsed,) = parse_wxr(path).items
    assert parsed.title == " ".join(title.split())
    assert parsed.labels == ((" ".join(label.split()),) if label.split() else ())
    assert parsed.comments[0].author_name == " ".join(name.split())


@given(st.sampled_from(["0000-00-00 00:00:00", "2012-13-45 99:99:99", "x" * 500, "1969-12-31"]))
def test_odd_dates_give_none_and_a_line(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("dates") / "dates.xml"
    path.write_text(wxr_document(item(post_id=1, title="T", date=text)), encoding="utf-8")
    (parsed,) = parse_wxr(path).items
    assert parsed.published_at is None
    assert any("no usable date" in line and len(line) < 300 for line in parsed.problems)


def wxr_document(items):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel><title>T</title>'
        "<wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://example.org</wp:base_blog_url>"
        f"<wp:author><wp:author_login>ada</wp:author_login></wp:author>{items}</channel></rss>\n"
    )


def item(*, post_id, title, label="", comment_author="", meta=None, date="2020-01-02 03:04:05"):
    metas = "".join(
        f"<wp:postmeta><wp:meta_key>{key}</wp:meta_key>"
        f"<wp:meta_value>{cdata(value)}</wp:meta_value></wp:postmeta>"
        for key, value in (meta or {}).items()
    )
    category = f'<category domain="post_tag">{cdata(as_html(label))}</category>' if label else ""
    comment = (
        "<wp:comment><wp:comment_id>1</wp:comment_id>"
        f"<wp:comment_author>{cdata(as_html(comment_author))}</wp:comment_author>"
        "<wp:comment_content>Hi</wp:comment_content><wp:comment_approved>1</wp:comment_approved>"
        "</wp:comment>"
        if comment_author
        else ""
    )
    return (
        f"<item><title>{cdata(as_html(title))}</title><dc:creator>ada</dc:creator>"
        f"<content:encoded>{cdata('Body')}</content:encoded><wp:post_id>{post_id}</wp:post_id>"
        f"<wp:post_date_gmt>{cdata(date)}</wp:post_date_gmt><wp:status>publish</wp:status>"
        f"<wp:post_type>post</wp:post_type>{category}{metas}{comment}</item>"
    )


# --- The command, end to end -----------------------------------------------------------------
@pytest.mark.django_db
class TestImportCommand:
    def test_imports_everything_as_drafts(self):
        report = run_import(BLOG)
        titles = set(Post.objects.values_list("title", flat=True))
        assert "In the trash" not in titles
        assert {"CARE-MS II: alemtuzumab & relapses", "About this blog", "Members only"} <= titles
        assert Post.objects.count() == 8  # 9 records, the trashed one skipped
        assert not Post.objects.filter(status=Post.Status.PUBLISHED).exists()
        assert "posts: 7 created" in report
        assert "pages: 1 created" in report
        assert "attachment: 2 items skipped" in report
        assert "password-protected" in report

    def test_comments_statuses_and_threading(self):
        run_import(BLOG)
        post = Post.objects.get(title__startswith="CARE-MS II")
        comments = {c.name: c for c in Comment.objects.filter(post=post)}
        assert {name: c.status for name, c in comments.items()} == {
            "Zoë": Comment.Status.APPROVED,
            "Bob": Comment.Status.APPROVED,
            "Ψ reply": Comment.Status.APPROVED,
            "Pending Pat": Comment.Status.HELD,
            "Cheap pills": Comment.Status.SPAM,
            "Trashed Tim": Comment.Status.REJECTED,
            "Orphan": Comment.Status.APPROVED,
        }  # the pingback is not a comment here
        assert comments["Bob"].parent == comments["Zoë"]
        assert comments["Ψ reply"].parent == comments["Bob"]
        assert comments["Orphan"].parent is None
        assert comments["Zoë"].created_at == dt.datetime(2012, 11, 25, 10, 0, tzinfo=UTC)
        assert comments["Zoë"].website == "https://zoe.example.org/"

    def test_labels_in_any_script(self):
        run_import(BLOG)
        post = Post.objects.get(title__startswith="CARE-MS II")
        assert {label.name for label in post.tags.all()} == {
            "Σκλήρυνση κατά πλάκας",
            "Ménière",
            "Trials & errors",
        }

    def test_publish_with_disclosure_publishes_only_what_was_public(self, client):
        run_import(BLOG, "--publish-with-disclosure", "Imported from WordPress.")
        published = set(
            Post.objects.filter(status=Post.Status.PUBLISHED).values_list("title", flat=True)
        )
        assert published == {"CARE-MS II: alemtuzumab & relapses", "About this blog"}
        post = Post.objects.get(title__startswith="CARE-MS II")
        assert post.disclosures.get().statement == "Imported from WordPress."
        # The old addresses answer with a permanent redirect to the post.
        for old in ("/blog/2012/11/24/care-ms-ii/", "/blog/?p=10"):
            response = client.get(old)
            assert response.status_code == 301, old
            assert response["Location"] == post.get_absolute_url()

    def test_second_import_updates_never_duplicates(self):
        run_import(BLOG)
        first = content_counts()
        report = run_import(BLOG)
        assert content_counts() == first
        assert "created" not in report.split("Notes:")[0]

    def test_dry_run_changes_nothing(self):
        before = content_counts()
        report = run_import(BLOG, "--dry-run")
        assert "dry run" in report
        assert "posts: 7 created" in report
        assert content_counts() == before

    @pytest.mark.parametrize(
        "name",
        [
            "wxr-bomb.xml",
            "wxr-external-entity.xml",
            "wxr-malformed.xml",
            "wxr-undeclared-prefix.xml",
            "wxr-not-wordpress.xml",
        ],
    )
    def test_hostile_files_end_with_a_clear_error_and_change_nothing(self, name):
        before = content_counts()
        with pytest.raises(CommandError) as caught:
            run_import(DATA / name)
        assert "Traceback" not in str(caught.value)
        assert len(str(caught.value)) > 40
        assert content_counts() == before

    def test_a_file_over_the_size_cap_is_refused_before_reading(self, settings):
        settings.IMPORT_MAX_BYTES = 1000
        before = content_counts()
        with pytest.raises(CommandError, match="IMPORT_MAX_BYTES"):
            run_import(BLOG)
        assert content_counts() == before
