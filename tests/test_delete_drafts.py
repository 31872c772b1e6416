"""Authors delete their own drafts that were never public; Editors delete any post.

Each refusal is a request the page would not offer, and the post is still there after it."""

import pytest
from django.urls import reverse

from blog.models import Post
from roles import policy
from tests.factories import make_post
from tests.test_admin_permissions import CHANGELIST_URL, delete_url, logged_in, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann(db):
    return member_of("Authors", "ann")


@pytest.fixture
def eddie(db):
    return member_of("Editors", "eddie")


def _draft(author, **fields):
    return make_post(author=author, title="A draft", status=Post.Status.DRAFT, **fields)


def test_an_author_deletes_their_own_draft_from_its_page(client, ann):
    draft = _draft(ann)
    client = logged_in(client, ann)
    page = client.get(reverse("admin:blog_post_change", args=[draft.pk])).content.decode()
    assert 'class="deletelink"' in page

    confirm = client.get(delete_url(draft))
    assert confirm.status_code == 200 and "Are you sure" in confirm.content.decode()
    response = client.post(delete_url(draft), {"post": "yes"})

    assert response.status_code == 302
    assert not Post.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize(
    "state",
    ["published", "scheduled", "draft with approved comments"],
)
def test_an_author_cannot_delete_a_post_readers_may_have_seen(client, ann, state):
    from datetime import timedelta

    from django.utils import timezone

    if state == "published":
        post = make_post(author=ann, title="Live")
    elif state == "scheduled":
        post = make_post(author=ann, published_at=timezone.now() + timedelta(days=2))
    else:
        post = _draft(ann)
        Post.objects.filter(pk=post.pk).update(comment_count=2)
    client = logged_in(client, ann)
    page = client.get(reverse("admin:blog_post_change", args=[post.pk])).content.decode()
    assert 'class="deletelink"' not in page

    response = client.post(delete_url(post), {"post": "yes"})

    assert response.status_code == 403
    assert Post.objects.filter(pk=post.pk).exists()


def test_an_author_cannot_delete_another_author_s_draft(client, ann):
    otto = member_of("Authors", "otto")
    theirs = _draft(otto)

    response = logged_in(client, ann).post(delete_url(theirs), {"post": "yes"})

    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert Post.objects.filter(pk=theirs.pk).exists()


def test_authors_have_no_bulk_delete_and_a_forged_one_deletes_nothing(client, ann):
    own_draft, own_live = _draft(ann), make_post(author=ann, title="Live")
    client = logged_in(client, ann)
    page = client.get(CHANGELIST_URL).content.decode()
    assert 'value="delete_selected"' not in page

    client.post(
        CHANGELIST_URL,
        {
            "action": "delete_selected",
            "_selected_action": [own_draft.pk, own_live.pk],
            "post": "yes",
        },
    )

    assert Post.objects.filter(pk__in=[own_draft.pk, own_live.pk]).count() == 2


def test_an_editor_deletes_any_post_one_or_many(client, eddie, ann):
    live, draft = make_post(author=ann, title="Live"), _draft(ann)
    client = logged_in(client, eddie)
    assert client.post(delete_url(live), {"post": "yes"}).status_code == 302
    client.post(
        CHANGELIST_URL,
        {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"},
    )
    assert not Post.objects.filter(pk__in=[live.pk, draft.pk]).exists()


def test_a_moderator_deletes_nothing(client, ann):
    mo = member_of("Moderators", "mo")
    draft = _draft(ann)
    assert logged_in(client, mo).post(delete_url(draft), {"post": "yes"}).status_code == 403
    assert Post.objects.filter(pk=draft.pk).exists()


def test_the_rule_reads_only_the_post_s_own_fields(ann, django_assert_num_queries):
    draft = _draft(ann)
    ann = type(ann).objects.get(pk=ann.pk)
    policy.can_delete_post(ann, draft)  # warms the user's permission and role caches
    with django_assert_num_queries(0):
        assert policy.can_delete_post(ann, draft)
        assert policy.was_never_public(draft)
