"""The moderation policy, rule by rule, and decide() over the whole list."""

import pytest

from comments import moderation
from comments.models import Comment
from tests.factories import make_user
from tests.test_comments_support import make_comment

Status = Comment.Status


def new_comment(post, **fields):
    comment = Comment(
        post=post,
        name=fields.pop("name", "Bo"),
        email=fields.pop("email", "bo@example.org"),
        body=fields.pop("body", "A fair question."),
        **fields,
    )
    comment.render_body()
    return comment


META = {"ip_address": "192.0.2.1", "user_agent": "pytest", "honeypot": "", "elapsed_seconds": 30}


def test_a_new_commenter_is_held(a_post):
    assert moderation.decide(new_comment(a_post), META) == (Status.HELD, "new commenter")


def test_a_returning_commenter_is_approved(a_post):
    make_comment(a_post, name="Bo", email="Bo@Example.org", status=Status.APPROVED)
    status, reason = moderation.decide(new_comment(a_post), META)
    assert (status, reason) == (Status.APPROVED, "returning commenter")


def test_a_commenter_whose_earlier_comment_was_only_held_is_still_held(a_post):
    make_comment(a_post, email="bo@example.org", status=Status.HELD)
    make_comment(a_post, email="bo@example.org", status=Status.REJECTED)
    assert moderation.decide(new_comment(a_post), META)[0] == Status.HELD


def test_returning_commenter_rule_can_be_turned_off(a_post, settings):
    settings.COMMENT_APPROVE_RETURNING = False
    make_comment(a_post, name="Bo", email="bo@example.org", status=Status.APPROVED)
    assert moderation.decide(new_comment(a_post), META)[0] == Status.HELD


def test_too_many_links_holds_even_a_returning_commenter(a_post):
    make_comment(a_post, name="Bo", email="bo@example.org", status=Status.APPROVED)
    body = "See https://a.example, https://b.example and [this](https://c.example)."
    status, reason = moderation.decide(new_comment(a_post, body=body), META)
    assert status == Status.HELD and "3 links" in reason


def test_links_up_to_the_limit_are_fine(a_post):
    make_comment(a_post, name="Bo", email="bo@example.org", status=Status.APPROVED)
    body = "See https://a.example and https://b.example."
    assert moderation.decide(new_comment(a_post, body=body), META)[0] == Status.APPROVED


def test_the_link_limit_is_a_setting(a_post, settings):
    settings.COMMENT_MAX_LINKS = 0
    assert moderation.too_many_links(new_comment(a_post, body="www.example.org"), META)


def test_moderation_word_holds(a_post, settings):
    settings.COMMENT_MODERATION_WORDS = ["viagra", "casino"]
    make_comment(a_post, name="Bo", email="bo@example.org", status=Status.APPROVED)
    status, reason = moderation.decide(new_comment(a_post, body="Best CASINO here"), META)
    assert status == Status.HELD and "casino" in reason


def test_moderation_words_match_whole_words_only(a_post, settings):
    settings.COMMENT_MODERATION_WORDS = ["ass"]
    assert moderation.moderation_word(new_comment(a_post, body="An assessment"), META) is None
    assert moderation.moderation_word(new_comment(a_post, name="ass"), META) is not None


def test_honeypot_is_spam(a_post):
    verdict = moderation.honeypot_filled(new_comment(a_post), {**META, "honeypot": "x"})
    assert verdict[0] == Status.SPAM
    assert moderation.honeypot_filled(new_comment(a_post), META) is None


def test_sent_too_fast_is_spam(a_post, settings):
    settings.COMMENT_MIN_SUBMIT_SECONDS = 3
    assert (
        moderation.sent_too_fast(new_comment(a_post), {**META, "elapsed_seconds": 1.2})[0]
        == Status.SPAM
    )
    assert moderation.sent_too_fast(new_comment(a_post), {**META, "elapsed_seconds": 3.5}) is None


def test_disallowed_word_is_spam_whatever_else(a_post, settings):
    settings.COMMENT_DISALLOWED_WORDS = ["cheap pills"]
    make_comment(a_post, name="Bo", email="bo@example.org", status=Status.APPROVED)
    comment = new_comment(a_post, competing_interests="I sell cheap pills")
    assert moderation.decide(comment, META)[0] == Status.SPAM


