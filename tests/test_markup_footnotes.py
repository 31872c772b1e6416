"""Footnotes, table alignment and bare addresses in posts, through the sanitiser with hostile
content; the admin's warning for what was not shown; every new pattern grows linearly."""

import pytest
from hypothesis import given

from blog import markup
from blog.markup import render_comment, render_post
from tests.strategies import any_script_text
from tests.test_markup import read, text_of
from tests.test_markup_security import VECTORS, assert_safe
from tests.test_redos import assert_linear, unbudgeted

POST = unbudgeted(markup.POST_POLICY)


def _ids(fragment):
    return [attrs["id"] for _tag, attrs in read(fragment).elements if "id" in attrs]


def _anchors(fragment):
    return [attrs.get("href") for tag, attrs in read(fragment).elements if tag == "a"]


def _assert_every_in_page_link_lands(fragment):
    ids = _ids(fragment)
    assert len(ids) == len(set(ids)), ids  # unique
    for href in _anchors(fragment):
        if href and href.startswith("#"):
            assert href[1:] in ids, (href, ids)


def test_footnotes_render_with_numbered_ids_and_working_back_links():
    out = render_post(
        "A claim[^lancet] and another[^2], the first again[^lancet].\n\n"
        "[^lancet]: Coles AJ *et al.* doi:10.1016/S0140-6736(12)61768-1\n"
        "[^2]: A second note.\n"
    )
    assert _ids(out) == ["fnref-1", "fnref-2", "fnref-1-2", "fn-1", "fn-2"]
    assert _anchors(out)[:3] == ["#fn-1", "#fn-2", "#fn-1"]
    assert "#fnref-1" in _anchors(out) and "#fnref-1-2" in _anchors(out)
    assert "https://doi.org/10.1016/S0140-6736(12)61768-1" in _anchors(out)
    assert '<div class="footnote">' in out and "<em>et al.</em>" in out
    _assert_every_in_page_link_lands(out)


@pytest.mark.parametrize(
    "label",
    [
        '" onmouseover="alert(1)',
        "<script>alert(1)</script>",
        "a b c",
        "comment-1",
        "respond",
        "main",
        "σημείωση",
        "\u202eevil",
        "x" * 300,
        "1:2:3",
        "fn-1",
    ],
)
def test_a_hostile_footnote_label_never_becomes_an_id_or_markup(label):
    out = render_post(f"Text[^{label}].\n\n[^{label}]: The note <img src=x onerror=alert(1)>.\n")
    assert _ids(out) == ["fnref-1", "fn-1"]
    lowered = out.lower()
    assert "<script" not in lowered and "onmouseover" not in lowered.replace("&quot;", "")
    assert "<img" not in lowered
    _assert_every_in_page_link_lands(out)


@pytest.mark.parametrize(
    "body",
    [
        "[^1]: A note with [a link](javascript:alert(1)) and ![i](https://evil.example/i.png)\n\nx[^1]",
        "x[^1]\n\n[^1]: nested[^2]\n[^2]: deeper[^1]\n",
        "x[^1]\n\n[^1]:\n    ```\n    <script>alert(1)</script>\n    ```\n",
        "[^1]: defined, never used\n",
        "used, never defined[^nope]\n",
        "x[^]\n\n[^]: empty label\n",
        "# Heading[^1]\n\n| a[^1] |\n|---|\n| b[^1] |\n\n[^1]: in a heading and a table\n",
        "x[^1]\n\n[^1]: ///Footnotes Go Here///\n",
    ],
)
def test_hostile_footnote_content_is_sanitised_and_links_still_land(body):
    out = render_post(body)
    lowered = out.lower()
    assert "<script" not in lowered and "javascript:" not in lowered
    assert "https://evil.example" not in [
        attrs.get("src") for tag, attrs in read(out).elements if tag == "img"
    ]
    _assert_every_in_page_link_lands(out)


@pytest.mark.parametrize("vector", VECTORS)
def test_every_xss_vector_in_a_footnote_an_aligned_cell_and_a_label_stays_inert(vector):
    one_line = " ".join(vector.split()) or "x"
    out = render_post(
        f"Text[^1] and[^{one_line[:60].replace(']', '')}].\n\n"
        f"[^1]: {vector}\n\n"
        f"[^{one_line[:60].replace(']', '')}]: {one_line}\n\n"
        f"| a | b |\n|:-:|--:|\n| {one_line.replace('|', '')} | {one_line.replace('|', '')} |\n"
    )
    assert_safe(out)
    _assert_every_in_page_link_lands(out)


