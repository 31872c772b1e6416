"""comments.paging.fetch runs SQL it builds once per process (issue 19: the ORM spent
longer building the page query than the rest of the page took). Whatever the thread's
shape, the order, the page size and the statuses, every page holds exactly what the rule
says: ``per_page`` whole conversations, in the configured order, each conversation's
visible comments in thread order, with the values and Python types the ORM gives."""

from datetime import datetime

import pytest
from django.http import Http404
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from comments import paging
from comments.models import Comment
from comments.rendering import THREAD_FIELDS, visible_in_thread
from tests.factories import make_post
from tests.test_comments_support import make_comment

Status = Comment.Status
STATUSES = (Status.APPROVED, Status.APPROVED, Status.APPROVED, Status.HELD, Status.REJECTED)

# A thread as a list of (index of the parent among the earlier comments or None, status).
threads = st.lists(
    st.tuples(st.integers(min_value=-1, max_value=11), st.sampled_from(STATUSES)),
    max_size=12,
)


def build(post, shape):
    Comment.objects.filter(post=post).delete()
    made = []
    for parent_at, status in shape:
        parent = made[parent_at] if 0 <= parent_at < len(made) else None
        made.append(make_comment(post, parent=parent, status=status, body=f"c{len(made)}"))
    return made


def expected_pages(post, per_page, newest):
    """The rule, in Python: the visible comments, conversations cut into pages."""
    approved = list(Comment.objects.approved().for_post(post).order_by("thread_path"))
    visible = visible_in_thread(approved)
    conversations = []
    for comment in visible:
        if comment.parent_id is None:
            conversations.append([])
        conversations[-1].append(comment.pk)
    if newest:
        conversations.reverse()
    if not per_page:
        return [[pk for conversation in conversations for pk in conversation]]
    pages = [
        [pk for conversation in conversations[start : start + per_page] for pk in conversation]
        for start in range(0, len(conversations), per_page)
    ]
    return pages or [[]]


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    shape=threads,
    per_page=st.sampled_from([0, 1, 2, 3, 50]),
    newest=st.booleans(),
)
def test_every_page_holds_its_conversations(a_post, settings, shape, per_page, newest):
    settings.COMMENTS_PER_PAGE = per_page
    settings.COMMENTS_ORDER = "newest" if newest else "oldest"
    build(a_post, shape)
    wanted = expected_pages(a_post, per_page, newest)
    for number, ids in enumerate(wanted, start=1):
        page = paging.fetch(a_post, number, THREAD_FIELDS)
        assert [row.pk for row in visible_in_thread(page.rows)] == ids
        assert page.number == number
        assert page.count == (len(wanted) if ids else 1)
        # Where a comment's permalink and the landing after sending go: this page.
        for comment in Comment.objects.filter(pk__in=ids):
            assert paging.page_of(comment) == number
    with pytest.raises(Http404):
        paging.fetch(a_post, len(wanted) + 1, THREAD_FIELDS)


@pytest.mark.django_db
def test_rows_carry_the_values_and_types_the_orm_gives(a_post, settings):
    settings.COMMENTS_PER_PAGE = 2
    root = make_comment(a_post, name="Ann", website="https://example.org/", title="T")
    reply = make_comment(
        a_post, parent=root, name="Bo", is_post_author=True, competing_interests="Sponsor"
    )
    Comment.objects.filter(pk=reply.pk).update(edited_at=reply.created_at)
    rows = paging.fetch(a_post, 1, THREAD_FIELDS).rows
    orm = list(
        Comment.objects.approved()
        .for_post(a_post)
        .in_thread_order()
        .values_list(*THREAD_FIELDS, named=True)
    )
    assert [tuple(row)[: len(THREAD_FIELDS)] for row in rows] == [tuple(row) for row in orm]
    assert rows[0]._fields[: len(THREAD_FIELDS)] == THREAD_FIELDS
    assert isinstance(rows[1].created_at, datetime) and rows[1].created_at.tzinfo is not None
    assert rows[1].edited_at == rows[1].created_at
    assert rows[1].is_post_author is True and rows[0].is_post_author is False
    assert rows[0].conversations == 1


@pytest.mark.django_db
def test_one_page_for_the_whole_thread_has_no_other_page(a_post, settings):
    settings.COMMENTS_PER_PAGE = 0
    made = [make_comment(a_post, body=f"c{n}") for n in range(3)]
    page = paging.fetch(a_post, 1, THREAD_FIELDS)
    assert [row.pk for row in page.rows] == [c.pk for c in made]
    assert (page.number, page.count, page.paged) == (1, 1, False)
    with pytest.raises(Http404):
        paging.fetch(a_post, 2, THREAD_FIELDS)


@pytest.mark.django_db
def test_another_posts_comments_never_appear(a_post, an_author, settings):
    settings.COMMENTS_PER_PAGE = 1
    another_post = make_post(author=an_author, title="Another write-up")
    mine = make_comment(a_post, body="mine")
    make_comment(another_post, body="theirs")
    page = paging.fetch(a_post, 1, THREAD_FIELDS)
    assert [row.pk for row in page.rows] == [mine.pk]
    assert page.count == 1
