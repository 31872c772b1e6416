"""Issue 15: a withdrawn comment leaves a record for the moderators (who, what, when, on
which post; the address as a keyed hash only), read-only in the admin; and mail queued
about it but not yet sent (the moderation mail, the right-of-reply mail, notify-me mails)
is recalled: the mail task checks at send time that what the mail is about still exists.
"""

import logging
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments import services
from comments.models import Comment, WithdrawnComment
from outbox.services import mail_enqueue
from outbox.tasks import deliver_mail
from subscriptions.addresses import email_hash
from subscriptions.models import Subscriber, Subscription
from tests.factories import make_user
from tests.test_comments_support import make_comment
from tests.test_outbox import DATABASE_TASKS, FlakyBackend, make_due, run_due_tasks
from tests.test_outbox_durability import rq_queue  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

Status = Comment.Status
ANN = "Ann.Reader@Example.org"


def committed():
    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def a_moderator(db):
    user = make_user(staff=True, username="mod-w", first_name="Mo", email="mod@example.org")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_TASKS
    return DBTaskResult.objects


def withdraw(comment):
    with committed():
        return services.comment_withdraw(comment_id=comment.pk)


# --- the record -------------------------------------------------------------------------------


def test_a_withdrawn_comment_leaves_a_record_without_the_address(a_post):
    parent = make_comment(a_post, body="The question.")
    comment = make_comment(
        a_post,
        parent=parent,
        status=Status.HELD,
        name="Ann Reader",
        email=ANN,
        title="On masking",
        body="First text.",
        ip_address="192.0.2.7",
    )
    services.comment_edit(comment_id=comment.pk, body="Second text.")
    services.comment_edit(comment_id=comment.pk, body="Final text.")
    before = timezone.now()
    assert withdraw(comment) == a_post.pk
    assert not Comment.objects.filter(pk=comment.pk).exists()
    record = WithdrawnComment.objects.get()
    assert record.comment_pk == comment.pk and record.parent_pk == parent.pk
    assert record.post == a_post
    assert (record.name, record.title, record.body) == ("Ann Reader", "On masking", "Final text.")
    assert record.earlier_texts == ["First text.", "Second text."]
    assert record.status == Status.HELD
    assert record.sent_at == comment.created_at and record.withdrawn_at >= before
    assert record.email_hash == WithdrawnComment.hash_email("  ann.reader@example.ORG ")
    assert len(record.email_hash) == 64
    stored = " ".join(str(value) for value in WithdrawnComment.objects.values().get().values())
    assert "example.org" not in stored.lower() and "192.0.2.7" not in stored


def test_a_refused_withdrawal_leaves_no_record(a_post, monkeypatch):
    comment = make_comment(a_post, body="Too late.")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(services.ChangeRefused):
        services.comment_withdraw(comment_id=comment.pk)
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert not WithdrawnComment.objects.exists()


def test_the_record_is_kept_in_the_same_transaction_as_the_deletion(a_post, monkeypatch):
    comment = make_comment(a_post, body="Kept or not at all.")

    def fail(*args, **kwargs):
        raise RuntimeError("the recount failed")

    monkeypatch.setattr(services, "post_recount_comments", fail)
    with pytest.raises(RuntimeError):
        services.comment_withdraw(comment_id=comment.pk)
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert not WithdrawnComment.objects.exists()


# --- the admin ---------------------------------------------------------------------------------


