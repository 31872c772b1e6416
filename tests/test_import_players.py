"""<embed>, <object>, <video>, <audio> become links to their address, each reported
(issue 17 re-check B; README: "an embed becomes a link")."""

from pathlib import Path

import pytest

from blog.models import Post
from imports.html_to_markdown import html_to_markdown
from imports.pipeline import import_parsed
from imports.wxr import parse_wxr

PLAYERS = Path(__file__).parent / "data" / "imports" / "wxr-players.xml"


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ('<embed src="http://x.org/m.swf">', "[Video: http://x.org/m.swf](http://x.org/m.swf)"),
        ('<video src="/v.mp4" controls>Cannot play</video>', "[Video: /v.mp4](/v.mp4)"),
        (
            '<video><source src="http://x.org/a.webm"><source src="b.mp4">fallback</video>',
            "[Video: http://x.org/a.webm](http://x.org/a.webm)",
        ),
        (
            '<audio><source src="http://x.org/s.mp3"></audio>',
            "[Audio: http://x.org/s.mp3](http://x.org/s.mp3)",
        ),
        (
            '<object><param name="movie" value="http://y.com/v/a"><embed src="http://y.com/v/b"></embed></object>',
            "[Video: http://y.com/v/a](http://y.com/v/a)",
        ),
        ('<object data="/f.swf">alt text</object>', "[Video: /f.swf](/f.swf)"),
        ('<video src="/x.mp4" />', "[Video: /x.mp4](/x.mp4)"),
        ('<video src="/open.mp4">never closed', "[Video: /open.mp4](/open.mp4)"),
    ],
)
def test_a_player_becomes_a_link_to_its_address(html, markdown):
    converted = html_to_markdown(html)
    assert converted.markdown == markdown
    assert len(converted.notes) == 1
    assert "became a link" in converted.notes[0]


def test_a_player_without_an_address_is_removed_with_a_note():
    converted = html_to_markdown("<p>a</p><video>Cannot play</video><p>b</p>")
    assert converted.markdown == "a\n\nb"
    assert converted.notes == ["<video> without an address removed"]


def test_deeply_nested_players_stay_linear():
    html = "<object>" * 5000 + '<embed src="/e.swf">' + "</object>" * 5000 + "after"
    converted = html_to_markdown(html)
    assert converted.markdown == "[Video: /e.swf](/e.swf)\n\nafter"


@pytest.mark.django_db
def test_the_players_of_an_old_blog_become_links_and_the_report_names_each_post():
    report = import_parsed(parse_wxr(PLAYERS))
    flash = Post.objects.get(title="Flash talk")
    assert flash.body == (
        "Before.\n\n[Video: http://www.youtube.com/v/abc123](http://www.youtube.com/v/abc123)\n\nAfter."
    )
    assert 'href="http://www.youtube.com/v/abc123"' in flash.body_html
    podcast = Post.objects.get(title="Podcast and clip").body
    assert "[Audio: http://old.example.org/ep1.mp3](http://old.example.org/ep1.mp3)" in podcast
    assert "[Video: http://old.example.org/clip.webm](http://old.example.org/clip.webm)" in podcast
    assert "[Video: http://old.example.org/old.swf](http://old.example.org/old.swf)" in podcast
    assert "Cannot play" not in podcast and "Download the clip" not in podcast
    text = report.as_text()
    assert (
        "\u201cFlash talk\u201d: <object> became a link to http://www.youtube.com/v/abc123" in text
    )
    assert "\u201cPodcast and clip\u201d: <audio> became a link" in text
