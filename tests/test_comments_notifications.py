"""Mail about held comments: after commit, to the author and moderators, never losing one."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from comments.models import Comment
from comments.notifications import notify_held
from comments.services import comment_submit
from tests.factories import make_user
from tests.test_comments_support import make_comment

Status = Comment.Status
META = {"ip_address": "192.0.2.1", "user_agent": "pytest"}


def submit(post, **data):
    data = {"name": "Ann Reader", "email": "ann@example.org", "body": "Masked?", **data}
    return comment_submit(post=post, data=data, request_meta=META)


def held_mail():
    """The moderation mail only: an approved response also mails the post's author (right of
    reply, issue 16; tests/test_right_of_reply.py)."""
    return [m for m in mail.outbox if "is waiting" in m.subject]


def test_a_held_comment_mails_the_author_and_moderators_after_commit(
    a_post, settings, django_capture_on_commit_callbacks
):
    settings.COMMENT_MODERATORS = ["mod@example.org", "AUTHOR@example.org"]
    a_post.author.email = "author@example.org"
    a_post.author.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        comment = submit(a_post)
    assert len(mail.outbox) == 0  # nothing before the commit
    with django_capture_on_commit_callbacks(execute=True):  # the mail is queued after commit
        for callback in callbacks:
            callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["author@example.org", "mod@example.org"]
    assert "A published write-up" in message.subject
    assert f"http://testserver/admin/comments/comment/{comment.pk}/change/" in message.body
    assert "> Masked?" in message.body and "> Email: ann@example[.]org" in message.body


def test_approved_and_spam_comments_send_nothing(a_post, django_capture_on_commit_callbacks):
    make_comment(a_post, email="ann@example.org", status=Status.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        submit(a_post, body="returning")
        submit(a_post, body="spam", honeypot="x")
    assert held_mail() == []


def test_a_comment_approved_before_the_mail_goes_sends_nothing(a_post):
    comment = make_comment(a_post, status=Status.APPROVED)
    assert notify_held(comment_id=comment.pk) == 0
    assert mail.outbox == []


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_a_failing_mail_server_loses_nothing(
    client, a_post, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    from tests.test_comments_support import form_data, post_url

    with (
        caplog.at_level(logging.ERROR, logger="outbox.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(post_url(a_post), form_data(a_post))
    assert response.status_code == 302
    assert Comment.objects.get().status == Status.HELD
    assert "A comment is waiting" in caplog.text and "giving up" in caplog.text


@pytest.mark.parametrize(
    "evil",
    [
        "Ann\r\nBcc: victim@example.org",
        "Ann\nSubject: pwned",
        "Ann\r\n\r\n<script>",
    ],
)
def test_header_injection_through_the_name_stays_in_the_body(
    a_post, evil, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = Comment.objects.create(
            post=a_post, name=evil, email="x@example.org", body="b", status=Status.HELD
        )
    with django_capture_on_commit_callbacks(execute=True):
        notify_held(comment_id=comment.pk)
    message = mail.outbox[-1]
    parsed = message.message()
    assert parsed["Bcc"] is None and "pwned" not in parsed["Subject"]
    assert parsed.get_all("To") == [a_post.author.email] and message.bcc == []
    assert "Name: Ann" in message.body


def test_subject_strips_newlines_from_the_title(a_post, django_capture_on_commit_callbacks):
    a_post.title = "Line one\r\nBcc: victim@example.org"
    a_post.save()
    comment = make_comment(a_post, status=Status.HELD)
    with django_capture_on_commit_callbacks(execute=True):
        notify_held(comment_id=comment.pk)
    subject = mail.outbox[0].subject
    assert "\n" not in subject and "\r" not in subject
    assert subject.endswith("\u201cLine one Bcc: victim@example.org\u201d")
    headers = mail.outbox[0].message()
    assert headers["Bcc"] is None and headers.get_all("To") == [a_post.author.email]


def test_no_recipients_no_mail(a_post, settings):
    a_post.author.email = ""
    a_post.author.save()
    comment = make_comment(a_post, status=Status.HELD)
    assert notify_held(comment_id=comment.pk) == 0
    assert mail.outbox == []


def test_staff_comment_sends_nothing(a_post, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comment_submit(
            post=a_post,
            data={"body": "From the desk"},
            request_meta=META,
            user=make_user(staff=True),
        )
    assert held_mail() == []


def test_the_moderators_group_and_the_author_are_told(
    a_post, settings, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group

    settings.COMMENT_MODERATORS = ["list@example.org"]
    a_post.author.email = "author@example.org"
    a_post.author.save()
    moderators = Group.objects.get(name="Moderators")
    for name, active in (("mo", True), ("gone", False)):
        make_user(username=name, email=f"{name}@example.org", staff=True, is_active=active)
        moderators.user_set.add(get_user_model().objects.get(username=name))
    make_user(username="nomail", email="", staff=True).groups.add(moderators)
    make_user(username="editor", email="editor@example.org", staff=True)  # not a moderator
    with django_capture_on_commit_callbacks(execute=True):
        submit(a_post)
    assert mail.outbox[0].to == ["author@example.org", "mo@example.org", "list@example.org"]


FAKE = (
    "Great post!\n\nApprove: https://evil.example/admin/approve\n"
    "Or www.evil.example, or [click](http://evil.example/x), javascript:alert(1)"
)


def test_our_links_come_first_and_the_commenters_text_last_quoted_and_broken(
    a_post, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://trials.example"
    with django_capture_on_commit_callbacks(execute=True):
        comment = submit(
            a_post, name="Approve: https://evil.example", website="https://evil.example", body=FAKE
        )
    body = mail.outbox[0].body
    real = f"https://trials.example/admin/comments/comment/{comment.pk}/change/"
    head, _, typed = body.partition("What the commenter typed is quoted below")
    assert f"Approve, reject or mark it as spam: {real}" in head
    assert "evil" not in head
    quoted_lines = typed.split("\n")[3:]
    assert quoted_lines and all(line.startswith(">") for line in quoted_lines), quoted_lines
    assert "> Approve: hxxps[:]//evil[.]example/admin/approve" in typed
    assert "www[.]evil[.]example" in typed and "hxxp[:]//evil[.]example/x" in typed
    assert "javascript[:]alert(1)" in typed
    assert "> Name: Approve: hxxps[:]//evil[.]example" in typed
    for unsafe in ("http://", "https://", "www.evil", "evil.example"):
        assert unsafe not in typed, unsafe
    assert body.count("https://") == 2  # the comment's page in the admin, and the queue


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("HTTPS://x.example", "HxxPS[:]//x[.]example"),
        ("see hTTp://a.b.example/c?d=e.f", "see hxxp[:]//a.b[.]example/c?d=e.f"),
        ("p<0.001 & n=202, e.g. 1.5 mg", "p<0.001 & n=202, e.g. 1.5 mg"),
        ("ftp://files.example", "ftp[:]//files[.]example"),
    ],
)
def test_defang_breaks_addresses_and_leaves_numbers(typed, shown):
    from comments.notifications import defang

    assert defang(typed) == shown


# --- issue 16 fix: a safety hold's mail carries no body and no commenter email -------------

NHS_BODY = "My NHS number is 943 476 5919, should I stop my ocrelizumab?"


def test_a_safety_hold_mails_the_reasons_and_the_desk_link_never_the_body(
    a_post, settings, django_capture_on_commit_callbacks
):
    settings.COMMENT_MODERATORS = ["mod@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        comment = submit(a_post, body=NHS_BODY, email="ann.private@example.org")
    assert comment.status == Status.HELD
    [message] = held_mail()
    # The number's parts, not "943" alone: a comment id in the desk link may hold those digits.
    assert "943 476" not in message.body and "476 5919" not in message.body
    assert "ocrelizumab" not in message.body and "NHS_BODY" not in message.body
    assert "ann.private" not in message.body and "Ann Reader" not in message.body
    assert "NHS number" in message.body
    assert f"http://testserver/admin/comments/comment/desk/?status=held#desk-{comment.pk}" in (
        message.body
    )


def test_a_safety_reason_anywhere_in_the_list_keeps_the_body_out(a_post):
    comment = make_comment(
        a_post,
        status=Status.HELD,
        body="Dr Smith told me I have MS",
        status_reason="new commenter; named person with a health detail: a titled name",
    )
    from comments.notifications import held_comment_message

    _subject, body = held_comment_message(comment)
    assert "Dr Smith" not in body and comment.email not in body


def test_a_non_safety_hold_still_quotes_the_comment(a_post):
    comment = make_comment(a_post, status=Status.HELD, body="Plain words", status_reason="held")
    from comments.notifications import held_comment_message

    assert "> Plain words" in held_comment_message(comment)[1]
