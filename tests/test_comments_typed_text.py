"""Text in any script through the real comment form, then the page and the feeds.

Hypothesis draws every field a commenter types (``tests/strategies.py``). Each draw is
POSTed as a browser would; a refused one must come back as a form error keeping the text,
never a 500. An accepted one must be stored faithfully (the form's only rewrites: one-line
fields have their runs of spaces collapsed, Django strips a text's ends, the website is
kept in ASCII), and once approved it must be shown escaped exactly once on the post page
and in both comment feeds (parsed, then compared with what was stored), and the email
nowhere.
"""

import html
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from django.urls import reverse
from hypothesis import event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from comments.addresses import ascii_address
from comments.feeds import _isolated
from comments.models import Comment
from comments.services import comment_approve
from tests.lean_markup_support import closed_html
from tests.strategies import any_script_paragraphs, any_script_text
from tests.test_comments_support import form_data, post_url

ATOM = "{http://www.w3.org/2005/Atom}"

# Host names: lower-case letters of the scripts in tests/strategies.py (IDNA takes them).
_LETTERS = st.one_of(
    st.characters(min_codepoint=0x61, max_codepoint=0x7A),  # a-z
    st.characters(min_codepoint=0xE0, max_codepoint=0xFF, exclude_characters="\xf7"),
    st.characters(min_codepoint=0x3B1, max_codepoint=0x3C9, exclude_characters="\u03c2"),
    st.characters(min_codepoint=0x430, max_codepoint=0x44F),  # Cyrillic
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),  # CJK
)
websites = st.one_of(
    st.just(""),
    st.builds(
        lambda host, path: f"https://{host}.example/{path}",
        st.text(_LETTERS, min_size=1, max_size=12),
        any_script_text(max_size=20),
    ),
)
emails = st.builds(
    lambda local, host: f"{local}@{host}.example",
    st.from_regex(r"[a-z][a-z0-9_-]{0,10}(\.[a-z0-9_-]{1,8})?", fullmatch=True),
    st.text(_LETTERS, min_size=1, max_size=12),
)


def one_line(text):
    return " ".join(text.split())


class _Comment(HTMLParser):
    """The texts of one comment's parts on the page: byline name, website link, interests."""

    def __init__(self, anchor):
        super().__init__(convert_charrefs=True)
        self.anchor, self.depth, self.paragraphs, self.hrefs = anchor, 0, [], []
        self._in_p = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if not self.depth and tag == "li" and attrs.get("id") == self.anchor:
            self.depth = 1
            return
        if self.depth:
            self.depth += tag == "li"
            if tag == "p" and self.depth == 1:
                self.paragraphs.append("")
                self._in_p = True
            if tag == "a" and attrs.get("rel") == "nofollow ugc":
                self.hrefs.append(attrs["href"])

    def handle_endtag(self, tag):
        if self.depth:
            if tag == "p":
                self._in_p = False
            self.depth -= tag == "li"

    def handle_data(self, data):
        if self.depth == 1 and self._in_p:
            self.paragraphs[-1] += data


def comment_on_page(page, comment):
    """Read from the page as an HTML5 parser builds it (the thread leaves out the end tags
    the spec makes optional, which this tokenizer does not infer)."""
    parser = _Comment(comment.anchor)
    parser.feed(closed_html(page))
    parser.close()
    return parser


def check_page(client, post, comment):
    page = client.get(post.get_absolute_url()).content.decode()
    shown = comment_on_page(page, comment)
    byline, interests = shown.paragraphs[0], shown.paragraphs[-1]
    assert byline.startswith(comment.name + " "), (byline, comment.name)
    assert interests == f"Competing interests: {comment.competing_interests}"
    assert shown.hrefs == ([comment.website] if comment.website else [])
    # The stored, sanitised HTML, as it was stored (its last </p> left out: the competing
    # interests' <p> ends it).
    assert comment.body_html.removesuffix("</p>") in page
    assert comment.email not in page
    for value in (comment.name, comment.competing_interests):
        if "&" in value or "<" in value:
            assert html.escape(html.escape(value, quote=False), quote=False) not in page


def check_feed(client, url, post, comment):
    response = client.get(url)
    assert response.status_code == 200
    raw = response.content.decode()
    assert comment.email not in raw
    entry = ET.fromstring(response.content).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}author/{ATOM}name").text == comment.name
    title = f"{_isolated(comment.name)} on \u201c{post.title}\u201d"
    assert entry.find(f"{ATOM}title").text == title
    interests = html.escape(comment.competing_interests)
    assert entry.find(f"{ATOM}summary").text == (
        f"{comment.body_html}<p>Competing interests: {interests}</p>"
    )
    uri = entry.find(f"{ATOM}author/{ATOM}uri")
    assert (uri.text if uri is not None else "") == comment.website


@hypothesis_settings(max_examples=15)
@given(
    name=any_script_text(max_size=60),
    email=emails,
    website=websites,
    body=any_script_paragraphs(),
    interests=any_script_text(max_size=80),
)
def test_typed_text_is_stored_faithfully_and_shown_escaped_once(
    client, a_post, a_superuser, settings, name, email, website, body, interests
):
    settings.COMMENT_RATE_LIMIT = "off"
    Comment.objects.all().delete()
    typed = {
        "name": name,
        "email": email,
        "website": website,
        "body": body,
        "competing_interests": interests,
    }
    response = client.post(post_url(a_post), form_data(a_post, **typed))
    event("refused" if response.status_code == 400 else "accepted")
    if response.status_code == 400:  # refused: a message, and nothing typed is lost
        page = response.content.decode()
        assert 'id="comment-errors"' in page and not Comment.objects.exists()
        return
    assert response.status_code == 302, response.status_code
    comment = Comment.objects.get()
    assert comment.name == one_line(name)
    assert comment.email == email
    assert comment.website == (ascii_address(website) if website else "")
    assert comment.body == body.strip()  # Django strips a text field's ends
    assert comment.competing_interests == one_line(interests)

    comment_approve(comment=comment, moderator=a_superuser)
    check_page(client, a_post, comment)
    check_feed(client, reverse("comments:feed_post", args=[a_post.pk]), a_post, comment)
    check_feed(client, reverse("comments:feed_latest"), a_post, comment)
