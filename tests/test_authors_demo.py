"""The demo's author profiles: made by load_demo, saying only what the source says."""

import io

import pytest
from django.core.management import call_command

from authors.models import AuthorProfile
from blog.models import Post

pytestmark = pytest.mark.django_db


def load(*args):
    call_command("load_demo", *args, stdout=io.StringIO())


def test_load_demo_gives_the_demo_authors_profiles_without_an_orcid(client):
    load()
    pi = AuthorProfile.objects.get(user__username="barts-pi")
    assert pi.display_name == "The trial's principal investigator at Barts Health"
    assert pi.affiliation == "Barts Health"
    assert pi.orcid == ""
    assert AuthorProfile.objects.get(user__username="editor").display_name == "Trialpress Editors"


def test_the_demo_author_page_shows_the_register_of_the_care_ms_ii_post(client):
    load()
    post = Post.objects.get(slug="care-ms-2-more-news-on-alemtuzumab")
    profile = AuthorProfile.objects.get(user=post.author)
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'<a class="author" rel="author" href="{profile.get_absolute_url()}">' in page
    author_page = client.get(profile.get_absolute_url()).content.decode()
    for organisation in ("Genzyme", "Sanofi", "Barts Health"):
        assert f'<th scope="row">{organisation}' in author_page
    assert "Consultancy, Honoraria" in author_page


def test_an_edited_demo_profile_survives_a_restart_and_reset_rewrites_it():
    load()
    profile = AuthorProfile.objects.get(user__username="barts-pi")
    profile.affiliation = "Edited"
    profile.save()
    load()
    assert AuthorProfile.objects.get(pk=profile.pk).affiliation == "Edited"
    load("--reset")
    assert AuthorProfile.objects.get(pk=profile.pk).affiliation == "Barts Health"
