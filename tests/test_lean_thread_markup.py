"""The thread's lean markup (end tags and quotes the HTML spec makes optional, left out)
builds exactly the DOM of the fully closed, quoted markup it replaced, with no parse error
of its own: checked with an HTML5 parser (html5lib) on a varied thread, on real pages
(page 2, a closed post, a reply form under a comment) and on random threads of hostile
text. tests/e2e/test_valid_html.py runs the Nu checker on the pages; tests/e2e checks
comments.js and the stylesheet still find each comment's parts."""

import re
from collections import namedtuple
from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import strategies as st

from blog.markup import render_comment
from comments import rendering
from comments.rendering import THREAD_FIELDS, attribute_value, closes_p, render_thread
from tests.factories import make_post
from tests.lean_markup_support import assert_same_dom, closed_thread, parse
from tests.strategies import any_script_paragraphs, any_script_text
from tests.test_comments_support import make_comment

Row = namedtuple("Row", THREAD_FIELDS)
MOMENT = datetime(2026, 12, 2, 14, 5, 33, 120_000, tzinfo=UTC)

BODIES = {
    "plain": "A plain comment.",
    "two paragraphs": "First paragraph.\n\nSecond, with a [link](https://example.org/a?b=1&c=2).",
    "list": "- one\n- two",
    "numbered": "1. first\n2. second\n\nThen a paragraph.",
    "quote": "> They said so.\n\nI disagree.",
    "quote only": "> Only a quote.",
    "code block": "    indented code\n    more",
    "fenced": '```\nfenced <code> & "quotes"\n```',
    "inline first": "*Emphasis* first, then `code`.",
    "hostile": "<script>alert(1)</script> </p><p>x</li></ol> & \" ' ` =",
}


def row(pk, depth, *, body="plain", **fields):
    values = {
        "pk": pk,
        "parent_id": None,
        "name": "Ann Reader",
        "website": "",
        "title": "",
        "body_html": render_comment(BODIES.get(body, body)),
        "competing_interests": "None declared",
        "is_post_author": False,
        "is_staff_reply": False,
        "created_at": MOMENT,
        "edited_at": None,
        "depth": depth,
    }
    values.update(fields)
    return Row(**values)


def varied_thread():
    """Nested replies three deep, titles, edits, websites (plain, with a query, with a
    quote), bidi names, badges, and bodies that start with a list, a quote or a code block
    and end with something other than a paragraph."""
    return [
        row(1, 0, body="two paragraphs", website="https://example.org/~ann"),
        row(2, 1, body="list", name="\u05d3\u05d5\u05d3 \u05db\u05d4\u05df", title="A list"),
        row(3, 2, body="quote", edited_at=MOMENT + timedelta(hours=2), is_post_author=True),
        row(4, 3, body="code block", website="https://example.org/?a=1&b=2"),
        row(5, 1, body="fenced", name="Grace O'Neill", is_staff_reply=True),
        row(6, 0, body="quote only", title='Quote <only> & "so"'),
        row(7, 0, body="inline first", name="evil\u202eeman", website="https://x.org/'\"><"),
        row(8, 1, body="numbered", title="Numbered", edited_at=MOMENT),
        row(9, 2, body="hostile"),
        row(10, 0, body="plain", competing_interests='Paid by <Acme> & "friends"'),
        row(11, 0, body_html=""),
        # Not what blog.markup gives (a paragraph at least), but balanced as its output is.
        row(12, 0, body_html="Bare <em>text</em>, no paragraph", title="Title"),
    ]


FORMS = ("\n<div id=respond><form></form></div>\n", '<div id="respond">form</div>', "text")


@pytest.mark.parametrize("replies_open", [True, False])
@pytest.mark.parametrize("page_number", [1, 2])
@pytest.mark.parametrize("reply_to", [None, 1, 4, 9, 12])
def test_a_varied_thread_builds_the_dom_of_the_closed_markup(replies_open, page_number, reply_to):
    tz = timezone.get_current_timezone()
    comments = varied_thread()
    for form in FORMS if reply_to else ("",):
        options = {
            "reply_to": reply_to,
            "reply_form": form,
            "page_url": "/2026/12/a-post/" if page_number > 1 else "",
            "page_number": page_number,
            "replies_open": replies_open,
        }
        lean = render_thread(comments, **options)
        closed = closed_thread(comments, tz=tz, **options)
        assert_same_dom(lean, closed)
        assert len(lean) < len(closed)