def test_spam_rules_come_before_the_returning_commenter(a_post):
    make_comment(a_post, name="Bo", email="bo@example.org", status=Status.APPROVED)
    assert (
        moderation.decide(new_comment(a_post), {**META, "honeypot": "http://x"})[0] == Status.SPAM
    )


def test_staff_are_approved_at_once(a_post):
    staff = make_user(staff=True)
    body = "https://a.example https://b.example https://c.example"
    verdict = moderation.decide(new_comment(a_post, body=body), {**META, "user": staff})
    assert verdict == (Status.APPROVED, "staff member")


def test_a_non_staff_account_gets_no_favour(a_post):
    assert moderation.staff_member(new_comment(a_post), {**META, "user": make_user()}) is None


def test_rules_are_replaceable(a_post):
    always_spam = lambda comment, meta: (Status.SPAM, "test")  # noqa: E731
    assert moderation.decide(new_comment(a_post), META, rules=[always_spam]) == (
        Status.SPAM,
        "test",
    )


@pytest.mark.parametrize(
    ("open_", "days", "age", "closed"),
    [
        (False, 0, 1, True),
        (True, 0, 1000, False),
        (True, 30, 10, False),
        (True, 30, 31, True),
    ],
)
def test_comments_closed(a_post, settings, open_, days, age, closed):
    from datetime import timedelta

    from django.utils import timezone

    settings.COMMENT_CLOSE_AFTER_DAYS = days
    a_post.comments_open = open_
    a_post.published_at = timezone.now() - timedelta(days=age)
    assert moderation.comments_closed(a_post) is closed


def test_a_staff_email_typed_by_an_anonymous_commenter_is_held(a_post):
    """Staff comments are approved for who signed in; an address alone proves nothing."""
    Comment.objects.create(
        post=a_post,
        name="Wren",
        email=a_post.author.email,
        body="Signed in and approved.",
        status=Comment.Status.APPROVED,
        user=a_post.author,
    )
    impostor = Comment(
        post=a_post,
        name="Wren Ashdown",
        email=a_post.author.email.upper(),
        body="I retract the paper.",
    )
    status, reason = moderation.decide(impostor, {"user": None, "elapsed_seconds": 60})
    assert status == Comment.Status.HELD
    assert "staff member's email" in reason


def test_only_anonymous_approved_comments_make_a_returning_commenter(a_post):
    member = make_user(email="member@example.org")
    Comment.objects.create(
        post=a_post,
        name="M",
        email="member@example.org",
        body="Approved while signed in.",
        status=Comment.Status.APPROVED,
        user=member,
    )
    newcomer = Comment(post=a_post, name="M", email="member@example.org", body="Hello")
    assert moderation.returning_commenter(newcomer, {}) is None
    Comment.objects.create(
        post=a_post,
        name="M",
        email="member@example.org",
        body="Approved, anonymous.",
        status=Comment.Status.APPROVED,
    )
    assert moderation.returning_commenter(newcomer, {})[0] == Comment.Status.APPROVED


def test_a_returning_commenter_needs_the_name_and_the_email_together(a_post):
    """WordPress's rule: anyone can type a known address, so the address alone is not
    trusted; the name that went with it must match as well (case and spacing aside)."""
    make_comment(a_post, name="Bo Berg", email="bo@example.org", status=Status.APPROVED)
    stranger = new_comment(a_post, name="Someone Else", email="bo@example.org")
    assert moderation.decide(stranger, META) == (Status.HELD, "new commenter")
    same = new_comment(a_post, name="  bo   BERG ", email="BO@example.org")
    assert moderation.decide(same, META) == (Status.APPROVED, "returning commenter")
    other_address = new_comment(a_post, name="Bo Berg", email="bo@elsewhere.example")
    assert moderation.decide(other_address, META)[0] == Status.HELD


def test_a_quick_first_sending_is_spam_and_a_quick_resend_is_held(a_post):
    quick = {**META, "elapsed_seconds": 0.5}
    assert moderation.decide(new_comment(a_post), quick)[0] == Status.SPAM
    status, reason = moderation.decide(new_comment(a_post), {**quick, "resent": True})
    assert status == Status.HELD and reason == "sent again 0.5s after the form was first shown"


def test_a_quick_resend_with_a_disallowed_word_is_still_spam(a_post, settings):
    settings.COMMENT_DISALLOWED_WORDS = ["casino"]
    meta = {**META, "elapsed_seconds": 0.5, "resent": True}
    assert moderation.decide(new_comment(a_post, body="casino"), meta)[0] == Status.SPAM
