"""One publication rule (blog.publication_rule), checked on every path that can publish a
post or take its last disclosure away."""

import pytest
from django.core.exceptions import ValidationError

from blog import publication_rule
from blog.demo_loader import FrontMatterError, read_demo_post
from blog.models import Disclosure, Post
from blog.services import post_publish, post_upsert
from tests.factories import make_post
from tests.test_admin_posts import change_data, change_url, existing_rows

pytestmark = pytest.mark.django_db

FIELDS = {"title": "A write-up", "body": "Text.", "summary": ""}
NOTHING = {"person": "Wren Ashdown", "relationship": "none", "organisations": "", "statement": ""}


@pytest.fixture
def admin_client(client, a_superuser):
    client.force_login(a_superuser)
    return client


def test_the_rule_is_one_function_that_names_the_field():
    publication_rule.check_post_publishable(status="draft", disclosure_count=0)
    publication_rule.check_post_publishable(status="published", disclosure_count=1)
    with pytest.raises(ValidationError) as excinfo:
        publication_rule.check_post_publishable(status="published", disclosure_count=0)
    assert excinfo.value.message_dict["status"] == [publication_rule.NO_DISCLOSURE_MESSAGE]


def test_model_validation_asks_the_rule(an_author, monkeypatch):
    calls = []
    real = publication_rule.check_post_publishable

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr("blog.models.check_post_publishable", spy)
    post = make_post(author=an_author, status=Post.Status.DRAFT, disclosure=False)
    post.status = Post.Status.PUBLISHED
    with pytest.raises(ValidationError):
        post.full_clean()
    assert calls == [{"status": "published", "disclosure_count": 0}]


def test_upsert_cannot_delete_every_disclosure_of_a_published_post(an_author):
    post, _ = post_upsert(slug="w", author=an_author, fields=FIELDS, disclosures=[NOTHING])
    post_publish(post=post)

    with pytest.raises(ValidationError) as excinfo:
        post_upsert(slug="w", author=an_author, fields=FIELDS, disclosures=[])

    assert publication_rule.NO_DISCLOSURE_MESSAGE in excinfo.value.messages
    assert list(post.disclosures.values_list("person", flat=True)) == ["Wren Ashdown"]
    assert Post.objects.published().filter(pk=post.pk).exists()


def test_upsert_may_replace_the_disclosures_of_a_published_post(an_author):
    post, _ = post_upsert(slug="w", author=an_author, fields=FIELDS, disclosures=[NOTHING])
    post_publish(post=post)
    other = {**NOTHING, "person": "Ada Lovelace"}

    post_upsert(
        slug="w",
        author=an_author,
        fields=FIELDS,
        disclosures=[other],
        change_kind="disclosures",
        change_note="The disclosure named the wrong person.",
    )

    assert list(post.disclosures.values_list("person", flat=True)) == ["Ada Lovelace"]


def test_a_draft_may_lose_every_disclosure(an_author):
    post_upsert(slug="w", author=an_author, fields=FIELDS, disclosures=[NOTHING])
    post, changed = post_upsert(slug="w", author=an_author, fields=FIELDS, disclosures=[])
    assert changed and post.disclosures.count() == 0


def test_a_bulk_update_cannot_publish_a_post_without_a_disclosure(an_author):
    bare = make_post(author=an_author, status=Post.Status.DRAFT, disclosure=False)
    with pytest.raises(ValidationError):
        Post.objects.filter(pk=bare.pk).update(status=Post.Status.PUBLISHED)
    with pytest.raises(ValidationError):
        Post.objects.update(status=Post.Status.PUBLISHED)
    bare.refresh_from_db()
    assert bare.status == Post.Status.DRAFT


def test_a_bulk_update_may_publish_posts_that_have_a_disclosure(an_author):
    draft = make_post(author=an_author, status=Post.Status.DRAFT)
    assert Post.objects.filter(pk=draft.pk).update(status=Post.Status.PUBLISHED) == 1


def test_a_queryset_delete_cannot_strip_a_published_post(a_post):
    with pytest.raises(ValidationError):
        a_post.disclosures.all().delete()
    assert a_post.disclosures.count() == 1
    with pytest.raises(ValidationError):
        Disclosure.objects.filter(post=a_post).delete()
    assert a_post.disclosures.count() == 1


def test_a_queryset_delete_may_remove_some_disclosures_or_a_draft_s(a_post, a_draft):
    Disclosure.objects.create(post=a_post, person="B", relationship="none", position=1)
    a_post.disclosures.filter(person="B").delete()
    a_draft.disclosures.all().delete()
    assert a_post.disclosures.count() == 1 and a_draft.disclosures.count() == 0


def test_deleting_a_post_takes_its_disclosures_with_it(a_post):
    a_post.delete()
    assert not Disclosure.objects.exists()


def test_the_admin_formset_refuses_removing_the_last_disclosure(admin_client, a_post):
    only = a_post.disclosures.get()
    data = change_data(
        a_post,
        rows=existing_rows(a_post, delete={only.pk}),
        change_kind="disclosures",
        change_note="Removed.",
    )
    response = admin_client.post(change_url(a_post), data)
    assert response.status_code == 200
    assert "Add at least one disclosure before publishing" in response.content.decode()
    assert a_post.disclosures.count() == 1


def test_the_demo_loader_refuses_a_published_file_without_a_disclosure(tmp_path):
    path = tmp_path / "x.md"
    path.write_text(
        "---\ntitle: T\nslug: t\nauthor: a\nstatus: published\n"
        "published_at: 2020-01-01T00:00:00Z\n---\nBody\n",
        encoding="utf-8",
    )
    with pytest.raises(FrontMatterError) as excinfo:
        read_demo_post(path)
    assert publication_rule.NO_DISCLOSURE_MESSAGE in str(excinfo.value)
