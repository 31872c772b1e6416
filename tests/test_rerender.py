"""Stored HTML can be brought up to date with the current Markdown pipeline."""

import pytest
from django.core.management import call_command

from blog.models import Post
from comments.models import Comment
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def test_rerender_posts_updates_stale_html_only(capsys):
    stale = make_post(body="See doi:10.1016/S0140-6736(12)61768-1.")
    fresh = make_post(body="Nothing to link.")
    Post.objects.filter(pk=stale.pk).update(body_html="<p>rendered by an older pipeline</p>")
    before = Post.objects.get(pk=fresh.pk).body_html
    call_command("rerender_posts")
    assert "Posts re-rendered: 1 changed." in capsys.readouterr().out
    html = Post.objects.get(pk=stale.pk).body_html
    assert 'href="https://doi.org/10.1016/S0140-6736(12)61768-1"' in html
    assert Post.objects.get(pk=fresh.pk).body_html == before
    call_command("rerender_posts")
    assert "Posts re-rendered: 0 changed." in capsys.readouterr().out


def test_rerender_comments_updates_stale_html(capsys, a_post):
    comment = Comment.objects.create(post=a_post, name="A", email="a@example.org", body="*hi*")
    Comment.objects.filter(pk=comment.pk).update(body_html="<p>old</p>")
    call_command("rerender_comments")
    assert "Comments re-rendered: 1 changed." in capsys.readouterr().out
    assert Comment.objects.get(pk=comment.pk).body_html == "<p><em>hi</em></p>"


def test_rerendering_makes_cached_pages_stale(client, a_post, settings):
    settings.PAGE_CACHE_SECONDS = 300
    client.get(a_post.get_absolute_url())
    Post.objects.filter(pk=a_post.pk).update(body="Now **bold**.", body_html="<p>old</p>")
    call_command("rerender_posts")
    assert "<strong>bold</strong>" in client.get(a_post.get_absolute_url()).content.decode()
