"""Issue 19: what sending a comment does in the request, and what it leaves to the worker.

The POST stores the comment and queues the held comment's id; the worker composes the
moderators' mail (the recipients, the text) and sends it. Every behaviour of that mail is
kept: after commit only, nothing for a comment approved or withdrawn meanwhile, retried when
the mail server fails, queued again when the worker is stopped from outside.
"""

import logging

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from comments import services
from comments.models import Comment
from tests.factories import make_user
from tests.test_comments_support import form_data, make_comment, post_url
from tests.test_outbox import DATABASE_TASKS, FlakyBackend, make_due, run_due_tasks

pytestmark = pytest.mark.django_db

Status = Comment.Status
HELD_TASK = "comments.notifications.mail_held_comment"


def committed():
    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_TASKS
    return DBTaskResult.objects


@pytest.fixture
def moderators(a_post, settings):
    settings.COMMENT_MODERATORS = ["list@example.org"]
    a_post.author.email = "author@example.org"
    a_post.author.save()
    group = Group.objects.get(name="Moderators")
    make_user(username="mo", email="mo@example.org", staff=True).groups.add(group)
    return ["author@example.org", "mo@example.org", "list@example.org"]


def send(client, post, **overrides):
    with committed():
        response = client.post(post_url(post), form_data(post, **overrides))
    assert response.status_code == 302
    return response


# --- (a) the held comment's mail is composed by the worker ---------------------------------


def test_the_post_queues_only_the_held_comments_id(client, a_post, moderators, database_queue):
    send(client, a_post, body="Were the raters *masked*? See https://evil.example/x")
    comment = Comment.objects.get()
    assert comment.status == Status.HELD
    (queued,) = database_queue.all()
    assert queued.task_path == HELD_TASK
    assert queued.args_kwargs == {"args": [], "kwargs": {"comment_id": comment.pk}}
    assert mail.outbox == []
    assert run_due_tasks(database_queue) == 1
    (message,) = mail.outbox
    assert message.to == moderators
    assert message.subject.endswith("A comment is waiting on \u201cA published write-up\u201d")
    assert f"http://testserver{comment.get_admin_url()}" in message.body
    assert "> Were the raters *masked*? See hxxps[:]//evil[.]example/x" in message.body
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL" and queued.return_value == {"sent": 1}


def test_the_request_never_looks_up_the_moderators_nor_reads_the_comment_back(
    client, a_post, moderators, database_queue
):
    with CaptureQueriesContext(connection) as queries:
        send(client, a_post)
    sql = "\n".join(query["sql"] for query in queries.captured_queries)
    assert "auth_group" not in sql and "auth_user_groups" not in sql
    comment_id = Comment.objects.get().pk
    rereads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and f'"comments_comment"."id" = {comment_id}' in q["sql"]
    ]
    assert rereads == []
    assert database_queue.get().task_path == HELD_TASK


def test_nothing_is_queued_before_the_commit_nor_after_a_rollback(a_post, database_queue):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        services.comment_submit(
            post=a_post,
            data={"name": "Ann", "email": "ann@example.org", "body": "Masked?"},
            request_meta={"ip_address": "192.0.2.1"},
        )
        assert database_queue.count() == 0
        raise RuntimeError
    assert database_queue.count() == 0 and mail.outbox == []


def test_a_moderator_who_joins_before_the_worker_runs_is_told(client, a_post, database_queue):
    a_post.author.email = "author@example.org"
    a_post.author.save()
    send(client, a_post)
    make_user(username="late", email="late@example.org", staff=True).groups.add(
        Group.objects.get(name="Moderators")
    )
    run_due_tasks(database_queue)
    (message,) = mail.outbox
    assert message.to == ["author@example.org", "late@example.org"]


def test_a_comment_approved_before_the_worker_runs_sends_nothing(
    client, a_post, moderators, database_queue
):
    send(client, a_post)
    Comment.objects.update(status=Status.APPROVED)
    assert run_due_tasks(database_queue) == 1
    assert mail.outbox == []
    assert database_queue.get().return_value == {"sent": 0}


def test_a_comment_withdrawn_before_the_worker_runs_sends_nothing(
    client, a_post, moderators, database_queue
):
    send(client, a_post)
    comment = Comment.objects.get()
    with committed():
        services.comment_withdraw(comment_id=comment.pk)
    assert run_due_tasks(database_queue) == 1
    assert mail.outbox == []
    assert database_queue.get().return_value == {"sent": 0, "recalled": True}


