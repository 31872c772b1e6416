"""Signal receivers that keep search documents in step (connected in ``SearchConfig``).

A search document is derived data, like a cached page: signals are the one place where
the blog's saves reach it without the blog knowing the search app exists.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from taggit.models import Tag, TaggedItem

from blog.models import Disclosure, Label, Post
from search.documents import search_documents_refresh


def _post_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        search_documents_refresh(post_ids=[instance.pk])


def _labels_changed(sender, instance, action, pk_set=None, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Post):
        search_documents_refresh(post_ids=[instance.pk])
    elif isinstance(instance, Tag) and pk_set:
        search_documents_refresh(post_ids=pk_set)


def _label_saved(sender, instance, raw=False, created=False, **kwargs):
    if raw or created:
        return
    ids = TaggedItem.objects.filter(tag=instance).values_list("object_id", flat=True)
    search_documents_refresh(post_ids=list(ids))


def _label_deleted(sender, instance, **kwargs):
    ids = list(TaggedItem.objects.filter(tag=instance).values_list("object_id", flat=True))
    if ids:
        transaction.on_commit(lambda: search_documents_refresh(post_ids=ids))


def _author_saved(sender, instance, raw=False, created=False, update_fields=None, **kwargs):
    if raw or created or (update_fields and set(update_fields) <= {"last_login"}):
        return
    search_documents_refresh(post_ids=list(instance.posts.values_list("pk", flat=True)))


def _disclosure_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        search_documents_refresh(post_ids=[instance.post_id])


def _disclosure_deleted(sender, instance, **kwargs):
    """After commit: a post deleted with its disclosures must not get its document back."""
    post_id = instance.post_id
    transaction.on_commit(lambda: search_documents_refresh(post_ids=[post_id]))


def connect():
    post_save.connect(_post_saved, sender=Post, dispatch_uid="search-post")
    m2m_changed.connect(_labels_changed, sender=TaggedItem, dispatch_uid="search-labels")
    for label_model in (Tag, Label):
        uid = f"search-{label_model.__name__}"
        post_save.connect(_label_saved, sender=label_model, dispatch_uid=f"{uid}-saved")
        pre_delete.connect(_label_deleted, sender=label_model, dispatch_uid=f"{uid}-deleted")
    post_save.connect(_disclosure_saved, sender=Disclosure, dispatch_uid="search-disclosure")
    post_delete.connect(
        _disclosure_deleted, sender=Disclosure, dispatch_uid="search-disclosure-deleted"
    )
    post_save.connect(_author_saved, sender=get_user_model(), dispatch_uid="search-author")
