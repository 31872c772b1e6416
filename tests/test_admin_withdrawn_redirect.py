"""Brief c15d item 4: a moderation mail's link to a comment since withdrawn leads to its
withdrawal record, saying so, not to Django's "doesn't exist. Perhaps it was deleted?"."""

import pytest
from django.urls import reverse

from comments.models import WithdrawnComment
from tests.test_comment_withdraw_audit import a_moderator, withdraw  # noqa: F401 - fixture
from tests.test_comments_support import make_comment

pytestmark = pytest.mark.django_db


def test_a_withdrawn_comments_change_page_leads_to_its_record(client, a_post, a_moderator):  # noqa: F811
    comment = make_comment(a_post, name="<b>Ann</b>", body="Soon gone.")
    pk = comment.pk
    withdraw(comment)
    record = WithdrawnComment.objects.get()
    client.force_login(a_moderator)
    response = client.get(reverse("admin:comments_comment_change", args=[pk]), follow=True)
    final = response.redirect_chain[-1][0]
    assert final == reverse("admin:comments_withdrawncomment_change", args=[record.pk])
    html = response.content.decode()
    assert "withdrawn by its author on" in html
    assert "Perhaps it was deleted" not in html


def test_a_missing_id_without_a_record_keeps_djangos_answer(client, a_post, a_moderator):  # noqa: F811
    client.force_login(a_moderator)
    response = client.get(reverse("admin:comments_comment_change", args=[987654]), follow=True)
    assert "Perhaps it was deleted" in response.content.decode()
    bad = client.get(reverse("admin:comments_comment_change", args=["<script>"]), follow=True)
    assert "<script>" not in bad.content.decode().split("<main")[-1].replace("&lt;script&gt;", "")
