"""Small factories for test data: plain functions, keyword arguments, sensible defaults."""

import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from blog.models import Disclosure, Post

_seq = itertools.count(1)


def make_user(*, username=None, staff=False, superuser=False, **fields):
    n = next(_seq)
    user = get_user_model().objects.create_user(
        username=username or f"user{n}",
        email=fields.pop("email", f"user{n}@example.org"),
        password=fields.pop("password", "pw"),
        is_staff=staff or superuser,
        is_superuser=superuser,
        **fields,
    )
    return user


def make_post(
    *,
    author=None,
    title=None,
    status=Post.Status.PUBLISHED,
    published_at=None,
    labels=(),
    disclosure=True,
    **fields,
):
    """A post, published a day ago with a 'nothing to disclose' disclosure unless told otherwise."""
    n = next(_seq)
    post = Post.objects.create(
        author=author or make_user(first_name="Ada", last_name=f"Author{n}"),
        title=title or f"Trial write-up {n}",
        slug=fields.pop("slug", f"trial-write-up-{n}"),
        body=fields.pop("body", f"Body of write-up {n}."),
        summary=fields.pop("summary", f"Summary of write-up {n}."),
        status=Post.Status.DRAFT,
        published_at=published_at or timezone.now() - timedelta(days=1),
        **fields,
    )
    if disclosure:
        Disclosure.objects.create(
            post=post,
            person=post.author.get_full_name() or post.author.username,
            relationship=Disclosure.Relationship.NONE,
            statement="I have nothing to disclose.",
        )
    if labels:
        post.tags.add(*labels)
    if status != Post.Status.DRAFT:
        post.status = status
        post.save()
    return post
