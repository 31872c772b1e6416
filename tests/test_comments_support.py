"""Helpers shared by the comment test files (no tests here)."""

import re
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


def send_comment(client, post, **fields):
    """Sends the comment form (valid unless ``fields`` say otherwise), expecting the redirect
    of a comment taken; returns that response and the comment stored."""
    response = client.post(post_url(post), form_data(post, **fields))
    assert response.status_code == 302, response.status_code
    return response, Comment.objects.latest("pk")


def own_block(html):
    """The commenter's own block ("Your comments"), or "" (between the thread and the form)."""
    match = re.search(r'<section class="comments-own".*?</section>', html, re.S)
    return match.group(0) if match else ""
