"""Redaction (issue 16): a moderator replaces a span of a comment's text with
"[removed by moderator]"; who, when and why are recorded, the original for superusers only."""

from urllib.parse import urlencode

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from comments import services
from comments.models import Comment, Redaction
from tests.factories import make_user
from tests.strategies import any_script_paragraphs, any_script_text
from tests.test_comments_support import make_comment

pytestmark = pytest.mark.django_db

Status = Comment.Status
REMOVED = "[removed by moderator]"
NUMBER = "943 476 5919"
BODY = f"My NHS number is {NUMBER}. Were the raters *masked*? Again: {NUMBER}."


def member_of(name, **fields):
    user = make_user(staff=True, **fields)
    user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def a_moderator(db):
    return member_of("Moderators", username="moderator-mona")


@pytest.fixture
def a_comment(a_post):
    return make_comment(a_post, status=Status.HELD, body=BODY)


# --- the service ---------------------------------------------------------------------------


def test_redacting_text_replaces_every_copy_and_records_who_when_why(a_comment, a_moderator):
    redaction = services.comment_redact(
        comment=a_comment, moderator=a_moderator, text_to_remove=NUMBER, reason="NHS number"
    )
    comment = Comment.objects.get(pk=a_comment.pk)
    assert (
        comment.body == f"My NHS number is {REMOVED}. Were the raters *masked*? Again: {REMOVED}."
    )
    assert NUMBER not in comment.body_html and REMOVED in comment.body_html
    assert "<em>masked</em>" in comment.body_html  # rendered through the one renderer
    assert a_comment.body == comment.body  # the caller's object is kept up to date
    assert (redaction.moderator, redaction.reason, redaction.original_body) == (
        a_moderator,
        "NHS number",
        BODY,
    )
    assert redaction.created_at is not None
    assert list(comment.redactions.all()) == [redaction]
    entry = LogEntry.objects.get(object_id=str(comment.pk))
    assert entry.action_flag == CHANGE and entry.user == a_moderator
    assert entry.change_message == "Redacted (2 copies): NHS number"
    assert NUMBER not in entry.change_message


def test_redacting_a_span_by_position(a_comment, a_moderator):
    start = BODY.index(NUMBER)
    services.comment_redact(
        comment=a_comment,
        moderator=a_moderator,
        start=start,
        end=start + len(NUMBER),
        reason="NHS number",
    )
    body = Comment.objects.get(pk=a_comment.pk).body
    assert body == BODY.replace(NUMBER, REMOVED, 1)


def test_each_redaction_keeps_the_text_before_it(a_comment, a_moderator):
    services.comment_redact(
        comment=a_comment, moderator=a_moderator, text_to_remove=NUMBER, reason="number"
    )
    services.comment_redact(
        comment=a_comment, moderator=a_moderator, text_to_remove="My NHS", reason="wording"
    )
    first, second = Redaction.objects.order_by("pk")
    assert first.original_body == BODY
    assert second.original_body == BODY.replace(NUMBER, REMOVED)
    assert Comment.objects.get(pk=a_comment.pk).body.startswith(f"{REMOVED} number is")


@pytest.mark.parametrize(
    ("kwargs", "field", "says"),
    [
        ({"text_to_remove": "07700 900123", "reason": "phone"}, "text_to_remove", "not in"),
        ({"text_to_remove": "943 476  5919", "reason": "x"}, "text_to_remove", "exactly"),
        ({"text_to_remove": "   ", "reason": "x"}, "text_to_remove", "Copy the text"),
        ({"text_to_remove": "", "reason": "x"}, "text_to_remove", "Copy the text"),
        ({"text_to_remove": NUMBER, "reason": "  \n "}, "reason", "Say why"),
        ({"text_to_remove": NUMBER, "reason": "x" * 201}, "reason", "200"),
        ({"start": 5, "end": 2, "reason": "x"}, "text_to_remove", "span"),
        ({"start": 0, "end": 10**6, "reason": "x"}, "text_to_remove", "span"),
        ({"start": -1, "end": 3, "reason": "x"}, "text_to_remove", "span"),
        ({"start": "0", "end": "3", "reason": "x"}, "text_to_remove", "span"),
        ({"reason": "x"}, "text_to_remove", "span"),
        ({"start": 0, "end": 2, "text_to_remove": "My", "reason": "x"}, None, "not both"),
    ],
)
def test_a_redaction_that_cannot_be_made_says_why_and_changes_nothing(
    a_comment, a_moderator, kwargs, field, says
):
    with pytest.raises(services.RedactionError) as refused:
        services.comment_redact(comment=a_comment, moderator=a_moderator, **kwargs)
    assert says in refused.value.message
    if field is not None:
        assert refused.value.field == field
    assert Comment.objects.get(pk=a_comment.pk).body == BODY
    assert not Redaction.objects.exists() and not LogEntry.objects.exists()


