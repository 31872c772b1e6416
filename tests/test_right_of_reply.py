"""Right of reply (issue 16): a post's author is emailed once about each approved response.

Tasks run on the immediate backend (tests/settings.py), so a queued mail is in mail.outbox
once the transaction's on-commit callbacks ran.
"""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from django.core import mail, signing
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from authors import right_of_reply
from authors.models import AuthorProfile, ResponseNotice
from authors.services import author_profile_ensure
from comments.models import Comment
from comments.services import (
    comment_approve,
    comment_hold,
    comment_mark_spam,
    comment_reject,
    comment_submit,
)
from subscriptions import tokens as subscription_tokens
from tests.factories import make_user
from tests.strategies import any_script_paragraphs, any_script_text
from tests.test_comments_support import make_comment

Status = Comment.Status
STOP = re.compile(r"http://testserver(/authors/right-of-reply/stop/[^/\s]+/)")


def committed():
    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def a_moderator(db):
    moderator = make_user(staff=True, email="moderator@example.org", first_name="Mo")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    return moderator


def act(service, comment, moderator):
    with committed():
        return service(comment=comment, moderator=moderator)


def to_author(post):
    return [m for m in mail.outbox if m.to == [post.author.email]]


def held(post, **fields):
    fields.setdefault("body", "Were the raters masked? p<0\u00b7001 & n=202")
    fields.setdefault("competing_interests", "I consult for Acme Pharma")
    return make_comment(post, status=Status.HELD, **fields)


def stop_path(message):
    (path,) = set(STOP.findall(message.body))
    return path


# --- once per comment --------------------------------------------------------------------


def test_an_approved_response_mails_the_author_once_with_what_they_need(a_post, a_moderator):
    comment = held(a_post, name="Ann Reader")
    act(comment_approve, comment, a_moderator)

    (message,) = to_author(a_post)
    assert (
        message.subject == "[Trialpress] A response to your post \u201cA published write-up\u201d"
    )
    assert "Ann Reader responded to your post \u201cA published write-up\u201d" in message.body
    assert f"http://testserver/comments/{comment.pk}/thread/" in message.body
    admin_url = reverse("admin:comments_comment_change", args=[comment.pk])
    assert f"To reply (your reply is published at once): http://testserver{admin_url}" in (
        message.body
    )
    assert "> Competing interests: I consult for Acme Pharma" in message.body
    assert "> Were the raters masked? p<0\u00b7001 & n=202" in message.body  # plain, not &amp;
    stop = f"http://testserver{stop_path(message)}"
    assert message.extra_headers["List-Unsubscribe"] == f"<{stop}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert ResponseNotice.objects.get().comment == comment


def test_a_second_approval_or_one_after_a_rejection_sends_nothing(a_post, a_moderator):
    comment = held(a_post)
    act(comment_approve, comment, a_moderator)
    act(comment_approve, comment, a_moderator)
    act(comment_reject, comment, a_moderator)
    act(comment_approve, comment, a_moderator)
    act(comment_hold, comment, a_moderator)
    act(comment_approve, comment, a_moderator)
    assert len(to_author(a_post)) == 1
    assert ResponseNotice.objects.count() == 1


def test_each_comment_gets_its_own_mail(a_post, a_moderator):
    first, second = held(a_post, body="First."), held(a_post, body="Second.")
    act(comment_approve, first, a_moderator)
    act(comment_approve, second, a_moderator)
    bodies = [m.body for m in to_author(a_post)]
    assert len(bodies) == 2
    assert "> First." in bodies[0] and "> Second." in bodies[1]


def test_published_at_once_by_the_rules_mails_after_commit(a_post, a_moderator):
    """A moderator's own comment is approved by the rules (a staff member): one mail."""
    with committed():
        comment = comment_submit(
            post=a_post,
            data={"body": "A moderator's response.", "competing_interests": ""},
            request_meta={"ip_address": "192.0.2.9"},
            user=a_moderator,
        )
    assert comment.status == Status.APPROVED
    (message,) = to_author(a_post)
    assert "> A moderator's response." in message.body
    assert "> Competing interests: None declared" in message.body


