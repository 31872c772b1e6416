"""The imports in the admin (issue 17 tryout 16): Editors see the old addresses and the
imported items read-only; an imported post's page says where it came from."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from blog.models import Post
from imports.models import ImportedItem, LegacyAddress
from imports.pipeline import import_parsed
from tests.factories import make_post, make_user
from tests.test_import_pipeline import item, wxr


def member_of(name, username):
    user = make_user(username=username, staff=True)
    user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def imported(db):
    import_parsed(
        wxr(item("7", title="From WordPress", old_urls=("http://old.example.org/2013/03/x/",)))
    )
    return Post.objects.get()


@pytest.mark.parametrize("model", [LegacyAddress, ImportedItem])
def test_editors_see_the_lists_read_only(client, imported, model):
    client.force_login(member_of("Editors", "eddie"))
    opts = model._meta
    listing = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert listing.status_code == 200
    assert "From WordPress" in listing.content.decode()
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
    row = model.objects.first()
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
    before = model.objects.values().get(pk=row.pk)
    client.post(change, {"path": "/hijacked", "source_id": "x"})
    assert model.objects.values().get(pk=row.pk) == before


@pytest.mark.parametrize("model", [LegacyAddress, ImportedItem])
def test_authors_do_not_see_them(client, imported, model):
    client.force_login(member_of("Authors", "wren"))
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert client.get(url).status_code == 403
    assert "Imports" not in client.get(reverse("admin:index")).content.decode()


def test_an_imported_post_page_says_where_it_came_from(client, imported):
    client.force_login(make_user(username="root", staff=True, superuser=True))
    page = client.get(reverse("admin:blog_post_change", args=[imported.pk])).content.decode()
    assert "Imported from" in page
    assert '<a href="http://old.example.org/2013/03/x/" rel="noopener noreferrer">' in page


def test_a_post_written_here_shows_no_import_box(client, db):
    post = make_post(title="Written here")
    client.force_login(make_user(username="root", staff=True, superuser=True))
    page = client.get(reverse("admin:blog_post_change", args=[post.pk])).content.decode()
    assert "Imported from" not in page
