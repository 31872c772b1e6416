"""Styled error pages; the 500 page needs neither the request nor the database."""

from unittest import mock

import pytest
from django.test import Client, RequestFactory
from django.views import defaults
from pytest_django.asserts import assertContains, assertNotContains

from blog import views

pytestmark = pytest.mark.django_db


def test_an_unknown_address_gets_the_styled_404_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assertContains(
        response, '<h1 id="error-heading">Page not found</h1>', status_code=404, html=True
    )
    assertContains(response, '<link rel="stylesheet" href="/static/css/site.css">', status_code=404)
    assertContains(response, '<a href="/">Read the latest posts</a>', status_code=404, html=True)
    assertContains(response, '<meta name="robots" content="noindex">', status_code=404)


def test_the_404_page_escapes_the_address_it_repeats(client):
    response = client.get("/<script>alert(1)</script>/")
    assert response.status_code == 404
    assertNotContains(response, "<script>alert(1)", status_code=404)


def test_the_404_handler_is_ours():
    request = RequestFactory().get("/missing/")
    response = views.page_not_found(request, exception=None)
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_an_exception_in_a_view_gets_the_styled_500_page(db):
    client = Client(raise_request_exception=False)
    with mock.patch.object(views.PostListView, "get", side_effect=RuntimeError("boom")):
        response = client.get("/")
    assert response.status_code == 500
    assertContains(response, "Something went wrong", status_code=500)
    assertContains(response, "/static/css/site.css", status_code=500)
    assertNotContains(response, "boom", status_code=500)


def test_the_500_page_makes_no_database_query(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = views.server_error(request)
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"Trialpress" in response.content


def test_the_500_page_falls_back_to_plain_html_if_its_template_fails(caplog):
    with mock.patch.object(views, "render_to_string", side_effect=Exception("templates broken")):
        response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert "Could not render 500.html" in caplog.text


def test_the_400_page_is_styled():
    response = defaults.bad_request(RequestFactory().get("/"), exception=None)
    assert response.status_code == 400
    assert b'<h1 id="error-heading">Bad request</h1>' in response.content
    assert b"/static/css/site.css" in response.content


def test_the_403_page_is_styled():
    response = defaults.permission_denied(RequestFactory().get("/"), exception=None)
    assert response.status_code == 403
    assert b"You may not see this page" in response.content
    assert b"/static/css/site.css" in response.content


def test_error_pages_have_no_inline_script_or_style(client):
    pages = [
        client.get("/nope/").content,
        views.server_error(RequestFactory().get("/")).content,
        defaults.bad_request(RequestFactory().get("/"), exception=None).content,
    ]
    for content in pages:
        assert b"<script" not in content and b" style=" not in content


def test_the_403_page_tells_a_signed_in_user_who_they_are_not_to_sign_in(client):
    """A moderator opening the media library is signed in already: "sign in" misleads."""
    from django.urls import reverse

    from tests.test_admin_permissions import logged_in, member_of

    mo = member_of("Moderators", "mo<b>&")
    response = logged_in(client, mo).get(reverse("admin:media_library_image_changelist"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "You are signed in as <strong>mo&lt;b&gt;&amp;</strong>" in page
    assert "sign in" not in page.lower().replace("signed in as", "")
