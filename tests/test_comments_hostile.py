"""Hostile input through every field: nothing executable reaches another reader.

Vectors come from tests/data/xss-vectors.txt (the shared corpus) when it is there, plus
the list below. Each goes through the real form and view, is approved through the
service, and the rendered thread and feeds are parsed and checked tag by tag.
"""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from blog.models import Post
from comments.models import Comment
from comments.services import comment_approve, comment_submit
from tests.lean_markup_support import comment_ids
from tests.test_comments_forms import BAD_WEBSITE
from tests.test_comments_support import form_data, post_url

VECTORS = [
    "<script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "[x](java&#x09;script:alert(1))",
    "![x](javascript:alert(1))",
    '<a href="x" onmouseover="alert(1)">hover</a>',
    "<body onload=alert(1)>",
    "<style>*{display:none}</style>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "> <script>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<scr\x00ipt>alert(1)</script>",
    "\u202e<script>alert(1)</script>",
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "<base href=javascript:alert(1)//>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    'https://example.org/"onmouseover="alert(1)',
]

CORPUS = Path(__file__).resolve().parent / "data" / "xss-vectors.txt"
if CORPUS.exists():
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            VECTORS.append(line.replace("\\n", "\n"))
VECTORS = list(dict.fromkeys(VECTORS))

FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "style",
    "svg",
    "math",
    "base",
    "meta",
    "link",
    "img",
    "form",
    "input",
    "button",
    "body",
    "details",
    "textarea",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"<{tag} {name}=...>")
            if name in URL_ATTRIBUTES and value:
                cleaned = "".join(value.split()).lower()
                if cleaned.startswith(BAD_SCHEMES):
                    self.problems.append(f"<{tag} {name}={value!r}>")


def problems_in(html):
    checker = Checker()
    checker.feed(html)
    checker.close()
    return checker.problems


def thread_html(client, post):
    """The comment section with comments closed, so only the thread (no form) is checked."""
    Post.objects.filter(pk=post.pk).update(comments_open=False)
    html = client.get(post.get_absolute_url()).content.decode()
    Post.objects.filter(pk=post.pk).update(comments_open=True)
    start = html.index('<section class="comments"')
    return html[start : html.index("</section>", start)]


@pytest.fixture(autouse=True)
def _open_limits(settings):
    settings.COMMENT_RATE_LIMIT = "off"
    settings.PAGE_CACHE_SECONDS = 0
    settings.COMMENT_MAX_LINKS = 100
    settings.COMMENTS_PER_PAGE = 0  # every vector on the one page checked


@pytest.mark.parametrize("field", ["name", "body", "competing_interests", "website"])
def test_every_vector_through_every_field_is_inert(client, a_post, a_superuser, field):
    stored = 0
    for number, vector in enumerate(VECTORS):
        overrides = {field: vector, "email": f"m{number}@example.org"}
        if field != "body":
            overrides["body"] = f"Comment number {number}"
        response = client.post(post_url(a_post), form_data(a_post, **overrides))
        assert response.status_code in (302, 400), (vector, response.status_code)
        if response.status_code == 400:
            assert 'class="errorlist"' in response.content.decode(), vector  # refused, clearly
            continue
        stored += 1
    assert stored or field == "website"
    for comment in Comment.objects.filter(post=a_post):
        comment_approve(comment=comment, moderator=a_superuser)
    html = thread_html(client, a_post)
    assert len(comment_ids(html)) == stored
    assert problems_in(html) == [], field
    for feed in (reverse("comments:feed_latest"), reverse("comments:feed_post", args=[a_post.pk])):
        import feedparser

        parsed = feedparser.parse(client.get(feed).content)
        for entry in parsed.entries:
            assert problems_in(entry.summary) == [], (feed, entry.summary)
            assert problems_in(f'<a href="{entry.link}">') == []


def test_the_stored_html_carries_no_payload(a_post):
    """Straight through the service, as an import or the e2e suite would (no form)."""
    for number, vector in enumerate(VECTORS):
        comment = comment_submit(
            post=a_post,
            data={
                "name": vector,
                "email": f"m{number}@example.org",
                "body": vector,
                "competing_interests": vector,
            },
            request_meta={"ip_address": "192.0.2.1", "user_agent": vector},
        )
        assert "\x00" not in comment.body + comment.name + comment.user_agent
        assert problems_in(comment.body_html) == [], (vector, comment.body_html)


def test_a_hostile_website_is_refused_not_linked(client, a_post):
    response = client.post(post_url(a_post), form_data(a_post, website="javascript:alert(1)"))
    assert response.status_code == 400
    assert BAD_WEBSITE in response.content.decode()


def test_a_hostile_reply_parameter_is_harmless(client, a_post):
    url = a_post.get_absolute_url() + '?reply="><script>alert(1)</script>'
    html = client.get(url).content.decode()
    assert "<script>alert(1)" not in html
    assert "You can only reply to a published comment on this post." in html


def test_hostile_parent_and_token_fields_are_refused_cleanly(client, a_post):
    for parent in ("<script>", "1 OR 1=1", "9" * 40, "-5"):
        assert client.post(post_url(a_post), form_data(a_post, parent=parent)).status_code == 400
    response = client.post(post_url(a_post), form_data(a_post, security_token="<script>"))
    assert response.status_code == 400
    assert "<script>" not in response.content.decode().split('<section class="comments"')[1]


def test_an_oversized_comment_is_refused_with_a_message(client, a_post):
    response = client.post(post_url(a_post), form_data(a_post, body="x" * 10001))
    assert response.status_code == 400
    assert "Ensure this value has at most 10000 characters" in response.content.decode()
