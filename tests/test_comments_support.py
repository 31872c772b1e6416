"""Helpers shared by the comment test files (no tests here)."""

import time

from django.urls import reverse

from comments.forms import make_token
from comments.models import Comment

ANN = {"name": "Ann Reader", "email": "ann@example.org"}


def form_data(post, **overrides):
    """A valid form submission, rendered ten seconds ago."""
    data = {
        "name": "Ann Reader",
        "email": "ann@example.org",
        "website": "",
        "body": "Were the raters really *masked*?",
        "competing_interests": "None declared",
        "security_token": make_token(post, now=time.time() - 10),
        "homepage_url": "",
        "parent": "",
    }
    data.update(overrides)
    return data


def post_url(post):
    return reverse("comments:post", args=[post.pk])


def make_comment(post, *, status=Comment.Status.APPROVED, parent=None, **fields):
    fields.setdefault("name", "Ann Reader")
    fields.setdefault("email", "ann@example.org")
    fields.setdefault("body", "A comment.")
    return Comment.objects.create(post=post, parent=parent, status=status, **fields)
