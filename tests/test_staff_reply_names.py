"""Issue 15: a reply from the moderator's desk is published under a name a reader can read,
never an account's username (the demo's "admin"); ensure_admin gives the demo admin a name
and never renames an account someone else looks after."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from authors.services import author_profile_ensure
from comments import services
from comments.models import Comment
from tests.factories import make_user
from tests.lean_markup_support import closed_html
from tests.test_comments_support import make_comment

pytestmark = pytest.mark.django_db

Status = Comment.Status


@pytest.fixture
def var_dir(tmp_path, settings):
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


def ensure_admin():
    call_command("ensure_admin", "--quiet", stdout=StringIO(), stderr=StringIO())
    return get_user_model().objects.get(username="admin")


# --- ensure_admin -----------------------------------------------------------------------------


def test_the_demo_admin_is_created_with_a_full_name(var_dir):
    admin = ensure_admin()
    assert admin.get_full_name() == "Alex Morgan"
    assert admin.is_superuser


def test_a_nameless_demo_admin_from_before_is_given_the_name(var_dir):
    ensure_admin()
    get_user_model().objects.filter(username="admin").update(first_name="", last_name="")
    assert ensure_admin().get_full_name() == "Alex Morgan"
    (var_dir / "admin-password.txt").unlink()  # the file lost: the password is reset
    get_user_model().objects.filter(username="admin").update(first_name="", last_name="")
    assert ensure_admin().get_full_name() == "Alex Morgan"


def test_a_named_admin_is_never_renamed(var_dir):
    ensure_admin()
    get_user_model().objects.filter(username="admin").update(first_name="Ada", last_name="")
    assert ensure_admin().get_full_name() == "Ada"


def test_an_admin_someone_took_over_is_left_as_it_is(var_dir):
    admin = ensure_admin()
    admin.set_password("chosen-by-the-operator")
    admin.first_name = admin.last_name = ""
    admin.save()
    assert ensure_admin().get_full_name() == ""


# --- the reply's name ---------------------------------------------------------------------------


def reply_as(user, post):
    question = make_comment(post, status=Status.APPROVED, body="Were the raters masked?")
    return services.comment_reply_as_staff(parent=question, user=user, body="Yes.")


def test_a_nameless_staff_account_replies_under_the_sites_moderators_not_its_username(
    client, a_post, settings
):
    settings.SITE_NAME = "Trialpress"
    admin = make_user(username="admin", superuser=True)
    reply = reply_as(admin, a_post)
    assert reply.name == "Trialpress moderators"
    thread = closed_html(client.get(a_post.get_absolute_url()).content.decode())
    assert 'Trialpress moderators <span class="comment-badge">Moderator</span>' in thread
    assert ">admin<" not in thread and "admin <span" not in thread


def test_a_profile_named_after_the_username_counts_as_no_name(a_post, settings):
    settings.SITE_NAME = "Trialpress"
    admin = make_user(username="Admin", superuser=True)
    author_profile_ensure(user=admin)  # a profile made from the account: display name "Admin"
    assert reply_as(admin, a_post).name == "Trialpress moderators"


def test_the_posts_nameless_author_replies_as_the_author(a_post):
    a_post.author.first_name = a_post.author.last_name = ""
    a_post.author.save()
    reply = reply_as(a_post.author, a_post)
    assert reply.name == "The author" and reply.is_post_author


def test_a_named_staff_account_keeps_its_public_name(a_post):
    moderator = make_user(username="mo", superuser=True, first_name="Mo", last_name="Derator")
    assert reply_as(moderator, a_post).name == "Mo Derator"


def test_the_demo_admins_reply_from_the_desk_is_signed_site_moderator(client, a_post, var_dir):
    admin = ensure_admin()
    question = make_comment(a_post, status=Status.HELD, body="q")
    client.force_login(admin)
    client.post(reverse("admin:comments_comment_desk_reply"), {"comment": question.pk, "body": "A"})
    assert Comment.objects.get(parent=question).name == "Alex Morgan"


def test_a_site_name_in_any_script_or_very_long_makes_a_valid_name(a_post, settings):
    settings.SITE_NAME = "Ελληνικά\n" + "ب" * 300
    reply = reply_as(make_user(username="root", superuser=True), a_post)
    assert reply.name.startswith("Ελληνικά ب") and reply.name.endswith(" moderators")
    assert len(reply.name) <= 100
    assert "\n" not in reply.name


def test_the_demo_admin_is_named_like_a_person_and_the_old_default_is_renamed():
    """Brief c15d item 5: "Welcome, Site." and "Moderator, S." read oddly."""
    admin = ensure_admin()
    assert (admin.first_name, admin.last_name) == ("Alex", "Morgan")
    get_user_model().objects.filter(username="admin").update(
        first_name="Site", last_name="Moderator"
    )
    assert ensure_admin().get_full_name() == "Alex Morgan"
