"""Search: published posts only, both engines, any query a page, never a 500."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from tests.factories import make_post

pytestmark = pytest.mark.django_db

URL = reverse("search:search")


def titles(response):
    return re.findall(r'class="post-title" id="post-\d+-title"><a href="[^"]*">([^<]*)</a>', response.content.decode())


def test_finds_a_post_by_a_word_of_its_body(client, an_author):
    make_post(author=an_author, title="Alemtuzumab in relapsing MS", body="Relapse rate fell.")
    make_post(author=an_author, title="Something else", body="Nothing here.")
    response = client.get(URL, {"q": "relapse"})
    assert response.status_code == 200
    assert titles(response) == ["Alemtuzumab in relapsing MS"]
