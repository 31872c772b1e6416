"""The WXR export: a WXR 1.2 file XML parsers and WordPress read, written as a stream, and a
round trip (export, then import into an empty site) that brings back what was there."""

import datetime as dt
import inspect
import json
import tracemalloc
import xml.etree.ElementTree as ElementTree
from io import StringIO

import pytest
from defusedxml import ElementTree as SafeElementTree
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from blog.models import Disclosure, Label, Post
from comments.models import Comment
from imports import wxr_export
from imports.models import ImportedItem, LegacyAddress
from imports.wxr_export import EXTRA_FIELDS, cdata, wxr_chunks, xml_text
from tests.factories import make_post, make_user

NS = {
    "wp": "http://wordpress.org/export/1.2/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
FORBIDDEN = "\x00\x01\x08\x0b\x0c\x1f\ufffe\uffff"


def xml_allows(char):
    """XML 1.0's Char production, written out here independently of the exporter."""
    code = ord(char)
    return (
        char in "\t\n\r"
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def export_text():
    out = StringIO()
    call_command("export_wxr", stdout=out)
    return out.getvalue()


def a_comment(post, *, name, status=Comment.Status.APPROVED, parent=None, body=None, when=None):
    comment = Comment.objects.create(
        post=post,
        parent=parent,
        name=name,
        email=f"reader{Comment.objects.count() + 1}@example.org",
        website="https://reader.example.org/",
        body=body or f"Comment by {name}.",
        status=status,
        ip_address="192.0.2.9",
    )
    created = when or timezone.now() - dt.timedelta(hours=Comment.objects.count() + 1)
    Comment.objects.filter(pk=comment.pk).update(created_at=created.replace(microsecond=0))
    return comment


@pytest.fixture
def a_site(db):
    """Two authors; a published post with Unicode labels, two disclosures and a thread
    with a comment of every status; a draft; a post whose text holds "]]>"."""
    alice = make_user(username="alice", first_name="Alice", last_name="Ångström")
    bob = make_user(username="bob")
    live = make_post(
        author=alice,
        title="CARE-MS II: p<0·001 & n=202",
        slug="care-ms-ii",
        body="First *paragraph*.\n\nSecond, with [a link](https://example.org/).",
        summary="Alemtuzumab & interferon <compared>.",
        labels=["Σκλήρυνση κατά πλάκας", "Ménière", "多发性硬化"],
        published_at=timezone.now().replace(microsecond=0) - dt.timedelta(days=3),
    )
    Disclosure.objects.create(
        post=live,
        person="Bob",
        relationship=Disclosure.Relationship.CONSULTANCY,
        organisations="Sanofi, Biogen",
        statement="Paid for advice in 2011 & 2012.",
        position=1,
    )
    top = a_comment(live, name="Zoë")
    reply = a_comment(live, name="Bob", parent=top)
    a_comment(live, name="Ψ third level", parent=reply, body="Agreed: p < 0.05 & all.")
    markdown = a_comment(
        live, name="Marky", body="**Headings** and a [Gravatar](https://gravatar.com/) link."
    )
    Comment.objects.filter(pk=markdown.pk).update(competing_interests="Works for Sanofi.")
    Post.objects.filter(pk=live.pk).update(
        source_citation="Coles AJ et al. Lancet 2012;380:1829-39.",
        source_title="Alemtuzumab for relapsing MS",
        doi="10.1016/S0140-6736(12)61768-1",
        trial_registration="NCT00548405",
        plain_summary="A drug & a comparison, in plain words.",
        last_reviewed=dt.date(2024, 5, 6),
        next_review_due=dt.date(2026, 5, 6),
    )
    a_comment(live, name="Pending Pat", status=Comment.Status.HELD)
    a_comment(live, name="Cheap pills", status=Comment.Status.SPAM)
    a_comment(live, name="Rude Rick", status=Comment.Status.REJECTED)
    draft = make_post(
        author=bob,
        title="A draft",
        slug="a-draft",
        status=Post.Status.DRAFT,
        labels=["Ménière"],
        disclosure=False,
        published_at=timezone.now().replace(microsecond=0) - dt.timedelta(days=1),
    )
    odd = make_post(
        author=alice,
        title="CDATA ends with ]]> here",
        slug="cdata",
        body="Code: `a[b[0]]>c` and ]]> in text.",
        published_at=timezone.now().replace(microsecond=0) - dt.timedelta(days=2),
    )
    Post.objects.filter(pk=odd.pk).update(comments_open=False)
    return {"live": live, "draft": draft, "odd": odd}


# --- The file --------------------------------------------------------------------------------
def test_the_export_is_wxr_1_2(a_site):
    text = export_text()
    SafeElementTree.fromstring(text.encode())  # no DTD, no entities: defusedxml reads it
    try:
        from lxml import etree as reader  # noqa: F401  (used when installed)
    except ImportError:
        reader = ElementTree
    channel = reader.fromstring(text.encode()).find("channel")
    assert channel.findtext("wp:wxr_version", namespaces=NS) == "1.2"
    assert channel.findtext("wp:base_site_url", namespaces=NS) == "http://testserver"
    logins = [
        a.findtext("wp:author_login", namespaces=NS) for a in channel.iterfind("wp:author", NS)
    ]
    assert logins == ["alice", "bob"]
    tags = {t.findtext("wp:tag_name", namespaces=NS) for t in channel.iterfind("wp:tag", NS)}
    assert tags == {"Σκλήρυνση κατά πλάκας", "Ménière", "多发性硬化"}
    items = {i.findtext("wp:post_name", namespaces=NS): i for i in channel.iterfind("item")}
    assert set(items) == {"care-ms-ii", "a-draft", "cdata"}

    live = items["care-ms-ii"]
    post = a_site["live"]
    assert live.findtext("title") == "CARE-MS II: p&lt;0·001 &amp; n=202"  # HTML for WordPress
    assert live.findtext("link") == "http://testserver" + post.get_absolute_url()
    assert live.find("guid").get("isPermaLink") == "false"
    assert live.findtext("dc:creator", namespaces=NS) == "alice"
    assert live.findtext("content:encoded", namespaces=NS) == post.body_html
    assert live.findtext("excerpt:encoded", namespaces=NS) == (
        "Alemtuzumab &amp; interferon &lt;compared&gt;."
    )
    assert live.findtext("wp:status", namespaces=NS) == "publish"
    assert live.findtext("wp:post_type", namespaces=NS) == "post"
    assert live.findtext("wp:post_id", namespaces=NS) == str(post.pk)
    assert live.findtext("wp:post_date_gmt", namespaces=NS) == (
        post.published_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    )
    categories = [(c.get("domain"), c.text) for c in live.iterfind("category")]
    assert ("post_tag", "Ménière") in categories
    assert "m%c3%a9ni%c3%a8re" in {c.get("nicename") for c in live.iterfind("category")}
    meta = {
        m.findtext("wp:meta_key", namespaces=NS): m.findtext("wp:meta_value", namespaces=NS)
        for m in live.iterfind("wp:postmeta", NS)
    }
    assert meta["_trialpress_markdown"] == post.body
    disclosures = json.loads(meta["_trialpress_disclosures"])
    assert [d["person"] for d in disclosures] == [post.author.get_full_name(), "Bob"]
    assert disclosures[1]["organisations"] == "Sanofi, Biogen"
    assert items["a-draft"].findtext("wp:status", namespaces=NS) == "draft"


def test_comments_carry_status_and_threading(a_site):
    channel = ElementTree.fromstring(export_text().encode()).find("channel")
    live = next(i for i in channel.iterfind("item") if i.findtext("title").startswith("CARE"))
    rows = {
        c.findtext("wp:comment_author", namespaces=NS): c for c in live.iterfind("wp:comment", NS)
    }
    approved = {
        name: row.findtext("wp:comment_approved", namespaces=NS) for name, row in rows.items()
    }
    assert approved == {
        "Zoë": "1",
        "Bob": "1",
        "Ψ third level": "1",
        "Marky": "1",
        "Pending Pat": "0",
        "Cheap pills": "spam",
        "Rude Rick": "trash",
    }
    ids = {name: row.findtext("wp:comment_id", namespaces=NS) for name, row in rows.items()}
    parent = {name: row.findtext("wp:comment_parent", namespaces=NS) for name, row in rows.items()}
    assert parent["Zoë"] == "0"
    assert parent["Bob"] == ids["Zoë"]
    assert parent["Ψ third level"] == ids["Bob"]
    third = rows["Ψ third level"]
    assert (
        third.findtext("wp:comment_content", namespaces=NS)
        == "<p>Agreed: p &lt; 0.05 &amp; all.</p>"
    )
    assert third.findtext("wp:comment_author_IP", namespaces=NS) == "192.0.2.9"
    order = [
        c.findtext("wp:comment_author", namespaces=NS) for c in live.iterfind("wp:comment", NS)
    ]
    assert order.index("Zoë") < order.index("Bob") < order.index("Ψ third level")


def test_cdata_is_split_and_forbidden_characters_dropped(a_site):
    post = a_site["odd"]
    Post.objects.filter(pk=post.pk).update(title="Ends ]]> with \x01control\x0b")
    channel = SafeElementTree.fromstring(export_text().encode()).find("channel")
    item = next(
        i for i in channel.iterfind("item") if i.findtext("wp:post_name", namespaces=NS) == "cdata"
    )
    assert item.findtext("title") == "Ends ]]&gt; with control"
    assert item.findtext("content:encoded", namespaces=NS) == post.body_html
    assert "]]>" in post.body and "]]&gt;" in post.body_html


@given(
    st.lists(st.one_of(st.text(), st.sampled_from([*FORBIDDEN, "]]>", "]]", ">", "\r\n"]))).map(
        "".join
    )
)
def test_any_text_survives_cdata_and_attributes(text):
    expected = "".join(char for char in text if xml_allows(char))
    element = ElementTree.fromstring(f'<a b="{xml_text(text)}">{cdata(text)}</a>'.encode())
    assert (element.text or "") == expected.replace("\r\n", "\n").replace("\r", "\n")
    assert element.get("b") == expected.replace("\r\n", " ").replace("\r", " ").replace(
        "\n", " "
    ).replace("\t", " ")


def test_cdata_is_linear_in_the_number_of_terminators():
    """Splitting "]]>" is str.replace: a text of only terminators grows linearly."""
    from tests.test_redos import assert_linear

    assert_linear(cdata, lambda n: "]]>" * n)
    assert_linear(xml_text, lambda n: "\x01<&" * n)


# --- Streaming -------------------------------------------------------------------------------
def test_the_export_is_a_stream_with_a_fixed_number_of_queries(db):
    assert inspect.isgenerator(wxr_chunks())
    author = make_user()

    def queries_for_export():
        with CaptureQueriesContext(connection) as queries:
            chunks = list(wxr_chunks())
        return len(queries), chunks

    for n in range(3):
        post = make_post(author=author, labels=["a", "b"])
        a_comment(post, name=f"Reader {n}")
    few, chunks = queries_for_export()
    for n in range(27):
        post = make_post(author=author, labels=["c"])
        a_comment(post, name=f"Reader {n}")
    many, chunks = queries_for_export()
    # Users, labels, then per chunk of posts: the posts, their labels, disclosures, comments.
    assert many == few
    assert sum("<item>" in chunk for chunk in chunks) == 30
    assert max(len(chunk) for chunk in chunks) < 10_000  # one post per piece, never all


def test_many_posts_in_bounded_memory(db, monkeypatch):
    """With small chunks the peak memory for 600 posts is about that for 60."""
    monkeypatch.setattr(wxr_export, "CHUNK_SIZE", 20)
    author = make_user()

    def add_posts(n):
        start = Post.objects.count()
        Post.objects.bulk_create(
            Post(
                author=author,
                title=f"Post {i}",
                slug=f"post-{i}",
                body="x" * 2000,
                body_html="<p>" + "x" * 2000 + "</p>",
                status=Post.Status.DRAFT,
            )
            for i in range(start, start + n)
        )

    def peak_while_exporting():
        items = 0
        tracemalloc.start()
        for chunk in wxr_chunks():
            items += chunk.count("<item>")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return items, peak

    add_posts(60)
    peak_while_exporting()  # first use: imports and caches
    small_items, small_peak = peak_while_exporting()
    add_posts(540)
    large_items, large_peak = peak_while_exporting()
    assert (small_items, large_items) == (60, 600)
    assert large_peak < 3 * small_peak


def test_export_to_a_file(a_site, tmp_path, monkeypatch):
    """The file holds what standard output gets. The export's own date is held still: the
    two exports once fell either side of a second (15:45:38 against 15:45:39, in CI)."""
    exported_at = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: exported_at)
    target = tmp_path / "site.xml"
    err = StringIO()
    call_command("export_wxr", "-o", str(target), stdout=StringIO(), stderr=err)
    assert target.read_text(encoding="utf-8") == export_text()
    assert not (tmp_path / "site.xml.partial").exists()
    assert "Export written to" in err.getvalue()


# --- The round trip --------------------------------------------------------------------------
def site_contents():
    """What the round trip must bring back, keyed by slug, without database ids."""
    posts = {}
    for post in Post.objects.select_related("author").prefetch_related("disclosures", "tags"):
        comments = {
            c.name: (
                c.email,
                c.website,
                c.status,
                c.created_at.replace(microsecond=0),
                c.parent.name if c.parent_id else None,
                c.body_html,
                c.body,
                c.competing_interests,
            )
            for c in Comment.objects.filter(post=post).select_related("parent")
        }
        posts[post.slug] = {
            "title": post.title,
            "author": (post.author.username, post.author.email),
            "published_at": post.published_at.replace(microsecond=0),
            "summary": post.summary,
            "labels": sorted(label.name for label in post.tags.all()),
            "comments": comments,
            "comment_count": post.comment_count,
            **{name: getattr(post, name) for name in (*EXTRA_FIELDS, "comments_open")},
        }
    return posts


def site_text_and_status():
    return {
        post.slug: {
            "body": post.body,
            "status": post.status,
            "disclosures": [
                (d.person, d.relationship, d.organisations, d.statement)
                for d in post.disclosures.all()
            ],
        }
        for post in Post.objects.prefetch_related("disclosures")
    }


def empty_the_site():
    Comment.objects.all().delete()
    Post.objects.all().delete()
    Label.objects.all().delete()
    ImportedItem.objects.all().delete()
    LegacyAddress.objects.all().delete()
    get_user_model().objects.all().delete()
    assert not Post.objects.exists() and not get_user_model().objects.exists()


@pytest.fixture
def exported_and_reimported(a_site, tmp_path):
    from comments.services import post_recount_comments

    for post in Post.objects.all():
        post_recount_comments(post_id=post.pk)
    before = (site_contents(), site_text_and_status())
    path = tmp_path / "site.xml"
    call_command("export_wxr", "-o", str(path), stdout=StringIO(), stderr=StringIO())
    empty_the_site()
    call_command("import_wxr", str(path), stdout=StringIO(), stderr=StringIO())
    return before


def test_round_trip_brings_back_posts_labels_and_comments(exported_and_reimported):
    before, _ = exported_and_reimported
    after = site_contents()
    for slug, post in before.items():
        for field, value in post.items():
            assert after[slug][field] == value, (slug, field)
    assert after == before
    assert get_user_model().objects.get(username="alice").get_full_name() == "Alice Ångström"


def test_round_trip_brings_back_the_markdown_disclosures_and_statuses(exported_and_reimported):
    """The Markdown source and the disclosures travel as post meta; with its disclosures a
    published post is published again (the publication rule holds), a draft stays one."""
    _, before = exported_and_reimported
    assert site_text_and_status() == before


# --- Old addresses (issue 17 re-check C) ------------------------------------------------------
def test_old_addresses_travel_as_post_meta_and_survive_a_move(a_site, tmp_path):
    live = Post.objects.get(slug="care-ms-ii")
    for path in ("/2012/11/care-ms-ii", "/?p=175", "/ελληνικά/σελίδα"):
        LegacyAddress.objects.create(path=path, post=live)
    path = tmp_path / "site.xml"
    call_command("export_wxr", "-o", str(path), stdout=StringIO(), stderr=StringIO())
    text = path.read_text(encoding="utf-8")
    assert "<wp:meta_key><![CDATA[_trialpress_old_addresses]]></wp:meta_key>" in text
    assert text.count("_trialpress_old_addresses") == 1  # only the post that has some
    empty_the_site()
    call_command("import_wxr", str(path), stdout=StringIO(), stderr=StringIO())
    moved = Post.objects.get(slug="care-ms-ii")
    assert sorted(LegacyAddress.objects.filter(post=moved).values_list("path", flat=True)) == [
        "/2012/11/care-ms-ii",
        "/?p=175",
        "/ελληνικά/σελίδα",
    ]


def test_old_addresses_that_are_not_a_list_are_ignored_with_a_note(a_site, tmp_path):
    from imports.wxr import parse_wxr

    path = tmp_path / "site.xml"
    call_command("export_wxr", "-o", str(path), stdout=StringIO(), stderr=StringIO())
    text = path.read_text(encoding="utf-8")
    meta = (
        "<wp:postmeta><wp:meta_key>_trialpress_old_addresses</wp:meta_key>"
        "<wp:meta_value>{bad}</wp:meta_value></wp:postmeta>"
    )
    for bad in ('{"a": 1}', "[1, 2]", "not json", '["' + "x" * 501 + '"]'):
        path.write_text(text.replace("</item>", meta.format(bad=bad) + "</item>", 1))
        parsed = parse_wxr(path)
        first = parsed.items[0]
        assert "old_addresses" not in first.meta
        assert any("_trialpress_old_addresses is not a list" in p for p in first.problems)


# --- Sub-second times (issue 17 re-check E) ---------------------------------------------------
def test_the_publication_time_keeps_its_microseconds_through_a_round_trip(a_site, tmp_path):
    live = Post.objects.get(slug="care-ms-ii")
    precise = live.published_at.replace(microsecond=123456)
    Post.objects.filter(pk=live.pk).update(published_at=precise)
    path = tmp_path / "site.xml"
    call_command("export_wxr", "-o", str(path), stdout=StringIO(), stderr=StringIO())
    text = path.read_text(encoding="utf-8")
    assert precise.astimezone(dt.UTC).isoformat() in text
    assert ".123456+00:00" in text
    empty_the_site()
    call_command("import_wxr", str(path), stdout=StringIO(), stderr=StringIO())
    assert Post.objects.get(slug="care-ms-ii").published_at == precise


@pytest.mark.django_db
def test_a_precise_time_that_disagrees_with_the_date_is_ignored():
    from imports.pipeline import import_parsed
    from tests.test_import_pipeline import WHEN, item, wxr

    far = "2001-01-01T00:00:00.500000+00:00"
    import_parsed(wxr(item(meta={"published_at": far})))
    assert Post.objects.get().published_at == WHEN
    Post.objects.all().delete()
    for bad in ("not a date", "2012-05-14T10:00:00.5"):  # unparseable, or without a zone
        import_parsed(wxr(item(meta={"published_at": bad})))
        assert Post.objects.get().published_at == WHEN
        Post.objects.all().delete()
