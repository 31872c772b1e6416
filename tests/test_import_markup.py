"""What imported bodies and titles keep (issue 17 tryout): spaces after inline elements,
superscripts and subscripts, WordPress shortcodes, linked images, titles as plain text."""

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blog import markup
from blog.models import Post
from imports.blogger import parse_blogger
from imports.html_to_markdown import escape_text, html_to_markdown, unescape_text
from imports.pipeline import import_parsed
from imports.shortcodes import expand_shortcodes
from imports.wxr import parse_wxr
from tests.test_import_pipeline import item, wxr


# ---------------------------------------------------------------- 1: spaces after inline
@pytest.mark.parametrize("autop", [True, False])
@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("<i>N Engl J Med</i> 2012", "*N Engl J Med* 2012"),
        ('<a href="http://x.org/n">Notes</a> for', "[Notes](http://x.org/n) for"),
        ("<code>x</code> y", "`x` y"),
        ('<abbr title="t">MS</abbr> and <b>b</b>\tc', "MS and **b** c"),
        ("a <b>b</b>, <em>c</em>.", "a **b**, *c*."),
    ],
)
def test_the_space_after_an_inline_element_is_kept(html, markdown, autop):
    assert html_to_markdown(html, autop=autop).markdown == markdown


def test_autop_still_makes_paragraphs_and_line_breaks():
    out = html_to_markdown("<b>One</b> two\nthree\n\n<i>Four</i> five", autop=True).markdown
    assert out == "**One** two  \nthree\n\n*Four* five"


# ---------------------------------------------------------------- 2: superscripts, subscripts
@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("10<sup>9</sup>/L", "10⁹/L"),
        ("mg/m<sup>2</sup> daily", "mg/m² daily"),
        ("H<sub>2</sub>O", "H₂O"),
        ("10<sup>-3</sup>", "10⁻³"),
        ("1<sup>st</sup> line", "1ˢᵗ line"),
    ],
)
def test_superscripts_and_subscripts_become_unicode(html, markdown):
    converted = html_to_markdown(html, autop=True)
    assert converted.markdown == markdown
    assert converted.notes == []


def test_a_subscript_without_unicode_form_stays_text_with_a_note():
    converted = html_to_markdown("HbA<sub>1c</sub> 7%", autop=True)
    assert converted.markdown == "HbA1c 7%"
    assert converted.notes == ["subscript \u201c1c\u201d kept as plain text"]


@pytest.mark.django_db
def test_the_report_names_the_post_whose_subscript_stayed_text():
    report = import_parsed(wxr(item(title="HbA1c", body_html="HbA<sub>1c</sub> and m<sup>2</sup>")))
    assert Post.objects.get().body == "HbA1c and m²"
    assert "post \u201cHbA1c\u201d: subscript \u201c1c\u201d kept as plain text" in report.lines


# ---------------------------------------------------------------- 3: shortcodes, linked images
CAPTION = (
    '[caption id="attachment_9" align="alignnone" width="604"]'
    '<a href="http://old.example.org/bell.jpg"><img src="http://old.example.org/bell-300.jpg" '
    'alt="Bell on Wharf" /></a> Bell on wharf in San Francisco[/caption]'
)


def test_a_caption_becomes_the_image_link_and_its_caption():
    html, removed = expand_shortcodes(CAPTION)
    assert removed == []
    assert html_to_markdown(html, autop=True).markdown == (
        "[Image: Bell on Wharf](http://old.example.org/bell-300.jpg)\n\n"
        "Bell on wharf in San Francisco"
    )


def test_an_old_caption_attribute_is_the_caption():
    html, _ = expand_shortcodes(
        '[caption caption="Old style"]<img src="http://x.org/a.png">[/caption]'
    )
    assert html_to_markdown(html).markdown == "[Image: a.png](http://x.org/a.png)\n\nOld style"


def test_other_shortcodes_are_removed_and_named_brackets_in_text_stay():
    html, removed = expand_shortcodes(
        'Text [sic] and [1]. [gallery ids="1,2"] [audio mp3="a.mp3"][/audio] '
        '[embed]http://youtu.be/x[/embed] [myplugin size="3"] end'
    )
    assert removed == ["gallery", "audio", "embed", "myplugin"]
    assert "[" not in html.replace("[sic]", "").replace("[1]", "")
    assert "http://youtu.be/x" in html and "[sic]" in html and "[1]" in html


@pytest.mark.parametrize(
    "make",
    [lambda n: "[" * n, lambda n: "[caption]" * n, lambda n: "[a b=1" * n, lambda n: "[/x]" * n],
)
def test_shortcode_scanning_stays_linear(make):
    sizes = {}
    for n in (2_000, 16_000):
        started = time.thread_time()
        expand_shortcodes(make(n) + "end")
        sizes[n] = time.thread_time() - started
    assert sizes[16_000] < 20 * sizes[2_000] + 0.05  # quadratic would be 64 times


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        (
            '<a href="http://x.org/page"><img src="http://x.org/i.png" alt="I"></a> after',
            "[Image: I](http://x.org/page) after",
        ),
        (
            '<a href="http://x.org/big.jpg"><img src="http://x.org/small.jpg" alt="I"></a>',
            "[Image: I](http://x.org/small.jpg)",
        ),
    ],
)
def test_a_linked_image_is_one_link(html, markdown):
    assert html_to_markdown(html, autop=True).markdown == markdown