def test_the_lean_thread_is_smaller_by_about_twenty_bytes_a_comment():
    """What the markup saves on a plain reply thread: </li>, three </p>, two pairs of quotes
    (the comment's id and its permalink): 21 bytes a comment, 2 more with a website."""
    tz = timezone.get_current_timezone()
    comments = [row(pk, 0 if pk % 2 else 1) for pk in range(1, 101)]
    saved = len(closed_thread(comments, tz=tz)) - len(render_thread(comments))
    assert saved >= 21 * 100
    with_sites = [c._replace(website=f"https://example.org/~{c.pk}") for c in comments]
    saved = len(closed_thread(with_sites, tz=tz)) - len(render_thread(with_sites))
    assert saved >= 23 * 100


def test_the_parts_comments_js_and_the_stylesheet_find():
    """The first <p> of a comment's <li> is its byline, the last its competing interests;
    its replies are the <ol> in it (read from the parsed tree, as a browser would)."""
    tree, _ = parse(str(render_thread(varied_thread()[:4])))
    body = tree[3][1]
    first = body[3][0]
    assert first[0] == "ol"
    li = first[3][0]
    assert li[0] == "li" and li[1] == (("id", "comment-1"),)
    kinds = [child[0] for child in li[3]]
    assert kinds == ["p", "p", "p", "p", "ol"]  # byline, two paragraphs, interests, replies
    assert li[3][3][2] == "Competing interests: None declared"
    byline = li[3][0]
    links = [(child[1], child[2]) for child in byline[3]]
    assert links[0] == (
        (("href", "https://example.org/~ann"), ("rel", "nofollow ugc")),
        "Ann Reader",
    )
    assert links[1] == ((("href", "/comments/1/"),), "2 Dec 2026")
    assert links[2] == ((("href", "?reply=1#respond"),), "Reply")


def test_the_page_2_reply_link_keeps_its_quotes():
    """``?cpage=2&amp;reply=`` has an = and an &: never bare."""
    html = str(render_thread([row(1, 0)], page_url="/p/", page_number=2))
    assert '<a href="/p/?cpage=2&amp;reply=1#respond">Reply</a>' in html


@pytest.mark.parametrize(
    ("value", "bare"),
    [
        ("comment-12", True),
        ("/comments/12/", True),
        ("https://example.org/~ann", True),
        ("https://example.org/a?b=1", False),
        ("https://example.org/a?b&amp;c", False),
        ("a b", False),
        ("a\tb", False),
        ("&quot;x", False),
        ("x&#x27;", False),
        ("a`b", False),
        ("a<b", False),
        ("a>b", False),
        ("", False),
    ],
)
def test_attribute_values_are_bare_only_where_the_spec_allows(value, bare):
    assert (attribute_value(value) == value) is bare
    if not bare:
        assert attribute_value(value) == f'"{value}"'


@pytest.mark.parametrize(
    ("html", "closes"),
    [
        ("<p>x</p>", True),
        ('<p class="x">', True),
        ("<ul>", True),
        ("<ol>", True),
        ("<blockquote>", True),
        ("<pre><code>", True),
        ("<h2>", True),
        ("<hr>", True),
        ("<div>", True),
        ("<dl>", True),
        ("<p\n>", True),
        ("\n<p>", False),
        (" <p>", False),
        ("text<p>", False),
        ("<em>", False),
        ("<picture>", False),
        ("<param>", False),
        ("<progress>", False),
        ("<header>", False),  # it would close a p too, but stays off the short list
        ("<h7>", False),
        ("<table>", False),  # closes a p only in no-quirks mode
        ("<P>", False),
        ("", False),
    ],
)
def test_closes_p_matches_whole_tag_names_only(html, closes):
    assert closes_p(html) is closes


# -- real pages: the post's section rendered through the view, lean and closed -----------------

_TOKENS = re.compile(r'(name="(?:csrfmiddlewaretoken|security_token)" value=")[^"]*"')


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return _TOKENS.sub(r'\1TOKEN"', response.content.decode())


def _closed_render_thread(comments, **options):
    return mark_safe(closed_thread(comments, tz=timezone.get_current_timezone(), **options))


def _assert_page_same_dom(client, monkeypatch, url):
    lean = _page(client, url)
    with monkeypatch.context() as patched:
        patched.setattr(rendering, "render_thread", _closed_render_thread)
        closed = _page(client, url)
    assert lean != closed
    lean_tree, lean_errors = parse(lean, fragment=False)
    closed_tree, closed_errors = parse(closed, fragment=False)
    assert lean_tree == closed_tree
    assert not lean_errors - closed_errors
    return lean


