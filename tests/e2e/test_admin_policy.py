"""The admin works in a real browser under its Content-Security-Policy.

The harness fails a test on any console error, and the browser reports every script, style
or image the policy blocks as one; so opening every kind of admin page (the same list as
tests/test_security_headers.py) and using its scripts is the check.
"""

import re

import pytest
from django.urls import reverse

from tests.e2e.conftest import PASSWORD
from tests.e2e.helpers import admin_login
from tests.factories import make_user
from tests.test_security_headers import admin_pages

pytestmark = pytest.mark.e2e


def test_every_admin_page_loads_under_the_policy_without_a_blocked_resource(
    new_context, care_ms_post
):
    superuser = make_user(username="root", superuser=True, password=PASSWORD)
    page = new_context().new_page()
    admin_login(page, superuser)

    for url in admin_pages(care_ms_post, superuser):
        response = page.goto(url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"], url
        page.wait_for_load_state("load")

    # The scripts run: the changelist's "select all" ticks every row, and the date
    # widgets' shortcuts open on the post form.
    page.goto(reverse("admin:blog_post_changelist"))
    page.locator("#action-toggle").check()
    assert page.locator("input.action-select:checked").count() >= 1
    page.goto(reverse("admin:blog_post_change", args=[care_ms_post.pk]))
    shortcut = page.locator(".datetimeshortcuts a", has_text=re.compile("today", re.I)).first
    if shortcut.count():
        shortcut.click()