def test_redacting_a_published_comment_invalidates_the_cached_page(
    client, a_post, a_moderator, settings
):
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_HEADER = True
    comment = make_comment(a_post, status=Status.APPROVED, body=f"Call me: {NUMBER}")
    client.get(a_post.get_absolute_url())
    cached = client.get(a_post.get_absolute_url())
    assert cached["X-Page-Cache"] == "hit" and NUMBER in cached.content.decode()
    services.comment_redact(
        comment=comment, moderator=a_moderator, text_to_remove=NUMBER, reason="phone"
    )
    fresh = client.get(a_post.get_absolute_url()).content.decode()
    assert NUMBER not in fresh and REMOVED in fresh


@given(body=any_script_paragraphs(), reason=any_script_text(max_size=60), data=st.data())
def test_any_text_in_any_script_can_be_redacted(a_post, a_moderator, body, reason, data):
    comment = make_comment(a_post, body=body)
    start = data.draw(st.integers(0, len(body) - 1))
    end = data.draw(st.integers(start + 1, len(body)))
    if not body[start:end].strip() or not reason.strip():
        with pytest.raises(services.RedactionError):
            services.comment_redact(
                comment=comment, moderator=a_moderator, start=start, end=end, reason=reason
            )
        return
    redaction = services.comment_redact(
        comment=comment, moderator=a_moderator, start=start, end=end, reason=reason
    )
    stored = Comment.objects.get(pk=comment.pk)
    assert stored.body == body[:start] + REMOVED + body[end:]
    assert redaction.original_body == body.replace("\x00", "")
    assert redaction.reason == " ".join(reason.split())


# --- the admin -------------------------------------------------------------------------------


def change_url(comment):
    return reverse("admin:comments_comment_change", args=[comment.pk])


def redact_url(comment_id):
    return reverse("admin:comments_comment_redact", args=[comment_id])


def test_the_comment_page_has_a_redact_form_that_works_without_javascript(
    client, a_comment, a_moderator
):
    client.force_login(a_moderator)
    page = client.get(change_url(a_comment)).content.decode()
    assert f'action="{redact_url(a_comment.pk)}"' in page
    assert 'name="text_to_remove"' in page and 'name="reason"' in page
    # Its own form, after the change form (forms cannot nest).
    assert page.index('class="comment-redact"') > page.index("</form>")
    response = client.post(
        redact_url(a_comment.pk), {"text_to_remove": NUMBER, "reason": "NHS number"}
    )
    assert response.status_code == 302 and response["Location"] == change_url(a_comment)
    assert REMOVED in Comment.objects.get(pk=a_comment.pk).body
    after = client.get(change_url(a_comment)).content.decode()
    assert "The text was removed from the comment." in after


