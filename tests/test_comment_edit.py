"""Edit or withdraw your comment (issue 15): within COMMENT_EDIT_MINUTES, from the browser
that sent it, never after a reply; edits re-run moderation and keep the earlier text."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import editing, services
from comments.models import Comment, CommentEdit
from pagecache import registry
from tests.test_comments_support import form_data, make_comment, post_url

pytestmark = pytest.mark.django_db
Status = Comment.Status
NEW_TEXT = "On reflection: were the raters *masked* at every visit?"


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.COMMENT_RATE_LIMIT = "off"


def _send(client, post, **fields):
    assert client.post(post_url(post), form_data(post, **fields)).status_code == 302
    return Comment.objects.latest("pk")


def _at(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def _edit_url(comment):
    return reverse("comments:edit", args=[comment.pk])


def _withdraw_url(comment):
    return reverse("comments:withdraw", args=[comment.pk])


@pytest.fixture
def an_approved_own_comment(client, a_post):
    """Approved at once: the same name and email have an earlier approved comment."""
    make_comment(a_post, status=Status.APPROVED, body="An earlier approved comment.")
    comment = _send(client, a_post)
    assert comment.status == Status.APPROVED
    return comment


def test_at_14_59_the_edit_is_saved_and_the_old_text_kept(
    client, a_post, an_approved_own_comment, monkeypatch
):
    comment = an_approved_own_comment
    _at(monkeypatch, comment.created_at + timedelta(minutes=14, seconds=59))
    assert client.get(_edit_url(comment)).status_code == 200
    response = client.post(_edit_url(comment), {"body": NEW_TEXT})
    assert response.status_code == 302
    assert response["Location"] == a_post.get_absolute_url() + "#your-comments"
    comment.refresh_from_db()
    assert comment.body == NEW_TEXT and "<em>masked</em>" in comment.body_html
    assert comment.status == Status.APPROVED
    assert comment.edited_at == comment.created_at + timedelta(minutes=14, seconds=59)
    edit = CommentEdit.objects.get(comment=comment)
    assert edit.body_before == "Were the raters really *masked*?"
    page = Client().get(a_post.get_absolute_url()).content.decode()
    assert "(edited <time" in page and NEW_TEXT.split("*")[0] in page
    assert "Were the raters really" not in page
    response_page = Client().get(comment.get_response_url()).content.decode()
    assert "(edited <time" in response_page


def test_at_15_01_the_edit_is_refused_with_a_clear_message_and_the_text_kept(
    client, an_approved_own_comment, monkeypatch
):
    comment = an_approved_own_comment
    _at(monkeypatch, comment.created_at + timedelta(minutes=15, seconds=1))
    shown = client.get(_edit_url(comment))
    assert shown.status_code == 403
    assert "that time has passed" in shown.content.decode()
    response = client.post(_edit_url(comment), {"body": NEW_TEXT})
    assert response.status_code == 403
    html = response.content.decode()
    assert "can be edited or withdrawn for 15 minutes" in html
    assert "On reflection: were the raters *masked* at every visit?" in html  # kept
    comment.refresh_from_db()
    assert comment.body == "Were the raters really *masked*?" and comment.edited_at is None
    assert not CommentEdit.objects.exists()


def test_the_window_is_a_setting(client, an_approved_own_comment, monkeypatch, settings):
    settings.COMMENT_EDIT_MINUTES = 60
    comment = an_approved_own_comment
    _at(monkeypatch, comment.created_at + timedelta(minutes=59))
    assert client.post(_edit_url(comment), {"body": NEW_TEXT}).status_code == 302


def test_a_reply_refuses_the_edit_and_the_withdrawal(client, a_post, an_approved_own_comment):
    comment = an_approved_own_comment
    make_comment(a_post, parent=comment, status=Status.HELD, name="Bea", email="b@example.org")
    for url in (_edit_url(comment), _withdraw_url(comment)):
        response = client.get(url)
        assert response.status_code == 403
        assert "Someone has replied" in response.content.decode()
    assert client.post(_withdraw_url(comment), {"confirm": "1"}).status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_a_spam_reply_blocks_nothing(client, a_post, an_approved_own_comment):
    comment = an_approved_own_comment
    make_comment(a_post, parent=comment, status=Status.SPAM, name="Bot", email="b@example.org")
    assert client.post(_edit_url(comment), {"body": NEW_TEXT}).status_code == 302


def test_a_reply_arriving_while_the_form_is_open_refuses_the_edit_text_kept(
    client, a_post, an_approved_own_comment
):
    comment = an_approved_own_comment
    assert client.get(_edit_url(comment)).status_code == 200
    make_comment(a_post, parent=comment, name="Bea", email="bea@example.org")
    response = client.post(_edit_url(comment), {"body": NEW_TEXT})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Someone has replied" in html and "at every visit?" in html
    comment.refresh_from_db()
    assert comment.body == "Were the raters really *masked*?"


def test_the_service_checks_again_under_its_lock(a_post):
    """The view's check and the save are apart: the service refuses on its own."""
    comment = make_comment(a_post, status=Status.APPROVED)
    make_comment(a_post, parent=comment, name="Bea", email="bea@example.org")
    with pytest.raises(services.ChangeRefused, match="replied"):
        services.comment_edit(comment_id=comment.pk, body=NEW_TEXT)
    with pytest.raises(services.ChangeRefused, match="replied"):
        services.comment_withdraw(comment_id=comment.pk)


