"""The moderation queue in the admin: the default view, the actions and their record."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from comments import services
from comments.models import Comment
from tests.factories import make_post
from tests.test_comments_support import make_comment

Status = Comment.Status
CHANGELIST = "admin:comments_comment_changelist"


@pytest.fixture
def moderator_client(client, a_superuser):
    client.force_login(a_superuser)
    return client


def test_changelist_opens_on_the_held_queue_oldest_first(moderator_client, a_post):
    newer = make_comment(a_post, status=Status.HELD, body="newer held")
    older = make_comment(a_post, status=Status.HELD, body="older held")
    Comment.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=2))
    make_comment(a_post, status=Status.APPROVED, body="already approved")
    response = moderator_client.get(reverse(CHANGELIST))
    html = response.content.decode()
    assert list(response.context["cl"].result_list) == [Comment.objects.get(pk=older.pk), newer]
    assert "already approved" not in html
    for column in ("Comment", "Commenter", "Post", "Status", "Received", "Reason"):
        assert f">{column}</a>" in html or f">{column}</span>" in html, column
    assert "ann@example.org" in html


def test_all_shows_every_status_including_rejected_and_spam(moderator_client, a_post):
    for status in Status.values:
        make_comment(a_post, status=status, body=f"{status} body")
    response = moderator_client.get(reverse(CHANGELIST) + "?status__exact=all")
    assert len(response.context["cl"].result_list) == 4
    spam = moderator_client.get(reverse(CHANGELIST) + "?status__exact=spam")
    assert [c.body for c in spam.context["cl"].result_list] == ["spam body"]


def test_filter_by_post_and_search(moderator_client, a_post, an_author):
    other = make_post(author=an_author, title="Other")
    make_comment(a_post, status=Status.HELD, name="Zed", body="alpha")
    make_comment(other, status=Status.HELD, email="yolanda@example.org", body="beta")
    url = reverse(CHANGELIST)
    by_post = moderator_client.get(f"{url}?post__id__exact={other.pk}")
    assert [c.body for c in by_post.context["cl"].result_list] == ["beta"]
    for query, expected in (("Zed", "alpha"), ("yolanda", "beta"), ("alph", "alpha")):
        found = moderator_client.get(f"{url}?q={query}")
        assert [c.body for c in found.context["cl"].result_list] == [expected], query


@pytest.mark.parametrize(
    ("action", "status", "count"),
    [
        ("approve", Status.APPROVED, 1),
        ("reject", Status.REJECTED, 0),
        ("mark_spam", Status.SPAM, 0),
    ],
)
def test_actions_record_who_when_and_history(
    moderator_client, a_superuser, a_post, action, status, count
):
    comment = make_comment(a_post, status=Status.HELD)
    response = moderator_client.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [comment.pk]}, follow=True
    )
    assert "1 comment" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == status
    assert comment.moderated_by == a_superuser
    assert timezone.now() - comment.moderated_at < timedelta(minutes=1)
    entry = LogEntry.objects.get(object_id=str(comment.pk))
    assert entry.user == a_superuser and entry.action_flag == CHANGE
    assert "was held for moderation" in entry.change_message
    assert Post.objects.get(pk=a_post.pk).comment_count == count
    assert Comment.objects.filter(pk=comment.pk).exists()  # kept, never deleted


def test_back_to_held_undoes_a_mistake_and_recounts(moderator_client, a_post):
    comment = make_comment(a_post, status=Status.HELD)
    url = reverse(CHANGELIST)
    moderator_client.post(url, {"action": "approve", "_selected_action": [comment.pk]})
    assert Post.objects.get(pk=a_post.pk).comment_count == 1
    moderator_client.post(
        url + "?status__exact=all", {"action": "hold", "_selected_action": [comment.pk]}
    )
    comment.refresh_from_db()
    assert comment.status == Status.HELD
    assert Post.objects.get(pk=a_post.pk).comment_count == 0
    assert LogEntry.objects.filter(object_id=str(comment.pk)).count() == 2


COMMENTER_FIELDS = (
    "name",
    "email",
    "website",
    "body",
    "competing_interests",
    "post",
    "parent",
    "ip_address",
    "user_agent",
)


def change_url(comment):
    return reverse("admin:comments_comment_change", args=[comment.pk])


def record(comment):
    """What a commenter sent, and where from: staff never rewrite it."""
    fresh = Comment.objects.get(pk=comment.pk)
    return {name: getattr(fresh, name) for name in (*COMMENTER_FIELDS, "body_html")}


FORGED = {
    "name": "Staff Rewrite",
    "email": "x@example.org",
    "website": "https://evil.example",
    "body": "Edited *text*",
    "competing_interests": "Rewritten",
    "ip_address": "10.0.0.1",
    "user_agent": "Forged",
    "status": "approved",
}


def test_change_page_shows_the_record_read_only_and_moderates(
    moderator_client, a_superuser, a_post
):
    comment = make_comment(
        a_post, status=Status.HELD, ip_address="192.0.2.7", website="https://ann.example"
    )
    before = record(comment)
    html = moderator_client.get(change_url(comment)).content.decode()
    assert "Moderated by" in html and "192.0.2.7" in html and "A comment." in html
    for name in (*COMMENTER_FIELDS, "status", "moderated_by"):
        assert f'name="{name}"' not in html, name
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert 'name="_moderate" value="Approve"' in html
    response = moderator_client.post(
        change_url(comment), {**FORGED, "post": a_post.pk, "_moderate": "Approve"}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED and comment.moderated_by == a_superuser
    assert record(comment) == before


@pytest.mark.parametrize("button", ["_save", "_continue"])
def test_a_forged_save_rewrites_nothing(moderator_client, a_post, button):
    other = make_post(author=a_post.author, title="Other")
    parent = make_comment(a_post)
    comment = make_comment(a_post, parent=parent, status=Status.HELD, ip_address="192.0.2.7")
    before = record(comment)
    moderator_client.post(
        change_url(comment), {**FORGED, "post": other.pk, "parent": "", button: "Save"}
    )
    assert record(comment) == before
    assert Comment.objects.get(pk=comment.pk).status == Status.HELD


def test_no_bulk_delete_for_anyone(moderator_client, a_post):
    comment = make_comment(a_post, status=Status.SPAM)
    changelist = moderator_client.get(reverse(CHANGELIST) + "?status__exact=all")
    response = moderator_client.post(
        reverse(CHANGELIST) + "?status__exact=all",
        {"action": "delete_selected", "_selected_action": [comment.pk], "post": "yes"},
    )
    assert "delete_selected" not in changelist.content.decode()
    assert response.status_code == 302  # "No action selected": back to the list
    assert Comment.objects.filter(pk=comment.pk).exists()


@pytest.fixture
def a_moderator(db):
    from django.contrib.auth.models import Group

    from tests.factories import make_user

    moderator = make_user(username="mo", staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    return moderator


def test_a_moderator_cannot_delete_a_comment_even_with_the_permission_by_hand(
    client, a_moderator, a_post
):
    from django.contrib.auth.models import Permission

    a_moderator.user_permissions.add(Permission.objects.get(codename="delete_comment"))
    comment = make_comment(a_post, status=Status.SPAM)
    client.force_login(a_moderator)
    page = client.get(change_url(comment)).content.decode()
    response = client.post(
        reverse("admin:comments_comment_delete", args=[comment.pk]), {"post": "yes"}
    )
    assert "deletelink" not in page
    assert response.status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_a_superuser_may_delete_one_comment_from_its_page_and_the_count_follows(
    moderator_client, a_post
):
    comment = make_comment(a_post, status=Status.APPROVED, body="Delete me.")
    reply = make_comment(a_post, parent=comment, status=Status.APPROVED, body="And my reply.")
    kept = make_comment(a_post, status=Status.APPROVED)
    Post.objects.filter(pk=a_post.pk).update(comment_count=3)
    delete_url = reverse("admin:comments_comment_delete", args=[comment.pk])
    assert "deletelink" in moderator_client.get(change_url(comment)).content.decode()
    confirm = moderator_client.get(delete_url).content.decode()
    assert f"Comment {reply.pk} by" in confirm  # the replies that go with it are listed
    response = moderator_client.post(delete_url, {"post": "yes"})
    assert response.status_code == 302
    assert list(Comment.objects.all()) == [kept]
    assert not Comment.objects.filter(pk=reply.pk).exists()
    assert Post.objects.get(pk=a_post.pk).comment_count == 1


def test_comments_cannot_be_added_in_the_admin(moderator_client):
    assert moderator_client.get(reverse("admin:comments_comment_add")).status_code == 403


def test_waiting_count_on_the_admin_index_and_the_post_page(moderator_client, a_post, an_author):
    make_comment(a_post, status=Status.HELD)
    make_comment(a_post, status=Status.HELD)
    make_comment(make_post(author=an_author), status=Status.HELD)
    make_comment(a_post, status=Status.APPROVED)
    index = moderator_client.get(reverse("admin:index")).content.decode()
    assert "<strong>3</strong> comments waiting for moderation" in index
    change = moderator_client.get(reverse("admin:blog_post_change", args=[a_post.pk]))
    html = change.content.decode()
    assert "<strong>2</strong> comments waiting</a>" in html
    assert f"?post__id__exact={a_post.pk}&amp;status__exact=held" in html


def test_a_forged_selection_of_junk_ids_is_harmless(moderator_client, a_post):
    comment = make_comment(a_post, status=Status.HELD)
    response = moderator_client.post(
        reverse(CHANGELIST),
        {"action": "approve", "_selected_action": [comment.pk, "abc", "1.5", "\u0661", ""]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 comment approved." in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED


def test_moderating_needs_permission(client, a_post):
    from tests.factories import make_user

    client.force_login(make_user(staff=True))
    comment = make_comment(a_post, status=Status.HELD)
    response = client.post(
        reverse(CHANGELIST), {"action": "approve", "_selected_action": [comment.pk]}
    )
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Status.HELD


def test_spam_of_the_last_seven_days_is_counted_beside_the_queue(moderator_client, a_post):
    make_comment(a_post, status=Status.HELD)
    for _ in range(2):
        make_comment(a_post, status=Status.SPAM)
    old = make_comment(a_post, status=Status.SPAM)
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    index = moderator_client.get(reverse("admin:index")).content.decode()
    assert "<strong>1</strong> comment waiting for moderation" in index
    assert "<strong>2</strong> filed as spam in the last 7 days" in index
    link = re.search(r'href="([^"]+)"><strong>2</strong> filed as spam', index).group(1)
    listed = moderator_client.get(link.replace("&amp;", "&"))
    assert listed.status_code == 200
    assert len(listed.context["cl"].result_list) == 2


def test_an_author_counts_only_the_spam_on_their_own_posts(client, a_post, an_author):
    from tests.factories import make_user

    someone = make_user(username="someone", staff=True)
    make_comment(a_post, status=Status.SPAM)
    make_comment(make_post(author=someone), status=Status.SPAM)
    client.force_login(an_author)
    index = client.get(reverse("admin:index")).content.decode()
    assert "<strong>1</strong> filed as spam in the last 7 days" in index


def test_comments_approved_automatically_are_listed_with_their_reason(
    moderator_client, a_post, a_superuser
):
    returning = make_comment(a_post, status=Status.APPROVED, status_reason="returning commenter")
    staff = make_comment(a_post, status=Status.APPROVED, status_reason="staff member")
    by_hand = make_comment(a_post, status=Status.HELD, status_reason="new commenter")
    services.comment_approve(comment=by_hand, moderator=a_superuser)
    make_comment(a_post, status=Status.HELD, status_reason="2 links (more than 1)")
    url = reverse(CHANGELIST)

    def listed(query):
        response = moderator_client.get(f"{url}?{query}")
        assert response.status_code == 200
        return {c.pk for c in response.context["cl"].result_list}, response.content.decode()

    assert listed("approved=automatically")[0] == {returning.pk, staff.pk}
    assert listed("approved=returning")[0] == {returning.pk}
    assert listed("approved=staff")[0] == {staff.pk}
    pks, html = listed("approved=moderator")
    assert pks == {by_hand.pk} and "Approved by admin" in html
    pks, html = listed("")  # the queue: the reason is in view
    assert "2 links (more than 1)" in html
    assert "How approved" in html or "how approved" in html


def test_the_change_page_tells_the_moderator_when_a_comment_is_shown_as_plain_text(
    moderator_client, a_post
):
    """A comment whose shape was too costly to format is stored as escaped text with a
    mark; the moderator reads why on its page, and a normal comment says it is formatted."""
    from tests.data.markdown_bombs import BOMBS

    plain = make_comment(a_post, status=Status.HELD, body=BOMBS["100 KB of unclosed fences"][:9000])
    formatted = make_comment(a_post, status=Status.HELD, body="A *formatted* comment.")

    plain_page = moderator_client.get(change_url(plain)).content.decode()
    assert "Shown as plain text, without formatting" in plain_page
    formatted_page = moderator_client.get(change_url(formatted)).content.decode()
    assert "Formatted as written" in formatted_page
    assert "Shown as plain text" not in formatted_page