def test_a_rolled_back_submission_mails_nothing(a_post, a_moderator):
    comment = Comment(post=a_post, status=Status.APPROVED, name="N", email="n@example.org")
    with committed():
        right_of_reply.on_comment_submitted(comment=comment, data={})  # no pk: nothing found
    assert to_author(a_post) == []


# --- who is not mailed ---------------------------------------------------------------------


def test_held_comments_send_nothing_until_approved(a_post, a_moderator):
    comment = held(a_post)
    act(comment_hold, comment, a_moderator)
    assert to_author(a_post) == []
    act(comment_approve, comment, a_moderator)
    assert len(to_author(a_post)) == 1


@pytest.mark.parametrize("service", [comment_reject, comment_mark_spam])
def test_spam_and_rejected_comments_send_nothing(a_post, a_moderator, service):
    comment = held(a_post)
    act(service, comment, a_moderator)
    assert to_author(a_post) == []
    assert not ResponseNotice.objects.exists()


def test_no_mail_for_the_authors_own_comments_and_replies(a_post, a_moderator, an_author):
    with committed():
        own = comment_submit(
            post=a_post,
            data={"body": "Thank you for reading."},
            request_meta={"ip_address": "192.0.2.3"},
            user=an_author,
        )
    assert own.status == Status.APPROVED and own.is_post_author
    signed_out = held(a_post, email=an_author.email.upper(), parent=own)
    act(comment_approve, signed_out, a_moderator)
    as_user = held(a_post, email="other@example.org", user=an_author)
    act(comment_approve, as_user, a_moderator)
    assert to_author(a_post) == []
    assert not ResponseNotice.objects.exists()


def test_setting_off_means_no_mail_and_no_record(a_post, a_moderator, an_author):
    profile = author_profile_ensure(user=an_author)
    profile.email_on_responses = False
    profile.save()
    comment = held(a_post)
    act(comment_approve, comment, a_moderator)
    assert to_author(a_post) == []
    assert not ResponseNotice.objects.exists()


def test_no_profile_means_the_default_yes(a_post, a_moderator, an_author):
    assert not AuthorProfile.objects.filter(user=an_author).exists()
    act(comment_approve, held(a_post), a_moderator)
    assert len(to_author(a_post)) == 1


@pytest.mark.parametrize("change", [{"is_active": False}, {"email": ""}, {"email": "  "}])
def test_an_inactive_author_or_one_without_an_address_gets_nothing(
    a_post, a_moderator, an_author, change
):
    for field, value in change.items():
        setattr(an_author, field, value)
    an_author.save()
    act(comment_approve, held(a_post), a_moderator)
    assert [m for m in mail.outbox if a_moderator.email not in m.to] == []
    assert not ResponseNotice.objects.exists()


# --- the profile setting in the admin ------------------------------------------------------


def test_the_author_turns_the_setting_off_in_their_profile(client, an_author):
    profile = author_profile_ensure(user=an_author)
    assert profile.email_on_responses is True
    client.force_login(an_author)
    url = reverse("admin:authors_authorprofile_change", args=[profile.pk])
    page = client.get(url).content.decode()
    assert "Email me when a response to my post is approved" in page
    assert re.search(r'<input[^>]*name="email_on_responses"[^>]*checked', page)
    data = {
        "display_name": profile.display_name,
        "slug": profile.slug,
        "affiliation": "",
        "orcid": "",
        "bio": "",
        "standing_interests-TOTAL_FORMS": "0",
        "standing_interests-INITIAL_FORMS": "0",
        "standing_interests-MIN_NUM_FORMS": "0",
        "standing_interests-MAX_NUM_FORMS": "100",
    }  # the box left unticked
    assert client.post(url, data).status_code == 302
    profile.refresh_from_db()
    assert profile.email_on_responses is False


# --- the stop link -------------------------------------------------------------------------


def mailed_link(post, moderator):
    mail.outbox.clear()
    act(comment_approve, held(post), moderator)
    (message,) = to_author(post)
    return stop_path(message)


def setting(user):
    return AuthorProfile.objects.filter(user=user).values_list("email_on_responses", flat=True)