def test_a_safety_hold_composed_by_the_worker_still_keeps_the_text_out(
    client, a_post, moderators, database_queue
):
    send(client, a_post, body="My NHS number is 943 476 5919, should I stop my ocrelizumab?")
    run_due_tasks(database_queue)
    (message,) = mail.outbox
    assert "476 5919" not in message.body and "ocrelizumab" not in message.body
    assert "ann@example.org" not in message.body and "NHS number" in message.body


def test_a_failing_mail_server_in_the_worker_is_retried_and_still_recalls(
    client, a_post, moderators, database_queue, settings
):
    settings.EMAIL_BACKEND = "tests.test_outbox.FlakyBackend"
    FlakyBackend.failures, FlakyBackend.tried, FlakyBackend.sent = 1, 0, []
    send(client, a_post)
    comment = Comment.objects.get()
    run_due_tasks(database_queue)  # composed; the first try fails: a delivery queued later
    (retry,) = database_queue.filter(status="READY")
    kwargs = retry.args_kwargs["kwargs"]
    assert retry.task_path == "outbox.tasks.deliver_mail" and kwargs["attempt"] == 2
    assert kwargs["to"] == moderators and kwargs["about"] == [["comments.comment", comment.pk]]
    make_due(database_queue)
    run_due_tasks(database_queue)
    (message,) = FlakyBackend.sent
    assert message.to == moderators and comment.get_admin_url() in message.body


def test_an_address_vetoed_since_is_left_out_by_the_worker(
    client, a_post, moderators, database_queue
):
    from outbox import policy

    send(client, a_post)

    def no_mo(address):  # a veto: True refuses the address
        return address == "mo@example.org"

    policy.register_veto(no_mo)
    try:
        run_due_tasks(database_queue)
    finally:
        policy._vetoes.remove(no_mo)
    (message,) = mail.outbox
    assert message.to == ["author@example.org", "list@example.org"]


def test_an_edit_that_holds_the_comment_again_queues_its_id_too(a_post, database_queue, settings):
    comment = make_comment(a_post, status=Status.APPROVED, body="Plain words.")
    settings.COMMENT_MODERATION_WORDS = ["miracle"]
    with committed():
        services.comment_edit(comment_id=comment.pk, body="A miracle cure.")
    comment.refresh_from_db()
    assert comment.status == Status.HELD
    held = database_queue.filter(task_path=HELD_TASK)
    assert [row.args_kwargs["kwargs"] for row in held] == [{"comment_id": comment.pk}]


def test_a_composing_task_stopped_from_outside_is_queued_again(database_queue, caplog):
    from django_tasks.signals import task_finished

    from outbox.tasks import deliver_mail

    stopped = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {"comment_id": 7}},
        task_path=HELD_TASK,
        backend_name="default",
        status="RUNNING",
    )
    stopped.set_failed(SystemExit(1))
    with caplog.at_level(logging.WARNING, logger="outbox.tasks"):
        task_finished.send(type(deliver_mail.get_backend()), task_result=stopped.task_result)
    (again,) = database_queue.filter(status="READY")
    assert again.task_path == HELD_TASK
    assert again.args_kwargs["kwargs"] == {"comment_id": 7, "attempt": 2}
    assert "stopped on attempt 1 of 5" in caplog.text


