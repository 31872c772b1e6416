"""A label's old address leads to its new one (301) after an Editor changes its slug: the
label's page, its pages past the first and its feeds, so links and feed subscriptions
keep working. WordPress keeps a post's old slug this way; here labels get the same."""

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from taggit.models import Tag

from blog.models import LabelAddress, Post, slug_from
from tests.factories import make_post
from tests.strategies import any_script_text
from tests.test_admin_permissions import logged_in, member_of
from tests.test_label_admin import label_change_data

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/blog/label/"


@pytest.fixture
def editor(db):
    """An Editor's browser, apart from the reader's (``client``)."""
    return logged_in(Client(), member_of("Editors", "eddie"))


@pytest.fixture
def ms_post(db):
    return make_post(title="A post on MS", labels=["ms"])


def change_slug(browser, label, slug, *, name=None):
    """What an Editor does in the admin; the response of the form."""
    return browser.post(
        f"{CHANGELIST}{label.pk}/change/", label_change_data(label, name=name, slug=slug)
    )


def renamed(browser, label, slug, *, name=None):
    response = change_slug(browser, label, slug, name=name)
    assert response.status_code == 302, response.content.decode()[:2000]
    label.refresh_from_db()
    assert label.slug == slug
    return label


def location(response):
    assert response.status_code == 301, response.status_code
    return response["Location"]


def test_the_old_page_and_feeds_lead_to_the_new_ones(client, editor, ms_post):
    label = renamed(editor, Tag.objects.get(name="ms"), "multiple-sclerosis")
    assert location(client.get("/labels/ms/")) == "/labels/multiple-sclerosis/"
    assert location(client.get("/labels/ms/feeds/atom/")) == (
        "/labels/multiple-sclerosis/feeds/atom/"
    )
    assert location(client.get("/labels/ms/feeds/rss/")) == "/labels/multiple-sclerosis/feeds/rss/"
    followed = client.get("/labels/ms/", follow=True)
    assert "Posts labelled \u201cms\u201d" in followed.content.decode()
    assert "A post on MS" in followed.content.decode()
    assert label.old_addresses.get().slug == "ms"


def test_the_query_string_goes_along(client, editor, ms_post, settings):
    settings.BLOG_POSTS_PER_PAGE = 1
    make_post(title="Another post on MS", labels=["ms"])
    renamed(editor, Tag.objects.get(name="ms"), "multiple-sclerosis")
    assert location(client.get("/labels/ms/?page=2")) == "/labels/multiple-sclerosis/?page=2"
    page_two = client.get("/labels/ms/?page=2", follow=True)
    assert page_two.status_code == 200
    assert "A post on MS" in page_two.content.decode()  # the older one, on page 2


def test_two_renames_lead_straight_to_the_newest_and_changing_back_does_not_loop(
    client, editor, ms_post
):
    label = Tag.objects.get(name="ms")
    change_slug(editor, label, "multiple-sclerosis")
    change_slug(editor, label, "relapsing-ms")
    assert location(client.get("/labels/ms/")) == "/labels/relapsing-ms/"
    assert location(client.get("/labels/multiple-sclerosis/")) == "/labels/relapsing-ms/"
    change_slug(editor, label, "ms")
    assert client.get("/labels/ms/").status_code == 200
    assert location(client.get("/labels/relapsing-ms/")) == "/labels/ms/"
    assert sorted(LabelAddress.objects.values_list("slug", flat=True)) == [
        "multiple-sclerosis",
        "relapsing-ms",
    ]


def test_a_label_that_now_has_the_slug_wins(client, editor, ms_post):
    label = Tag.objects.get(name="ms")
    renamed(editor, label, "multiple-sclerosis", name="multiple sclerosis")
    make_post(title="Mitral stenosis trial", labels=["MS"])  # a new label, slug "ms" again
    assert Tag.objects.get(name="MS").slug == "ms"
    page = client.get("/labels/ms/")
    assert page.status_code == 200
    assert "Mitral stenosis trial" in page.content.decode()
    assert "A post on MS" not in page.content.decode()