def test_get_shows_a_button_and_changes_nothing(client, a_post, a_moderator, an_author):
    path = mailed_link(a_post, a_moderator)
    for method in (client.get, client.head):
        response = method(path)
        assert response.status_code == 200
    page = client.get(path).content.decode()
    assert f'<form method="post" action="{path}">' in page
    assert "Stop these emails</button>" in page
    assert (
        "no-cache" in client.get(path)["Cache-Control"]
        or "max-age=0" in (client.get(path)["Cache-Control"])
    )
    assert list(setting(an_author)) in ([], [True])
    assert ResponseNotice.objects.get().link_used_at is None


def test_one_click_post_without_cookies_or_csrf_turns_the_setting_off(
    a_post, a_moderator, an_author
):
    path = mailed_link(a_post, a_moderator)
    mail_program = Client(enforce_csrf_checks=True)
    response = mail_program.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "Response emails stopped" in response.content.decode()
    assert list(setting(an_author)) == [False]
    act(comment_approve, held(a_post), a_moderator)
    assert len(to_author(a_post)) == 1  # the one with the link; none after


def test_a_replayed_link_is_refused_and_never_turns_the_setting_off_again(
    client, a_post, a_moderator, an_author
):
    path = mailed_link(a_post, a_moderator)
    assert client.post(path).status_code == 200
    profile = AuthorProfile.objects.get(user=an_author)
    profile.email_on_responses = True  # the author turns them on again
    profile.save()
    for response in (client.post(path), client.get(path)):
        assert response.status_code == 410
        assert "This link has been used" in response.content.decode()
    assert list(setting(an_author)) == [True]


def test_forged_altered_and_foreign_tokens_are_a_clear_400(client, a_post, a_moderator):
    path = mailed_link(a_post, a_moderator)
    token = path.rstrip("/").rsplit("/", 1)[1]
    notice = ResponseNotice.objects.get()
    forged = [
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        signing.dumps({"n": notice.pk}, salt="another.salt"),
        signing.dumps({"n": notice.pk}, key="not-our-secret", salt=right_of_reply.SALT),
        subscription_tokens.unsubscribe_token(subscriber=type("S", (), {"pk": notice.pk})()),
        signing.dumps({"n": "1"}, salt=right_of_reply.SALT),
        signing.dumps({"n": True}, salt=right_of_reply.SALT),
        signing.dumps([notice.pk], salt=right_of_reply.SALT),
        "not-a-token",
    ]
    for bad in forged:
        url = reverse("authors:right_of_reply_stop", args=[bad])
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 400, bad
            assert "This link is not valid" in response.content.decode()
    assert ResponseNotice.objects.get().link_used_at is None


def test_an_expired_link_or_one_whose_comment_is_gone_is_a_410(
    client, a_post, a_moderator, settings, fake_clock
):
    path = mailed_link(a_post, a_moderator)
    settings.AUTHORS_RIGHT_OF_REPLY_LINK_MAX_AGE_DAYS = 0
    fake_clock.advance(2)
    assert client.post(path).status_code == 410
    settings.AUTHORS_RIGHT_OF_REPLY_LINK_MAX_AGE_DAYS = 365
    Comment.objects.all().delete()
    response = client.post(path)
    assert response.status_code == 410 and "This link has been used" in response.content.decode()


@hsettings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(token=st.one_of(any_script_text(max_size=60), st.text(max_size=200)))
def test_any_text_as_a_token_is_a_clear_refusal(client, db, token):
    url = f"/authors/right-of-reply/stop/{quote(token, safe='')}/"
    for response in (client.get(url), client.post(url)):
        assert response.status_code in (400, 404)


# --- any script, hostile text --------------------------------------------------------------


@hsettings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30)
@given(title=any_script_text(), name=any_script_text(max_size=100), body=any_script_paragraphs())
def test_any_script_title_name_and_text(a_post, a_moderator, title, name, body):
    mail.outbox.clear()
    a_post.title = title + "\r\nBcc: victim@example.org"
    a_post.save()
    comment = held(a_post, name=name, body=body)
    act(comment_approve, comment, a_moderator)
    (message,) = to_author(a_post)
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.to == [a_post.author.email] and not message.bcc
    quoted = [line for line in message.body.split("\n") if line.startswith(">")]
    assert all(line.startswith("> ") or line == ">" for line in quoted)
    assert stop_path(message)
    message.message()  # serialisable with these headers


