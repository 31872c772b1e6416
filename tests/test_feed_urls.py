"""Feed entries carry absolute addresses: a feed reader on another origin shows a post's
library images (``src``, every ``srcset`` candidate) and follows its footnote links (to the
post's own page + fragment). ``blog.feed_urls``, alone and through both feeds."""

import html
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from hypothesis import given

from blog.feed_urls import absolute_addresses
from media_library import services
from tests.factories import make_post
from tests.images_support import image_bytes, media_root_fixture, upload  # noqa: F401
from tests.strategies import any_script_text
from tests.test_markup import read
from tests.test_redos import assert_linear

BASE = "https://trials.example/2026/12/01/a-post/"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('<a href="#fn-1">1</a>', f'<a href="{BASE}#fn-1">1</a>'),
        (
            '<img src="/media/a.jpg" alt="x">',
            '<img src="https://trials.example/media/a.jpg" alt="x">',
        ),
        (
            '<img srcset="/media/a-480.jpg 480w, /media/a-960.jpg 960w" src="/media/a.jpg">',
            '<img srcset="https://trials.example/media/a-480.jpg 480w, '
            'https://trials.example/media/a-960.jpg 960w" src="https://trials.example/media/a.jpg">',
        ),
        (
            '<a href="/labels/ms/?page=2&amp;x=1">',
            '<a href="https://trials.example/labels/ms/?page=2&amp;x=1">',
        ),
        ('<a href="other-post/">', f'<a href="{BASE}other-post/">'),
        ("<a title='t' href='#fnref-1-2'>", f"<a title='t' href=\"{BASE}#fnref-1-2\">"),
        ("<a href=/x>", '<a href="https://trials.example/x">'),
        ('<A HREF="#c">', f'<A HREF="{BASE}#c">'),
    ],
)
def test_relative_addresses_become_absolute(before, after):
    assert absolute_addresses(before, base=BASE) == after


@pytest.mark.parametrize(
    "unchanged",
    [
        '<a href="https://doi.org/10.1016/x">doi</a>',
        '<a href="mailto:a@example.org">mail</a>',
        '<a href="//cdn.example/x">x</a>',
        '<a href="">empty</a>',
        "<p>Text that says href=\"/x\" and src='#y' stays text.</p>",
        "<a title=\"x src='/y' href='#z'\">quoted inside another attribute</a>",
        '<!-- shown as plain text: src="/x" --><p>a</p>',
        '<p>p&lt;0·001 &amp; n=202 &lt;a href="/x"&gt;</p>',
        '<a href="https://trials.example/x">already absolute</a>',
    ],
)
def test_text_absolute_addresses_and_other_attributes_are_left_alone(unchanged):
    assert absolute_addresses(unchanged, base=BASE) == unchanged


@given(text=any_script_text(max_size=60))
def test_any_typed_address_stays_inside_its_attribute(text):
    """Whatever a relative address holds, it is escaped once in a double-quoted value: no
    new attribute, no new tag."""
    fragment = f'<p><a href="{html.escape(text)}" title="{html.escape(text)}">x</a></p>'
    out = absolute_addresses(fragment, base=BASE)
    ((tag, attrs), *rest) = [e for e in read(out).elements if e[0] == "a"]
    assert rest == [] and set(attrs) == {"href", "title"}
    assert attrs["title"] == text
    assert attrs["href"] == text or attrs["href"].startswith("https://trials.example/")


GROWING = {
    "many links": lambda n: '<p><a href="#fn-1" title="t">x</a> text</p>' * n,
    "unclosed tags": lambda n: '<a href="/x" title="t' * n,
    "unclosed comments": lambda n: "<!-- x " * n,
    "attributes without end": lambda n: "<a" + ' b="/c"' * n,
    "srcset candidates": lambda n: '<img srcset="' + "/m/a.jpg 480w, " * n + '/m/b.jpg 9w">',
    "many equals": lambda n: "<a b" + "=" * n,
}


@pytest.mark.parametrize("shape", list(GROWING))
def test_rewriting_is_linear_in_the_input(shape):
    assert_linear(lambda text: absolute_addresses(text, base=BASE), GROWING[shape])


# --- through the feeds --------------------------------------------------------------------


def _first_entry_html(feed):
    """The first entry's HTML as sent (feedparser would drop srcset: read the XML)."""
    root = ElementTree.fromstring(feed)
    atom = root.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}content")
    return (atom if atom is not None else root.find("channel/item/description")).text


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["blog:feed_atom", "blog:feed_rss"])
def test_feed_entries_have_absolute_image_and_footnote_addresses(client, media_root, name):
    image, _ = services.image_upload(
        upload=upload(image_bytes((1200, 600), "PNG"), "forest_plot.png", "image/png"),
        alt_text="Forest plot",
    )
    post = make_post(
        title="Images in feeds",
        body=f"A claim.[^1]\n\n![](image:{image.pk})\n\n[^1]: The note.",
    )
    page_url = f"http://testserver{post.get_absolute_url()}"
    content = _first_entry_html(client.get(reverse(name)).content)
    elements = read(content).elements
    (img,) = [attrs for tag, attrs in elements if tag == "img"]
    assert img["src"].startswith("http://testserver/media/images/")
    candidates = [c.split()[0] for c in img["srcset"].split(",")]
    assert len(candidates) == 3
    assert all(c.startswith("http://testserver/media/images/") for c in candidates)
    hrefs = [attrs["href"] for tag, attrs in elements if tag == "a"]
    assert f"{page_url}#fn-1" in hrefs and f"{page_url}#fnref-1" in hrefs
    assert all(h.startswith(("http://", "https://", "mailto:")) for h in hrefs), hrefs
    assert 'src="/' not in content and 'href="#' not in content