def test_comments_have_no_footnotes():
    out = render_comment("x[^1] and y[^2]\n\n[^2]: note")
    assert "<sup" not in out and "footnote" not in out and "[^1]" in text_of(out)


def test_typed_ids_and_footnote_classes_do_not_survive_the_sanitiser():
    policy = markup.POST_POLICY
    assert markup.sanitize_html('<li id="respond">x</li>', policy=policy) == "<li>x</li>"
    assert markup.sanitize_html('<sup id="fn-1">x</sup>', policy=policy) == "<sup>x</sup>"
    assert markup.sanitize_html('<div class="x">y</div>', policy=policy) == "<div>y</div>"
    assert markup.sanitize_html('<a class="btn" href="#x">y</a>', policy=policy) == (
        '<a href="#x">y</a>'
    )


# --- table alignment ----------------------------------------------------------------------


def test_column_alignment_is_kept_as_classes_and_no_style_survives():
    out = render_post("| L | C | R | - |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |\n")
    cells = [(tag, attrs) for tag, attrs in read(out).elements if tag in ("th", "td")]
    assert [attrs.get("class") for _tag, attrs in cells] == [
        "align-left",
        "align-center",
        "align-right",
        None,
    ] * 2
    assert "style" not in out and "align=" not in out


@pytest.mark.parametrize(
    "cell",
    [
        '<td style="background:url(javascript:alert(1))">',
        '" style="x',
        "<script>alert(1)</script>",
        "`code | pipe`",
        "[x](javascript:alert(1))",
    ],
)
def test_hostile_cells_in_an_aligned_table_stay_text(cell):
    out = render_post(f"| a | b |\n|--:|:-:|\n| {cell} | 2 |\n")
    assert_safe(out)
    assert not any("style" in attrs for _tag, attrs in read(out).elements)
    classes = {attrs.get("class") for tag, attrs in read(out).elements if tag in ("th", "td")}
    assert classes <= {"align-right", "align-center", None}


def test_a_typed_style_or_align_attribute_never_reaches_the_page():
    policy = markup.POST_POLICY
    for attribute in ('style="text-align: right;"', 'align="right"', 'class="align-right x"'):
        typed = f"<table><tbody><tr><td {attribute}>1</td></tr></tbody></table>"
        assert markup.sanitize_html(typed, policy=policy) == (
            "<table><tbody><tr><td>1</td></tr></tbody></table>"
        )
    kept = '<table><tbody><tr><td class="align-right">1</td></tr></tbody></table>'
    assert markup.sanitize_html(kept, policy=policy) == kept


def test_the_stylesheet_lets_the_alignment_classes_win():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[1] / "static/css/site.css").read_text()
    for side in ("left", "center", "right"):
        assert f".align-{side}" in css and f"text-align: {side}" in css
    block = css[css.index("/* == Images and footnotes == */") :]
    assert "th.align-right" in block or ".align-right" in block


# --- bare addresses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "href", "text_after"),
    [
        ("See https://example.org/trial.", "https://example.org/trial", "."),
        ("(https://example.org/a_(b))", "https://example.org/a_(b)", ")"),
        ("https://doi.org/10.1016/S0140-6736(12)61768-1).", None, ")."),
        ("at https://example.org/?q=1&r=2, then", "https://example.org/?q=1&r=2", ", then"),
        ("HTTPS://EXAMPLE.ORG/X", "HTTPS://EXAMPLE.ORG/X", ""),
        ("https://例え.jp/パス", "https://例え.jp/パス", ""),
    ],
)
def test_bare_addresses_in_posts_are_linked(typed, href, text_after):
    out = render_post(typed)
    expected = href or "https://doi.org/10.1016/S0140-6736(12)61768-1"
    assert expected in _anchors(out), out
    assert text_of(out) == typed  # nothing typed is lost or doubled
    if text_after:
        assert out.rstrip().endswith(f"</a>{text_after.replace('&', '&amp;')}</p>")