@pytest.mark.django_db
def test_the_report_names_each_post_whose_shortcodes_were_removed():
    body = f'{CAPTION}\n\n[gallery ids="1,2,3"]\n\nText.'
    report = import_parsed(wxr(item(title="Gallery post", body_html=body)))
    post = Post.objects.get()
    assert "[gallery" not in post.body and "[caption" not in post.body
    assert "Bell on wharf in San Francisco" in post.body
    assert any(
        line.startswith("post \u201cGallery post\u201d: WordPress shortcode(s) [gallery] removed")
        for line in report.lines
    )


# ---------------------------------------------------------------- 8: titles are plain text
@pytest.mark.django_db
def test_wordpress_titles_lose_their_tags_and_keep_their_text(tmp_path):
    path = tmp_path / "titles.xml"
    path.write_text(
        '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        "<wp:wxr_version>1.2</wp:wxr_version><link>http://t.example.org</link>"
        "<item><title>Markup: Title &lt;em&gt;With&lt;/em&gt; &lt;b&gt;Mark&lt;sup&gt;up"
        "&lt;/sup&gt;&lt;/b&gt;</title><wp:post_id>1</wp:post_id>"
        "<wp:post_type>post</wp:post_type><wp:status>draft</wp:status></item>"
        "<item><title>p&amp;lt;0.001 &amp;amp; AT&amp;amp;T &#8211; ok</title>"
        "<wp:post_id>2</wp:post_id><wp:post_type>post</wp:post_type>"
        "<wp:status>draft</wp:status></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    import_parsed(parse_wxr(path))
    assert sorted(Post.objects.values_list("title", flat=True)) == [
        "Markup: Title With Markup",
        "p<0.001 & AT&T \u2013 ok",
    ]


@pytest.mark.django_db
def test_a_blogger_html_title_loses_its_tags_a_text_title_stays(tmp_path):
    path = tmp_path / "b.xml"
    entry = (
        "<entry><id>tag:blogger.com,1999:blog-5.post-{pk}</id>"
        "<published>2012-05-14T09:30:00.000-07:00</published>"
        "<category scheme='http://schemas.google.com/g/2005#kind' "
        "term='http://schemas.google.com/blogger/2008/kind#post'/>"
        "<title type='{kind}'>{title}</title><content type='html'>x</content>"
        "<author><name>Ada</name></author></entry>"
    )
    path.write_text(
        "<feed xmlns='http://www.w3.org/2005/Atom'><id>tag:blogger.com,1999:blog-5</id>"
        + entry.format(pk=1, kind="html", title="A &lt;i&gt;new&lt;/i&gt; drug")
        + entry.format(pk=2, kind="text", title="p &lt;b&gt; 0.05")
        + "</feed>",
        encoding="utf-8",
    )
    import_parsed(parse_blogger(path))
    assert sorted(Post.objects.values_list("title", flat=True)) == ["A new drug", "p <b> 0.05"]


# ---------------------------------------------------------------- 15: smaller things
def test_an_ordered_list_keeps_its_start_number():
    markdown = html_to_markdown('<ol start="8"><li>eight</li><li>nine</li></ol>').markdown
    assert markdown == "8.  eight\n\n9.  nine"
    assert '<ol start="8">' in markup.render_post(markdown)


@pytest.mark.parametrize(
    ("html", "shown"),
    [
        ("Use <code>&lt;cite&gt;</code> here", "<code>&lt;cite&gt;</code>"),
        ("<code>a*b_c [x] &amp;amp; `q`</code>", "<code>a*b_c [x] &amp;amp; `q`</code>"),
    ],
)
def test_code_is_escaped_exactly_once(html, shown):
    assert shown in markup.render_post(html_to_markdown(html, autop=True).markdown)


@given(st.text(max_size=80))
def test_unescape_undoes_escape(text):
    assert unescape_text(escape_text(text)) == text


def test_headings_and_tables_in_comments_stay_readable_text():
    html = (
        "<h2>Header one</h2><p>text</p><table><tr><th>Plan</th><th>Price</th></tr>"
        "<tr><td>Pro</td><td>$100K</td></tr></table>"
    )
    markdown = html_to_markdown(html, autop=True, tables=False, headings=False).markdown
    assert markdown == "**Header one**\n\ntext\n\nPlan | Price\n\nPro | $100K"
    shown = markup.render_comment(markdown)
    assert "<strong>Header one</strong>" in shown and "##" not in shown