def test_an_approved_comment_edited_to_break_a_rule_goes_back_to_the_queue(
    client, a_post, an_approved_own_comment, django_capture_on_commit_callbacks
):
    comment = an_approved_own_comment
    a_post.refresh_from_db()
    assert a_post.comment_count == 2
    links = "See https://a.example, https://b.example and https://c.example."
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_edit_url(comment), {"body": links})
    assert response.status_code == 302
    assert response["Location"].endswith("#your-comments")
    comment.refresh_from_db()
    assert comment.status == Status.HELD
    assert comment.status_reason.startswith("edited: 3 links")
    a_post.refresh_from_db()
    assert a_post.comment_count == 1
    page = client.get(a_post.get_absolute_url()).content.decode()
    assert "Awaiting moderation</strong>" in page
    assert "https://a.example" not in Client().get(a_post.get_absolute_url()).content.decode()


def test_a_safety_rule_holds_an_edited_comment(client, an_approved_own_comment):
    comment = an_approved_own_comment
    client.post(_edit_url(comment), {"body": "Should I stop my tablets before the scan?"})
    comment.refresh_from_db()
    assert comment.status == Status.HELD and "medical advice" in comment.status_reason


def test_a_disallowed_word_files_the_edit_as_spam(client, an_approved_own_comment, settings):
    settings.COMMENT_DISALLOWED_WORDS = ["casino"]
    comment = an_approved_own_comment
    client.post(_edit_url(comment), {"body": "Visit my casino."})
    comment.refresh_from_db()
    assert comment.status == Status.SPAM


def test_an_edit_never_raises_a_held_comment(client, a_post):
    comment = _send(client, a_post)
    assert comment.status == Status.HELD
    response = client.post(_edit_url(comment), {"body": "Plain words now."})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Status.HELD and comment.body == "Plain words now."
    assert CommentEdit.objects.get().body_before == "Were the raters really *masked*?"


def test_an_unchanged_text_records_no_edit(client, an_approved_own_comment):
    comment = an_approved_own_comment
    client.post(_edit_url(comment), {"body": comment.body})
    comment.refresh_from_db()
    assert comment.edited_at is None and not CommentEdit.objects.exists()


def test_every_edit_is_kept_for_the_moderators(client, an_approved_own_comment, a_superuser):
    comment = an_approved_own_comment
    client.post(_edit_url(comment), {"body": "Second <script>version</script>."})
    client.post(_edit_url(comment), {"body": "Third version."})
    assert list(CommentEdit.objects.values_list("body_before", flat=True)) == [
        "Were the raters really *masked*?",
        "Second <script>version</script>.",
    ]
    admin = Client()
    admin.force_login(a_superuser)
    html = admin.get(comment.get_admin_url()).content.decode()
    assert "edits by the commenter" in html.lower()
    assert "Second &lt;script&gt;version&lt;/script&gt;." in html
    assert "<script>version" not in html


