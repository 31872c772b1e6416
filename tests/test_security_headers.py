"""Security headers on public pages and production settings that pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from blog.models import Post

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_public_pages_carry_a_strict_content_security_policy(client, a_post):
    for url in ("/", a_post.get_absolute_url()):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "'unsafe-inline'" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_public_pages_have_no_inline_executable_script(client, a_post):
    import re

    html = client.get(a_post.get_absolute_url()).content.decode()
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert 'type="application/ld+json"' in attrs or (body.strip() == "" and "src=" in attrs)


def test_session_and_csrf_cookies_are_httponly(settings):
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.CSRF_COOKIE_HTTPONLY is True


def test_check_deploy_prints_no_warning_under_production_settings(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": "x" * 20 + "-production-like-secret-key-with-enough-entropy-1234567890",
        "ALLOWED_HOSTS": "trialpress.example.org",
        "SITE_URL": "https://trialpress.example.org",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TRIALPRESS_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_oversized_request_gets_a_413_page(client, a_post):
    response = client.post("/comments/post/1/", data="x" * (300 * 1024), content_type="text/plain")
    assert response.status_code == 413
    assert "too large" in response.content.decode().lower()


def test_favicon_ico_redirects_to_the_svg_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
    assert client.get(response["Location"]).status_code == 200


def test_a_csrf_failure_on_the_comment_form_keeps_the_text(a_post):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        f"/comments/post/{a_post.pk}/",
        {"name": "Ann", "email": "ann@example.org", "body": "A long <careful> reply"},
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "Please send the form again" in html
    assert "A long &lt;careful&gt; reply</textarea>" in html
    assert a_post.comments.count() == 0


@pytest.mark.parametrize(
    ("url", "action"),
    [
        ("/admin/blog/post/", "publish_selected"),
        ("/admin/comments/comment/", "approve"),
        ("/admin/auth/user/", "delete_selected"),
    ],
)
def test_a_forged_id_in_an_admin_bulk_action_is_no_500(client, a_superuser, a_post, url, action):
    client.force_login(a_superuser)
    response = client.post(
        url, {"action": action, "_selected_action": ["abc", "1e3", "-1"], "index": 0}
    )
    assert response.status_code in (200, 302)
    assert Post.objects.filter(pk=a_post.pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "post",
        "/labels/",
        "/labels/neurology/",
        "archive",
        "/feeds/atom/",
        "/sitemap.xml",
        "/robots.txt",
        "/no-such-page/",
        "/comments/feeds/latest/",
    ],
)
def test_every_public_response_carries_the_security_headers(client, a_post, url):
    if url == "post":
        url = a_post.get_absolute_url()
    elif url == "archive":
        url = a_post.get_absolute_url().rsplit("/", 2)[0] + "/"
    response = client.get(url)
    assert "script-src 'self'" in response["Content-Security-Policy"], url
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_cookies_really_sent_are_httponly_and_samesite(client, a_post):
    from tests.factories import make_user

    page = client.get(a_post.get_absolute_url())
    csrf = page.cookies["csrftoken"]
    assert csrf["httponly"] is True and csrf["samesite"] == "Lax"
    make_user(username="staffer", staff=True, password="a-long-password-1")
    signed_in = client.post(
        "/admin/login/", {"username": "staffer", "password": "a-long-password-1"}
    )
    session = signed_in.cookies["sessionid"]
    assert session["httponly"] is True and session["samesite"] == "Lax"
