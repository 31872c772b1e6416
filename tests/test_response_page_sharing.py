"""A citable response as others read it (issue 15): Open Graph for link previews, JSON-LD
with the body's blocks kept apart and ``dateModified``, and an APA citation with the
commenter's name in APA order ("Marsh, J.")."""

import json
import re
from datetime import timedelta
from html import unescape

import pytest
from django.conf import settings as django_settings
from hypothesis import given
from hypothesis import strategies as st

from blog.metadata import machine_datetime
from citations.styles import apa, person_name
from citations.works import Name, Work
from comments.models import Comment
from comments.plain_text import body_text, excerpt
from tests.strategies import any_script_text
from tests.test_comments_support import make_comment

pytestmark = pytest.mark.django_db

LIST_BODY = "Three points:\n\n- masking\n- attrition\n- **the** outcome\n\n> quoted line\n\nLast."


def page(client, comment):
    return client.get(f"/comments/{comment.pk}/").content.decode()


def og(html):
    found = re.findall(r'<meta property="(og:[a-z_]+)" content="([^"]*)">', html)
    return {name: unescape(value) for name, value in found}


def json_ld(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def cite_authors(html):
    box = html[html.index('<p class="cite-text">') :]
    return unescape(box.split(" (", 1)[0].removeprefix('<p class="cite-text">'))


# --- 1. Open Graph, dateModified, the body as text -----------------------------------------


def test_open_graph_describes_the_response(client, a_post):
    comment = make_comment(
        a_post, name="Jane Marsh", title="Masking <was> incomplete", body=LIST_BODY
    )
    html = page(client, comment)
    url = f"{django_settings.SITE_URL}/comments/{comment.pk}/"
    tags = og(html)
    assert tags["og:type"] == "article"
    assert tags["og:title"] == "Masking <was> incomplete"
    assert tags["og:url"] == url
    assert tags["og:site_name"] == django_settings.SITE_NAME
    assert (
        tags["og:description"]
        == "Three points: • masking • attrition • the outcome quoted line Last."
    )
    assert "&lt;was&gt;" in html.split('property="og:title"')[1].split(">")[0]


def test_og_description_is_a_short_single_line_excerpt(client, a_post):
    comment = make_comment(a_post, body=("word " * 400).strip())
    description = og(page(client, comment))["og:description"]
    assert 100 < len(description) <= 300 and description.endswith("…")
    assert "\n" not in description and "<" not in description


def test_json_ld_text_keeps_list_items_and_paragraphs_apart(client, a_post):
    comment = make_comment(a_post, body=LIST_BODY)
    text = json_ld(page(client, comment))["text"]
    assert text == "Three points:\n\n• masking\n• attrition\n• the outcome\n\nquoted line\n\nLast."


def test_line_breaks_and_entities_become_plain_text():
    html = "<p>p&lt;0·001 &amp; n=202<br>second line</p><ol><li><p>one</p></li><li>two</li></ol>"
    assert body_text(html) == "p<0·001 & n=202\nsecond line\n\n• one\n• two"
    assert body_text("") == ""
    assert excerpt(body_text(html)) == "p<0·001 & n=202 second line • one • two"


def test_date_modified_is_the_edit_time_else_the_creation_time(client, a_post):
    comment = make_comment(a_post)
    data = json_ld(page(client, comment))
    assert data["dateModified"] == data["dateCreated"]
    edited = comment.created_at + timedelta(minutes=7)
    Comment.objects.filter(pk=comment.pk).update(edited_at=edited)
    data = json_ld(page(client, comment))
    assert data["dateModified"] == machine_datetime(edited)
    assert data["dateModified"] != data["dateCreated"]


def test_the_page_is_still_one_query(client, a_post, django_assert_max_num_queries):
    """The comment joined to its post, the post's author and its parent."""
    comment = make_comment(a_post, body=LIST_BODY)
    with django_assert_max_num_queries(1):
        assert client.get(f"/comments/{comment.pk}/").status_code == 200


# --- 2. APA order for a commenter's name ---------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "cited"),
    [
        ("Jane Marsh", "Marsh, J."),
        ("Jane A. Marsh", "Marsh, J. A."),
        ("Dr Jane Marsh", "Marsh, J."),
        ("Prof. Δημήτρης Παπαδόπουλος", "Παπαδόπουλος, Δ."),
        ("Ирина Петрова", "Петрова, И."),
        ("Jan van der Berg", "van der Berg, J."),
        ("Siobhán O’Brien-Ménière", "O’Brien-Ménière, S."),
        ("Marsh", "Marsh."),
        ("王小明", "王小明."),
        ("王 小明", "王 小明."),
        ("محمد علي", "محمد علي."),
        ("Jane Marsh, MD", "Jane Marsh, MD."),
        ("CARE-MS II investigators", "CARE-MS II investigators."),
        ("jane @ marsh", "jane @ marsh."),
    ],
)
def test_commenter_names_in_apa_order(typed, cited):
    work = Work(kind="comment", title="T", authors=[person_name(typed)], container="S")
    assert apa(work).authors == cited


def test_the_cite_box_puts_the_family_name_first(client, a_post):
    comment = make_comment(a_post, name="Jane Marsh")
    assert cite_authors(page(client, comment)) == "Marsh, J."
    single = make_comment(a_post, name="Ansari", body="Another.")
    assert cite_authors(page(client, single)) == "Ansari."


def test_names_given_in_parts_still_cite_as_before():
    assert person_name("Jane Marsh") == Name(family="Marsh", given="Jane")
    work = Work(kind="post", title="T", authors=[Name(literal="Team X")], container="S")
    assert apa(work).authors == "Team X."


@given(name=st.one_of(any_script_text(), st.text(min_size=1, max_size=60)))
def test_any_typed_name_cites_without_crashing_and_never_empty(name):
    work = Work(kind="comment", title="T", authors=[person_name(name)], container="S")
    authors = apa(work).authors
    assert authors.strip()
    if name.strip():
        assert any(c in authors for c in name if not c.isspace())
