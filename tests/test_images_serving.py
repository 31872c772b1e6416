"""Every stored size of every upload is fetched back from MEDIA_URL, whatever the file was
called (``IMG_0001.JPG``, ``clinic_gps.jpg``, any script); the answer can be embedded by
feed readers on other origins and revalidated with a 304."""

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from media_library import services
from media_library.models import media_url
from tests.images_support import (
    image_bytes,
    media_root_fixture,  # noqa: F401  (the media_root fixture)
    stored_bytes,
    upload,
)
from tests.strategies import any_script_text

pytestmark = pytest.mark.django_db


def _served(name):
    response = Client().get(media_url(name))
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body


def _assert_every_size_is_served(media_root, image):
    assert image.files
    for entry in image.files:
        response, body = _served(entry["name"])
        assert response.status_code == 200, entry["name"]
        assert body == stored_bytes(media_root, entry)


@pytest.mark.parametrize(
    "filename",
    ["IMG_0001.JPG", "clinic_gps.jpg", "forest_plot.png", "__init__.png", "a_-_b.jpeg", "_.jpg"],
)
def test_names_with_underscores_are_served_in_every_size(media_root, filename):
    image, _ = services.image_upload(
        upload=upload(image_bytes((1700, 900), "PNG"), filename, "image/png"), alt_text="x"
    )
    assert [entry["width"] for entry in image.files] == [480, 960, 1600, 1700]
    assert all("_" not in name for name in image.stored_names())
    _assert_every_size_is_served(media_root, image)


def test_a_name_stored_with_an_underscore_before_the_fix_is_still_served(media_root):
    """Uploads made while the stem kept ``_`` are on disk under such names: they load now."""
    name = "images/2026/11/clinic_gps-0a1b2c3d-480.jpg"
    (media_root / "images/2026/11").mkdir(parents=True)
    (media_root / name).write_bytes(image_bytes((480, 320), "JPEG"))
    response, body = _served(name)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert body == (media_root / name).read_bytes()


@given(
    name=st.one_of(
        any_script_text(max_size=40),
        st.builds("{}_{}".format, any_script_text(max_size=20), any_script_text(max_size=20)),
    )
)
def test_any_uploaded_name_is_served_in_every_size(media_root, name):
    image, _ = services.image_upload(
        upload=upload(image_bytes((600, 300), "PNG"), f"{name}.png", "image/png"), alt_text="x"
    )
    assert all(services.NAME_PATTERN.fullmatch(n) for n in image.stored_names())
    _assert_every_size_is_served(media_root, image)


def test_files_can_be_shown_by_feed_readers_on_other_origins(media_root):
    image, _ = services.image_upload(upload=upload(image_bytes((300, 200))), alt_text="x")
    response, _ = _served(image.files[-1]["name"])
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_browser_revalidates_with_the_etag_or_the_date_and_gets_a_304(media_root):
    image, _ = services.image_upload(upload=upload(image_bytes((300, 200))), alt_text="x")
    name = image.files[-1]["name"]
    first, body = _served(name)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified.endswith("GMT") and body

    for headers in ({"if_none_match": etag}, {"if_modified_since": modified}):
        again = Client(headers=headers).get(media_url(name))
        assert again.status_code == 304, headers
        assert again.content == b""
        assert again["ETag"] == etag and "immutable" in again["Cache-Control"]

    other, _ = services.image_upload(upload=upload(image_bytes((300, 200))), alt_text="y")
    changed = Client(headers={"if_none_match": etag}).get(media_url(other.files[-1]["name"]))
    assert changed.status_code == 200 and changed["ETag"] != etag
    stale = Client(headers={"if_modified_since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert stale.get(media_url(name)).status_code == 200


def test_a_revalidation_of_a_missing_file_is_a_404_not_a_304(media_root):
    name = "images/2026/01/gone-0a1b2c3d-480.jpg"
    response = Client(headers={"if_none_match": "*"}).get(media_url(name))
    assert response.status_code == 404
