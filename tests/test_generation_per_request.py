"""The page-cache generation is read from the shared cache once a request (issue 19): the
middleware, the sidebar, the post's neighbours and the author cards all key what they keep
by it, and the page is built from one generation."""

import pytest


@pytest.mark.parametrize("cache_seconds", [0, 300])
def test_a_post_page_reads_the_generation_once(
    client, a_post, settings, generation_reads, cache_seconds
):
    settings.PAGE_CACHE_SECONDS = cache_seconds
    response = client.get(a_post.get_absolute_url())
    assert response.status_code == 200
    assert a_post.title in response.content.decode()
    assert len(generation_reads) == 1


def test_each_request_reads_it_afresh(client, a_post, settings, generation_reads):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(a_post.get_absolute_url())
    client.get("/")
    assert len(generation_reads) == 2


def test_a_change_between_requests_is_seen_by_the_next(client, a_post, settings):
    settings.PAGE_CACHE_SECONDS = 300
    assert "Renamed write-up" not in client.get("/").content.decode()
    a_post.title = "Renamed write-up"
    a_post.save()
    assert "Renamed write-up" in client.get("/").content.decode()