def test_moderators_see_the_records_read_only_and_escaped(client, a_post, a_moderator):
    comment = make_comment(
        a_post, name="<img src=x onerror=alert(1)>", email=ANN, body="<script>alert(2)</script>"
    )
    withdraw(comment)
    record = WithdrawnComment.objects.get()
    client.force_login(a_moderator)
    changelist = reverse("admin:comments_withdrawncomment_changelist")
    html = client.get(changelist).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(2)" not in html and "&lt;script&gt;alert(2)" in html
    assert a_post.title in html
    change = reverse("admin:comments_withdrawncomment_change", args=[record.pk])
    page = client.get(change)
    assert page.status_code == 200 and "&lt;script&gt;alert(2)&lt;/script&gt;" in (
        page.content.decode()
    )
    assert 'name="_save"' not in page.content.decode()
    client.post(change, {"body": "rewritten", "name": "x"})
    record.refresh_from_db()
    assert record.body == "<script>alert(2)</script>"
    add = client.get(reverse("admin:comments_withdrawncomment_add"))
    assert add.status_code == 403
    delete = client.post(
        reverse("admin:comments_withdrawncomment_delete", args=[record.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403 and WithdrawnComment.objects.exists()


def test_moderators_find_a_record_by_the_address_though_only_its_hash_is_kept(
    client, a_post, a_moderator
):
    withdraw(make_comment(a_post, email=ANN, body="found"))
    withdraw(make_comment(a_post, email="bo@example.org", body="other", name="Bo"))
    client.force_login(a_moderator)
    changelist = reverse("admin:comments_withdrawncomment_changelist")
    found = client.get(changelist, {"q": " ANN.reader@example.org"}).context["cl"].result_list
    assert [r.body for r in found] == ["found"]
    by_name = client.get(changelist, {"q": "Bo"}).context["cl"].result_list
    assert [r.body for r in by_name] == ["other"]


def test_authors_and_anonymous_visitors_do_not_see_the_records(client, a_post):
    withdraw(make_comment(a_post, body="x"))
    changelist = reverse("admin:comments_withdrawncomment_changelist")
    assert client.get(changelist).status_code == 302  # to the login page
    author = a_post.author
    author.groups.add(Group.objects.get(name="Authors"))
    client.force_login(author)
    assert client.get(changelist).status_code == 403


# --- recalling queued mail (the database backend: the site's default) ---------------------------


def sent_to(address):
    return [m for m in mail.outbox if address.lower() in [a.lower() for a in m.to]]


def test_the_moderation_mail_of_a_comment_withdrawn_before_it_went_is_not_sent(
    a_post, settings, database_queue
):
    settings.COMMENT_MODERATORS = ["mod@example.org"]
    with committed():
        comment = services.comment_submit(
            post=a_post,
            data={"name": "Ann", "email": ANN, "body": "Masked?"},
            request_meta={"ip_address": "192.0.2.1"},
        )
    assert comment.status == Status.HELD and database_queue.ready().count() == 1
    withdraw(comment)
    assert run_due_tasks(database_queue) == 1
    assert mail.outbox == []
    (result,) = database_queue.all()
    assert result.status == "SUCCESSFUL" and result.return_value == {"sent": 0, "recalled": True}


def test_notify_me_and_right_of_reply_mails_are_recalled_too(a_post, a_moderator, database_queue):
    comment = make_comment(a_post, status=Status.HELD, email=ANN, body="Response.")
    subscriber = Subscriber.objects.create(email_hash=email_hash(ANN), confirmed_at=timezone.now())
    Subscription.objects.create(subscriber=subscriber, comment=comment, on_approval=True)
    with committed():
        services.comment_approve(comment=comment, moderator=a_moderator)
    assert database_queue.ready().count() == 2  # to the commenter and to the post's author
    withdraw(comment)
    assert run_due_tasks(database_queue) == 2
    assert mail.outbox == []


def test_mail_about_comments_that_still_exist_goes_out(a_post, a_moderator, database_queue):
    kept = make_comment(a_post, status=Status.HELD, email=ANN, body="Kept.")
    gone = make_comment(a_post, status=Status.HELD, email="bo@example.org", body="Gone.")
    with committed():
        services.comment_approve(comment=kept, moderator=a_moderator)
        services.comment_approve(comment=gone, moderator=a_moderator)
        mail_enqueue(to="someone@example.org", subject="About nothing", body="B")
    withdraw(gone)
    assert run_due_tasks(database_queue) == 3
    assert any("Kept." in m.body for m in mail.outbox)
    assert not [m for m in mail.outbox if "Gone." in m.body]
    assert sent_to("someone@example.org")


def test_a_retry_still_knows_what_it_is_about(a_post, settings, database_queue):
    settings.EMAIL_BACKEND = "tests.test_outbox.FlakyBackend"
    FlakyBackend.failures, FlakyBackend.tried, FlakyBackend.sent = 1, 0, []
    comment = make_comment(a_post, status=Status.HELD, body="Retry me.")
    with committed():
        mail_enqueue(to="a@example.org", subject="S", body="B", about=[comment])
    run_due_tasks(database_queue)  # the first try fails: queued again, later
    (retry,) = database_queue.filter(status="READY")
    assert retry.args_kwargs["kwargs"]["about"] == [["comments.comment", comment.pk]]
    withdraw(comment)
    make_due(database_queue)
    run_due_tasks(database_queue)
    assert FlakyBackend.sent == []


# --- the task itself (any backend: the check runs where the mail is sent) -----------------------


def test_the_task_checks_at_send_time(a_post, caplog):
    comment = make_comment(a_post, body="x")
    about = [["comments.comment", comment.pk]]
    Comment.objects.filter(pk=comment.pk).delete()
    with caplog.at_level(logging.INFO, logger="outbox.tasks"):
        result = deliver_mail.call(to=["a@example.org"], subject="S", body="B", about=about)
    assert result == {"sent": 0, "recalled": True} and mail.outbox == []
    assert "recalled" in caplog.text and "comments.comment" in caplog.text


@pytest.mark.parametrize("about", [None, [], [["no_such.model", 1]], [["comments", "x"]]])
def test_mail_that_cannot_be_checked_is_sent_rather_than_lost(about):
    result = deliver_mail.call(to=["a@example.org"], subject="S", body="B", about=about)
    assert result == {"sent": 1} and len(mail.outbox) == 1


def test_a_mail_about_several_things_goes_only_while_all_exist(a_post):
    first = make_comment(a_post, body="1")
    second = make_comment(a_post, body="2")
    with committed():
        mail_enqueue(to="a@example.org", subject="Both", body="B", about=[first, second])
    assert len(mail.outbox) == 1
    Comment.objects.filter(pk=second.pk).delete()
    with committed():
        mail_enqueue(to="a@example.org", subject="One gone", body="B", about=[first, second])
    assert len(mail.outbox) == 1


def test_about_names_each_object_once(a_post, database_queue):
    comment = make_comment(a_post, body="x")
    with committed():
        mail_enqueue(to="a@example.org", subject="S", body="B", about=[comment, comment])
    (queued,) = database_queue.all()
    assert queued.args_kwargs["kwargs"]["about"] == [["comments.comment", comment.pk]]


def test_about_takes_saved_objects_only():
    with pytest.raises(ValueError):
        mail_enqueue(to="a@example.org", subject="S", body="B", about=[Comment()])


# --- RQ (TASKS_BACKEND=rq): the same check in a real rqworker, against the real Redis --------

QUEUE_ABOUT = """
import django
django.setup()
from django.contrib.auth import get_user_model
users = get_user_model().objects
kept, gone = users.create(username="kept"), users.create(username="gone")
from outbox.services import mail_enqueue
mail_enqueue(to=["a@example.org"], subject="about-kept", body="B", about=[kept])
mail_enqueue(to=["a@example.org"], subject="about-gone", body="B", about=[gone])
mail_enqueue(to=["a@example.org"], subject="about-nothing", body="B")
gone.delete()
"""


def test_on_rq_a_real_worker_recalls_the_mail_and_sends_the_rest(tmp_path, request):
    """Any row stands for the comment here (the check is generic): one deleted after its mail
    was queued and before the worker ran."""
    from tests.test_outbox_durability import Site

    redis_url, queue = request.getfixturevalue("rq_queue")
    database_url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    site = Site(database_url, tmp_path, TASKS_BACKEND="rq", TASKS_QUEUE=queue, REDIS_URL=redis_url)
    site.run("manage.py", "migrate", "--no-input", "-v0")
    site.run("-c", QUEUE_ABOUT)
    site.run("manage.py", "rqworker", "--burst", "--with-scheduler", queue)
    assert site.delivered() == {"about-kept": 1, "about-nothing": 1}
