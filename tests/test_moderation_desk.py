"""Issue 16: the moderator's desk. Rows in full, buttons through comments.services, counts
and filters, forged ids, permissions, the staff reply, and a constant query count."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from comments import desk, moderation, safety_rules, services
from comments.models import Comment
from tests.factories import make_post, make_user
from tests.lean_markup_support import closed_html
from tests.strategies import any_script_paragraphs
from tests.test_comments_support import make_comment

pytestmark = pytest.mark.django_db

Status = Comment.Status
DESK = "admin:comments_comment_desk"
ACT = "admin:comments_comment_desk_act"
REPLY = "admin:comments_comment_desk_reply"


def member_of(name, **fields):
    user = make_user(staff=True, **fields)
    user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def a_moderator(db):
    return member_of("Moderators", username="moderator-mo", first_name="Mo", last_name="Derator")


@pytest.fixture
def mod_client(client, a_moderator):
    client.force_login(a_moderator)
    return client


def held(post, body, *, reason="new commenter", age_hours=0, **fields):
    comment = make_comment(post, status=Status.HELD, body=body, status_reason=reason, **fields)
    if age_hours:
        Comment.objects.filter(pk=comment.pk).update(
            created_at=timezone.now() - timedelta(hours=age_hours)
        )
    return comment


def act(client, comment_id, action, **extra):
    return client.post(reverse(ACT), {"comment": comment_id, "action": action, **extra})


# --- the page -------------------------------------------------------------------------------


def test_default_view_is_held_comments_oldest_first_in_full(mod_client, a_post):
    long_body = "Were the raters *masked*? " + "word " * 60 + "THE-END"
    newer = held(a_post, "newer one")
    older = held(a_post, long_body, age_hours=3, website="https://ann.example.org/")
    make_comment(a_post, status=Status.APPROVED, body="published already")
    response = mod_client.get(reverse(DESK))
    html = response.content.decode()
    assert response.status_code == 200
    assert [c.pk for c in response.context["rows"]] == [older.pk, newer.pk]
    assert "published already" not in html
    assert "THE-END" in html and "<em>masked</em>" in html  # the stored HTML, in full
    assert "ann@example.org" in html and "https://ann.example.org/" in html
    assert "Competing interests: None declared" in html
    assert "new commenter" in html
    assert a_post.get_absolute_url() in html
    assert f'href="{reverse("admin:comments_comment_redact", args=[older.pk])}?next=' in html


def test_the_body_is_the_sanitised_stored_html_and_everything_else_is_escaped(mod_client, a_post):
    held(
        a_post,
        "<script>alert(1)</script> hi",
        name="<img src=x onerror=alert(2)>",
        competing_interests="<b>none</b>",
    )
    html = mod_client.get(reverse(DESK)).content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&lt;b&gt;none&lt;/b&gt;" in html


def test_the_changelist_links_to_the_desk_and_still_works(mod_client, a_post):
    held(a_post, "in the queue")
    response = mod_client.get(reverse("admin:comments_comment_changelist"))
    assert response.status_code == 200
    assert reverse(DESK) in response.content.decode()


def test_counts_per_status_and_per_reason_group(mod_client, a_post):
    held(a_post, "a", reason="patient identifier: NHS number")
    held(a_post, "b", reason="patient identifier: phone number")
    held(a_post, "c", reason="request for personal medical advice: asks what to take")
    held(a_post, "d", reason="4 links (more than 2)")
    held(a_post, "e", reason="new commenter")
    held(a_post, "f", reason="Imported")
    make_comment(a_post, status=Status.SPAM, body="g", status_reason="patient identifier: x")
    make_comment(a_post, status=Status.APPROVED, body="h")
    context = mod_client.get(reverse(DESK)).context
    assert {value: n for value, _label, n in context["statuses"]} == {
        "held": 6,
        "approved": 1,
        "rejected": 0,
        "spam": 1,
    }
    assert {key: n for key, _label, n in context["reasons"]} == {
        "identifier": 2,
        "advice": 1,
        "links": 1,
        "new": 1,
        "other": 1,
    }


def rule_reason(rule, body="", meta=None, **fields):
    comment = Comment(body=body, name="Ann", email="ann@example.org", **fields)
    comment.render_body()
    verdict = rule(comment, meta or {})
    assert verdict is not None and verdict[0] == Status.HELD, rule.__name__
    return verdict[1]


def test_the_reason_groups_match_what_the_rules_write(a_post, settings):
    settings.COMMENT_MODERATION_WORDS = ["ivermectin"]
    make_user(staff=True, email="staff@example.org")
    expected = {
        "identifier": rule_reason(safety_rules.nhs_number, "My NHS number is 943 476 5919."),
        "advice": rule_reason(safety_rules.medical_advice_request, "Should I stop my Tysabri?"),
        "named": rule_reason(safety_rules.named_person, "Dr Smith at St Mary's told me to stop"),
        "links": rule_reason(
            moderation.too_many_links, "https://a.example https://b.example https://c.example"
        ),
        "word": rule_reason(moderation.moderation_word, "ivermectin works"),
        "resent": rule_reason(
            moderation.resent_too_fast, meta={"elapsed_seconds": 0.5, "resent": True}
        ),
        "new": moderation.DEFAULT[1],
    }
    comment = Comment(body="", name="Ann", email="STAFF@example.org")
    expected["staff-email"] = moderation.staff_email(comment, {})[1]
    for key, reason in expected.items():
        stored = held(a_post, key, reason=reason)
        found = Comment.objects.filter(desk.REASON_GROUPS[key][1]).values_list("pk", flat=True)
        assert stored.pk in found, (key, reason)
        others = Comment.objects.filter(desk.REASON_GROUPS["other"][1])
        assert not others.filter(pk=stored.pk).exists(), (key, reason)


def test_filters_by_reason_and_by_post(mod_client, a_post, an_author):
    other = make_post(author=an_author, title="Other post")
    held(a_post, "identifier one", reason="patient identifier: NHS number")
    held(a_post, "links one", reason="3 links (more than 2)")
    held(other, "other post one", reason="patient identifier: postcode")
    url = reverse(DESK)
    by_reason = mod_client.get(url, {"reason": "identifier"}).context["rows"]
    assert sorted(c.body for c in by_reason) == ["identifier one", "other post one"]
    both = mod_client.get(url, {"reason": "identifier", "post": other.pk}).context["rows"]
    assert [c.body for c in both] == ["other post one"]
    others = mod_client.get(url, {"reason": "other"}).context["rows"]
    assert others == []
    everything = mod_client.get(url, {"status": "all"}).context["rows"]
    assert len(everything) == 3


@pytest.mark.parametrize(
    "query",
    [
        {"status": "deleted"},
        {"reason": "nope"},
        {"post": "1 OR 1=1"},
        {"post": "-3"},
        {"post": "\u00b2"},
        {"post": "\u0661"},
        {"post": "9" * 40},
        {"status": "\x00"},
    ],
)
def test_hand_made_filters_are_a_400_not_a_500(mod_client, a_post, query):
    assert mod_client.get(reverse(DESK), query).status_code == 400


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(st.sampled_from(["status", "reason", "post", "page"]), st.text()))
def test_any_query_string_is_answered_without_a_500(client, a_superuser, query):
    client.force_login(a_superuser)
    response = client.get(reverse(DESK), query)
    assert response.status_code in (200, 400)


# --- the buttons ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve", Status.APPROVED), ("reject", Status.REJECTED), ("spam", Status.SPAM)],
)
def test_buttons_act_through_the_services_and_return_to_the_next_row(
    mod_client, a_moderator, a_post, action, status
):
    first = held(a_post, "first", age_hours=2)
    second = held(a_post, "second")
    response = act(
        mod_client,
        first.pk,
        action,
        after=f"desk-{second.pk}",
        return_query="status=held&reason=new&evil=https://x.example&page=1",
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse(DESK)}?status=held&reason=new&page=1#desk-{second.pk}"
    )
    first.refresh_from_db()
    assert first.status == status and first.moderated_by == a_moderator
    a_post.refresh_from_db()
    assert a_post.comment_count == (1 if status == Status.APPROVED else 0)
    page = mod_client.get(response["Location"])
    assert f"Comment {first.pk} " in page.content.decode()  # the message
    assert [c.pk for c in page.context["rows"]] == [second.pk]


def test_the_same_services_as_the_actions(mod_client, a_post, monkeypatch):
    calls = []
    monkeypatch.setitem(
        desk.ACTIONS,
        "approve",
        (lambda **kw: calls.append(kw), "approved", "a"),
    )
    comment = held(a_post, "x")
    act(mod_client, comment.pk, "approve")
    assert [c["comment"].pk for c in calls] == [comment.pk]
    assert desk.ACTIONS["reject"][0] is services.comment_reject


def test_a_hand_made_anchor_or_return_address_is_not_followed(mod_client, a_post):
    comment = held(a_post, "x")
    response = act(
        mod_client,
        comment.pk,
        "approve",
        after='x"><script>',
        return_query="//evil.example/?status=held",
    )
    assert response["Location"] == f"{reverse(DESK)}#desk-list"


@pytest.mark.parametrize(
    ("comment_id", "action", "expected"),
    [
        ("abc", "approve", 400),
        ("", "approve", 400),
        ("1.5", "approve", 400),
        ("\u00b2", "approve", 400),
        ("\u0661", "approve", 400),
        ("99999999", "approve", 404),
        ("9" * 30, "approve", 400),
        (None, "delete", 400),
        (None, "", 400),
    ],
)
def test_forged_ids_and_actions(mod_client, a_post, comment_id, action, expected):
    comment = held(a_post, "x")
    response = act(mod_client, comment.pk if comment_id is None else comment_id, action)
    assert response.status_code == expected
    comment.refresh_from_db()
    assert comment.status == Status.HELD


def test_get_on_the_buttons_is_refused(mod_client, a_post):
    comment = held(a_post, "x")
    assert (
        mod_client.get(reverse(ACT), {"comment": comment.pk, "action": "approve"}).status_code
        == 405
    )
    comment.refresh_from_db()
    assert comment.status == Status.HELD


def test_csrf_is_required(a_moderator, a_post):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(a_moderator)
    comment = held(a_post, "x")
    assert act(client, comment.pk, "approve").status_code == 403
    comment.refresh_from_db()
    assert comment.status == Status.HELD


# --- permissions ----------------------------------------------------------------------------


def test_an_author_sees_and_moderates_only_comments_on_their_own_posts(client, a_post):
    stranger = member_of("Authors", username="other-author")
    others_post = make_post(author=stranger, title="Someone else's unannounced trial")
    own = held(a_post, "on my post")
    foreign = held(others_post, "on their post")
    client.force_login(a_post.author)
    page = client.get(reverse(DESK))
    html = page.content.decode()
    assert [c.pk for c in page.context["rows"]] == [own.pk]
    assert "unannounced trial" not in html
    assert "ann@example.org" not in html  # emails are for moderators
    assert act(client, foreign.pk, "approve").status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Status.HELD
    assert act(client, own.pk, "approve").status_code == 302


def test_an_editor_may_see_but_not_moderate(client, a_post):
    editor = member_of("Editors", username="ed")
    comment = held(a_post, "x")
    client.force_login(editor)
    page = client.get(reverse(DESK))
    assert [c.pk for c in page.context["rows"]] == [comment.pk]
    assert 'name="action"' not in page.content.decode()
    assert act(client, comment.pk, "approve").status_code == 403
    comment.refresh_from_db()
    assert comment.status == Status.HELD


def test_staff_without_comment_permissions_and_anonymous_users_are_kept_out(client, a_post):
    comment = held(a_post, "x")
    assert client.get(reverse(DESK)).status_code == 302  # to the login page
    assert act(client, comment.pk, "approve").status_code == 302
    client.force_login(make_user(staff=True))
    assert client.get(reverse(DESK)).status_code == 403
    assert act(client, comment.pk, "approve").status_code == 404
    comment.refresh_from_db()
    assert comment.status == Status.HELD


# --- the reply ------------------------------------------------------------------------------


def test_the_posts_author_replies_to_a_held_comment_published_at_once_and_badged(client, a_post):
    question = held(a_post, "Were the raters masked?")
    client.force_login(a_post.author)
    response = client.post(
        reverse(REPLY),
        {"comment": question.pk, "body": "Yes, *both* raters.", "after": "desk-list"},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    reply = Comment.objects.get(parent=question)
    assert question.status == Status.APPROVED and question.moderated_by == a_post.author
    assert reply.status == Status.APPROVED and reply.is_post_author
    assert reply.user == a_post.author and reply.name == "Wren Ashdown"
    assert "<em>both</em>" in reply.body_html
    a_post.refresh_from_db()
    assert a_post.comment_count == 2
    thread = closed_html(client.get(a_post.get_absolute_url()).content.decode())
    assert "Yes, <em>both</em> raters." in thread
    assert 'class="comment-badge">Author</span>' in thread


def test_a_moderator_replies_without_the_author_badge(mod_client, a_post):
    question = make_comment(a_post, status=Status.APPROVED, body="q")
    mod_client.post(reverse(REPLY), {"comment": question.pk, "body": "From the moderators."})
    reply = Comment.objects.get(parent=question)
    assert reply.status == Status.APPROVED and not reply.is_post_author
    assert reply.name == "Mo Derator"


@pytest.mark.parametrize("body", ["", "   \n ", "x" * 10001])
def test_an_empty_or_too_long_reply_is_refused_with_a_message(mod_client, a_post, body):
    question = held(a_post, "q")
    response = mod_client.post(reverse(REPLY), {"comment": question.pk, "body": body}, follow=True)
    assert response.status_code == 200
    assert f"No reply to comment {question.pk}" in response.content.decode()
    question.refresh_from_db()
    assert question.status == Status.HELD
    assert not Comment.objects.filter(parent=question).exists()


def test_a_double_click_publishes_one_reply_and_the_history_records_it(mod_client, a_post):
    from django.contrib.admin.models import ADDITION, LogEntry

    question = held(a_post, "q")
    for _click in range(2):
        response = mod_client.post(
            reverse(REPLY), {"comment": question.pk, "body": "Once."}, follow=True
        )
    assert "already published this reply" in response.content.decode()
    reply = Comment.objects.get(parent=question)
    entry = LogEntry.objects.get(action_flag=ADDITION, object_id=str(reply.pk))
    assert f"Replied to comment {question.pk}" in entry.change_message


def test_rejected_and_spam_comments_take_no_reply(mod_client, a_post):
    spam = make_comment(a_post, status=Status.SPAM, body="buy")
    response = mod_client.post(reverse(REPLY), {"comment": spam.pk, "body": "no"}, follow=True)
    assert "Only a published or held comment" in response.content.decode()
    assert not Comment.objects.filter(parent=spam).exists()


def test_a_reply_to_a_foreign_or_forged_comment_is_refused(client, a_post):
    stranger = member_of("Authors", username="other-author")
    foreign = held(make_post(author=stranger), "theirs")
    client.force_login(a_post.author)
    for comment_id, expected in ((foreign.pk, 404), ("x", 400), (10**9, 404)):
        response = client.post(reverse(REPLY), {"comment": comment_id, "body": "hi"})
        assert response.status_code == expected
    assert Comment.objects.count() == 1


@settings(max_examples=20, deadline=None)
@given(any_script_paragraphs().filter(str.strip))
def test_a_reply_in_any_script_is_stored_as_typed(a_post, body):
    moderator = make_user(superuser=True)
    question = make_comment(a_post, status=Status.APPROVED, body="q")
    reply = services.comment_reply_as_staff(parent=question, user=moderator, body=body)
    reply.refresh_from_db()
    assert reply.body == body.replace("\x00", "").replace("\r\n", "\n")
    assert reply.status == Status.APPROVED


# --- the query budget -----------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 50])
def test_query_count_is_constant_in_the_number_of_comments(
    mod_client, a_post, an_author, django_assert_max_num_queries, count
):
    other = make_post(author=an_author, title="Second")
    for n in range(count):
        held(
            a_post if n % 2 else other,
            f"comment {n} with a [link](https://example.org/{n})",
            reason="patient identifier: NHS number" if n % 3 else "new commenter",
            parent=None,
        )
    mod_client.get(reverse(DESK))  # warm the session and permission caches
    with django_assert_max_num_queries(10):
        response = mod_client.get(reverse(DESK))
    assert len(response.context["rows"]) == count


def test_a_comment_with_several_reasons_counts_under_each_group(mod_client, a_post):
    both = held(
        a_post,
        "several",
        reason="patient identifier: NHS number; request for personal medical advice: x; "
        "named person with a health detail: a titled name near a health detail",
    )
    url = "/admin/comments/comment/desk/"
    context = mod_client.get(url).context
    counts = {key: n for key, _label, n in context["reasons"]}
    assert counts == {"identifier": 1, "advice": 1, "named": 1}
    for key in ("identifier", "advice", "named"):
        assert [c.pk for c in mod_client.get(url, {"reason": key}).context["rows"]] == [both.pk]
    assert list(mod_client.get(url, {"reason": "other"}).context["rows"]) == []
    page = mod_client.get(url).content.decode()
    assert "request for personal medical advice: x" in page
    assert "named person with a health detail" in page


# --- issue 16 fix: the moderator's badge; replying to a held comment publishes it ---------


def test_a_moderators_reply_is_badged_moderator_with_the_public_name(mod_client, a_post, client):
    question = make_comment(a_post, status=Status.APPROVED, body="q")
    mod_client.post(reverse(REPLY), {"comment": question.pk, "body": "From the moderators."})
    reply = Comment.objects.get(parent=question)
    assert reply.is_staff_reply and not reply.is_post_author
    thread = closed_html(client.get(a_post.get_absolute_url()).content.decode())
    assert 'Mo Derator <span class="comment-badge">Moderator</span>' in thread
    assert 'class="comment-badge">Author</span>' not in thread
    assert "moderator-mo" not in thread  # never the username


def test_a_readers_comment_never_carries_the_moderator_badge(client, a_post):
    make_comment(a_post, status=Status.APPROVED, body="q", name="Moderator")
    thread = closed_html(client.get(a_post.get_absolute_url()).content.decode())
    assert "comment-badge" not in thread
    assert not Comment.objects.get().is_staff_reply


def test_the_held_rows_reply_box_warns_that_replying_publishes(mod_client, a_post):
    held(a_post, "Were the raters masked?")
    page = mod_client.get(reverse("admin:comments_comment_desk")).content.decode()
    assert "Replying publishes this comment too" in page
    make_comment(a_post, status=Status.APPROVED, body="published one")
    page = mod_client.get(reverse("admin:comments_comment_desk"), {"status": "approved"})
    assert "Replying publishes this comment too" not in page.content.decode()


def status_line(html):
    start = html.index('class="desk-status-line"')
    return html[html.rindex("<", 0, start) : html.index("</p>", start)]


def test_after_an_action_the_message_is_at_the_next_row_as_a_status(mod_client, a_post):
    first = held(a_post, "first", age_hours=2)
    second = held(a_post, "second", age_hours=1)
    response = act(mod_client, first.pk, "approve", after=f"desk-{second.pk}")
    assert response["Location"].endswith(f"#desk-{second.pk}")
    html = mod_client.get(response["Location"]).content.decode()
    line = status_line(html)
    assert 'role="status"' in line and f"Comment {first.pk} approved." in line
    row = html.index(f'id="desk-{second.pk}"')
    assert row < html.index('class="desk-status-line"') < html.index("</article>", row)
    again = mod_client.get(response["Location"]).content.decode()
    assert 'class="desk-status-line"' not in again  # told once


def test_after_the_last_rows_action_the_status_is_above_the_list(mod_client, a_post):
    only = held(a_post, "only")
    response = act(mod_client, only.pk, "reject", after="desk-list")
    html = mod_client.get(response["Location"]).content.decode()
    assert f"Comment {only.pk} rejected." in status_line(html)
    assert html.index('id="desk-list"') < html.index('class="desk-status-line"')


def test_an_approved_row_says_who_approved_what_it_was_held_for_and_redactions(
    mod_client, a_post, a_moderator, django_assert_max_num_queries
):
    for n in range(3):
        comment = held(
            a_post, f"My NHS number is 943 476 5919 ({n})", reason="patient identifier: NHS number"
        )
        services.comment_redact(
            comment=comment, moderator=a_moderator, text_to_remove="943 476 5919", reason="NHS"
        )
        if n == 0:
            services.comment_redact(
                comment=comment, moderator=a_moderator, text_to_remove=f"({n})", reason="x"
            )
        services.comment_approve(comment=comment, moderator=a_moderator)
    make_comment(a_post, status=Status.APPROVED, body="auto", status_reason="returning commenter")
    url = reverse(DESK)
    mod_client.get(url, {"status": "approved"})
    with django_assert_max_num_queries(10):
        html = mod_client.get(url, {"status": "approved"}).content.decode()
    text = re.sub(r"<[^>]+>", "", html)
    assert (
        "Approved by Mo Derator \u00b7 was held for: patient identifier: NHS number "
        "\u00b7 redacted 2\u00d7"
    ) in text
    assert text.count("redacted 1\u00d7") == 2
    assert "moderator-mo" not in html  # the public name, never the username
    assert "Approved</strong>: returning commenter" in html  # approved by the rules


def test_an_empty_queue_says_so_plainly(mod_client, a_post):
    url = reverse(DESK)
    assert "No held comments." in mod_client.get(url).content.decode()
    assert "No comments." in mod_client.get(url, {"status": "spam"}).content.decode()
    held(a_post, "x", reason="new commenter")
    page = mod_client.get(url, {"reason": "advice"}).content.decode()
    assert "No held comments match these filters." in page