@pytest.fixture
def a_varied_thread(db, an_author):
    post = make_post(author=an_author, title="A varied thread")
    ids = []
    for n in range(4):
        top = make_comment(
            post,
            name=["Ann Reader", "\u0645\u0631\u064a\u0645", "Grace O'Neill", "Ben"][n],
            website="https://example.org/~a" if n % 2 else "",
            title="A title" if n == 1 else "",
            body=list(BODIES.values())[n],
        )
        reply = make_comment(post, parent=top, body=list(BODIES.values())[n + 4])
        deeper = make_comment(post, parent=reply, body=list(BODIES.values())[(n + 8) % 10])
        ids += [top.pk, reply.pk, deeper.pk]
    type(top).objects.filter(pk=ids[4]).update(edited_at=timezone.now())
    return post, ids


@override_settings(COMMENTS_PER_PAGE=2)
def test_page_2_and_a_reply_form_build_the_same_dom(client, monkeypatch, a_varied_thread):
    post, ids = a_varied_thread
    url = post.get_absolute_url()
    html = _assert_page_same_dom(client, monkeypatch, f"{url}?cpage=2")
    assert "cpage=2&amp;reply=" in html
    html = _assert_page_same_dom(client, monkeypatch, f"{url}?cpage=2&reply={ids[-2]}")
    assert 'id="respond"' in html
    _assert_page_same_dom(client, monkeypatch, url)


def test_a_closed_post_builds_the_same_dom(client, monkeypatch, a_varied_thread):
    post, _ids = a_varied_thread
    type(post).objects.filter(pk=post.pk).update(comments_open=False)
    html = _assert_page_same_dom(client, monkeypatch, post.get_absolute_url())
    assert "reply=" not in html


# -- random threads of hostile text ------------------------------------------------------------


@st.composite
def threads(draw):
    """Depths as a thread can have them (a reply is one deeper than the comment before it,
    or anywhere up the chain), each comment with typed text in every field."""
    depths = [0]
    for _ in range(draw(st.integers(0, 7))):
        depths.append(draw(st.integers(0, depths[-1] + 1)))
    markdown = st.one_of(
        any_script_paragraphs(max_size=200),
        st.sampled_from(list(BODIES.values())),
        st.lists(st.sampled_from(list(BODIES.values())), min_size=1, max_size=3).map("\n\n".join),
    )
    comments = []
    for pk, depth in enumerate(depths, start=1):
        comments.append(
            row(
                pk,
                depth,
                body_html=render_comment(draw(markdown)),
                name=draw(any_script_text()),
                website=draw(st.one_of(st.just(""), any_script_text(max_size=30))),
                title=draw(st.one_of(st.just(""), any_script_text(max_size=20))),
                competing_interests=draw(any_script_text(max_size=20)),
                is_post_author=draw(st.booleans()),
                edited_at=draw(st.sampled_from([None, MOMENT])),
            )
        )
    return comments


@given(
    comments=threads(),
    page_number=st.integers(1, 3),
    replies_open=st.booleans(),
    reply_at=st.integers(0, 8),
)
def test_random_threads_build_the_dom_of_the_closed_markup(
    comments, page_number, replies_open, reply_at
):
    tz = timezone.get_current_timezone()
    reply_to = comments[reply_at].pk if reply_at < len(comments) else None
    options = {
        "reply_to": reply_to,
        "reply_form": '\n<div id="respond">form</div>' if reply_to else "",
        "page_url": "/p/" if page_number > 1 else "",
        "page_number": page_number,
        "replies_open": replies_open,
    }
    assert_same_dom(
        str(render_thread(comments, **options)), closed_thread(comments, tz=tz, **options)
    )


@pytest.mark.django_db
def test_names_titles_and_interests_are_text_with_only_what_text_needs_escaped(a_post):
    """Between tags only &, < and > need escaping: quotes stay plain (the same DOM as
    ``&#x27;``), and nothing typed can open a tag or an entity."""
    typed = 'O\'Brien "Doc" <b>&amp; </p><script>x</script>'
    comment = make_comment(a_post, name=typed, title=typed, competing_interests=typed)
    comment.depth = 0
    html = str(render_thread([comment]))
    assert 'O\'Brien "Doc" &lt;b&gt;&amp;amp; &lt;/p&gt;&lt;script&gt;' in html
    assert "<script>" not in html and "&#x27;" not in html
    assert html.count("O'Brien") == 3  # the name, the title, the competing interests
