"""Brief c15d item 3: moderators see that the commenter edited a comment, notably an
approved one edited after approval: on the desk and in the comment list."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from tests.test_comments_support import make_comment
from tests.test_moderation_desk import a_moderator, member_of, mod_client  # noqa: F401

pytestmark = pytest.mark.django_db
APPROVED = Comment.Status.APPROVED


def _edited(post, **fields):
    comment = make_comment(post, status=APPROVED, body="Edited words.", **fields)
    Comment.objects.filter(pk=comment.pk).update(
        moderated_at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC),
        edited_at=datetime(2026, 12, 2, 8, 22, tzinfo=UTC),
    )
    return comment


def test_the_desk_says_edited_by_the_commenter_after_approval_with_a_history_link(
    mod_client,  # noqa: F811
    a_post,
):
    comment = _edited(a_post)
    untouched = make_comment(a_post, status=APPROVED, body="Never edited.")
    with timezone.override("UTC"):
        page = mod_client.get(reverse("admin:comments_comment_desk"), {"status": "approved"})
    html = page.content.decode()
    row = html.split(f'id="desk-{comment.pk}"')[1].split("</article>")[0]
    assert "Edited by the commenter, " in row and "2 Dec 2026, 08:22 UTC" in row
    assert "after approval" in row
    change = reverse("admin:comments_comment_change", args=[comment.pk])
    assert f'href="{change}#edit-history"' in row
    other = html.split(f'id="desk-{untouched.pk}"')[1].split("</article>")[0]
    assert "Edited by the commenter" not in other


def test_the_comment_list_marks_and_filters_edited_comments(mod_client, a_post):  # noqa: F811
    edited = _edited(a_post, name="Edith Edits")
    make_comment(a_post, status=APPROVED, body="Never edited.", name="Una Touched")
    changelist = reverse("admin:comments_comment_changelist")
    html = mod_client.get(changelist, {"status__exact": "all"}).content.decode()
    assert re.search(r"Edited by the commenter", html)
    only = mod_client.get(changelist, {"status__exact": "all", "edited": "yes"}).content.decode()
    assert "Edith Edits" in only and "Una Touched" not in only
    assert edited.pk