def test_with_the_immediate_backend_the_mail_is_sent_after_commit(
    client, a_post, moderators, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(post_url(a_post), form_data(a_post))
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.to == moderators


# --- (b) one query for the form's earlier comment and an earlier copy ---------------------

META = {"ip_address": "192.0.2.1", "user_agent": "pytest"}


def submit(post, **data):
    data = {"name": "Ann Reader", "email": "ann@example.org", "body": "Masked?", **data}
    return services.comment_submit(post=post, data=data, request_meta=META)


def selects_of_comments(queries):
    """The SELECTs on the comments table, on one line each, without quotes."""
    sqls = (" ".join(q["sql"].replace('"', "").split()) for q in queries.captured_queries)
    return [sql for sql in sqls if sql.startswith("SELECT") and "FROM comments_comment" in sql]


def test_the_form_token_and_the_duplicate_are_looked_up_in_one_query(a_post, settings):
    settings.COMMENT_APPROVE_RETURNING = False  # its own look-up: see below
    with CaptureQueriesContext(connection) as queries:
        comment = submit(a_post, form_nonce="n" * 32)
    assert comment.status == Status.HELD and comment.form_nonce == "n" * 32
    (lookup,) = selects_of_comments(queries)
    assert "form_nonce =" in lookup and "body =" in lookup


def test_the_forms_earlier_comment_wins_over_an_earlier_copy(a_post):
    copy = make_comment(a_post, status=Status.APPROVED, body="Masked?")
    sent = make_comment(a_post, status=Status.HELD, body="Other", form_nonce="tok")
    with pytest.raises(services.AlreadySent) as refusal:
        submit(a_post, form_nonce="tok")
    assert refusal.value.comment == sent and refusal.value.comment.post == a_post
    assert refusal.value.comment.body == "Other"  # the whole comment, for the view's answer
    with pytest.raises(services.DuplicateComment) as duplicate:
        submit(a_post, form_nonce="fresh")
    assert duplicate.value.earlier == copy and "It is published." in duplicate.value.message
    assert Comment.objects.count() == 2


def test_the_latest_copy_that_is_not_spam_answers_the_duplicate(a_post):
    make_comment(a_post, status=Status.APPROVED, body="Masked?")
    make_comment(a_post, status=Status.HELD, body="Masked?", email="ANN@example.org")
    make_comment(a_post, status=Status.SPAM, body="Masked?")
    with pytest.raises(services.DuplicateComment) as duplicate:
        submit(a_post, form_nonce="fresh")
    assert duplicate.value.earlier.status == Status.HELD
    assert duplicate.value.message.endswith("It is awaiting moderation.")
    assert duplicate.value.earlier.post == a_post


def test_a_copy_elsewhere_or_from_someone_else_or_long_ago_is_no_duplicate(
    a_post, an_author, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import make_post

    other = make_post(author=an_author, title="Another write-up")
    make_comment(other, status=Status.APPROVED, body="Masked?")
    make_comment(a_post, status=Status.APPROVED, body="Masked?", email="bo@example.org")
    old = make_comment(a_post, status=Status.APPROVED, body="Masked?")
    Comment.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.COMMENT_DUPLICATE_SECONDS + 5)
    )
    assert submit(a_post, form_nonce="fresh").pk


@pytest.mark.parametrize(
    "nonce", ["", "x" * 500, "' OR 1=1 --", "\x00\x00", "\u202e\U0001f9ea%_\\"]
)
def test_any_nonce_is_looked_up_as_text(a_post, nonce):
    make_comment(a_post, status=Status.APPROVED, body="Other", form_nonce="y" * 32)
    comment = submit(a_post, form_nonce=nonce, body=f"Text with {nonce!r}")
    stored = Comment.objects.get(pk=comment.pk)
    assert stored.form_nonce == (nonce.replace("\x00", "")[:32] or None)
    resend = nonce if stored.form_nonce else "y" * 32  # no nonce: the other form's
    with pytest.raises(services.AlreadySent) as again:
        submit(a_post, form_nonce=resend, body="Something else")
    assert again.value.comment.form_nonce == (stored.form_nonce or "y" * 32)


def orm_earlier_row(*, nonce, post_id, email, body, since):
    """The look-up as the ORM writes it (services._first_earlier_row is its SQL)."""
    from django.db.models import Case, Q, Value, When
    from django.db.models.functions import Lower

    copy = Q(post_id=post_id, e=Lower(Value(email)), body=body, created_at__gte=since) & ~Q(
        status=Status.SPAM
    )
    found = Comment.objects.alias(e=Lower("email"))
    if nonce:
        found = found.filter(Q(form_nonce=nonce) | copy).order_by(
            Case(When(form_nonce=nonce, then=Value(0)), default=Value(1)), "-pk"
        )
    else:
        found = found.filter(copy).order_by("-pk")
    return found.only("pk", "status", "form_nonce").first()


def test_the_sql_look_up_answers_as_the_orm_would(a_post, an_author):
    from datetime import timedelta
    from itertools import product

    from django.utils import timezone

    from tests.factories import make_post

    other = make_post(author=an_author, title="Another write-up")
    now = timezone.now()
    emails = ["ann@example.org", "ANN@Example.ORG", "bo@example.org", "zoë@exämple.org"]
    bodies = ["Masked?", "masked?", "Masked? ", "\u8a66\u9a13 \U0001f9ea 100%_"]
    made = []
    for n, (post, email, body, status) in enumerate(
        product([a_post, other], emails, bodies, list(Status))
    ):
        made.append(
            make_comment(
                post, email=email, body=body, status=status, form_nonce=f"tok{n}" if n % 3 else None
            )
        )
    for n, comment in enumerate(made):  # some long ago, some just now
        if n % 4 == 0:
            Comment.objects.filter(pk=comment.pk).update(created_at=now - timedelta(hours=2))
    since = now - timedelta(hours=1)
    nonces = [None, "tok1", "tok7", "tok40", "nothing-sent", "' OR 1=1 --"]
    kinds = set()
    for post, email, body, nonce in product(
        [a_post, other], emails, [*bodies, "Never sent"], nonces
    ):
        lookup = {"nonce": nonce, "post_id": post.pk, "email": email, "body": body, "since": since}
        expected = orm_earlier_row(**lookup)
        found = services._first_earlier_row(**lookup)
        kinds.add(
            "none" if expected is None else "token" if expected.form_nonce == nonce else "copy"
        )
        assert (found and (found.pk, found.status, found.form_nonce)) == (
            expected and (expected.pk, expected.status, expected.form_nonce)
        ), lookup
    assert kinds == {"none", "token", "copy"}
    assert Comment._meta.db_table == "comments_comment"  # the SQL names the table


