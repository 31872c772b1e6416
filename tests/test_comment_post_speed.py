"""Issue 19: sending a comment in fewer and cheaper queries, with every behaviour kept.

- the post the form is sent to: ``Post.objects.published()`` as one plain SQL read
  (comments.services.published_post), checked here against the ORM;
- the thread path written by the INSERT itself (``Comment._do_insert``), not by an UPDATE
  after it;
- the staff-email and returning-commenter rules answered by one query;
- the word count skipped for a text shorter than the word limit (it cannot exceed it).
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import EARLIEST_YEAR, LATEST_YEAR, Post
from comments import moderation, services
from comments.models import THREAD_PATH_DIGITS, Comment
from tests.factories import make_post, make_user
from tests.test_comments_support import form_data, make_comment, post_url

pytestmark = pytest.mark.django_db

Status = Comment.Status


def path_of(*comments):
    return "".join(f"{c.pk:0{THREAD_PATH_DIGITS}d}/" for c in comments)


# --- the post the form is sent to ------------------------------------------------------------


@pytest.fixture
def posts(an_author):
    now = timezone.now()
    made = {
        "published": make_post(author=an_author, title="Published"),
        "closed": make_post(author=an_author, title="Closed", comments_open=False),
        "draft": make_post(author=an_author, title="Draft", status=Post.Status.DRAFT),
        "scheduled": make_post(
            author=an_author, title="Scheduled", published_at=now + timedelta(days=2)
        ),
        "just now": make_post(author=an_author, title="Just now"),
        "too early": make_post(author=an_author, title="Too early"),
        "too late": make_post(author=an_author, title="Too late"),
    }
    # Dates no address can show, stored around the admin's checks (as published() says).
    Post.objects.filter(pk=made["too early"].pk).update(
        published_at=datetime(EARLIEST_YEAR - 1, 12, 31, 12, tzinfo=UTC)
    )
    Post.objects.filter(pk=made["too late"].pk).update(
        published_at=datetime(LATEST_YEAR + 1, 1, 2, tzinfo=UTC)
    )
    Post.objects.filter(pk=made["just now"].pk).update(published_at=now - timedelta(seconds=1))
    return made


def test_the_post_is_read_as_published_would_read_it(posts):
    now = timezone.now()
    published = {p.pk for p in Post.objects.published(now=now)}
    assert published == {posts[k].pk for k in ("published", "closed", "just now")}
    for name, post in posts.items():
        found = services.published_post(post.pk, now=now)
        assert (found is not None) == (post.pk in published), name
        if found is None:
            continue
        expected = Post.objects.get(pk=post.pk)
        for field in Post._meta.concrete_fields:  # every column, converted as the ORM does
            assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
        assert found.comments_open is (name != "closed")
        assert found.get_absolute_url() == expected.get_absolute_url()
        assert found._state.adding is False and found._state.db == "default"
    assert services.published_post(max(p.pk for p in posts.values()) + 1) is None
    # A scheduled post is sent comments once its time has come, not before.
    scheduled = posts["scheduled"]
    assert services.published_post(scheduled.pk, now=now + timedelta(days=3)).pk == scheduled.pk


def test_the_post_is_one_query_and_reads_nothing_more(posts):
    with CaptureQueriesContext(connection) as queries:
        post = services.published_post(posts["published"].pk)
        post.get_absolute_url(), post.title, post.author_id, post.comments_open, post.body_html
    assert len(queries.captured_queries) == 1


@pytest.mark.parametrize("name", ["draft", "scheduled", "too early", "too late"])
def test_a_post_readers_cannot_see_takes_no_comment(client, posts, name):
    post = posts[name]
    response = client.post(post_url(post), form_data(post))
    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_the_page_shown_again_after_an_error_is_the_post_page(client, posts):
    """The POST read the post's columns alone; the page again (an error beside a field)
    still names the author and shows the labels and the disclosure, as the post page does."""
    post = posts["published"]
    response = client.post(post_url(post), form_data(post, body=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Please write a comment." in html
    assert "Wren Ashdown" in html  # the byline
    assert post.title in html
    assert "nothing to disclose" in html.lower()
    assert not Comment.objects.exists()


# --- the thread path, written by the INSERT ----------------------------------------------


def test_the_insert_writes_the_thread_path(a_post):
    with CaptureQueriesContext(connection) as queries:
        top = make_comment(a_post, body="top")
    sql = [q["sql"] for q in queries.captured_queries]
    assert [s.split()[0] for s in sql if "comments_comment" in s] in (["INSERT"], ["WITH"])
    assert not any(s.startswith("UPDATE") for s in sql)
    reply = make_comment(a_post, parent=top, body="reply")
    deeper = make_comment(a_post, parent=reply, body="deeper")
    for comment in (top, reply, deeper):
        stored = Comment.objects.get(pk=comment.pk)
        assert stored.thread_path == comment.thread_path
    assert top.thread_path == path_of(top)
    assert reply.thread_path == path_of(top, reply) and reply.depth == 1
    assert deeper.thread_path == path_of(top, reply, deeper) and deeper.depth == 2
    assert list(Comment.objects.in_thread_order()) == [top, reply, deeper]


@pytest.mark.parametrize("address", ["192.0.2.7", "2001:db8::1", None])
def test_the_insert_stores_every_column_as_the_orm_would(a_post, an_author, address):
    """The plain INSERT against Django's own (a row given its id takes Django's path)."""
    parent = make_comment(a_post, body="Parent", email="p@example.org")
    moment = timezone.now() - timedelta(minutes=5)
    values = {
        "post": a_post,
        "parent": parent,
        "user": an_author,
        "name": "Zo\u00eb \u0399\u03c9\u03ac\u03bd\u03bd\u03b1 \u8a66\u9a13 \U0001f9ea",
        "email": "zoe@example.org",
        "website": "https://xn--exmple-cua.org/p?q=1&r=<2>",
        "title": "p<0\u00b7001 & n=202",
        "body": "Some **bold** text, 100%_ and it's \u202e",
        "competing_interests": "Speaker fees; 'Acme' \"Ltd\"",
        "is_post_author": True,
        "is_staff_reply": True,
        "status": Status.APPROVED,
        "status_reason": "staff member",
        "moderated_by": an_author,
        "moderated_at": moment,
        "ip_address": address,
        "user_agent": "Mozilla/5.0 \u00e9",
        "edited_at": moment,
    }
    fast = Comment(**values, form_nonce="fast-nonce")
    fast.render_body()
    with CaptureQueriesContext(connection) as queries:
        fast.save()
    assert len(queries.captured_queries) == 1
    given = Comment(**values, form_nonce="given-nonce", pk=fast.pk + 1000)
    given.render_body()
    given.save()
    stored_fast = Comment.objects.get(pk=fast.pk)
    stored_given = Comment.objects.get(pk=given.pk)
    for field in Comment._meta.concrete_fields:
        if field.name in ("id", "thread_path", "form_nonce", "created_at"):
            continue
        assert getattr(stored_fast, field.attname) == getattr(stored_given, field.attname), field
        assert getattr(stored_fast, field.attname) == getattr(fast, field.attname), field
    assert stored_fast.created_at == fast.created_at and fast.created_at is not None
    assert stored_fast.thread_path == fast.thread_path == path_of(parent, fast)
    assert stored_given.thread_path == path_of(parent, given)
    assert stored_fast.depth == 1 and stored_fast.form_nonce == "fast-nonce"


def test_ids_are_never_reused_as_the_database_would_choose_them(a_post):
    """SQLite's AUTOINCREMENT: one more than the largest id the table ever had, even after
    that row is deleted (a reused id would put a new comment in an old one's place)."""
    first = make_comment(a_post, body="first")
    last = make_comment(a_post, body="last")
    assert last.pk > first.pk
    last_pk = last.pk
    last.delete()
    again = make_comment(a_post, body="again")
    assert again.pk > last_pk
    assert Comment.objects.get(pk=again.pk).thread_path == path_of(again)


def test_a_row_with_its_own_id_or_path_is_inserted_as_given(a_post):
    """Imports and fixtures: an id chosen by the caller keeps the old two statements."""
    given = Comment.objects.create(
        pk=987654, post=a_post, name="Ann", email="a@example.org", body="given id"
    )
    assert Comment.objects.get(pk=987654).thread_path == f"{987654:0{THREAD_PATH_DIGITS}d}/"
    kept = Comment(post=a_post, name="Bo", email="b@example.org", body="x", thread_path="zz/")
    kept.save()
    assert Comment.objects.get(pk=kept.pk).thread_path == "zz/"
    assert given.thread_path == path_of(given)


def test_a_refused_insert_leaves_the_comment_unsaved(a_post):
    make_comment(a_post, body="first", form_nonce="same-nonce")
    twin = Comment(post=a_post, name="Bo", email="b@example.org", body="x", form_nonce="same-nonce")
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    assert twin.pk is None and twin.thread_path == "" and twin._state.adding
    twin.form_nonce = "other-nonce"
    twin.save()  # and it can be saved once the cause is gone
    assert Comment.objects.get(pk=twin.pk).thread_path == path_of(twin)


def test_a_submission_stores_its_path_with_its_row(client, a_post):
    parent = make_comment(a_post, body="Parent", email="bo@example.org", status=Status.APPROVED)
    response = client.post(post_url(a_post), form_data(a_post, parent=str(parent.pk)))
    assert response.status_code == 302
    reply = Comment.objects.get(parent=parent)
    assert reply.thread_path == path_of(parent, reply) and reply.status == Status.HELD


# --- the two email rules, one query --------------------------------------------------------


def test_both_email_rules_cost_one_query(a_post):
    make_comment(a_post, name="Bo Berg", email="bo@example.org", status=Status.APPROVED)
    comment = Comment(post=a_post, name="bo  berg", email="BO@example.org", body="Again")
    with CaptureQueriesContext(connection) as queries:
        verdict = moderation.decide(comment, {"user": None})
    assert verdict == (Status.APPROVED, moderation.RETURNING_COMMENTER)
    assert len(queries.captured_queries) == 1


def test_a_staff_address_is_held_before_its_names_count(a_post):
    """The staff rule comes first: a staff member's address with an approved anonymous
    comment under the same name is still held when sent without signing in."""
    make_user(username="staff", email="staff@example.org", staff=True)
    make_comment(a_post, name="Sam", email="staff@example.org", status=Status.APPROVED)
    comment = Comment(post=a_post, name="Sam", email="STAFF@example.org", body="Hello")
    with CaptureQueriesContext(connection) as queries:
        verdict = moderation.decide(comment, {"user": None})
    assert verdict == (Status.HELD, "a staff member's email, sent without signing in")
    assert len(queries.captured_queries) == 1


def test_each_comment_is_looked_up_afresh(a_post):
    """What the rules share stays with one comment: the caller's dict is not changed, and
    another comment (or the same one once its address changed) is looked up again."""
    make_comment(a_post, name="Bo", email="bo@example.org", status=Status.APPROVED)
    meta = {"user": None}
    first = Comment(post=a_post, name="Bo", email="bo@example.org", body="One")
    second = Comment(post=a_post, name="Bo", email="new@example.org", body="Two")
    assert moderation.decide(first, meta)[0] == Status.APPROVED
    assert meta == {"user": None}
    assert moderation.decide(second, meta)[0] == Status.HELD
    rule_meta = {}
    assert moderation.returning_commenter(first, rule_meta) is not None
    first.email = "new@example.org"
    assert moderation.returning_commenter(first, rule_meta) is None


def test_without_the_returning_rule_no_names_are_read(a_post, settings):
    settings.COMMENT_APPROVE_RETURNING = False
    make_comment(a_post, name="Bo", email="bo@example.org", status=Status.APPROVED)
    comment = Comment(post=a_post, name="Bo", email="bo@example.org", body="Again")
    with CaptureQueriesContext(connection) as queries:
        assert moderation.decide(comment, {"user": None}) == moderation.DEFAULT
    (query,) = queries.captured_queries
    assert "comments_comment" not in query["sql"]


@pytest.mark.parametrize("approve_returning", [True, False])
def test_the_earlier_look_up_reads_the_email_facts_as_the_rules_would(
    a_post, settings, approve_returning
):
    """services reads the address's facts with the earlier comments: the same answer as the
    rules' own query (tests/test_comment_post_work.py checks that against the ORM)."""
    settings.COMMENT_APPROVE_RETURNING = approve_returning
    make_user(username="staff", email="Staff@Example.org", staff=True)
    member = make_user(username="member", email="member@example.org")
    for n in range(30):
        make_comment(
            a_post,
            name=f"Name {n}",
            email=["ann@example.org", "ANN@example.org", "staff@example.org"][n % 3],
            status=[Status.APPROVED, Status.HELD, Status.SPAM][n % 3 - (n % 2)],
            user=member if n % 7 == 0 else None,
            form_nonce=f"tok{n}",
            body="Masked?",
        )
    since = timezone.now() - timedelta(hours=1)
    for email in ["ann@example.org", "STAFF@example.org", "nobody@example.org"]:
        for nonce in [None, "tok3", "unsent"]:
            row, facts = services._earlier_look_up(
                nonce=nonce, post_id=a_post.pk, email=email, body="Masked?", since=since
            )
            assert facts == moderation._look_up_email(email), (email, nonce)
            assert facts.staff == (email.lower() == "staff@example.org")
            assert facts.with_names is approve_returning
            assert (row is not None) == (nonce == "tok3" or email != "nobody@example.org")
            if approve_returning:
                assert list(facts.names) == moderation._approved_anonymous_names(email)


def test_a_submission_asks_the_database_nothing_more_for_the_email_rules(a_post):
    make_user(username="staff", email="staff@example.org", staff=True)
    make_comment(a_post, name="Bo Berg", email="bo@example.org", status=Status.APPROVED)
    meta = {"ip_address": "192.0.2.1"}
    for email, name, expected in [
        ("BO@example.org", "bo  berg", (Status.APPROVED, moderation.RETURNING_COMMENTER)),
        (
            "staff@EXAMPLE.org",
            "Sam",
            (Status.HELD, "a staff member's email, sent without signing in"),
        ),
        ("new@example.org", "Cy", moderation.DEFAULT),
    ]:
        data = {"name": name, "email": email, "body": f"Hello again, {name}."}
        with CaptureQueriesContext(connection) as queries:
            comment = services.comment_submit(post=a_post, data=data, request_meta=meta)
        assert (comment.status, comment.status_reason) == expected
        sql = [q["sql"] for q in queries.captured_queries]
        assert sum("auth_user" in s for s in sql) == 1 and sum("'earlier'" in s for s in sql) == 1
        assert sum(s.lstrip().startswith("SELECT") for s in sql) == 1


# --- the word count ----------------------------------------------------------------------


def test_a_text_shorter_than_the_limit_is_not_counted(client, a_post, settings, monkeypatch):
    from comments import forms

    settings.COMMENT_MAX_WORDS = 10
    counted = []
    real = forms.word_count
    monkeypatch.setattr(forms, "word_count", lambda text: counted.append(text) or real(text))
    assert client.post(post_url(a_post), form_data(a_post, body="one two")).status_code == 302
    assert counted == []  # 7 characters cannot hold 11 words
    long = " ".join(["word"] * 11)
    response = client.post(post_url(a_post), form_data(a_post, body=long))
    assert response.status_code == 400 and counted == [long]
    assert "Your comment has 11 words; the limit is 10." in response.content.decode()
    assert Comment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_comments_saved_at_once_from_many_connections_each_get_their_own_path():
    """Each INSERT takes its id and writes its path in one statement: comments sent at the
    same moment by several workers (connections) never share an id or a path. (No group
    fixture: a transactional test may follow another's flush of the migrations' rows.)"""
    import threading
    import time

    from django.db import OperationalError, connections

    post = make_post(author=make_user(username="busy", staff=True), title="Busy")
    errors, start = [], threading.Barrier(4)

    def send(body, email):
        # The test database on SQLite is shared-cache memory, whose table locks do not wait
        # as a database file's busy timeout does (production): wait here instead.
        for _ in range(500):
            try:
                return make_comment(post, body=body, email=email)
            except OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                time.sleep(0.002)
        raise AssertionError("the table stayed locked")

    def worker(n):
        try:
            start.wait()
            for m in range(10):
                send(f"{n}-{m}", f"w{n}@example.org")
        except Exception as exc:  # noqa: BLE001 - shown by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = list(Comment.objects.filter(post=post).values_list("pk", "thread_path"))
    assert len(rows) == 40
    assert all(path == f"{pk:0{THREAD_PATH_DIGITS}d}/" for pk, path in rows)