def test_links_in_the_comment_are_broken_not_ours(a_post, a_moderator):
    act(
        comment_approve,
        held(a_post, name="Approve https://evil.example", body="Reply: https://evil.example/x"),
        a_moderator,
    )
    (message,) = to_author(a_post)
    assert "https://evil.example" not in message.body
    assert "hxxps[:]//evil[.]example" in message.body


# --- query budget ----------------------------------------------------------------------------


def approve_queries(comment, moderator):
    with CaptureQueriesContext(connection) as queries, committed():
        comment_approve(comment=comment, moderator=moderator)
    return len(queries)


def test_the_approve_path_costs_the_same_whatever_the_number_of_comments(
    a_post, a_moderator, django_assert_max_num_queries
):
    """Comments locks, saves, recounts and logs the approval (about 10, savepoints
    included); then our hook: the comment with its post, author and profile (1), the
    record's get-or-create in a savepoint (5) and the outbox's address veto (1); then
    notify me's lookups. Equal with 1 and with 40 earlier comments and notices."""
    few = approve_queries(held(a_post), a_moderator)
    for n in range(40):
        make_comment(a_post, body=f"Earlier {n}.")
        ResponseNotice.objects.create(comment=held(a_post), author=a_post.author)
    comment = held(a_post)
    many = approve_queries(comment, a_moderator)
    assert few == many
    again = held(a_post)
    with django_assert_max_num_queries(few):
        act(comment_approve, again, a_moderator)
    assert len(to_author(a_post)) == 3


def test_the_notice_is_recorded_in_the_same_transaction_as_the_mail(a_post, a_moderator):
    comment = held(a_post)
    act(comment_approve, comment, a_moderator)
    notice = ResponseNotice.objects.get()
    assert notice.author == a_post.author
    assert notice.sent_at - comment.created_at < timedelta(minutes=5)


# --- a reply from the moderator's desk ----------------------------------------------------


def test_a_moderators_reply_from_the_desk_mails_the_post_author_once(a_post, a_moderator):
    from comments.services import comment_reply_as_staff

    comment = make_comment(a_post, status=Status.APPROVED, name="Ann Reader")
    mail.outbox.clear()
    with committed():
        reply = comment_reply_as_staff(
            parent=comment, user=a_moderator, body="Thank you: the raters were masked."
        )

    (message,) = to_author(a_post)
    assert "Thank you: the raters were masked." in message.body
    assert reply.name == "Mo"  # the public name, as on every byline
    assert ResponseNotice.objects.filter(comment=reply).count() == 1


def test_no_mail_to_the_author_for_a_comment_their_own_reply_approved(a_post, a_moderator):
    from comments.services import comment_reply_as_staff

    a_post.author.email = "wren@example.org"
    a_post.author.save()
    question = held(a_post, email="reader@example.org")
    mail.outbox.clear()
    with committed():
        comment_reply_as_staff(parent=question, user=a_post.author, body="Yes, both.")
    question.refresh_from_db()
    assert question.status == Status.APPROVED and question.moderated_by == a_post.author
    assert to_author(a_post) == []
    assert not ResponseNotice.objects.exists()
    # a moderator's approval still mails the author
    other = held(a_post, email="other@example.org")
    act(comment_approve, other, a_moderator)
    assert len(to_author(a_post)) == 1


def test_a_reply_to_a_comment_says_whose_comment_it_answers(a_post, a_moderator):
    """Brief c15d item 6: not "responded to your post" for a reply in a thread."""
    parent = make_comment(a_post, status=Status.APPROVED, name="Bo <b>Critic</b>\u202e")
    reply = held(a_post, name="Ann Reader", parent=parent)
    act(comment_approve, reply, a_moderator)
    (message,) = to_author(a_post)
    assert (
        "Ann Reader replied to Bo <b>Critic</b>'s comment on your post "
        "\u201cA published write-up\u201d" in message.body
    )
    assert "responded to your post" not in message.body
    assert "\u202e" not in message.body.split("\n\n")[0]
