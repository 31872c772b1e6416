"""Links with a scheme the sanitiser drops are shown as text, and the author is told (issue 11).

Before, ``[x](javascript:...)`` or ``[x](ftp://...)`` became an ``<a>`` without ``href``: blue,
underlined, and going nowhere.
"""

import html

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from hypothesis import given

from blog.markup import comment_rendering, post_rendering, render_comment, render_post
from blog.models import Post
from tests.strategies import any_script_text
from tests.test_admin_posts import PI, post_data
from tests.test_markup_security import VECTORS, parsed_elements

RENDERERS = [render_post, render_comment]


def anchors(out):
    return [dict(attrs) for tag, attrs in parsed_elements(out) if tag == "a"]


@pytest.mark.parametrize("render", RENDERERS, ids=["post", "comment"])
@pytest.mark.parametrize(
    "source",
    [
        "[click me](javascript:alert(1))",
        "[click me](JaVaScRiPt:alert(1))",
        "[click me](jav&#x09;ascript:alert(1))",
        "[click me](&#106;avascript:alert(1))",
        "[click me](java\0script:alert(1))",
        "[click me](vbscript:msgbox(1))",
        "[click me](data:text/html,x)",
        "[click me](ftp://example.org/file)",
        "[click me](file:///etc/passwd)",
        "[click me][r]\n\n[r]: javascript:alert(1)",
        "[click me](<javascript:alert(1)>)",
    ],
)
def test_a_link_with_a_dropped_scheme_is_plain_text(render, source):
    out = render(source)
    assert anchors(out) == []
    assert "click me" in out


@pytest.mark.parametrize("render", RENDERERS, ids=["post", "comment"])
def test_an_ftp_autolink_is_plain_text(render):
    out = render("<ftp://example.org/file>")
    assert anchors(out) == []
    assert "ftp://example.org/file" in out


@pytest.mark.parametrize("render", RENDERERS, ids=["post", "comment"])
@pytest.mark.parametrize(
    "href",
    [
        "https://example.org/x",
        "http://example.org/x",
        "mailto:a@example.org",
        "/2024/01/a-post/",
        "#methods",
        "relative/page",
        "1:2",
    ],
)
def test_allowed_and_relative_links_stay_links(render, href):
    assert [a.get("href") for a in anchors(render(f"[x]({href})"))] == [href]


@pytest.mark.parametrize("render", RENDERERS, ids=["post", "comment"])
def test_email_autolinks_stay_links(render):
    out = render("Write to <trials@example.org>.")
    assert [a["href"] for a in anchors(out)] == ["mailto:trials@example.org"]


@pytest.mark.parametrize("render", RENDERERS, ids=["post", "comment"])
def test_emphasis_inside_a_dropped_link_is_kept(render):
    out = render("[**bold** text](javascript:alert(1)) after")
    assert anchors(out) == [] and "<strong>bold</strong> text after" in out


def test_a_post_image_with_a_dropped_scheme_is_plain_text():
    out = render_post("![a figure](javascript:alert(1))")
    assert anchors(out) == [] and "Image: a figure" in out


@pytest.mark.parametrize("render", RENDERERS, ids=["post", "comment"])
def test_no_vector_leaves_a_link_without_an_address(render):
    for vector in VECTORS:
        assert all("href" in a for a in anchors(render(vector))), vector


def test_the_rendering_lists_the_dropped_addresses():
    rendering = post_rendering(
        "[a](javascript:alert(1)) [b](https://example.org) [c](ftp://example.org/f) u1"
    )
    assert rendering.dropped_links == ("javascript:alert(1)", "ftp://example.org/f")
    (note,) = rendering.notes()
    assert "2 link(s) shown as plain text" in note
    assert "javascript:alert(1), ftp://example.org/f" in note
    assert comment_rendering("[a](https://example.org) u2").dropped_links == ()


def test_a_long_list_of_dropped_addresses_is_shortened():
    rendering = post_rendering(" ".join(f"[x{i}](ftp://e.org/{'p' * 200}{i})" for i in range(30)))
    (note,) = rendering.notes()
    assert "and 20 more" in note and len(note) < 1_200


@given(text=any_script_text())
def test_link_text_in_any_script_survives_a_dropped_link(text):
    words = "".join(ch if ch.isalnum() else " " for ch in text).split()
    out = render_comment(f"[{' '.join(words) or 'x'}](ftp://example.org/)")
    assert anchors(out) == []
    assert "ftp://example.org/" not in out  # the text is shown, not the address
    assert all(word in html.unescape(out) for word in words)


# --- the author is told -------------------------------------------------------------------


@pytest.fixture
def staff_client(client, a_superuser):
    client.force_login(a_superuser)
    return client


@pytest.mark.django_db
def test_saving_a_post_with_dropped_links_warns_the_author(staff_client):
    body = "See [the protocol](ftp://example.org/protocol.pdf) and [this](javascript:alert(1))."
    response = staff_client.post(
        reverse("admin:blog_post_add"), post_data(body=body, disclosures=[PI]), follow=True
    )
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "ftp://example.org/protocol.pdf, javascript:alert(1)" in warnings[0]
    post = Post.objects.get()
    assert post.body == body
    assert anchors(post.body_html) == []

    page = staff_client.get(reverse("admin:blog_post_change", args=[post.pk])).content.decode()
    assert '<p class="errornote">2 link(s) shown as plain text' in page


def test_a_blank_text_after_dropped_links_reports_none():
    assert post_rendering("[x](ftp://example.org/) u3").dropped_links
    assert post_rendering("  \n ").dropped_links == ()