@pytest.mark.parametrize(
    "typed",
    [
        "`https://example.org/in-code`",
        "    https://example.org/in-a-code-block",
        "[already a link https://example.org/x](https://example.org/y)",
        "<https://example.org/angle>",
        "javascript://example.org/%0aalert(1)",
        "ftp://example.org/file",
        "https://",
        "xhttps://example.org",
    ],
)
def test_addresses_are_not_linked_twice_nor_in_code_nor_in_other_schemes(typed):
    out = render_post(typed)
    anchors = _anchors(out)
    assert len(anchors) <= 1
    assert not any(a and not a.lower().startswith("https://") for a in anchors), anchors
    assert "javascript" not in " ".join(filter(None, anchors)).lower()


def test_comments_keep_bare_addresses_as_text():
    assert _anchors(render_comment("see https://example.org/x")) == []


@given(text=any_script_text(max_size=60))
def test_any_text_around_an_address_is_kept_exactly(text):
    typed = f"{text} https://example.org/p {text}"
    out = render_post(typed)
    if "https://example.org/p" in _anchors(out):
        assert "https://example.org/p" in text_of(out)


# --- what the author is told ----------------------------------------------------------------


def test_the_preview_warning_names_dropped_links_and_images():
    rendering = markup.post_rendering(
        "[bad](javascript:alert(1)) ![km](https://cdn.example/km.png) ![ok](/static/x.png)"
    )
    notes = " ".join(rendering.notes())
    assert "javascript:alert(1)" in notes
    assert "https://cdn.example/km.png" in notes and "/static/x.png" not in notes
    assert rendering.dropped_images == ("https://cdn.example/km.png",)


def test_dropped_by_sanitiser_finds_what_bleach_removed():
    before = (
        '<p><a href="https://a.example">a</a><img src="//evil.example/x.png">'
        '<img src="/ok.png"></p>'
    )
    after = markup.sanitize_html(before, policy=markup.POST_POLICY)
    dropped = markup.dropped_by_sanitiser(before, after)
    assert dropped.images == ("//evil.example/x.png",) and dropped.links == ()
    assert markup.dropped_by_sanitiser(after, after) == markup.Dropped()


# --- every new pattern grows linearly ---------------------------------------------------------

GROWING = {
    "many footnote references": lambda n: "x[^1] " * n + "\n\n[^1]: note\n",
    "many footnote definitions": lambda n: "".join(f"x[^{i}]\n\n[^{i}]: n\n\n" for i in range(n)),
    "unclosed footnote refs": lambda n: "[^" * n,
    "footnote label without end": lambda n: "[^" + "a " * n,
    "long bare address": lambda n: "https://example.org/" + "a" * n,
    "many bare addresses": lambda n: "https://e.org/x " * n,
    "scheme-only runs": lambda n: "https:// " * n,
    "http runs without space": lambda n: "http://" * n,
    "closing brackets after an address": lambda n: "https://e.org/(" + ")" * n,
    "image references": lambda n: "![x](image:1) " * n,
    "image: words": lambda n: "image:" * n + "1",
    "aligned table columns": lambda n: "|" + " a |" * n + "\n|" + ":-:|" * n + "\n|" + " 1 |" * n,
}


@pytest.mark.parametrize("make", GROWING.values(), ids=GROWING.keys())
def test_new_shapes_render_in_linear_time(make):
    assert_linear(POST, make)


def test_the_new_regular_expressions_are_linear_on_their_own():
    assert_linear(
        lambda t: markup._LINKABLE_IN_POST_TEXT.findall(t), lambda n: "https://" + "a" * n
    )
    assert_linear(lambda t: markup._LINKABLE_IN_POST_TEXT.findall(t), lambda n: "http:/" * n)
    from blog import markup_images, markup_notes

    assert_linear(lambda t: markup_images._MENTIONED.findall(t), lambda n: "image:" * n)
    assert_linear(
        lambda t: markup_notes._REFERENCE_ID.fullmatch(t), lambda n: "fnref" + "1" * n + ":x" * n
    )
    assert_linear(
        lambda t: markup._allow_img_attribute("img", "srcset", t),
        lambda n: ", ".join(["/media/a.jpg 480w"] * n),
    )
