"""Who may do what in the admin: each refusal proved with a request, and the data unchanged.

Authors write and publish their own posts only; Editors edit every post; Moderators
moderate comments but edit no post. Every refusal here is a hand-made request (the page
would not offer the button), and each checks the database afterwards.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from blog.models import Disclosure, Post
from comments.models import Comment
from tests.factories import make_post, make_user
from tests.test_admin_posts import (
    CHANGELIST_URL,
    change_data,
    change_url,
    existing_rows,
    post_data,
)

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:blog_post_add")
COMMENTS_URL = reverse("admin:comments_comment_changelist")


def member_of(name, username, **fields):
    user = make_user(username=username, staff=True, **fields)
    user.groups.add(Group.objects.get(name=name))
    return user


def snapshot(post):
    """Everything a refused request must leave as it was."""
    fresh = Post.objects.get(pk=post.pk)
    return (
        fresh.title,
        fresh.slug,
        fresh.body,
        fresh.status,
        fresh.published_at,
        fresh.author_id,
        fresh.updated_at,
        sorted(fresh.tags.names()),
        list(fresh.disclosures.values_list("pk", "person", "relationship", "statement")),
    )


def delete_url(post):
    return reverse("admin:blog_post_delete", args=[post.pk])


def messages_in(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def ann(db):
    return member_of("Authors", "ann", first_name="Ann", last_name="Author")


@pytest.fixture
def otto(db):
    return member_of("Authors", "otto", first_name="Otto", last_name="Other")


@pytest.fixture
def eddie(db):
    return member_of("Editors", "eddie")


@pytest.fixture
def mo(db):
    return member_of("Moderators", "mo")


@pytest.fixture
def ann_s(ann):
    return make_post(author=ann, title="Ann's write-up", body="Ann's words.", labels=["ms"])


@pytest.fixture
def otto_s(otto):
    return make_post(author=otto, title="Otto's write-up", body="Otto's words.", labels=["ms"])


@pytest.fixture
def otto_s_draft(otto):
    return make_post(author=otto, title="Otto's draft", status=Post.Status.DRAFT)


def logged_in(client, user):
    client.force_login(user)
    return client


# --- Authors ----------------------------------------------------------------------------


def test_an_author_s_changelist_lists_only_their_own_posts(client, ann, ann_s, otto_s):
    page = logged_in(client, ann).get(CHANGELIST_URL).content.decode()

    assert "Ann&#x27;s write-up" in page
    assert "Otto&#x27;s write-up" not in page
    assert "1 post" in page


def test_an_author_s_changelist_search_does_not_find_others_posts(client, ann, ann_s, otto_s):
    page = logged_in(client, ann).get(CHANGELIST_URL, {"q": "Otto"}).content.decode()

    assert "Otto&#x27;s write-up" not in page
    assert "0 posts" in page


def test_an_author_s_label_filter_offers_only_labels_of_their_own_posts(client, ann, ann_s):
    make_post(author=make_user(username="x"), status=Post.Status.DRAFT, labels=["secret-trial"])

    page = logged_in(client, ann).get(CHANGELIST_URL).content.decode()

    assert "secret-trial" not in page
    assert "?tags__id__exact=" in page


def test_an_author_cannot_open_another_author_s_post(client, ann, otto_s):
    response = logged_in(client, ann).get(change_url(otto_s))

    # Outside the author's queryset, the post is "not found": the admin sends them home.
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    home = client.get(response["Location"]).content.decode()
    assert "Otto" not in home


def test_an_author_cannot_read_another_author_s_post_history(client, ann, otto_s):
    response = logged_in(client, ann).get(reverse("admin:blog_post_history", args=[otto_s.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_direct_post_to_another_author_s_post_changes_nothing(client, ann, otto_s):
    before = snapshot(otto_s)
    data = change_data(
        otto_s,
        rows=existing_rows(otto_s),
        title="Defaced",
        body="<b>pwned</b>",
        status="draft",
        tags="spam",
    )

    response = logged_in(client, ann).post(change_url(otto_s), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert snapshot(otto_s) == before


def test_an_author_can_still_edit_their_own_post(client, ann, ann_s):
    data = change_data(ann_s, rows=existing_rows(ann_s), title="Ann's write-up, revised")

    response = logged_in(client, ann).post(change_url(ann_s), data)

    assert response.status_code == 302
    ann_s.refresh_from_db()
    assert ann_s.title == "Ann's write-up, revised"
    assert ann_s.author == ann


def test_an_author_cannot_edit_another_post_s_disclosure_through_their_own(
    client, ann, ann_s, otto_s
):
    """A forged inline row naming a disclosure of Otto's post is not Ann's to change."""
    theirs = otto_s.disclosures.get()
    before = snapshot(otto_s)
    rows = existing_rows(ann_s) + [
        {
            "id": str(theirs.pk),
            "post": str(ann_s.pk),
            "person": "Otto Other",
            "relationship": "consultancy",
            "organisations": "Evil Pharma",
            "statement": "Rewritten by Ann.",
            "position": "1",
        }
    ]
    data = change_data(ann_s, rows=rows)
    data["disclosures-INITIAL_FORMS"] = str(len(rows))

    logged_in(client, ann).post(change_url(ann_s), data)

    assert snapshot(otto_s) == before
    assert Disclosure.objects.get(pk=theirs.pk).post_id == otto_s.pk


def test_an_author_cannot_delete_another_author_s_post(client, ann, otto_s):
    before = snapshot(otto_s)

    response = logged_in(client, ann).post(delete_url(otto_s), {"post": "yes"})

    assert response.status_code in (302, 403)  # 403 without the right; see below with it
    assert snapshot(otto_s) == before


def test_authors_cannot_delete_even_their_own_posts(client, ann, ann_s):
    response = logged_in(client, ann).post(delete_url(ann_s), {"post": "yes"})

    assert response.status_code == 403
    assert Post.objects.filter(pk=ann_s.pk).exists()


def test_a_delete_right_given_by_hand_still_stops_at_another_author_s_post(client, ann, otto_s):
    ann.user_permissions.add(Permission.objects.get(codename="delete_post"))
    ann_s_draft = make_post(author=ann, title="Ann's draft", status=Post.Status.DRAFT)
    logged_in(client, ann)
    before = snapshot(otto_s)

    refused = client.post(delete_url(otto_s), {"post": "yes"})
    allowed = client.post(delete_url(ann_s_draft), {"post": "yes"})

    assert refused.status_code == 302
    assert refused["Location"] == reverse("admin:index")
    assert snapshot(otto_s) == before
    assert allowed.status_code == 302  # an author deletes only their own drafts
    assert not Post.objects.filter(pk=ann_s_draft.pk).exists()


def test_bulk_delete_with_another_author_s_post_deletes_nothing_of_theirs(
    client, ann, ann_s, otto_s
):
    ann.user_permissions.add(Permission.objects.get(codename="delete_post"))

    logged_in(client, ann).post(
        CHANGELIST_URL,
        {"action": "delete_selected", "_selected_action": [ann_s.pk, otto_s.pk], "post": "yes"},
    )

    assert Post.objects.filter(pk=otto_s.pk).exists()


def test_bulk_publish_including_another_author_s_post_refuses_that_one(client, ann, otto_s_draft):
    own = make_post(author=ann, title="Ann's draft", status=Post.Status.DRAFT)
    before = snapshot(otto_s_draft)

    response = logged_in(client, ann).post(
        CHANGELIST_URL,
        {"action": "publish_selected", "_selected_action": [own.pk, otto_s_draft.pk]},
        follow=True,
    )

    notices = messages_in(response)
    assert "1 selected post was not published: you may not change it." in notices
    assert "1 post was published." in notices
    assert not any("Otto" in notice for notice in notices), "a hidden title leaked"
    own.refresh_from_db()
    assert own.status == Post.Status.PUBLISHED
    assert snapshot(otto_s_draft) == before


def test_bulk_unpublish_of_another_author_s_post_changes_nothing(client, ann, otto_s):
    before = snapshot(otto_s)

    response = logged_in(client, ann).post(
        CHANGELIST_URL,
        {"action": "unpublish_selected", "_selected_action": [otto_s.pk]},
        follow=True,
    )

    assert "1 selected post was not returned to draft: you may not change it." in (
        messages_in(response)
    )
    assert snapshot(otto_s) == before


def test_a_forged_selection_of_junk_ids_is_harmless(client, ann, ann_s):
    response = logged_in(client, ann).post(
        CHANGELIST_URL,
        {"action": "publish_selected", "_selected_action": [ann_s.pk, "999999", "-1"]},
        follow=True,
    )

    assert response.status_code == 200
    # "-1" never reaches the admin (config.middleware.AdminActionSelectionMiddleware);
    # 999999 does, and is refused like a post the user may not change.
    assert "1 selected post was not published: you may not change it." in (messages_in(response))


def test_an_author_who_also_moderates_is_told_which_post_they_may_not_publish(
    client, ann, otto_s_draft
):
    """Moderators see every post, so the post reaches the action and is refused by name."""
    ann.groups.add(Group.objects.get(name="Moderators"))
    before = snapshot(otto_s_draft)

    response = logged_in(client, ann).post(
        CHANGELIST_URL,
        {"action": "publish_selected", "_selected_action": [otto_s_draft.pk]},
        follow=True,
    )

    assert "\u201cOtto's draft\u201d was not published: you may not change it." in (
        messages_in(response)
    )
    assert snapshot(otto_s_draft) == before


def test_an_author_who_also_moderates_may_read_but_not_change_another_s_post(client, ann, otto_s):
    ann.groups.add(Group.objects.get(name="Moderators"))
    logged_in(client, ann)
    before = snapshot(otto_s)

    page = client.get(change_url(otto_s)).content.decode()
    response = client.post(
        change_url(otto_s), change_data(otto_s, rows=existing_rows(otto_s), title="Defaced")
    )

    assert "Otto&#x27;s write-up" in page
    assert 'name="_save"' not in page
    assert response.status_code == 403
    assert snapshot(otto_s) == before


def test_a_new_post_belongs_to_whoever_wrote_it(client, ann, otto):
    data = post_data(
        status="draft",
        author=str(otto.pk),
        disclosures=[{"person": "Ann Author", "relationship": "none", "position": "0"}],
    )

    response = logged_in(client, ann).post(ADD_URL, data)

    assert response.status_code == 302
    assert Post.objects.get(slug="care-ms-2").author == ann


def test_an_author_s_changelist_query_count_does_not_grow_with_posts(
    client, ann, django_assert_max_num_queries
):
    """Session, user, the user's permissions (two), roles (one), the label filter, two counts,
    the page of posts, their labels, the date range and its days: 12, and room for one."""
    for i in range(15):
        make_post(author=ann, labels=[f"l{i}"])
        make_post(author=make_user(username=f"w{i}"), labels=[f"l{i}"])
    logged_in(client, ann)

    with django_assert_max_num_queries(13):
        response = client.get(CHANGELIST_URL)

    assert response.status_code == 200


# --- Editors ----------------------------------------------------------------------------


def test_an_editor_lists_every_post(client, eddie, ann_s, otto_s):
    page = logged_in(client, eddie).get(CHANGELIST_URL).content.decode()

    assert "Ann&#x27;s write-up" in page
    assert "Otto&#x27;s write-up" in page


def test_an_editor_can_edit_anyone_s_post_and_it_stays_theirs(client, eddie, otto, otto_s):
    data = change_data(otto_s, rows=existing_rows(otto_s), title="Otto's write-up, edited")

    response = logged_in(client, eddie).post(change_url(otto_s), data)

    assert response.status_code == 302
    otto_s.refresh_from_db()
    assert otto_s.title == "Otto's write-up, edited"
    assert otto_s.author == otto


def test_an_editor_can_publish_and_delete_anyone_s_post(client, eddie, otto_s_draft, ann_s):
    logged_in(client, eddie)

    published = client.post(
        CHANGELIST_URL,
        {"action": "publish_selected", "_selected_action": [otto_s_draft.pk]},
        follow=True,
    )
    deleted = client.post(delete_url(ann_s), {"post": "yes"})

    assert "1 post was published." in messages_in(published)
    otto_s_draft.refresh_from_db()
    assert otto_s_draft.status == Post.Status.PUBLISHED
    assert deleted.status_code == 302
    assert not Post.objects.filter(pk=ann_s.pk).exists()


def test_an_editor_cannot_moderate_comments(client, eddie, otto_s):
    comment = Comment.objects.create(
        post=otto_s, name="Reader", email="r@example.org", body="Held comment."
    )

    response = logged_in(client, eddie).post(
        COMMENTS_URL, {"action": "approve", "_selected_action": [comment.pk]}
    )

    # Editors have no comment action at all: the POST just shows the list again.
    assert response.status_code == 200
    assert 'name="action"' not in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD


# --- Moderators -------------------------------------------------------------------------


@pytest.fixture
def a_held_comment(otto_s):
    return Comment.objects.create(
        post=otto_s, name="Reader", email="reader@example.org", body="Is this trial blinded?"
    )


def test_a_moderator_opens_the_comment_queue_and_approves(client, mo, a_held_comment):
    logged_in(client, mo)

    queue = client.get(COMMENTS_URL).content.decode()
    client.post(COMMENTS_URL, {"action": "approve", "_selected_action": [a_held_comment.pk]})

    assert "Is this trial blinded?" in queue
    a_held_comment.refresh_from_db()
    assert a_held_comment.status == Comment.Status.APPROVED
    assert a_held_comment.moderated_by == mo


def test_a_moderator_cannot_change_a_post(client, mo, otto_s):
    before = snapshot(otto_s)
    logged_in(client, mo)

    page = client.get(change_url(otto_s)).content.decode()
    response = client.post(
        change_url(otto_s), change_data(otto_s, rows=existing_rows(otto_s), title="Defaced")
    )

    assert 'name="_save"' not in page
    assert response.status_code == 403
    assert snapshot(otto_s) == before


def test_a_moderator_cannot_add_publish_or_delete_posts(client, mo, otto_s_draft):
    logged_in(client, mo)
    before = snapshot(otto_s_draft)

    add = client.get(ADD_URL)
    action = client.post(
        CHANGELIST_URL, {"action": "publish_selected", "_selected_action": [otto_s_draft.pk]}
    )
    delete = client.post(delete_url(otto_s_draft), {"post": "yes"})

    assert add.status_code == 403
    assert action.status_code == 200  # no action is offered: the POST shows the list again
    assert 'name="action"' not in action.content.decode()
    assert delete.status_code == 403
    assert snapshot(otto_s_draft) == before


# --- Authors and the comments on their posts ---------------------------------------------


def comment_change_url(comment):
    return reverse("admin:comments_comment_change", args=[comment.pk])


def comment_snapshot(comment):
    fresh = Comment.objects.get(pk=comment.pk)
    return (fresh.status, fresh.moderated_by_id, fresh.moderated_at, fresh.body, fresh.name)


@pytest.fixture
def held_on_ann_s(ann_s):
    return Comment.objects.create(
        post=ann_s, name="Reader", email="reader@example.org", body="What was the dropout?"
    )


def test_an_author_follows_the_moderation_email_and_approves_a_comment_on_their_post(
    client, ann, held_on_ann_s
):
    logged_in(client, ann)

    page = client.get(comment_change_url(held_on_ann_s)).content.decode()
    response = client.post(comment_change_url(held_on_ann_s), {"_moderate": "Approve"}, follow=True)

    assert "What was the dropout?" in page
    assert 'name="_moderate" value="Approve"' in page
    assert "1 comment approved." in messages_in(response)
    held_on_ann_s.refresh_from_db()
    assert held_on_ann_s.status == Comment.Status.APPROVED
    assert held_on_ann_s.moderated_by == ann
    assert Post.objects.get(pk=held_on_ann_s.post_id).comment_count == 1


def test_an_author_s_queue_and_count_hold_only_the_comments_on_their_posts(
    client, ann, held_on_ann_s, a_held_comment
):
    logged_in(client, ann)

    queue = client.get(COMMENTS_URL)
    index = client.get(reverse("admin:index")).content.decode()

    assert list(queue.context["cl"].result_list) == [held_on_ann_s]
    page = queue.content.decode()
    assert "Is this trial blinded?" not in page
    assert "Otto&#x27;s write-up" not in page, "the post filter named another's post"
    assert "<strong>1</strong> comment waiting for moderation" in index


def test_an_author_cannot_open_a_comment_on_another_author_s_post(client, ann, a_held_comment):
    logged_in(client, ann)

    for url in (
        comment_change_url(a_held_comment),
        reverse("admin:comments_comment_history", args=[a_held_comment.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("admin:index")
    assert "Is this trial blinded?" not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize("button", ["Approve", "Reject", "Mark as spam"])
def test_an_author_s_hand_made_moderation_of_another_s_comment_changes_nothing(
    client, ann, a_held_comment, button
):
    before = comment_snapshot(a_held_comment)

    response = logged_in(client, ann).post(
        comment_change_url(a_held_comment), {"_moderate": button}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert comment_snapshot(a_held_comment) == before


def test_an_author_s_bulk_approval_skips_another_s_comment_and_says_so(
    client, ann, held_on_ann_s, a_held_comment
):
    before = comment_snapshot(a_held_comment)

    response = logged_in(client, ann).post(
        COMMENTS_URL,
        {"action": "approve", "_selected_action": [held_on_ann_s.pk, a_held_comment.pk]},
        follow=True,
    )

    notices = messages_in(response)
    assert "1 selected comment was not approved: you may not moderate it." in notices
    assert "1 comment approved." in notices
    assert not any("blinded" in notice or "Otto" in notice for notice in notices)
    assert comment_snapshot(a_held_comment) == before
    held_on_ann_s.refresh_from_db()
    assert held_on_ann_s.status == Comment.Status.APPROVED


def test_an_author_selecting_only_another_s_comment_is_refused(client, ann, a_held_comment):
    before = comment_snapshot(a_held_comment)

    response = logged_in(client, ann).post(
        COMMENTS_URL + "?status__exact=all",
        {"action": "mark_spam", "_selected_action": [a_held_comment.pk, "999999"]},
        follow=True,
    )

    assert messages_in(response) == [
        "2 selected comments were not marked as spam: you may not moderate them."
    ]
    assert comment_snapshot(a_held_comment) == before


def test_an_editor_who_writes_reads_every_comment_but_moderates_only_their_own(
    client, eddie, a_held_comment
):
    own = make_post(author=eddie, title="Eddie's write-up")
    held_on_own = Comment.objects.create(
        post=own, name="Reader", email="r@example.org", body="On Eddie's post."
    )
    eddie.groups.add(Group.objects.get(name="Authors"))
    logged_in(client, eddie)
    before = comment_snapshot(a_held_comment)

    page = client.get(comment_change_url(a_held_comment)).content.decode()
    button = client.post(comment_change_url(a_held_comment), {"_moderate": "Approve"})
    bulk = client.post(
        COMMENTS_URL,
        {"action": "approve", "_selected_action": [a_held_comment.pk, held_on_own.pk]},
        follow=True,
    )

    assert "Is this trial blinded?" in page
    assert 'name="_moderate"' not in page
    assert button.status_code == 403
    assert "1 selected comment was not approved: you may not moderate it." in messages_in(bulk)
    assert comment_snapshot(a_held_comment) == before
    held_on_own.refresh_from_db()
    assert held_on_own.status == Comment.Status.APPROVED


def test_an_author_cannot_delete_a_comment_even_on_their_own_post(client, ann, held_on_ann_s):
    logged_in(client, ann)

    page = client.get(comment_change_url(held_on_ann_s)).content.decode()
    response = client.post(
        reverse("admin:comments_comment_delete", args=[held_on_ann_s.pk]), {"post": "yes"}
    )

    assert "deletelink" not in page
    assert response.status_code == 403
    assert Comment.objects.filter(pk=held_on_ann_s.pk).exists()


def test_an_author_s_comment_queue_query_count_does_not_grow_with_comments(
    client, ann, otto, django_assert_max_num_queries
):
    """Session, user, permissions (two), roles (one), the post filter's posts, two counts,
    the page of comments with their posts, the date range and its days: 11, room for one."""
    for i in range(15):
        for author in (ann, otto):
            post = make_post(author=author, title=f"{author.username} {i}")
            Comment.objects.create(post=post, name="R", email="r@example.org", body=f"c{i}")
    logged_in(client, ann)

    with django_assert_max_num_queries(12):
        response = client.get(COMMENTS_URL)

    assert len(response.context["cl"].result_list) == 15