def test_a_bad_edit_comes_back_with_its_error(client, an_approved_own_comment, settings):
    settings.COMMENT_MAX_WORDS = 5
    comment = an_approved_own_comment
    response = client.post(_edit_url(comment), {"body": "one two three four five six"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "the limit is 5" in html and "one two three four five six" in html
    assert client.post(_edit_url(comment), {"body": "   "}).status_code == 400
    comment.refresh_from_db()
    assert comment.body == "Were the raters really *masked*?"


def test_another_browser_cannot_edit_or_withdraw(client, an_approved_own_comment):
    comment = an_approved_own_comment
    stranger = Client()
    assert stranger.get(_edit_url(comment)).status_code == 404
    assert stranger.post(_edit_url(comment), {"body": "Hijacked."}).status_code == 404
    assert stranger.post(_withdraw_url(comment), {"confirm": "1"}).status_code == 404
    comment.refresh_from_db()
    assert comment.body == "Were the raters really *masked*?"


def test_rejected_or_redacted_comments_are_not_the_commenters_to_change(
    client, a_post, a_superuser
):
    first = _send(client, a_post)
    services.comment_reject(comment=first, moderator=a_superuser)
    assert client.get(_edit_url(first)).status_code == 404
    second = _send(client, a_post, body="My NHS number is 943 476 5919, sorry.")
    services.comment_redact(
        comment=second, moderator=a_superuser, reason="NHS number", text_to_remove="943 476 5919"
    )
    response = client.post(_edit_url(second), {"body": "943 476 5919 again"})
    assert response.status_code == 403
    assert "moderator has changed" in response.content.decode()
    second.refresh_from_db()
    assert "943 476 5919" not in second.body


def test_withdraw_asks_then_deletes_and_recounts(client, a_post, an_approved_own_comment):
    comment = an_approved_own_comment
    page = client.get(_withdraw_url(comment))
    assert page.status_code == 200 and "Yes, withdraw my comment" in page.content.decode()
    unconfirmed = client.post(_withdraw_url(comment), {})
    assert unconfirmed.status_code == 200
    assert Comment.objects.filter(pk=comment.pk).exists()
    response = client.post(_withdraw_url(comment), {"confirm": "1"}, follow=True)
    assert "Your comment has been withdrawn." in response.content.decode()
    assert not Comment.objects.filter(pk=comment.pk).exists()
    a_post.refresh_from_db()
    assert a_post.comment_count == 1
    assert client.get(_withdraw_url(comment)).status_code == 404


def test_withdraw_is_refused_after_the_window(client, an_approved_own_comment, monkeypatch):
    comment = an_approved_own_comment
    _at(monkeypatch, comment.created_at + timedelta(minutes=15, seconds=1))
    response = client.post(_withdraw_url(comment), {"confirm": "1"})
    assert response.status_code == 403 and "that time has passed" in response.content.decode()
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_a_held_comment_can_be_withdrawn(client, a_post):
    comment = _send(client, a_post)
    landing = client.post(_withdraw_url(comment), {"confirm": "1"})["Location"]
    assert not Comment.objects.exists()
    assert "Your comment has been withdrawn." in client.get(landing).content.decode()
    assert "comments-own" not in client.get(a_post.get_absolute_url()).content.decode()


def test_the_edit_and_withdraw_pages_are_never_cached(client, an_approved_own_comment, settings):
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_HEADER = True
    comment = an_approved_own_comment
    for url in (_edit_url(comment), _withdraw_url(comment)):
        first, second = client.get(url), client.get(url)
        assert "X-Page-Cache" not in first and "X-Page-Cache" not in second
        assert "no-store" in second["Cache-Control"]
        assert Client().get(url).status_code == 404
        assert url.startswith(registry.excluded_prefixes)


def test_an_edit_shows_to_readers_at_once_with_the_page_cache_on(
    client, a_post, an_approved_own_comment, settings
):
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_HEADER = True
    reader = Client()
    reader.get(a_post.get_absolute_url())
    assert reader.get(a_post.get_absolute_url())["X-Page-Cache"] == "hit"
    client.post(_edit_url(an_approved_own_comment), {"body": "Freshly corrected text."})
    assert "Freshly corrected text." in reader.get(a_post.get_absolute_url()).content.decode()


def test_the_deadline_is_inclusive(a_post, monkeypatch):
    comment = make_comment(a_post)
    _at(monkeypatch, comment.created_at + timedelta(minutes=15))
    assert editing.refusal(comment, now=timezone.now()) == ""
    assert editing.refusal(comment, now=timezone.now() + timedelta(seconds=1))
