"""Emails only in the admin; IP addresses and user agents purged after N days."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from tests.test_comments_support import make_comment

SECRET = "unique-xq7z-secret@example.org"


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0


def public_urls(post, parent):
    local = timezone.localtime(post.published_at)
    return [
        reverse("blog:post_list"),
        post.get_absolute_url(),
        f"{post.get_absolute_url()}?reply={parent.pk}",
        reverse("blog:label_list"),
        reverse("blog:label_detail", args=["neurology"]),
        reverse("blog:label_feed_atom", args=["neurology"]),
        reverse("blog:label_feed_rss", args=["neurology"]),
        reverse("blog:archive_year", args=[local.year]),
        reverse("blog:archive_month", args=[local.year, local.month]),
        reverse("blog:feed_atom"),
        reverse("blog:feed_rss"),
        reverse("blog:sitemap"),
        reverse("comments:feed_latest"),
        reverse("comments:feed_post", args=[post.pk]),
    ]


def test_email_never_appears_on_a_public_page_or_feed(client, a_post):
    parent = make_comment(a_post, email=SECRET, name="Secretive", website="https://s.example")
    make_comment(a_post, parent=parent, email=SECRET.upper())
    local_part = SECRET.split("@")[0]
    for url in public_urls(a_post, parent):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert local_part not in body.lower(), url
    assert "Secretive" in client.get(a_post.get_absolute_url()).content.decode()


def test_email_is_in_the_admin(client, a_superuser, a_post):
    make_comment(a_post, email=SECRET, status=Comment.Status.HELD)
    client.force_login(a_superuser)
    assert SECRET in client.get(reverse("admin:comments_comment_changelist")).content.decode()


def test_purge_comment_ips_blanks_old_comments_only(a_post):
    old = make_comment(a_post, ip_address="192.0.2.1", user_agent="Old browser")
    recent = make_comment(a_post, ip_address="2001:db8::1", user_agent="New browser")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    out = StringIO()
    call_command("purge_comment_ips", "--days", "30", stdout=out)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.ip_address, old.user_agent) == (None, "")
    assert (recent.ip_address, recent.user_agent) == ("2001:db8::1", "New browser")
    assert "1 comment" in out.getvalue()
    assert old.body == "A comment." and old.status == Comment.Status.APPROVED  # nothing else


def test_purge_days_zero_blanks_everything(a_post):
    make_comment(a_post, ip_address="192.0.2.1", user_agent="ua")
    Comment.objects.update(created_at=timezone.now() - timedelta(seconds=1))
    call_command("purge_comment_ips", "--days", "0", stdout=StringIO())
    assert Comment.objects.filter(ip_address__isnull=False).count() == 0


def test_purge_needs_sensible_days():
    with pytest.raises(CommandError):
        call_command("purge_comment_ips", "--days", "-1", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("purge_comment_ips", stdout=StringIO())
