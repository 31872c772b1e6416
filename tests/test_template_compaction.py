"""The project's HTML templates are read without their indentation and blank lines
(config/template_loaders.py): pages get smaller and read the same."""

import re
import time
from pathlib import Path

import pytest
from bleach._vendor import html5lib
from django.conf import settings as django_settings
from hypothesis import given
from hypothesis import strategies as st

from config.template_loaders import compact_layout, is_project_html
from tests.strategies import any_script_text
from tests.test_comments_support import make_comment

PLAIN_LOADERS = [
    (
        "django.template.loaders.cached.Loader",
        [
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ],
    )
]

HTML_SPACE = " \t\n\r\f"


def _reference(source):
    """The rule spelled out: every run of HTML white space that holds a line feed becomes
    one line feed; other runs stay as they are."""
    return re.sub(r"[ \t\r\f]*\n[ \t\n\r\f]*", "\n", source)


def _words_and_gaps(text):
    """The text's non-space runs, and whether white space separates each from the next."""
    tokens = re.findall(r"[^ \t\n\r\f]+|[ \t\n\r\f]+", text)
    return [token if token.strip(HTML_SPACE) else " " for token in tokens]


# Layout (white space of every kind, a no-break space and a line separator, which are text)
# between words in any script and tags.
layout_text = st.lists(
    st.one_of(
        st.sampled_from([" ", "\t", "\n", "\r", "\f", "\u00a0", "\u2028", "<p>", "{% if x %}"]),
        any_script_text(max_size=8),
    ),
    max_size=30,
).map("".join)


@given(layout_text)
def test_each_run_of_space_with_a_line_feed_becomes_one_line_feed(source):
    assert compact_layout(source) == _reference(source)


@given(layout_text)
def test_compaction_keeps_every_word_and_every_gap_between_words(source):
    """What a browser shows depends on where white space is, not on how much: the words,
    and the gaps between them, are kept, and no gap appears where there was none. A no-break
    space or a Unicode line separator is text, not layout, and is kept."""
    compacted = compact_layout(source)
    assert _words_and_gaps(compacted) == _words_and_gaps(source)
    assert compacted.count("\u00a0") == source.count("\u00a0")
    assert compacted.count("\u2028") == source.count("\u2028")


def test_compaction_takes_linear_time_on_growing_layout():
    """Templates are ours, not typed text, but the rule must not backtrack on long runs."""
    timings = []
    for size in (20_000, 40_000, 80_000):
        source = (" " * size + "x\n") * 3 + "\t" * size
        started = time.perf_counter()
        for _ in range(5):
            compact_layout(source)
        timings.append(time.perf_counter() - started)
    assert timings[2] < timings[0] * 8 + 0.05


def test_only_the_projects_html_templates_are_compacted():
    base = Path(django_settings.BASE_DIR)
    assert is_project_html(base / "templates" / "base.html")
    assert is_project_html(base / "blog" / "templates" / "blog" / "x.html")
    assert not is_project_html(base / "templates" / "robots.txt")
    assert not is_project_html(base / "templates" / "search" / "opensearch.xml")
    assert not is_project_html(
        base / ".venv/lib/python3.11/site-packages/django/contrib/admin/templates/admin/base.html"
    )
    assert not is_project_html("/usr/lib/python3/dist-packages/x/templates/y.html")


def _project_templates():
    base = Path(django_settings.BASE_DIR)
    found = list((base / "templates").rglob("*.html"))
    for app_templates in base.glob("*/templates"):
        found.extend(app_templates.rglob("*.html"))
    return [path for path in found if is_project_html(path)]


def test_no_template_breaks_a_line_inside_pre_or_textarea():
    """The one place a line break is content, not layout: compaction would change it."""
    templates = _project_templates()
    assert len(templates) > 50
    for path in templates:
        source = path.read_text()
        for match in re.finditer(r"<(pre|textarea)\b(.*?)</\1>", source, re.S):
            assert "\n" not in match.group(2), f"{path}: a line break inside <{match.group(1)}>"


def _shape(node):
    """A parsed element as (tag, attributes, children), every text node's white space
    collapsed to one space: what the page shows. Per-request tokens are left out."""
    children = []
    if node.text and node.text.strip(HTML_SPACE):
        children.append(" ".join(node.text.split()))
    elif node.text:
        children.append(" ")
    for child in node:
        children.append(_shape(child))
        if child.tail and child.tail.strip(HTML_SPACE):
            children.append(" ".join(child.tail.split()))
        elif child.tail:
            children.append(" ")
    attributes = {
        key: value
        for key, value in node.attrib.items()
        if not (node.attrib.get("type") == "hidden" and key == "value")
    }
    tag = node.tag.rsplit("}", 1)[-1]
    # Collapse adjacent spaces left by children that were only white space.
    merged = []
    for child in children:
        if child == " " and merged and isinstance(merged[-1], str) and merged[-1].endswith(" "):
            continue
        merged.append(child)
    return (tag, sorted(attributes.items()), merged)


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_pages_read_the_same_and_are_smaller(client, settings, a_post):
    make_comment(a_post, name="Ann Reader", body="First *point*.\n\nSecond point.")
    urls = [a_post.get_absolute_url(), "/", "/labels/", f"{a_post.get_absolute_url()}?reply=1"]
    compacted = [_page(client, url) for url in urls]
    settings.TEMPLATES = [
        {**django_settings.TEMPLATES[0], "OPTIONS": {**django_settings.TEMPLATES[0]["OPTIONS"]}}
    ]
    settings.TEMPLATES[0]["OPTIONS"]["loaders"] = PLAIN_LOADERS
    plain = [_page(client, url) for url in urls]
    for url, small, large in zip(urls, compacted, plain, strict=True):
        assert len(small) < len(large), url
        assert _shape(html5lib.parse(small)) == _shape(html5lib.parse(large)), url
    # The post page: no line is indented any more (Django's own form-field templates, left
    # as they are, indent none). A line that held only a {% tag %} still leaves its line feed.
    assert len(plain[0]) - len(compacted[0]) > 200
    assert "\n  <" not in compacted[0]
