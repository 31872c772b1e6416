"""A worker killed in the middle of a submission leaves no partial comment.

A subprocess runs ``comments.services.comment_submit`` against a real database (the SQLite
file or fresh PostgreSQL database of tests/test_concurrent_submissions.py). The comment is
from a returning commenter, so it is approved and the service both INSERTs it and recounts
``Post.comment_count`` inside its transaction; a hook placed after the recount reports what
the transaction sees, then sleeps. The test sends SIGKILL at that moment and reads the
database: no new comment, the count unchanged, and the database still writable.
"""

import contextlib
import json
import signal
import subprocess
import sys
import time

from tests.test_concurrent_submissions import (  # noqa: F401 - server_database is a fixture
    ON_POSTGRES,
    ROOT,
    server_database,
)

WORKER = """
import json, sys, time, django
django.setup()
from django.db import connection
from blog.models import Post
from comments import services
from comments.models import Comment

post = Post.objects.get(pk=int(sys.argv[1]))
Comment.objects.create(post=post, name="Ann", email="ann@example.org", body="First.",
                       status=Comment.Status.APPROVED)
services.post_recount_comments(post_id=post.pk)
post.refresh_from_db()
print(json.dumps({"committed": post.comment_count}), flush=True)

recount = services.post_recount_comments

def recount_then_hang(**kwargs):
    recount(**kwargs)
    seen = {
        "in_atomic": connection.in_atomic_block,
        "comments": Comment.objects.filter(post_id=post.pk).count(),
        "comment_count": Post.objects.get(pk=post.pk).comment_count,
    }
    print(json.dumps(seen), flush=True)
    time.sleep(60)

services.post_recount_comments = recount_then_hang
services.comment_submit(
    post=post,
    data={"name": "Ann", "email": "ann@example.org", "body": "The half-saved one."},
    request_meta={"ip_address": "192.0.2.7", "user_agent": "killed"},
)
print("FINISHED", flush=True)
"""


def test_a_worker_killed_inside_the_transaction_leaves_nothing(server_database):  # noqa: F811
    post = server_database.make_post("Killed mid-submission")
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter, our own script
        [sys.executable, "-c", WORKER, str(post["pk"])],
        cwd=ROOT,
        env=server_database.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [worker.stdout.readline(), worker.stdout.readline()]
        assert all(lines), worker.stderr.read()[-3000:]
        committed, inside = map(json.loads, lines)
    finally:
        with contextlib.suppress(ProcessLookupError):
            worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    assert worker.returncode == -signal.SIGKILL
    # Inside the transaction, the new comment and the new count were there...
    assert committed == {"committed": 1}
    assert inside == {"in_atomic": True, "comments": 2, "comment_count": 2}

    # ...and after the kill, none of it is.
    def state():
        return (
            server_database.query(
                "SELECT COUNT(*) FROM comments_comment WHERE post_id = ?", (post["pk"],)
            )[0],
            server_database.query(
                "SELECT comment_count FROM blog_post WHERE id = ?", (post["pk"],)
            )[0],
            server_database.query(
                "SELECT COUNT(*) FROM comments_comment WHERE body = ?", ("The half-saved one.",)
            )[0],
        )

    assert state() == (1, 1, 0)

    # The database is not left locked: the next submission goes through at once.
    started = time.perf_counter()
    server_database.run(
        "import sys, django\ndjango.setup()\n"
        "from blog.models import Post\nfrom comments import services\n"
        "services.comment_submit(post=Post.objects.get(pk=int(sys.argv[1])),"
        " data={'name': 'Ann', 'email': 'ann@example.org', 'body': 'After the crash.'},"
        " request_meta={'ip_address': '192.0.2.8', 'user_agent': 'next'})",
        post["pk"],
        timeout=30,
    )
    assert time.perf_counter() - started < 20  # the SQLite busy timeout is 20 s
    assert state()[:2] == (2, 2)
    engine = "PostgreSQL" if ON_POSTGRES else "SQLite file"
    print(
        f"\nkilled mid-transaction on {engine}: nothing kept; next submission "
        f"{time.perf_counter() - started:.2f} s"
    )