# --- the returning-commenter rule's look-up ------------------------------------------------


def test_the_returning_commenters_names_are_read_as_the_orm_would(a_post):
    from comments import moderation

    member = make_user(username="member", email="member@example.org")
    for n in range(90):
        make_comment(
            a_post,
            name=f"Name {n}",
            email=["ann@example.org", "ANN@EXAMPLE.ORG", "zoë@exämple.org"][n % 3],
            status=[Status.APPROVED, Status.HELD, Status.APPROVED, Status.SPAM][n % 4],
            user=member if n % 5 == 0 else None,
        )
    for email in ["Ann@Example.org", "zoë@exämple.org", "ZOË@EXÄMPLE.ORG", "nobody@example.org"]:
        expected = list(
            Comment.objects.approved()
            .by_email(email)
            .filter(user__isnull=True)
            .order_by("-pk")
            .values_list("name", flat=True)[: moderation.RETURNING_NAMES_LOOKED_AT]
        )
        assert moderation._approved_anonymous_names(email) == expected, email
    assert len(moderation._approved_anonymous_names("ann@example.org")) == 20  # the cap


def test_a_returning_commenter_costs_one_query_and_is_approved(a_post, settings):
    from comments import moderation

    make_comment(a_post, name="Bo  Berg", email="bo@example.org", status=Status.APPROVED)
    comment = Comment(post=a_post, name="bo berg", email="BO@example.org", body="Again")
    with CaptureQueriesContext(connection) as queries:
        verdict = moderation.returning_commenter(comment, {})
    assert verdict == (Status.APPROVED, moderation.RETURNING_COMMENTER)
    assert len(queries.captured_queries) == 1


@pytest.mark.parametrize(
    "email",
    [
        "Staff@Example.org",
        "staff@example.org",
        "STAFF@EXAMPLE.ORG",
        "st_ff@example.org",
        "st%ff@example.org",
        "zoë@exämple.org",
        "ZOË@EXÄMPLE.ORG",
        "plain@example.org",
        "former@example.org",
        "' OR 1=1 --",
    ],
)
def test_the_staff_email_rule_reads_as_the_orm_would(a_post, email):
    from django.contrib.auth import get_user_model

    from comments import moderation

    make_user(username="staff", email="staff@example.org", staff=True)
    make_user(username="zoe", email="Zoë@Exämple.org", staff=True)
    make_user(username="plain", email="plain@example.org", staff=False)
    make_user(username="former", email="former@example.org", staff=False, is_active=False)
    expected = get_user_model().objects.filter(is_staff=True, email__iexact=email).exists()
    comment = Comment(post=a_post, name="Ann", email=email, body="Hi")
    with CaptureQueriesContext(connection) as queries:
        verdict = moderation.staff_email(comment, {})
    assert (verdict is not None) == expected and len(queries.captured_queries) == 1
    if email.lower() == "staff@example.org":
        assert verdict == (Status.HELD, "a staff member's email, sent without signing in")


def test_a_held_comments_post_has_a_fixed_query_budget(
    client, a_post, moderators, database_queue, django_assert_num_queries
):
    """8: the post; the earlier-comment look-up, which reads what the staff-email and
    returning-commenter rules ask too; the rate-limit counter; a savepoint, the INSERT (the
    thread path with it), the release; after the commit, the task row with the comment's
    id; the page of the thread to land on (comments.paging). Nothing about the moderators,
    nothing read back (before issue 19: 16; then 11)."""
    data = form_data(a_post, form_nonce="budget-nonce")
    with django_assert_num_queries(8), committed():  # the commit's task row counts
        response = client.post(post_url(a_post), data)
    assert response.status_code == 302 and response["Location"].endswith("#your-comments")
    assert Comment.objects.get().status == Status.HELD
    assert database_queue.get().task_path == HELD_TASK
