"""The publication rule: no post goes out without a conflict-of-interest disclosure."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from blog.models import Disclosure, Post
from blog.services import post_publish, post_unpublish
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def test_publishing_a_draft_with_a_disclosure_makes_it_public(a_draft):
    post_publish(post=a_draft)

    a_draft.refresh_from_db()
    assert a_draft.status == Post.Status.PUBLISHED
    assert Post.objects.published().filter(pk=a_draft.pk).exists()


def test_publishing_without_a_disclosure_is_refused_and_saves_nothing(an_author):
    draft = make_post(author=an_author, status=Post.Status.DRAFT, disclosure=False)
    original_published_at = draft.published_at

    with pytest.raises(ValidationError) as excinfo:
        post_publish(post=draft, when=timezone.now() - timedelta(hours=1))

    assert "disclosure" in " ".join(excinfo.value.message_dict["status"])
    draft.refresh_from_db()
    assert draft.status == Post.Status.DRAFT
    assert draft.published_at == original_published_at
    assert not Post.objects.published().exists()


def test_a_refused_publish_leaves_the_instance_as_it_was(an_author):
    draft = make_post(author=an_author, status=Post.Status.DRAFT, disclosure=False)
    before = (draft.status, draft.published_at)

    with pytest.raises(ValidationError):
        post_publish(post=draft, when=timezone.now() + timedelta(days=9))

    assert (draft.status, draft.published_at) == before


def test_nothing_to_disclose_counts_as_a_disclosure(an_author):
    draft = make_post(author=an_author, status=Post.Status.DRAFT, disclosure=False)
    Disclosure.objects.create(
        post=draft, person="Wren Ashdown", relationship=Disclosure.Relationship.NONE
    )

    post_publish(post=draft)

    assert Post.objects.published().filter(pk=draft.pk).exists()


def test_a_future_date_schedules_the_post(a_draft):
    when = timezone.now() + timedelta(days=2)

    post_publish(post=a_draft, when=when)

    a_draft.refresh_from_db()
    assert a_draft.status == Post.Status.PUBLISHED
    assert a_draft.published_at == when
    assert not a_draft.is_published
    assert not Post.objects.published().filter(pk=a_draft.pk).exists()
    assert Post.objects.published(now=when).filter(pk=a_draft.pk).exists()


def test_unpublishing_returns_the_post_to_draft_and_keeps_its_disclosures(a_post):
    post_unpublish(post=a_post)

    a_post.refresh_from_db()
    assert a_post.status == Post.Status.DRAFT
    assert not Post.objects.published().filter(pk=a_post.pk).exists()
    assert a_post.disclosures.count() == 1


def test_services_take_keyword_arguments_only(a_draft):
    with pytest.raises(TypeError):
        post_publish(a_draft)
    with pytest.raises(TypeError):
        post_unpublish(a_draft)


def test_a_form_may_vouch_for_disclosures_it_is_about_to_save(an_author):
    """The admin sets pending_disclosures; the rule honours it both ways."""
    draft = make_post(author=an_author, status=Post.Status.DRAFT, disclosure=False)
    draft.status = Post.Status.PUBLISHED
    draft.pending_disclosures = 1
    draft.full_clean()

    published = make_post(author=an_author)
    published.pending_disclosures = 0
    with pytest.raises(ValidationError):
        published.full_clean()
