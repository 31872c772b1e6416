"""The roles: the groups the data migration makes, and the policy's rules one by one."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db import connection

from blog.models import Post
from comments.models import Comment
from roles import policy
from tests.factories import make_post, make_user

pytestmark = pytest.mark.django_db

groups_migration = importlib.import_module("roles.migrations.0001_groups")
authors_comments_migration = importlib.import_module(
    "roles.migrations.0002_authors_moderate_own_comments"
)
drafts_and_images_migration = importlib.import_module(
    "roles.migrations.0003_authors_delete_drafts_and_images"
)
# The migration's functions use only the schema editor's connection (and SQLite cannot
# open a real schema editor inside the test's transaction).
SCHEMA_EDITOR = SimpleNamespace(connection=connection)

EXPECTED = {
    "Authors": {
        "blog.add_post",
        "blog.change_post",
        "blog.view_post",
        "blog.add_disclosure",
        "blog.change_disclosure",
        "blog.delete_disclosure",
        "blog.view_disclosure",
        "taggit.add_tag",
        "taggit.view_tag",
        "comments.change_comment",
        "comments.view_comment",
        "blog.delete_post",  # their own never-public drafts only (roles.policy)
        "media_library.add_image",
        "media_library.change_image",
        "media_library.delete_image",
        "media_library.view_image",
    },
    "Editors": {
        "blog.add_post",
        "blog.change_post",
        "blog.delete_post",
        "blog.view_post",
        "blog.add_disclosure",
        "blog.change_disclosure",
        "blog.delete_disclosure",
        "blog.view_disclosure",
        "taggit.add_tag",
        "taggit.change_tag",
        "taggit.delete_tag",
        "taggit.view_tag",
        "comments.view_comment",
        "media_library.add_image",
        "media_library.change_image",
        "media_library.delete_image",
        "media_library.view_image",
    },
    "Moderators": {
        "comments.change_comment",
        "comments.view_comment",
        "blog.view_post",
    },
}


# Issue 12: trials/migrations/0002_role_permissions.py grants the trials models' permissions.
trials_permissions_migration = importlib.import_module("trials.migrations.0002_role_permissions")
TRIALS_MODELS = ("trialrecord", "arm", "outcome", "outcomeresult", "harm", "harmresult")
for _name, _actions in (
    ("Authors", ("add", "change", "delete", "view")),
    ("Editors", ("add", "change", "delete", "view")),
    ("Moderators", ("view",)),
):
    EXPECTED[_name] |= {f"trials.{a}_{m}" for m in TRIALS_MODELS for a in _actions}
# Search, authors, citing: authors/migrations/0002 grants the profiles' permissions.
profiles_migration = importlib.import_module("authors.migrations.0002_profiles_and_permissions")
for _name, _grants in (
    ("Authors", profiles_migration.AUTHOR_PERMISSIONS),
    ("Editors", profiles_migration.EDITOR_PERMISSIONS),
):
    EXPECTED[_name] |= {f"authors.{a}_{m}" for m, actions in _grants.items() for a in actions}
# Plain language: glossary/migrations/0002 lets Editors keep the glossary, the others read it.
glossary_migration = importlib.import_module("glossary.migrations.0002_role_permissions")
for _name, _actions in glossary_migration.GRANTS.items():
    EXPECTED[_name] |= {f"glossary.{a}_term" for a in _actions}
# Issue 16: comments/migrations/0005 lets Moderators redact comments and read the history.
redaction_migration = importlib.import_module("comments.migrations.0005_moderators_redact")
for _name, _actions in redaction_migration.GRANTS.items():
    EXPECTED[_name] |= {f"comments.{a}_redaction" for a in _actions}
# Notify me (issue 15): subscriptions/migrations/0002 lets Moderators and Editors list them.
subscriptions_migration = importlib.import_module("subscriptions.migrations.0002_role_permissions")
for _name, _actions in subscriptions_migration.GRANTS.items():
    EXPECTED[_name] |= {f"subscriptions.{a}_subscription" for a in _actions}
# Withdrawn comments (issue 15): comments/migrations/0009 lets Moderators read the record.
withdrawn_migration = importlib.import_module("comments.migrations.0010_withdrawn_comment_audit")
for _name, _actions in withdrawn_migration.GRANTS.items():
    EXPECTED[_name] |= {f"comments.{a}_withdrawncomment" for a in _actions}


def codenames(group):
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def member_of(name, **fields):
    user = make_user(staff=True, **fields)
    user.groups.add(Group.objects.get(name=name))
    return user


# --- the groups -------------------------------------------------------------------------


def assert_rule(check, narrow, everything, user, pair, own, other):
    """``check(user, obj)`` on the user's own object and another's, and ``narrow(user, qs)``
    keeping exactly the allowed ones."""
    mine, theirs = pair
    assert check(user, mine) is own
    assert check(user, theirs) is other
    assert set(narrow(user, everything)) == {
        obj for obj, allowed in ((mine, own), (theirs, other)) if allowed
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_migration_made_each_group_with_exactly_its_permissions(name):
    assert codenames(Group.objects.get(name=name)) == EXPECTED[name]


def test_the_permissions_it_made_carry_django_s_own_names():
    """post_migrate skips permissions that exist, so ours must look like its own."""
    for group in Group.objects.filter(name__in=EXPECTED):
        for permission in group.permissions.select_related("content_type"):
            model = permission.content_type.model_class()
            action = permission.codename.split("_", 1)[0]
            assert permission.name == f"Can {action} {model._meta.verbose_name_raw}"


def test_no_permission_is_duplicated():
    rows = Permission.objects.values_list("content_type_id", "codename")
    assert len(rows) == len(set(rows))


def run_the_migrations_again():
    groups_migration.create_groups(django_apps, SCHEMA_EDITOR)
    authors_comments_migration.grant_comment_moderation(django_apps, SCHEMA_EDITOR)
    drafts_and_images_migration.grant(django_apps, SCHEMA_EDITOR)
    trials_permissions_migration.grant(django_apps, SCHEMA_EDITOR)
    profiles_migration.grant_permissions(django_apps, SCHEMA_EDITOR)
    glossary_migration.grant(django_apps, SCHEMA_EDITOR)
    redaction_migration.grant(django_apps, SCHEMA_EDITOR)
    subscriptions_migration.grant(django_apps, SCHEMA_EDITOR)
    withdrawn_migration.grant(django_apps, SCHEMA_EDITOR)


def test_running_them_again_restores_exactly_the_expected_sets():
    editors = Group.objects.get(name="Editors")
    editors.permissions.add(Permission.objects.get(codename="delete_comment"))
    Group.objects.get(name="Moderators").permissions.clear()
    Group.objects.get(name="Authors").permissions.clear()

    run_the_migrations_again()
    run_the_migrations_again()

    assert Group.objects.filter(name__in=EXPECTED).count() == 3
    for name, expected in EXPECTED.items():
        assert codenames(Group.objects.get(name=name)) == expected


def test_reversing_0002_takes_from_authors_only_the_comment_permissions():
    permissions = Permission.objects.count()

    authors_comments_migration.revoke_comment_moderation(django_apps, SCHEMA_EDITOR)

    authors = codenames(Group.objects.get(name="Authors"))
    assert authors == EXPECTED["Authors"] - {"comments.change_comment", "comments.view_comment"}
    for name in ("Editors", "Moderators"):
        assert codenames(Group.objects.get(name=name)) == EXPECTED[name]
    assert Permission.objects.count() == permissions


def test_reversing_0001_removes_the_groups_and_nothing_else():
    other = Group.objects.create(name="Readers")
    permissions = Permission.objects.count()

    groups_migration.delete_groups(django_apps, SCHEMA_EDITOR)

    assert list(Group.objects.all()) == [other]
    assert Permission.objects.count() == permissions


def test_a_member_gets_the_group_s_permissions():
    author = member_of("Authors")

    assert author.has_perm("blog.change_post")
    assert author.has_perm("blog.delete_post")  # narrowed to own drafts by the policy
    assert author.has_perm("comments.change_comment")  # narrowed to own posts by the policy
    assert not author.has_perm("comments.delete_comment")


# --- the policy -------------------------------------------------------------------------


@pytest.fixture
def people(db):
    return {
        "author": member_of("Authors", username="ann"),
        "other_author": member_of("Authors", username="otto"),
        "editor": member_of("Editors", username="eddie"),
        "moderator": member_of("Moderators", username="mo"),
        "superuser": make_user(username="root", superuser=True),
        "staff": make_user(username="plain", staff=True),
    }


@pytest.fixture
def own_and_other(people):
    return (
        make_post(author=people["author"], title="Ann's"),
        make_post(author=people["other_author"], title="Otto's"),
    )


@pytest.mark.parametrize(
    ("who", "own", "other"),
    [
        ("author", True, False),
        ("editor", True, True),
        ("moderator", False, False),
        ("superuser", True, True),
        ("staff", False, False),
    ],
)
def test_who_may_edit_which_post(people, own_and_other, who, own, other):
    assert_rule(
        policy.can_edit_post,
        policy.posts_editable_by,
        Post.objects.all(),
        people[who],
        own_and_other,
        own,
        other,
    )


@pytest.mark.parametrize(
    ("who", "own", "other"),
    [
        ("author", True, False),
        ("editor", True, True),
        ("moderator", True, True),
        ("superuser", True, True),
        ("staff", False, False),
    ],
)
def test_who_may_see_which_post_in_the_admin(people, own_and_other, who, own, other):
    assert_rule(
        policy.can_view_post,
        policy.posts_visible_to,
        Post.objects.all(),
        people[who],
        own_and_other,
        own,
        other,
    )


@pytest.mark.parametrize(
    ("who", "own", "other"),
    [
        ("author", False, False),
        ("editor", True, True),
        ("moderator", False, False),
        ("superuser", True, True),
    ],
)
def test_who_may_delete_which_post(people, own_and_other, who, own, other):
    ann_s, otto_s = own_and_other

    assert policy.can_delete_post(people[who], ann_s) is own
    assert policy.can_delete_post(people[who], otto_s) is other


def test_a_delete_permission_given_by_hand_still_covers_only_own_posts(people, own_and_other):
    ann_s, otto_s = own_and_other
    author = people["author"]
    author.user_permissions.add(Permission.objects.get(codename="delete_post"))
    author = type(author).objects.get(pk=author.pk)  # a fresh permission cache

    assert not policy.can_delete_post(author, ann_s)  # published: never by its author
    ann_s.status = "draft"
    assert policy.can_delete_post(author, ann_s)
    otto_s.status = "draft"
    assert not policy.can_delete_post(author, otto_s)


def test_an_author_who_also_moderates_sees_every_post_but_edits_only_their_own(
    people, own_and_other
):
    ann_s, otto_s = own_and_other
    author = people["author"]
    author.groups.add(Group.objects.get(name="Moderators"))
    author = type(author).objects.get(pk=author.pk)

    assert policy.can_view_post(author, otto_s)
    assert not policy.can_edit_post(author, otto_s)
    assert policy.can_edit_post(author, ann_s)


@pytest.fixture
def comment_on_each(own_and_other):
    ann_s, otto_s = own_and_other
    return tuple(
        Comment.objects.create(post=post, name="Reader", email="r@example.org", body="Hm.")
        for post in (ann_s, otto_s)
    )


@pytest.mark.parametrize(
    ("who", "own", "other"),
    [
        ("author", True, False),
        ("editor", True, True),
        ("moderator", True, True),
        ("superuser", True, True),
        ("staff", False, False),
    ],
)
def test_who_may_see_which_comment_in_the_admin(people, comment_on_each, who, own, other):
    assert_rule(
        policy.can_view_comment,
        policy.comments_visible_to,
        Comment.objects.all(),
        people[who],
        comment_on_each,
        own,
        other,
    )


@pytest.mark.parametrize(
    ("who", "own", "other"),
    [
        ("author", True, False),
        ("editor", False, False),
        ("moderator", True, True),
        ("superuser", True, True),
        ("staff", False, False),
    ],
)
def test_who_may_moderate_which_comment(people, comment_on_each, who, own, other):
    """Authors moderate the comments on their own posts (the moderation email is theirs)."""
    assert_rule(
        policy.can_moderate_comment,
        policy.comments_moderated_by,
        Comment.objects.all(),
        people[who],
        comment_on_each,
        own,
        other,
    )


def test_an_editor_who_also_writes_as_an_author_moderates_only_their_own_posts_comments(
    people, comment_on_each
):
    on_ann_s, on_otto_s = comment_on_each
    author = people["author"]
    author.groups.add(Group.objects.get(name="Editors"))
    author = type(author).objects.get(pk=author.pk)

    assert policy.can_view_comment(author, on_otto_s)
    assert not policy.can_moderate_comment(author, on_otto_s)
    assert policy.can_moderate_comment(author, on_ann_s)


def test_inactive_and_anonymous_users_may_do_nothing(people, own_and_other):
    ann_s, _ = own_and_other
    editor = people["editor"]
    editor.is_active = False
    editor.save()
    editor = type(editor).objects.get(pk=editor.pk)

    for user in (editor, AnonymousUser()):
        assert not policy.is_editor(user)
        assert not policy.can_edit_post(user, ann_s)
        assert not policy.can_view_post(user, ann_s)
        assert not policy.posts_visible_to(user, Post.objects.all()).exists()
        assert not policy.posts_editable_by(user, Post.objects.all()).exists()
        assert not policy.comments_visible_to(user, Comment.objects.all()).exists()
        assert not policy.comments_moderated_by(user, Comment.objects.all()).exists()


def test_a_group_merely_named_like_a_role_by_case_gives_nothing(people, own_and_other):
    _, otto_s = own_and_other
    impostor = make_user(staff=True)
    impostor.groups.add(Group.objects.create(name="editors"))
    impostor.user_permissions.add(Permission.objects.get(codename="change_post"))

    assert not policy.is_editor(impostor)
    assert not policy.can_edit_post(impostor, otto_s)


def test_the_roles_are_read_once_per_user(people, own_and_other, django_assert_num_queries):
    ann_s, otto_s = own_and_other
    author = type(people["author"]).objects.get(pk=people["author"].pk)
    author.has_perm("blog.change_post")  # fill Django's own permission cache first

    with django_assert_num_queries(1):
        for post in (ann_s, otto_s, ann_s, otto_s):
            policy.can_edit_post(author, post)
            policy.can_view_post(author, post)
