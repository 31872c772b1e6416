"""Author profiles in the admin: an Author edits their own, an Editor everyone's; staff who
may write get a profile when saved in the Users admin; existing writers got one by migration."""

import importlib
import re

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group
from django.urls import reverse

from authors.models import AuthorProfile, StandingInterest
from authors.services import author_profile_ensure
from tests.factories import make_post, make_user

pytestmark = pytest.mark.django_db


def member_of(name, **fields):
    user = make_user(staff=True, **fields)
    user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def ann(db):
    return member_of("Authors", first_name="Ann", last_name="Author")


@pytest.fixture
def otto(db):
    return member_of("Authors", first_name="Otto", last_name="Other")


@pytest.fixture
def eddie(db):
    return member_of("Editors", first_name="Eddie", last_name="Editor")


def change_url(profile):
    return reverse("admin:authors_authorprofile_change", args=[profile.pk])


def form_data(profile, **changes):
    data = {
        "display_name": profile.display_name,
        "slug": profile.slug,
        "affiliation": profile.affiliation,
        "orcid": profile.orcid,
        "bio": profile.bio,
        "standing_interests-TOTAL_FORMS": "0",
        "standing_interests-INITIAL_FORMS": "0",
        "standing_interests-MIN_NUM_FORMS": "0",
        "standing_interests-MAX_NUM_FORMS": "100",
    }
    data.update(changes)
    return data


def test_an_author_lands_on_their_own_profile_made_for_them(client, ann):
    client.force_login(ann)
    response = client.get(reverse("admin:authors_authorprofile_changelist"))
    profile = AuthorProfile.objects.get(user=ann)
    assert response.status_code == 302
    assert response["Location"] == change_url(profile)
    assert profile.display_name == "Ann Author"


def test_an_author_edits_their_own_profile_with_a_standing_interest(client, ann):
    profile = author_profile_ensure(user=ann)
    client.force_login(ann)
    data = form_data(
        profile,
        orcid="https://orcid.org/0000-0002-1825-0097",
        bio="Neurologist in any script: Σκλήρυνση.",
        **{
            "standing_interests-TOTAL_FORMS": "1",
            "standing_interests-0-organisation": "MS Society",
            "standing_interests-0-relationship": "other",
            "standing_interests-0-statement": "Trustee.",
            "standing_interests-0-declared_on": "2019-04-01",
            "standing_interests-0-ended_on": "",
        },
    )
    response = client.post(change_url(profile), data)
    assert response.status_code == 302, re.findall(
        r"errorlist.{0,300}", response.content.decode(), re.S
    )
    profile.refresh_from_db()
    assert profile.orcid == "https://orcid.org/0000-0002-1825-0097"
    assert StandingInterest.objects.get(profile=profile).organisation == "MS Society"


def test_a_mistyped_orcid_gets_a_form_error_and_nothing_is_saved(client, ann):
    profile = author_profile_ensure(user=ann)
    client.force_login(ann)
    response = client.post(change_url(profile), form_data(profile, orcid="0000-0002-1825-0098"))
    assert response.status_code == 200
    assert "does not match the others: check it for a typo" in response.content.decode()
    profile.refresh_from_db()
    assert profile.orcid == ""


def test_an_author_cannot_open_or_change_another_authors_profile(client, ann, otto):
    others = author_profile_ensure(user=otto)
    client.force_login(ann)
    assert client.get(change_url(others)).status_code in (302, 403, 404)
    client.post(change_url(others), form_data(others, display_name="Hijacked"))
    others.refresh_from_db()
    assert others.display_name == "Otto Other"


def test_an_author_cannot_add_or_delete_profiles(client, ann):
    profile = author_profile_ensure(user=ann)
    client.force_login(ann)
    assert client.get(reverse("admin:authors_authorprofile_add")).status_code == 403
    delete = reverse("admin:authors_authorprofile_delete", args=[profile.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuthorProfile.objects.filter(pk=profile.pk).exists()


def test_an_editor_sees_and_edits_every_profile(client, ann, otto, eddie):
    for user in (ann, otto):
        author_profile_ensure(user=user)
    client.force_login(eddie)
    listing = client.get(reverse("admin:authors_authorprofile_changelist")).content.decode()
    assert "Ann Author" in listing and "Otto Other" in listing
    others = AuthorProfile.objects.get(user=otto)
    response = client.post(change_url(others), form_data(others, affiliation="UCL"))
    assert response.status_code == 302
    others.refresh_from_db()
    assert others.affiliation == "UCL"


def test_saving_a_new_writer_in_the_users_admin_gives_them_a_profile(client):
    admin = make_user(superuser=True)
    newcomer = make_user(first_name="Nia", last_name="New")
    client.force_login(admin)
    data = {
        "username": newcomer.username,
        "first_name": "Nia",
        "last_name": "New",
        "email": newcomer.email,
        "is_active": "on",
        "is_staff": "on",
        "groups": [Group.objects.get(name="Authors").pk],
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2024-01-01",
        "initial-date_joined_1": "00:00:00",
    }
    response = client.post(reverse("admin:auth_user_change", args=[newcomer.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AuthorProfile.objects.get(user=newcomer).slug == "nia-new"


def test_a_reader_account_saved_in_the_admin_gets_no_profile(client):
    admin = make_user(superuser=True)
    reader = make_user(first_name="Rae", last_name="Reader")
    client.force_login(admin)
    data = {
        "username": reader.username,
        "first_name": "Rae",
        "last_name": "Reader",
        "email": reader.email,
        "is_active": "on",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
    }
    assert client.post(reverse("admin:auth_user_change", args=[reader.pk]), data).status_code == 302
    assert not AuthorProfile.objects.filter(user=reader).exists()


def test_the_migration_made_profiles_for_existing_writers(ann):
    """Run the data migration's function again on today's rows, as an upgrade would."""
    make_post(author=make_user(first_name="Pat", last_name="Poster"))
    make_post(author=make_user(username="solo"))
    migration = importlib.import_module("authors.migrations.0002_profiles_and_permissions")
    migration.create_profiles(global_apps, None)
    names = set(AuthorProfile.objects.values_list("display_name", flat=True))
    assert {"Ann Author", "Pat Poster", "solo"} <= names
    migration.create_profiles(global_apps, None)  # idempotent
    assert AuthorProfile.objects.filter(display_name="Ann Author").count() == 1


def test_the_groups_hold_the_profile_permissions():
    authors = Group.objects.get(name="Authors").permissions.values_list("codename", flat=True)
    editors = Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    assert {"change_authorprofile", "add_standinginterest"} <= set(authors)
    assert "add_authorprofile" not in set(authors)
    assert {"add_authorprofile", "delete_authorprofile"} <= set(editors)
    assert global_apps.is_installed("authors")
