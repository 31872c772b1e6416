"""A first visit (no session cookie, no messages cookie) is known to be anonymous and to have
no waiting message without loading the session or the message storage
(``pagecache.middleware._without_session_state``); everything else is asked as before."""

import pytest
from django.contrib import messages
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import empty

from pagecache.middleware import _is_candidate
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _through_the_middleware(request):
    """The request as the page cache sees it: session, user and messages set up lazily."""
    for middleware in (SessionMiddleware, AuthenticationMiddleware, MessageMiddleware):
        middleware(lambda r: HttpResponse()).process_request(request)
    return request


def test_a_first_visit_is_a_candidate_without_loading_the_session_or_the_user():
    request = _through_the_middleware(RequestFactory().get("/"))
    assert _is_candidate(request)
    assert request.user._wrapped is empty  # never looked up
    assert not request.session.accessed


def test_a_message_added_during_the_request_makes_it_no_candidate():
    request = _through_the_middleware(RequestFactory().get("/"))
    messages.info(request, "Added by code that ran before the page cache.")
    assert not _is_candidate(request)


def test_a_user_set_by_other_code_is_asked():
    request = _through_the_middleware(RequestFactory().get("/"))
    request.user = make_user(username="set-directly")
    assert not _is_candidate(request)


@pytest.mark.parametrize("cookie", ["sessionid", "messages"])
def test_a_session_or_messages_cookie_means_asking_the_storage(cookie):
    """Either cookie may hold a signed-in session or a waiting message: both are loaded."""
    request = RequestFactory().get("/")
    request.COOKIES[cookie] = "anything"
    request = _through_the_middleware(request)
    assert _is_candidate(request)  # an unknown session, a bad messages cookie: nothing waits
    assert request.user._wrapped is not empty
