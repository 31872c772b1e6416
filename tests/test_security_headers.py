"""Security headers on public pages and in the admin, and production settings that pass
`check --deploy`."""

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from blog.models import Post
from tests.factories import make_post

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


def test_with_debug_on_djangos_debug_page_may_use_its_inline_style_and_script(
    client, a_post, settings
):
    """`make run` has DEBUG on: Django's "Page not found" page draws itself with inline
    style, which the site's policy blocked (an unstyled page). Only that page is loosened,
    only with DEBUG on."""
    settings.DEBUG = True
    debug_page = client.get("/no-such-page/")
    assert debug_page.status_code == 404
    assert b"DEBUG = True" in debug_page.content
    policy = debug_page["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self' 'unsafe-inline'" in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    for page in ("/", a_post.get_absolute_url()):
        assert "'unsafe-inline'" not in client.get(page)["Content-Security-Policy"]


def test_with_debug_off_the_404_page_keeps_the_strict_policy(client, a_post, settings):
    settings.DEBUG = False
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and b"DEBUG = True" not in missing.content
    assert "'unsafe-inline'" not in missing["Content-Security-Policy"]


def test_a_post_quoting_the_debug_pages_words_is_not_loosened(client, a_superuser, settings):
    """The mark is looked for only in error pages: a page that quotes it keeps the policy."""
    settings.DEBUG = True
    post = make_post(body="Django says: because you have <code>DEBUG = True</code> in it.")
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


# --------------------------------------------------------------------------- the admin


def admin_pages(post, superuser):
    """Every kind of admin page: sign-in, index, each registered model's list and add form,
    a change form (the post's, the comment's, a user's with its password widget), history,
    delete confirmation and the password pages."""
    from django.contrib import admin

    from comments.models import Comment

    comment = Comment.objects.create(
        post=post, name="Ann", email="ann@example.org", body="A comment.", status="held"
    )
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = superuser
    pages = [reverse("admin:index"), reverse("admin:password_change")]
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append(reverse(f"{prefix}_changelist"))
        if model_admin.has_add_permission(request):  # comments come from readers only
            pages.append(reverse(f"{prefix}_add"))
    for obj in (post, comment, superuser):
        prefix = f"admin:{obj._meta.app_label}_{obj._meta.model_name}"
        pages += [
            reverse(f"{prefix}_change", args=[obj.pk]),
            reverse(f"{prefix}_history", args=[obj.pk]),
            reverse(f"{prefix}_delete", args=[obj.pk]),
        ]
    pages.append(reverse("admin:auth_user_password_change", args=[superuser.pk]))
    pages.append(reverse("admin:blog_post_changelist") + "?q=x&status__exact=published")
    return pages


class InlineCode(HTMLParser):
    """What a strict CSP would block: inline scripts, event-handler attributes,
    javascript: links, <style> elements and style attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self._script = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._script = None
        if tag == "script" and not attrs.get("src"):
            kind = attrs.get("type") or "text/javascript"
            if kind not in {"application/json", "application/ld+json"}:
                self._script = tag
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}=...>")
            if name in {"href", "src", "action"} and (value or "").lower().startswith("javas"):
                self.found.append(f"<{tag} {name}={value}>")

    def handle_data(self, data):
        if self._script and data.strip():
            self.found.append(f"inline script: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        self._script = None


def inline_code(html):
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def test_every_admin_page_carries_a_strict_content_security_policy(client, a_post, a_superuser):
    client.force_login(a_superuser)
    for url in [*admin_pages(a_post, a_superuser), reverse("admin:logout")]:
        response = (client.post if url.endswith("/logout/") else client.get)(url)
        policy = response.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy, url
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, url
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy, url


def test_the_sign_in_page_carries_the_policy_for_anyone(client, db):
    response = client.get(reverse("admin:login"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert inline_code(response.content.decode()) == []


def test_no_admin_page_needs_what_the_policy_blocks(client, a_post, a_superuser):
    """Django 5.2's admin keeps its scripts in files and passes data in data-* attributes;
    our own admin templates must do the same, or the policy breaks them."""
    client.force_login(a_superuser)
    for url in admin_pages(a_post, a_superuser):
        response = client.get(url)
        assert response.status_code == 200, url
        assert inline_code(response.content.decode()) == [], url


def test_the_admin_policy_is_its_own_setting(client, db, settings):
    settings.ADMIN_CONTENT_SECURITY_POLICY = "default-src 'self'; frame-ancestors 'none'"

    assert client.get(reverse("admin:login"))["Content-Security-Policy"] == (
        "default-src 'self'; frame-ancestors 'none'"
    )
    assert client.get("/")["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


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


# An address book with the admin elsewhere, for the test below (ROOT_URLCONF = this module).
def _backstage_urls():
    from django.contrib import admin
    from django.urls import include, path

    return [path("backstage/", admin.site.urls), path("", include("blog.urls"))]


urlpatterns = _backstage_urls()


def test_the_admin_prefix_is_found_once_and_again_when_the_urls_change(
    client, db, settings, monkeypatch
):
    from config import middleware

    calls = []
    real_reverse = middleware.reverse

    def counting_reverse(*args, **kwargs):
        calls.append(args)
        return real_reverse(*args, **kwargs)

    monkeypatch.setattr(middleware, "reverse", counting_reverse)
    middleware._admin_prefix.cache_clear()
    settings.ADMIN_CONTENT_SECURITY_POLICY = "default-src 'self'; frame-ancestors 'none'"
    for _ in range(3):
        client.get("/")
        assert client.get(reverse("admin:login"))["Content-Security-Policy"] == (
            settings.ADMIN_CONTENT_SECURITY_POLICY
        )
    assert len(calls) == 1

    settings.ROOT_URLCONF = __name__  # the admin at /backstage/
    response = client.get("/backstage/login/")
    assert response["Content-Security-Policy"] == settings.ADMIN_CONTENT_SECURITY_POLICY
    assert client.get("/")["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert len(calls) == 2
