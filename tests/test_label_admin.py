"""Labels in the admin follow the roles: Authors cannot rewrite other authors' labels."""

import pytest
from taggit.models import Tag

from blog.models import Post
from tests.factories import make_post
from tests.test_admin_permissions import logged_in, member_of

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/blog/label/"


@pytest.fixture
def ann(db):
    return member_of("Authors", "ann")


@pytest.fixture
def otto_s_posts(db):
    otto = member_of("Authors", "otto")
    published = make_post(author=otto, title="Otto's post", labels=["ms", "alemtuzumab"])
    make_post(author=otto, title="Embargoed", status=Post.Status.DRAFT, labels=["secret-trial"])
    return published


def label_change_data(label, *, name=None, slug=None, delete=()):
    """The label's change form as the admin posts it (with its old-addresses inline);
    ``delete``: the old slugs whose Delete box is ticked."""
    rows = list(label.old_addresses.order_by("pk"))
    data = {
        "name": name or label.name,
        "slug": label.slug if slug is None else slug,
        "old_addresses-TOTAL_FORMS": str(len(rows)),
        "old_addresses-INITIAL_FORMS": str(len(rows)),
        "old_addresses-MIN_NUM_FORMS": "0",
        "old_addresses-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        data[f"old_addresses-{n}-id"] = str(row.pk)
        data[f"old_addresses-{n}-label"] = str(label.pk)
        if row.slug in delete:
            data[f"old_addresses-{n}-DELETE"] = "on"
    return data


def test_an_author_cannot_merge_labels_across_posts(client, ann, otto_s_posts):
    ids = [str(pk) for pk in Tag.objects.values_list("pk", flat=True)]
    browser = logged_in(client, ann)
    browser.post(CHANGELIST, {"action": "render_tag_form", "_selected_action": ids, "index": 0})
    response = browser.post(CHANGELIST + "merge-tags/", {"new_tag_name": "defaced"})
    assert response.status_code in (302, 404)
    assert sorted(otto_s_posts.tags.names()) == ["alemtuzumab", "ms"]
    assert not Tag.objects.filter(name="defaced").exists()


def test_an_author_cannot_rename_a_label(client, ann, otto_s_posts):
    tag = Tag.objects.get(name="ms")
    response = logged_in(client, ann).post(
        f"{CHANGELIST}{tag.pk}/change/", label_change_data(tag, name="defaced", slug="defaced")
    )
    assert response.status_code == 403
    assert Tag.objects.get(pk=tag.pk).name == "ms"


def test_an_author_sees_only_the_labels_of_posts_they_may_see(client, ann, otto_s_posts):
    make_post(author=ann, title="Ann's post", labels=["ms", "natalizumab"])
    html = logged_in(client, ann).get(CHANGELIST).content.decode()
    assert "natalizumab" in html and "ms" in html
    assert "secret-trial" not in html and "alemtuzumab" not in html


def test_an_editor_renames_a_label(client, otto_s_posts):
    tag = Tag.objects.get(name="ms")
    response = logged_in(client, member_of("Editors", "eddie")).post(
        f"{CHANGELIST}{tag.pk}/change/", label_change_data(tag, name="multiple sclerosis")
    )
    assert response.status_code == 302
    assert Tag.objects.get(pk=tag.pk).name == "multiple sclerosis"


def test_view_on_site_reveals_no_other_authors_draft(client, ann, otto_s_posts):
    from django.contrib.contenttypes.models import ContentType

    draft = Post.objects.get(title="Embargoed")
    own = make_post(author=ann, title="Ann's draft", status=Post.Status.DRAFT)
    content_type = ContentType.objects.get_for_model(Post).pk
    browser = logged_in(client, ann)
    refused = browser.get(f"/admin/r/{content_type}/{draft.pk}/")
    assert refused.status_code == 404
    assert draft.slug not in refused.get("Location", "") + refused.content.decode()
    allowed = browser.get(f"/admin/r/{content_type}/{own.pk}/")
    assert allowed.status_code == 302 and own.slug in allowed["Location"]
    client.logout()
    assert client.get(f"/admin/r/{content_type}/{own.pk}/").status_code == 302  # to sign-in
    assert "login" in client.get(f"/admin/r/{content_type}/{own.pk}/")["Location"]


def test_labels_are_listed_under_the_blog_section(client, ann):
    html = logged_in(client, ann).get("/admin/").content.decode()
    blog = html[html.index('id="app-blog"') if 'id="app-blog"' in html else html.index("Blog") :]
    assert 'href="/admin/blog/label/"' in blog
    assert "Taggit" not in html
    assert logged_in(client, ann).get("/admin/taggit/tag/").status_code == 404


def test_adding_a_label_that_a_hidden_draft_has_reveals_nothing(client, ann, otto_s_posts):
    browser = logged_in(client, ann)
    fresh = browser.post(CHANGELIST + "add/", {"name": "natalizumab"}, follow=True)
    taken = browser.post(CHANGELIST + "add/", {"name": "Secret-Trial"}, follow=True)

    def answer(response):
        return (
            response.content.decode().replace("natalizumab", "NAME").replace("Secret-Trial", "NAME")
        )

    assert fresh.status_code == taken.status_code == 200
    assert "already exists" not in taken.content.decode()
    assert "is ready" in taken.content.decode()
    assert answer(taken).count("NAME") == answer(fresh).count("NAME")
    assert Tag.objects.filter(name__iexact="secret-trial").count() == 1
    assert "secret-trial" not in taken.content.decode()


def test_an_author_adds_a_label_in_any_script(client, ann):
    response = logged_in(client, ann).post(CHANGELIST + "add/", {"name": "β-interferon"})
    assert response.status_code == 302
    assert Tag.objects.get(name="β-interferon").slug == "β-interferon"


def test_an_author_adding_a_label_chooses_no_slug(client, ann):
    html = logged_in(client, ann).get(CHANGELIST + "add/").content.decode()
    assert 'name="name"' in html
    assert 'name="slug"' not in html


def test_an_editor_gives_a_label_a_slug_in_any_script(client, otto_s_posts):
    tag = Tag.objects.get(name="ms")
    response = logged_in(client, member_of("Editors", "eddie")).post(
        f"{CHANGELIST}{tag.pk}/change/", label_change_data(tag, name="Σκλήρυνση", slug="σκλήρυνση")
    )
    assert response.status_code == 302
    assert Tag.objects.get(pk=tag.pk).slug == "σκλήρυνση"
    assert client.get("/labels/σκλήρυνση/").status_code == 200


def test_an_editor_cannot_rename_a_label_into_its_case_twin(client, otto_s_posts):
    tag = Tag.objects.get(name="alemtuzumab")
    response = logged_in(client, member_of("Editors", "eddie")).post(
        f"{CHANGELIST}{tag.pk}/change/", label_change_data(tag, name="MS")
    )
    assert response.status_code == 200
    assert "The label “ms” already exists" in response.content.decode()
    assert Tag.objects.get(pk=tag.pk).name == "alemtuzumab"
