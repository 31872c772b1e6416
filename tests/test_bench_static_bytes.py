"""make bench's ceiling for a cached page (benchmarks/urls.py): ``/bench/bytes/<n>/`` sends
exactly n bytes of HTML and nothing else, never from the page cache; a size past 4 MB is
refused."""

import pytest

pytestmark = [pytest.mark.urls("benchmarks.urls"), pytest.mark.django_db]


@pytest.mark.parametrize("size", [0, 1, 83, 84, 141_464])
def test_it_sends_exactly_the_bytes_asked_for(client, size, settings):
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_HEADER = True
    response = client.get(f"/bench/bytes/{size}/")
    assert response.status_code == 200
    assert len(response.content) == size
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "X-Page-Cache" not in response


def test_a_size_past_the_limit_is_refused(client):
    assert client.get(f"/bench/bytes/{4 * 1024 * 1024 + 1}/").status_code == 400
