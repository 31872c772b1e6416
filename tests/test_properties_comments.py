"""Everything a commenter types, in any script, reaches every page exactly once, or gets a message.

Each example opens a post page as a reader's browser does (CSRF checks on, the form's signed
token and hidden fields taken from the page), fills in the comment form, sends it, and a
moderator approves the comment through the service. Then the whole public site is walked
(tests/site_walk.py): every page answers 200, every feed parses, the name, website, body and
competing interests are found decoded where they are shown, nothing is escaped twice, and
the email address is on no public page at all.

Timing (resends, double clicks, the back button) is tested in the comment tests, not here:
the form's minimum time is 0 seconds and the rate limit is off.
"""

from types import SimpleNamespace
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import Phase, event, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from comments.models import Comment
from comments.services import comment_approve
from tests.factories import make_post
from tests.site_walk import (
    answered_with_error,
    decoded_strings,
    escaped_twice_problems,
    escaped_twice_problems_in,
    feed_problems,
    form_errors,
    form_values,
    fresh_example,
    pages_showing,
    read_html,
    walk_site,
)
from tests.strategies import (
    SAMPLES,
    any_script_email,
    any_script_paragraphs,
    any_script_text,
    any_script_url,
)

pytestmark = pytest.mark.django_db

PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]
MID_MINUTE = 1_700_000_010.0  # 30 s into a calendar minute
HARD = "p<0·001 & n=202 \"quoted\" 'single'"
# The post commented on has an address in any script too (slugs are any-script on main).
POST_SLUGS = st.sampled_from(
    ["a-write-up", "多发性硬化", "β-interferon", "ménière-disease", "טרשת-נפוצה"]
)


@pytest.fixture(autouse=True)
def _no_timing(settings):
    settings.COMMENT_MIN_SUBMIT_SECONDS = 0
    settings.COMMENT_RATE_LIMIT = "off"


def as_browser_sends(text):
    return text.replace("\n", "\r\n")


