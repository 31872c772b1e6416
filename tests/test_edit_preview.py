"""Brief c15d item 11: the edit form has a Preview, without JavaScript: the edit page again
with the rendered text above the form, the text kept, nothing saved."""

import pytest
from django.urls import reverse

from comments.models import Comment, CommentEdit
from tests.test_comments_support import form_data, post_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.COMMENT_RATE_LIMIT = "off"


@pytest.fixture
def own_comment(client, a_post):
    assert client.post(post_url(a_post), form_data(a_post)).status_code == 302
    return Comment.objects.latest("pk")


def test_the_edit_page_has_a_preview_button(client, own_comment):
    html = client.get(reverse("comments:edit", args=[own_comment.pk])).content.decode()
    assert '<button type="submit" name="preview" value="1"' in html


def test_preview_shows_the_rendered_edit_and_saves_nothing(client, own_comment):
    before = own_comment.body
    data = {"body": "Now *masked* <script>alert(1)</script>", "competing_interests": "None"}
    response = client.post(
        reverse("comments:edit", args=[own_comment.pk]), {**data, "preview": "1"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<section class="comment-preview"' in html and "<em>masked</em>" in html
    assert "<script>alert(1)" not in html
    assert "Now *masked*" in html  # kept in the textarea
    assert "no-store" in response["Cache-Control"]
    own_comment.refresh_from_db()
    assert own_comment.body == before and not CommentEdit.objects.exists()


def test_an_invalid_preview_says_what_to_fix(client, own_comment):
    url = reverse("comments:edit", args=[own_comment.pk])
    response = client.post(url, {"body": "", "competing_interests": "None", "preview": "1"})
    assert response.status_code == 400
    assert 'id="comment-errors"' in response.content.decode()