def test_a_name_change_alone_keeps_no_old_address(client, editor, ms_post):
    label = Tag.objects.get(name="ms")
    response = change_slug(editor, label, "ms", name="multiple sclerosis")
    assert response.status_code == 302
    assert not LabelAddress.objects.exists()
    assert client.get("/labels/ms/").status_code == 200


def test_an_old_slug_never_tells_the_new_slug_of_a_label_only_on_drafts(client, editor):
    make_post(title="Embargoed", status=Post.Status.DRAFT, labels=["trial-x"])
    renamed(editor, Tag.objects.get(name="trial-x"), "secret-trial-name")
    response = client.get("/labels/trial-x/")
    assert response.status_code == 404
    assert "secret-trial-name" not in response.content.decode()
    assert not response.has_header("Location")


def test_a_deleted_label_leaves_no_redirect(client, editor, ms_post):
    label = renamed(editor, Tag.objects.get(name="ms"), "multiple-sclerosis")
    label.delete()
    assert not LabelAddress.objects.exists()
    assert client.get("/labels/ms/").status_code == 404


def test_an_unknown_slug_is_still_the_plain_404(client, ms_post):
    response = client.get("/labels/never-was/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_redirect_costs_a_few_queries(client, editor, ms_post, django_assert_max_num_queries):
    renamed(editor, Tag.objects.get(name="ms"), "multiple-sclerosis")
    with django_assert_max_num_queries(6):
        assert location(client.get("/labels/ms/feeds/atom/")).endswith("/feeds/atom/")


def test_a_cached_old_page_gives_way_to_the_redirect(
    client, editor, ms_post, page_cache_with_header
):
    assert client.get("/labels/ms/").status_code == 200
    assert client.get("/labels/ms/")["X-Page-Cache"] == "hit"
    renamed(editor, Tag.objects.get(name="ms"), "multiple-sclerosis")
    assert location(client.get("/labels/ms/")) == "/labels/multiple-sclerosis/"


def test_the_old_address_in_any_script_leads_to_the_new_one(client, editor):
    make_post(title="Interferon trial", labels=["β-interferon"])
    renamed(editor, Tag.objects.get(name="β-interferon"), "interferon-β-1a")
    response = client.get("/labels/%CE%B2-interferon/")
    assert location(response) == "/labels/interferon-%CE%B2-1a/"
    assert "Interferon trial" in client.get(location(response)).content.decode()


# What an Editor types: any text (mostly refused), or a slug in any script (accepted).
typed_slugs = st.one_of(
    any_script_text(max_size=30),
    any_script_text(max_size=30).map(lambda text: slug_from(text, fallback="x", max_length=100)),
)


@hypothesis_settings(max_examples=30, deadline=None)
@given(old=any_script_text(max_size=30), new=typed_slugs)
def test_any_slug_an_editor_types_keeps_the_old_address_working(client, editor, old, new):
    """Whatever the Editor types: refused with a message, or the old address leads to the
    label's new one. Never a 500, never a loop."""
    try:
        make_post(title="A post", labels=[old])
        label = Tag.objects.get()
        before = label.slug
        response = change_slug(editor, label, new)
        label.refresh_from_db()
        if response.status_code == 200:  # refused: the form says why, nothing changed
            assert "errorlist" in response.content.decode()
            assert label.slug == before
            return
        assert response.status_code == 302
        page = reverse("blog:label_detail", args=[label.slug])
        assert client.get(page).status_code == 200
        if label.slug != before:
            old_page = reverse("blog:label_detail", args=[before])
            assert location(client.get(old_page)) == page
        else:
            assert not LabelAddress.objects.exists()
    finally:
        LabelAddress.objects.all().delete()
        Post.objects.all().delete()
        Tag.objects.all().delete()
        for each in caches.all():
            each.clear()


def test_the_admin_shows_the_old_addresses_that_lead_to_the_label(editor, ms_post):
    label = Tag.objects.get(name="ms")
    page = editor.get(f"{CHANGELIST}{label.pk}/change/").content.decode()
    assert "Old addresses (each leads to this label" in page and "/labels/ms/" not in page
    renamed(editor, label, "multiple-sclerosis")
    renamed(editor, label, "relapsing-ms")
    page = editor.get(f"{CHANGELIST}{label.pk}/change/").content.decode()
    assert "/labels/ms/" in page and "/labels/multiple-sclerosis/" in page


def test_an_editor_deletes_a_mistaken_old_address(client, editor, ms_post):
    label = Tag.objects.get(name="ms")
    renamed(editor, label, "ms-typo")
    renamed(editor, label, "multiple-sclerosis")
    response = editor.post(
        f"{CHANGELIST}{label.pk}/change/", label_change_data(label, delete=["ms-typo"])
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(label.old_addresses.values_list("slug", flat=True)) == ["ms"]
    assert client.get("/labels/ms-typo/").status_code == 404
    assert location(client.get("/labels/ms/")) == "/labels/multiple-sclerosis/"


def test_an_author_sees_the_old_addresses_but_cannot_delete_them(client, editor, ms_post):
    label = renamed(editor, Tag.objects.get(name="ms"), "multiple-sclerosis")
    ann = member_of("Authors", "ann")
    make_post(author=ann, title="Ann's post", labels=["ms"])
    author = logged_in(Client(), ann)
    page = author.get(f"{CHANGELIST}{label.pk}/change/").content.decode()
    assert "/labels/ms/" in page and "old_addresses-0-DELETE" not in page
    assert (
        author.post(
            f"{CHANGELIST}{label.pk}/change/", label_change_data(label, delete=["ms"])
        ).status_code
        == 403
    )
    assert label.old_addresses.count() == 1


def test_a_label_that_has_the_slug_owns_it_even_before_it_is_used(client, editor, ms_post):
    """A draft's new label "MS" took the slug: the old address no longer leads to the
    renamed label, and the admin says whose the address is now."""
    label = renamed(editor, Tag.objects.get(name="ms"), "multiple-sclerosis", name="MS (disease)")
    make_post(title="Draft", status=Post.Status.DRAFT, labels=["MS"])
    assert Tag.objects.get(name="MS").slug == "ms"
    assert client.get("/labels/ms/").status_code == 404
    page = editor.get(f"{CHANGELIST}{label.pk}/change/").content.decode()
    assert "/labels/ms/ (now the label \u201cMS\u201d: not redirected)" in page


def test_what_an_editor_types_as_a_slug_is_made_a_slug_by_the_one_rule(client, editor, ms_post):
    label = Tag.objects.get(name="ms")
    renamed(editor, label, "multiple-sclerosis")  # fixture check: a plain slug is kept
    response = change_slug(editor, label, "  Relapsing MS_Trials! ")
    assert response.status_code == 302
    label.refresh_from_db()
    assert label.slug == "relapsing-ms_trials"
    assert location(client.get("/labels/multiple-sclerosis/")) == "/labels/relapsing-ms_trials/"
    assert client.get("/labels/RELAPSING-MS_TRIALS/").status_code == 404  # one spelling


def test_a_slug_another_label_has_is_refused_naming_that_label(editor, ms_post):
    make_post(title="Other", labels=["natalizumab"])
    label = Tag.objects.get(name="ms")
    response = change_slug(editor, label, "Natalizumab")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/labels/natalizumab/ is the address of the label \u201cnatalizumab\u201d" in page
    label.refresh_from_db()
    assert label.slug == "ms" and not LabelAddress.objects.exists()


def test_taking_another_labels_old_address_says_so(client, editor, ms_post):
    """Allowed (the label that has a slug owns its address), but never silent (a tryout)."""
    label = renamed(editor, Tag.objects.get(name="ms"), "multiple-sclerosis")
    make_post(title="Phase 3", labels=["phase 3 trial"])
    other = Tag.objects.get(name="phase 3 trial")
    response = change_slug(editor, other, "ms")
    assert response.status_code == 302
    page = editor.get(response["Location"]).content.decode()
    assert "/labels/ms/ was an old address of the label \u201cms\u201d" in page
    assert "Phase 3" in client.get("/labels/ms/").content.decode()
    assert not label.old_addresses.exists()