def send_comment(client, post, typed):
    """Open the post page, fill in the comment form as shown, send it."""
    page = client.get(post.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    data = form_values(html, "comment-form")
    assert data.get("security_token"), "the form carries no signed token"
    data.update(
        {
            "name": typed["name"],
            "email": typed["email"],
            "website": typed["website"],
            "body": as_browser_sends(typed["body"]),
            "competing_interests": typed["competing_interests"],
        }
    )
    action = [link for link in read_html(html).links if link.startswith("/comments/post/")]
    assert action, "the post page has no comment form"
    return client.post(action[0], data)


def typed_comments():
    return st.fixed_dictionaries(
        {
            "name": any_script_text(max_size=60),
            # Two in three valid: Django (like WordPress) refuses a non-ASCII local part.
            "email": st.one_of(st.emails(), st.emails(), any_script_email()),
            "website": st.one_of(st.just(""), any_script_url()),
            "body": any_script_paragraphs(),
            "competing_interests": st.one_of(st.just(""), any_script_text(max_size=80)),
        }
    )


def one_line(text):
    return " ".join(text.split())


@hypothesis_settings(max_examples=10, phases=PHASES)
@given(typed=typed_comments(), slug=POST_SLUGS)
@example(
    typed={
        "name": HARD,
        "email": "ann+trials@example.org",
        "website": "https://example.org/a?b=1&c=<2>",
        "body": f"{HARD}\n\n> {HARD}\n\n{HARD}",
        "competing_interests": HARD,
    },
    slug="a-write-up",
)
@example(
    typed={
        "name": "\u202eevil\u202c טרשת נפוצה",
        "email": "reader@παράδειγμα.ελ",
        "website": "παράδειγμα.ελ/σελίδα",
        "body": "التصلب المتعدد\nzero\u200bwidth",
        "competing_interests": "",
    },
    slug="טרשת-נפוצה",
)
@example(
    typed={
        "name": "多发性硬化 🧠💊",
        "email": "o'brien@例子.中国",
        "website": "http://例子.中国/路径",
        "body": "多发性硬化 🧠💊\n\ne\u0301\u0301",
        "competing_interests": "İstanbul ǅ ß ﬁ",
    },
    slug="多发性硬化",
)
def test_every_field_a_commenter_types_reaches_every_page_exactly_once(an_author, typed, slug):
    client = Client(enforce_csrf_checks=True)
    with fresh_example():
        post = make_post(author=an_author, title="A write-up", slug=slug, labels=["neurology"])
        response = send_comment(client, post, typed)
        assert response.status_code in (302, 400), response.status_code
        if response.status_code == 400:
            # Refused: a message beside the field, and nothing the person typed is lost.
            html = response.content.decode()
            assert form_errors(html), "refused without a message"
            kept = form_values(html, "comment-form")
            assert kept["body"].replace("\r\n", "\n") == typed["body"]
            assert kept["name"] == typed["name"]
            assert not Comment.objects.exists()
            event(f"refused: {', '.join(sorted(set(form_errors(html))))}")
            return
        assert response.status_code == 302, response.status_code
        comment = Comment.objects.get()
        assert comment.name == one_line(typed["name"])
        # Stored with one character per line break, as the textarea counted them.
        assert comment.body == as_browser_sends(typed["body"]).replace("\r\n", "\n").strip()
        assert comment.competing_interests == (
            one_line(typed["competing_interests"]) or "None declared"
        )
        event(f"stored {comment.status}, then approved")
        comment_approve(comment=comment, moderator=an_author)

        walk = walk_site(Client())
        assert answered_with_error(walk) == []
        assert walk.failures() == []
        assert [p for page in walk.of_kind("atom", "rss") if (p := feed_problems(page))] == []

        detail = post.get_absolute_url()
        feeds = {"/comments/feeds/latest/", f"/comments/feeds/post/{post.pk}/"}
        expected = [
            (comment.name, {detail, *feeds}),
            (comment.competing_interests, {detail}),
        ]
        expected += [
            (line, {detail, *feeds}) for line in comment.body.splitlines() if line in SAMPLES
        ]
        for value, where in expected:
            missing = where - set(pages_showing(walk, value))
            assert not missing, f"{value!r} not shown on {sorted(missing)}"
        if comment.website:
            assert comment.website in read_html(walk[detail].text).links
        for page in walk:
            assert comment.email not in page.text, f"the email address is shown on {page.url}"
            assert not any(comment.email in s for s in decoded_strings(page)), page.url
        typed_values = [
            typed["name"],
            typed["body"],
            typed["competing_interests"],
            typed["website"],
        ]
        assert escaped_twice_problems(walk, typed_values) == []

        # The reply form names the comment answered; the admin lists and opens it.
        reply = Client().get(f"{detail}?reply={comment.pk}")
        assert reply.status_code == 200
        assert f"Reply to {comment.name}" in read_html(reply.content.decode()).strings
        staff = Client()
        staff.force_login(an_author)
        for url in (
            reverse("admin:comments_comment_changelist") + "?status__exact=approved",
            reverse("admin:comments_comment_change", args=[comment.pk]),
        ):
            page = staff.get(url)
            assert page.status_code == 200, url
            assert any(comment.name in s for s in read_html(page.content.decode()).strings), url


@hypothesis_settings(max_examples=8, phases=PHASES)
@given(typed=typed_comments(), refusal=st.sampled_from(["rate limit", "closed"]), slug=POST_SLUGS)
@example(
    typed={
        "name": HARD,
        "email": "ann@example.org",
        "website": "https://example.org/?a=1&b=<2>",
        "body": f"{HARD}\n\n</textarea><script>alert(1)</script>",
        "competing_interests": HARD,
    },
    refusal="rate limit",
    slug="β-interferon",
)
def test_a_refused_comment_gives_back_everything_typed_exactly(
    an_author, settings, typed, refusal, slug
):
    """Refused for the rate limit (429, ready to send again) or because comments closed
    while the person was writing (403, kept to copy): the page gives back what was typed,
    decoded exactly as typed, never a 500."""
    client = Client(enforce_csrf_checks=True)
    with fresh_example():
        post = make_post(author=an_author, title="A write-up", slug=slug, labels=["neurology"])
        if refusal == "rate limit":
            settings.COMMENT_RATE_LIMIT = "1/m"
            first = {**typed, "email": "first@example.org", "body": "First.", "website": ""}
            # Windows are calendar minutes: two sends either side of one (CI once did) are
            # two windows. The clock stands still, mid-minute, for this pair.
            still = SimpleNamespace(time=lambda: MID_MINUTE)  # only the rate limit's clock
            with mock.patch("comments.ratelimit.time", still):
                assert send_comment(client, post, first).status_code == 302
                response = send_comment(client, post, typed)
        else:
            page = client.get(post.get_absolute_url()).content.decode()
            type(post).objects.filter(pk=post.pk).update(comments_open=False)
            response = None
        if response is None:
            data = form_values(page, "comment-form")
            data.update({**typed, "body": as_browser_sends(typed["body"])})
            response = client.post(reverse("comments:post", args=[post.pk]), data)
        html = response.content.decode()
        sent = as_browser_sends(typed["body"])
        if response.status_code == 400:  # the form's own errors come first, text kept
            assert form_errors(html), "refused without a message"
            kept = form_values(html, "comment-form").get("body")
            assert kept in (sent, typed["body"]), "the comment typed is lost"
            return
        if refusal == "rate limit":
            assert response.status_code == 429
            kept = form_values(html, "comment-form")
            for name in ("name", "email", "website", "competing_interests"):
                assert kept[name] == typed[name], name
            assert kept["body"] in (sent, typed["body"])
        else:
            assert response.status_code == 403
            assert sent in read_html(html).strings or typed["body"] in read_html(html).strings
        assert escaped_twice_problems_in(html, list(typed.values())) == []
