"""Closed comments stay closed (issue 17 tryout 7): WordPress's wp:comment_status and a
Blogger post without its "replies" links."""

import pytest

from blog.models import Post
from imports.blogger import parse_blogger
from imports.pipeline import import_parsed
from imports.wxr import parse_wxr

WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<wp:wxr_version>1.2</wp:wxr_version><link>http://closed.example.org</link>
{items}
</channel></rss>"""
ITEM = (
    "<item><title>{title}</title><wp:post_id>{pk}</wp:post_id><wp:post_type>post</wp:post_type>"
    "<wp:status>publish</wp:status><wp:post_date_gmt>2014-01-02 10:00:00</wp:post_date_gmt>"
    "{status}<content:encoded>Text.</content:encoded></item>"
)


@pytest.mark.django_db
def test_wordpress_closed_comments_stay_closed(tmp_path):
    items = "".join(
        ITEM.format(title=title, pk=pk, status=status)
        for pk, (title, status) in enumerate(
            [
                ("Closed", "<wp:comment_status>closed</wp:comment_status>"),
                ("Open", "<wp:comment_status>open</wp:comment_status>"),
                ("Silent", ""),
            ],
            start=1,
        )
    )
    path = tmp_path / "closed.xml"
    path.write_text(WXR.format(items=items), encoding="utf-8")
    report = import_parsed(parse_wxr(path))
    assert dict(Post.objects.values_list("title", "comments_open")) == {
        "Closed": False,
        "Open": True,
        "Silent": True,
    }
    assert "post \u201cClosed\u201d: comments were closed on the old blog: closed here" in (
        report.lines
    )


BLOGGER = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns='http://www.w3.org/2005/Atom'><id>tag:blogger.com,1999:blog-5.archive</id>
<title>B</title>{entries}</feed>"""
ENTRY = (
    "<entry><id>tag:blogger.com,1999:blog-5.post-{pk}</id>"
    "<published>2012-05-14T09:30:00.000-07:00</published>"
    "<category scheme='http://schemas.google.com/g/2005#kind' "
    "term='http://schemas.google.com/blogger/2008/kind#post'/>"
    "<title type='text'>{title}</title><content type='html'>Text.</content>{replies}"
    "<link rel='alternate' type='text/html' href='http://b.blogspot.com/2012/05/p{pk}.html'/>"
    "<author><name>Ada</name></author></entry>"
)
REPLIES = "<link rel='replies' type='text/html' href='http://b.blogspot.com/2012/05/p{pk}.html#comment-form'/>"


@pytest.mark.django_db
def test_a_blogger_post_without_replies_links_had_its_comments_off(tmp_path):
    entries = ENTRY.format(pk=1, title="On", replies=REPLIES.format(pk=1)) + ENTRY.format(
        pk=2, title="Off", replies=""
    )
    path = tmp_path / "blogger.xml"
    path.write_text(BLOGGER.format(entries=entries), encoding="utf-8")
    import_parsed(parse_blogger(path))
    assert dict(Post.objects.values_list("title", "comments_open")) == {"On": True, "Off": False}


@pytest.mark.django_db
def test_a_blogger_file_without_any_replies_links_says_nothing(tmp_path):
    path = tmp_path / "blogger.xml"
    path.write_text(BLOGGER.format(entries=ENTRY.format(pk=1, title="A", replies="")), "utf-8")
    import_parsed(parse_blogger(path))
    assert Post.objects.get().comments_open is True