def test_the_history_shows_who_when_why_and_the_original_to_superusers_only(
    client, a_comment, a_moderator, a_superuser
):
    services.comment_redact(
        comment=a_comment, moderator=a_moderator, text_to_remove=NUMBER, reason="NHS <b>no.</b>"
    )
    client.force_login(a_moderator)
    as_moderator = client.get(change_url(a_comment)).content.decode()
    assert "Redaction history" in as_moderator or "redaction history" in as_moderator
    assert "NHS &lt;b&gt;no.&lt;/b&gt;" in as_moderator  # escaped once
    assert "moderator-mona" in as_moderator
    assert NUMBER not in as_moderator
    client.force_login(a_superuser)
    as_superuser = client.get(change_url(a_comment)).content.decode()
    assert NUMBER in as_superuser  # the original text, in the history


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"text_to_remove": "07700 900123", "reason": "phone"}, "That text is not in the comment"),
        ({"text_to_remove": NUMBER, "reason": ""}, "This field is required"),
        ({"text_to_remove": "", "reason": "why"}, "This field is required"),
        ({"text_to_remove": NUMBER, "reason": "   "}, "This field is required"),
    ],
)
def test_bad_redactions_are_answered_on_a_page_that_keeps_the_typing(
    client, a_comment, a_moderator, data, says
):
    client.force_login(a_moderator)
    response = client.post(redact_url(a_comment.pk), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert says in page
    assert "The text was not removed" in page
    if data["reason"].strip():
        assert f'value="{data["reason"]}"' in page
    assert Comment.objects.get(pk=a_comment.pk).body == BODY
    assert not Redaction.objects.exists()


def test_the_redact_page_opens_without_javascript(client, a_comment, a_moderator):
    client.force_login(a_moderator)
    response = client.get(redact_url(a_comment.pk))
    assert response.status_code == 200
    assert "Were the raters *masked*?" in response.content.decode()


@pytest.mark.parametrize("forged", ["999999", "abc", "0", "1%2F..%2F2"])
def test_forged_ids_change_nothing(client, a_comment, a_moderator, forged):
    client.force_login(a_moderator)
    response = client.post(
        f"/admin/comments/comment/{forged}/redact/", {"text_to_remove": NUMBER, "reason": "x"}
    )
    assert response.status_code in (302, 404)
    assert Comment.objects.get(pk=a_comment.pk).body == BODY
    assert not Redaction.objects.exists()


def test_an_author_who_moderates_their_posts_comments_cannot_redact(client, a_post, an_author):
    author = an_author
    author.is_staff = True
    author.save()
    author.groups.add(Group.objects.get(name="Authors"))
    comment = make_comment(a_post, status=Status.HELD, body=BODY)
    client.force_login(author)
    page = client.get(change_url(comment))
    assert page.status_code == 200 and 'name="text_to_remove"' not in page.content.decode()
    response = client.post(redact_url(comment.pk), {"text_to_remove": NUMBER, "reason": "x"})
    assert response.status_code == 403
    assert Comment.objects.get(pk=comment.pk).body == BODY


def test_a_moderator_cannot_add_change_or_delete_history_by_hand(client, a_comment, a_moderator):
    services.comment_redact(
        comment=a_comment, moderator=a_moderator, text_to_remove=NUMBER, reason="NHS number"
    )
    client.force_login(a_moderator)
    page = client.get(change_url(a_comment)).content.decode()
    assert "NHS number" in page  # the history is shown, read-only
    assert 'name="redactions-0-reason"' not in page
    assert 'name="redactions-0-DELETE"' not in page
    assert "Add another redaction" not in page


def test_the_comment_page_costs_the_same_queries_whatever_the_history(
    client, a_comment, a_moderator
):
    client.force_login(a_moderator)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(change_url(a_comment)).status_code == 200
        return len(captured)

    services.comment_redact(
        comment=a_comment, moderator=a_moderator, text_to_remove="Again", reason="one"
    )
    one = queries()
    for n in range(5):
        other = make_user(staff=True, username=f"mod{n}")
        other.groups.add(Group.objects.get(name="Moderators"))
        services.comment_redact(comment=a_comment, moderator=other, start=0, end=1, reason="more")
    assert queries() == one


# --- issue 16 fix: from the desk, back to the desk at the same row ------------------------

DESK = "/admin/comments/comment/desk/"


def test_redact_from_the_desk_returns_to_the_same_row_with_approve_offered(
    client, a_comment, a_moderator
):
    client.force_login(a_moderator)
    desk = client.get(DESK, {"status": "held"}).content.decode()
    link = f"{redact_url(a_comment.pk)}?next="
    assert link in desk
    start = desk.index(link)
    href = desk[start : desk.index('"', start)].replace("&amp;", "&")
    page = client.get(href).content.decode()
    assert "Back to the desk" in page
    action = page[page.rindex('action="', 0, page.index('class="comment-redact"')) :]
    action = action[8 : action.index('"', 8)].replace("&amp;", "&")
    assert action.startswith(f"{redact_url(a_comment.pk)}?next=")
    response = client.post(action, {"text_to_remove": NUMBER, "reason": "NHS number"})
    assert response.status_code == 302
    assert response["Location"] == f"{DESK}?status=held#desk-{a_comment.pk}"
    after = client.get(response["Location"]).content.decode()
    assert "The text was removed from the comment." in after
    row = after[after.index(f'id="desk-{a_comment.pk}"') :]
    assert 'class="desk-status-line" role="status">The text was removed' in row
    assert 'value="approve"' in row[: row.index("</article>")]


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/admin/comments/comment/desk/",
        "//evil.example/admin/comments/comment/desk/",
        "/admin/comments/comment/desk/../../../logout/",
        "/admin/",
        "javascript:alert(1)",
        '/admin/comments/comment/desk/#"><script>',
        "/admin/comments/comment/desk/?status=held&evil=1#desk-1x",
        "\\\\evil.example",
        "",
    ],
)
def test_a_next_that_is_not_the_desk_goes_to_the_comment_page(
    client, a_comment, a_moderator, next_url
):
    client.force_login(a_moderator)
    response = client.post(
        f"{redact_url(a_comment.pk)}?{urlencode({'next': next_url})}",
        {"text_to_remove": NUMBER, "reason": "NHS number"},
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location == change_url(a_comment) or location.startswith(DESK)
    assert "evil" not in location and "script" not in location and ".." not in location
