"""A commenter's findings on issue 15 (Chromium try-out): where a sent comment lands, what
the notice says, the optional title shown everywhere, editing title and competing
interests, the wording (plurals, time zones, one date style), unique link names, the word
count's hooks, and one presenter for the thread."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import editing, extensions, rendering, views
from comments.models import Comment, CommentEdit
from tests.lean_markup_support import closed_html
from tests.test_comments_support import make_comment, own_block, send_comment

pytestmark = pytest.mark.django_db
Status = Comment.Status


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.COMMENT_RATE_LIMIT = "off"


def _notice(html):
    """The commenter's notice: inside the own block, where the page lands (brief c15d)."""
    match = re.search(r'<div class="comments-own-notice" role="status">.*?</div>', html, re.S)
    return match.group(0) if match else ""


def _edit_url(comment):
    return reverse("comments:edit", args=[comment.pk])


@pytest.fixture
def an_approved_own_comment(client, a_post):
    make_comment(a_post, status=Status.APPROVED, body="An earlier approved comment.")
    _response, comment = send_comment(client, a_post)
    assert comment.status == Status.APPROVED
    return comment


# -- 1. where a sent comment lands, and what the notice says ------------------------------


@pytest.mark.parametrize("extra", [{}, {"homepage_url": "http://bot.example"}])
def test_a_held_comment_lands_on_the_own_block_and_the_notice_agrees_with_it(client, a_post, extra):
    response, comment = send_comment(client, a_post, **extra)
    assert comment.status in (Status.HELD, Status.SPAM)  # spam looks held to its sender
    assert response["Location"] == a_post.get_absolute_url() + "#your-comments"
    html = client.get(response["Location"]).content.decode()
    assert 'id="your-comments"' in html
    notice = _notice(html)
    assert "awaiting moderation" in notice
    assert "will appear once approved" not in notice  # it shows already, below, to them
    assert "only you" in notice


def test_an_approved_comment_lands_on_the_own_block_which_links_to_it(
    client, an_approved_own_comment
):
    response, comment = send_comment(client, an_approved_own_comment.post, body="A second thought.")
    assert comment.status == Status.APPROVED
    assert response["Location"] == comment.post.get_absolute_url() + "#your-comments"
    assert f'href="/comments/{comment.pk}/thread/"' in own_block(
        client.get(response["Location"]).content.decode()
    )


def test_the_notice_adds_what_another_app_says_about_the_comment(client, a_post, monkeypatch):
    """subscriptions answers through comments.extensions (comments never imports it): here a
    stand-in that speaks only when a notify-me tick asked for mail."""
    seen = []

    def says(comment):
        seen.append(comment.pk)
        return "We have emailed <you> a link to confirm your address." if comment.title else None

    monkeypatch.setattr(extensions, "_notices", [says])
    response, comment = send_comment(client, a_post, title="Ticked")
    notice = _notice(client.get(response["Location"]).content.decode())
    assert "awaiting moderation" in notice
    assert "We have emailed &lt;you&gt; a link to confirm your address." in notice
    assert seen == [comment.pk]
    response, _second = send_comment(client, a_post, body="Another comment, no ticks.")
    notice = _notice(client.get(response["Location"]).content.decode())
    assert "awaiting moderation" in notice and "emailed" not in notice


def test_an_approved_comment_s_notice_carries_it_too(client, an_approved_own_comment, monkeypatch):
    monkeypatch.setattr(extensions, "_notices", [lambda comment: "Confirm your address."])
    response, _comment = send_comment(client, an_approved_own_comment.post, body="More.")
    html = client.get(response["Location"]).content.decode()
    assert "Your comment has been published. Confirm your address." in _notice(html)


def test_a_failing_app_loses_only_its_sentence(client, a_post, monkeypatch, caplog):
    def breaks(comment):
        raise RuntimeError("a broken app")

    monkeypatch.setattr(extensions, "_notices", [breaks])
    response, comment = send_comment(client, a_post)
    assert response["Location"].endswith("#your-comments")
    assert "awaiting moderation" in _notice(client.get(response["Location"]).content.decode())
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert "An app's notice failed" in caplog.text


# -- 2. the optional title, shown ----------------------------------------------------------

TITLE = "Masking <b>& bias</b>"
TITLE_HTML = "Masking &lt;b&gt;&amp; bias&lt;/b&gt;"


def test_the_thread_shows_the_title_escaped_before_the_body(client, a_post):
    comment = make_comment(a_post, title=TITLE, body="The body.")
    untitled = make_comment(a_post, body="No title here.")
    html = client.get(a_post.get_absolute_url()).content.decode()
    assert "<b>&" not in html
    html = closed_html(html)  # the markup leaves out optional end tags: read as parsed
    item = html[html.index(f'<li id="comment-{comment.pk}">') :]
    assert f"</p><p><strong>{TITLE_HTML}</strong></p><p>The body.</p>" in item
    other = html[html.index(f'<li id="comment-{untitled.pk}">') :]
    assert other.split("</p>", 1)[1].startswith("<p>No title here.</p>")


def test_the_own_block_and_the_edit_form_show_the_title(client, a_post):
    _response, comment = send_comment(client, a_post, title=TITLE)
    assert comment.title == TITLE
    block = own_block(client.get(a_post.get_absolute_url()).content.decode())
    assert f"<p><strong>{TITLE_HTML}</strong></p>" in block
    edit = client.get(_edit_url(comment)).content.decode()
    assert f'name="title" value="{TITLE_HTML}"' in edit.replace("&#x27;", "'")


# -- 3. the edit form edits the title and the competing interests --------------------------


def test_the_edit_changes_title_and_competing_interests_and_keeps_the_earlier_ones(
    client, an_approved_own_comment
):
    comment = an_approved_own_comment
    response = client.post(
        _edit_url(comment),
        {
            "title": "  A  better\r\ntitle ",
            "body": comment.body,
            "competing_interests": "Speaker\tfees from Biogen",
        },
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.title == "A better title"
    assert comment.competing_interests == "Speaker fees from Biogen"
    assert comment.edited_at is not None
    edit = CommentEdit.objects.get(comment=comment)
    assert edit.title_before == "" and edit.competing_interests_before == "None declared"
    assert edit.body_before == comment.body
    history = editing.history_html(comment)
    assert "None declared" in history and "Speaker fees" not in history


def test_a_blank_competing_interests_line_means_none_declared(client, a_post):
    _response, comment = send_comment(client, a_post, competing_interests="Consultant to Sanofi")
    response = client.post(
        _edit_url(comment), {"title": "", "body": comment.body, "competing_interests": "  "}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.competing_interests == "None declared"


def test_the_edit_form_refuses_what_the_comment_form_refuses(client, an_approved_own_comment):
    comment = an_approved_own_comment
    response = client.post(
        _edit_url(comment),
        {"title": "T" * 201, "body": comment.body, "competing_interests": "C" * 501},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Title (optional): Ensure this value has at most 200 characters" in html
    assert "Competing interests: Ensure this value has at most 500 characters" in html
    comment.refresh_from_db()
    assert comment.title == "" and comment.competing_interests == "None declared"
    assert not CommentEdit.objects.exists()


def test_a_form_without_the_new_fields_keeps_them(client, a_post):
    """An edit form sent from a page rendered before this change keeps title and CI."""
    _response, comment = send_comment(client, a_post, title="Kept", competing_interests="Kept CI")
    assert client.post(_edit_url(comment), {"body": "New words."}).status_code == 302
    comment.refresh_from_db()
    assert (comment.title, comment.competing_interests, comment.body) == (
        "Kept",
        "Kept CI",
        "New words.",
    )


# -- 5. wording ----------------------------------------------------------------------------


def test_one_minute_is_singular(client, an_approved_own_comment, monkeypatch, settings):
    settings.COMMENT_EDIT_MINUTES = 1
    comment = an_approved_own_comment
    later = comment.created_at + timedelta(minutes=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    html = client.get(_edit_url(comment)).content.decode()
    assert "for 1 minute after sending" in html and "1 minutes" not in html


def test_times_show_their_zone_and_one_date_style(client, a_post, settings):
    settings.TIME_ZONE = "Europe/London"
    _response, comment = send_comment(client, a_post)
    sent = datetime(2026, 7, 2, 13, 50, tzinfo=UTC)
    Comment.objects.filter(pk=comment.pk).update(created_at=sent, edited_at=sent)
    comment.refresh_from_db()
    tz = timezone.get_current_timezone()
    with timezone.override("Europe/London"):
        assert rendering.format_datetime(sent) == "2 Jul 2026, 14:50 BST"
        assert rendering.format_date(sent) == "2 Jul 2026"
        assert "2 Jul 2026, 14:50 BST</time>)" in rendering.edited_html(sent, tz)
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now(), edited_at=timezone.now()
    )
    comment.refresh_from_db()
    with timezone.override("UTC"):
        expected = rendering.format_datetime(editing.deadline(comment))
        block = own_block(client.get(a_post.get_absolute_url()).content.decode())
        assert "until <time" in block and f">{expected}</time>" in block
        assert expected.endswith(" UTC") and re.match(r"\d{1,2} [A-Z][a-z]{2} \d{4}, ", expected)
        assert f">{expected}</time>" in client.get(_edit_url(comment)).content.decode()


def test_the_admin_history_formats_its_time(a_post):
    comment = make_comment(a_post, body="Before.")
    when = datetime(2026, 12, 2, 14, 5, 33, 123456, tzinfo=UTC)
    CommentEdit.objects.create(comment=comment, body_before="Before.", edited_at=when)
    with timezone.override("UTC"):
        history = editing.history_html(comment)
    assert ">2 Dec 2026, 14:05 UTC</time>" in history
    assert "2026-12-02 14:05" not in history and "123456" not in history  # str(datetime)


def test_no_published_comments_yet_is_true_beside_a_pending_one(client, a_post):
    html = Client().get(a_post.get_absolute_url()).content.decode()
    assert "No published comments yet." in html and "No comments yet." not in html


# -- 6. link names -------------------------------------------------------------------------


def test_each_link_and_reply_has_its_own_accessible_name(client, a_post):
    first = make_comment(a_post, name="Jane Marsh")
    second = make_comment(a_post, name="Bo <Lee>")
    html = client.get(a_post.get_absolute_url()).content.decode()
    assert "<Lee>" not in html
    html = closed_html(html)
    day = rendering.format_date(first.created_at)
    for comment in (first, second):
        # The names of their own come from comments.js (tests/e2e): the HTML stays small.
        assert f'<a href="/comments/{comment.pk}/">{day}</a>' in html
        assert f'<a href="?reply={comment.pk}#respond">Reply</a>' in html
    assert "<Lee>" not in html


# -- 7. the word count's hooks (the counting itself: tests/e2e) -----------------------------


def test_the_textareas_carry_the_word_limit_for_the_script(
    client, a_post, an_approved_own_comment, settings
):
    settings.COMMENT_MAX_WORDS = 600
    html = Client().get(a_post.get_absolute_url()).content.decode()
    assert re.search(r'<textarea[^>]*data-max-words="600"', html)
    edit = client.get(_edit_url(an_approved_own_comment)).content.decode()
    assert re.search(r'<textarea[^>]*data-max-words="600"', edit)
    assert "js/comments.js" in edit


# -- 8. one presenter ----------------------------------------------------------------------


def test_the_template_tag_is_a_thin_wrapper_over_the_presenter(rf, a_post):
    from comments.templatetags import comment_tags

    assert not hasattr(comment_tags, "THREAD_FIELDS")
    assert not hasattr(comment_tags, "SUMMARY_FIELDS")
    make_comment(a_post, title="A title", body="Shown.")
    request = rf.get(a_post.get_absolute_url())
    context = rendering.ThreadPresenter(a_post, request=request).context()
    assert context["count"] == 1 and "A title" in context["thread"]
    assert views.render_post_page.__module__ == "comments.views"


# -- hostile titles and the edit page's budget ---------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        '<script>alert("t")</script>',
        '"><img src=x onerror=alert(1)>',
        "\u202eevil\u202c title",
        "x" * 200,
    ],
)
def test_a_hostile_title_is_escaped_in_the_thread_the_block_and_the_edit_form(
    client, a_post, title
):
    _response, comment = send_comment(client, a_post, title=title)
    Comment.objects.filter(pk=comment.pk).update(status=Status.APPROVED)
    make_comment(a_post, status=Status.HELD, title=title, body="Held.")  # not this browser's
    html = client.get(a_post.get_absolute_url()).content.decode()
    edit = client.get(_edit_url(comment)).content.decode()
    for page in (html, edit):
        assert "<script>alert" not in page and "<img src=x" not in page
    html = closed_html(html)
    thread = html[html.index(f'<li id="comment-{comment.pk}">') :]
    assert thread.split("</p>", 1)[1].startswith("<p><strong>")


def test_an_edit_with_a_hostile_title_is_stored_as_typed_and_shown_escaped(
    client, an_approved_own_comment
):
    comment = an_approved_own_comment
    hostile = "<script>alert(1)</script>"
    response = client.post(
        _edit_url(comment),
        {"title": hostile, "body": comment.body, "competing_interests": hostile},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.title == hostile and comment.competing_interests == hostile
    html = Client().get(comment.post.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_edit_page_keeps_a_small_query_budget(
    client, an_approved_own_comment, django_assert_max_num_queries
):
    url = _edit_url(an_approved_own_comment)
    # The comment (with its post), replies, redactions.
    with django_assert_max_num_queries(3):
        assert client.get(url).status_code == 200
    # The checks, then the service: lock, replies, redactions, moderation's look-ups, the
    # earlier version, the save (SQLite's and PostgreSQL's savepoints alike); then the page
    # of the thread it lands on (comments.paging.page_of: one count).
    with django_assert_max_num_queries(14):
        response = client.post(url, {"title": "T", "body": "New.", "competing_interests": ""})
    assert response.status_code == 302
