"""The media library in the admin: upload (every refusal a message beside the field), the
list with thumbnails and the Markdown to copy, describe, delete, who may do which; the
upload's own size limit in the size-limit middleware; the files served at MEDIA_URL."""

import html
import io

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings

from media_library import services
from media_library.models import Image
from tests.factories import make_post
from tests.images_support import (
    image_bytes,
    jpeg_with_gps,
    media_root_fixture,  # noqa: F401  (the media_root fixture)
    png_claiming,
    upload,
)
from tests.strategies import any_script_text
from tests.test_admin_permissions import logged_in, member_of

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:media_library_image_add")
LIST_URL = reverse("admin:media_library_image_changelist")


def change_url(image):
    return reverse("admin:media_library_image_change", args=[image.pk])


def delete_url(image):
    return reverse("admin:media_library_image_delete", args=[image.pk])


@pytest.fixture
def ann(db):
    return member_of("Authors", "ann")


def _post_upload(client, data, name="photo.jpg", **fields):
    form = {"alt_text": "A ward at night", "caption": "", "title": "", **fields}
    form["upload"] = io.BytesIO(data)
    form["upload"].name = name
    return client.post(ADD_URL, form)


def test_an_author_uploads_a_photo_and_gets_the_markdown_to_paste(client, ann, media_root):
    response = _post_upload(logged_in(client, ann), jpeg_with_gps(), "ward.jpg")

    assert response.status_code == 302
    image = Image.objects.get()
    assert image.uploaded_by == ann and image.alt_text == "A ward at night"
    assert image.title == "ward.jpg"
    page = client.get(response["Location"]).content.decode()
    assert f"![A ward at night](image:{image.pk})" in page


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"just text, honest", "photo.jpg", "not an image this site can read"),
        (b"<svg><script>alert(1)</script></svg>", "x.svg", "SVG images are not accepted"),
        (png_claiming(100_000, 100_000), "bomb.png", "more than 50,000,000 pixels"),
    ],
)
def test_a_refused_file_is_a_message_beside_the_field_and_stores_nothing(
    client, ann, media_root, data, name, message
):
    response = _post_upload(logged_in(client, ann), data, name, caption="kept <b>caption</b>")

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and 'class="errorlist' in page
    assert "kept &lt;b&gt;caption&lt;/b&gt;" in page  # what was typed is kept
    assert Image.objects.count() == 0
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_alt_text_is_required_in_the_form(client, ann, media_root):
    response = _post_upload(logged_in(client, ann), jpeg_with_gps(), alt_text="   ")

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert Image.objects.count() == 0


def test_an_upload_over_the_image_limit_is_a_form_error(client, ann, media_root, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 300 * 1024  # the middleware lets 300 KB + 64 KB in
    data = image_bytes((64, 64), "PNG") + b"\0" * (330 * 1024)

    response = _post_upload(logged_in(client, ann), data, "big.png")

    assert response.status_code == 200
    assert "This file is 0.3 MB; images may be up to 0.3 MB" in response.content.decode()


def test_a_body_far_over_the_image_limit_is_a_clear_413_page(client, ann, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 300 * 1024
    data = b"\xff" * (600 * 1024)

    response = _post_upload(logged_in(client, ann), data, "huge.jpg")

    assert response.status_code == 413
    page = response.content.decode()
    assert "images up to 0.3 MB" in page
    assert Image.objects.count() == 0


def test_uploads_up_to_the_image_limit_pass_the_request_size_limit(client, ann, media_root):
    """MAX_REQUEST_BODY_BYTES is 256 KB; a 1 MB photo still reaches the form."""
    noisy = image_bytes((900, 900), "PNG")
    import random

    from PIL import Image as PILImage

    rng = random.Random(4)
    pixels = PILImage.frombytes("RGB", (700, 700), rng.randbytes(700 * 700 * 3))
    out = io.BytesIO()
    pixels.save(out, "PNG")
    assert len(out.getvalue()) > 1024 * 1024 > len(noisy)

    response = _post_upload(logged_in(client, ann), out.getvalue(), "noise.png")

    assert response.status_code == 302
    assert Image.objects.get().width == 700


def test_other_forms_keep_the_site_wide_limit(client, ann, settings):
    body = "x" * (settings.MAX_REQUEST_BODY_BYTES + 10)
    response = logged_in(client, ann).post(
        reverse("admin:blog_post_add"), {"title": "Big", "body": body}
    )
    assert response.status_code == 413
    assert f"({settings.MAX_REQUEST_BODY_BYTES // 1024} KB)" in response.content.decode()
    # A large multipart POST under the media prefix but not multipart is refused as well.
    response = client.post(ADD_URL, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_the_list_shows_thumbnails_with_their_size_and_alt_text_in_fixed_queries(
    client, ann, media_root, django_assert_max_num_queries
):
    services.image_upload(upload=upload(jpeg_with_gps(), "a.jpg"), alt_text="First <alt>")
    client = logged_in(client, ann)
    with django_assert_max_num_queries(12) as one:
        page = client.get(LIST_URL).content.decode()
    assert 'class="media-thumb"' in page and 'alt="First &lt;alt&gt;"' in page
    assert 'width="120" height="80"' in page
    for n in range(5):
        services.image_upload(upload=upload(image_bytes((300, 200)), f"{n}.png"), alt_text=f"n{n}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(LIST_URL).content.decode()
    assert page.count('class="media-thumb"') == 6


def test_the_change_page_describes_again_and_posts_follow(client, ann, media_root):
    image, _ = services.image_upload(
        upload=upload(jpeg_with_gps()), alt_text="Old", uploaded_by=ann
    )
    post = make_post(author=ann, body=f"![](image:{image.pk})")
    client = logged_in(client, ann)
    page = client.get(change_url(image)).content.decode()
    assert post.title in page  # "shown in": the published post, by title
    assert f"![Old](image:{image.pk})" in page

    response = client.post(change_url(image), {"alt_text": "New", "caption": "", "title": "t"})

    assert response.status_code == 302
    post.refresh_from_db()
    assert 'alt="New"' in post.body_html


def test_only_the_uploader_or_an_editor_changes_or_deletes_an_image(client, ann, media_root):
    otto = member_of("Authors", "otto")
    image, _ = services.image_upload(
        upload=upload(jpeg_with_gps()), alt_text="Otto's", uploaded_by=otto
    )
    client = logged_in(client, ann)
    assert client.get(LIST_URL).content.decode().count('class="media-thumb"') == 1  # sees it
    refused = client.post(change_url(image), {"alt_text": "Ann's now", "caption": "", "title": ""})
    assert refused.status_code == 403
    assert client.post(delete_url(image), {"post": "yes"}).status_code == 403
    image.refresh_from_db()
    assert image.alt_text == "Otto's"

    editor = logged_in(Client(), member_of("Editors", "eddie"))
    assert editor.post(delete_url(image), {"post": "yes"}).status_code == 302
    assert not Image.objects.exists()


def test_the_uploader_deletes_their_image_and_its_files_go(
    client, ann, media_root, django_capture_on_commit_callbacks
):
    image, _ = services.image_upload(upload=upload(jpeg_with_gps()), alt_text="x", uploaded_by=ann)
    paths = [media_root / name for name in image.stored_names()]
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(client, ann).post(delete_url(image), {"post": "yes"})
    assert response.status_code == 302
    assert not Image.objects.exists() and not any(path.exists() for path in paths)


def test_a_moderator_has_no_media_library(client, media_root):
    mo = member_of("Moderators", "mo")
    assert logged_in(client, mo).get(LIST_URL).status_code == 403


@hypothesis_settings(max_examples=10)
@given(alt=any_script_text(), caption=any_script_text(), title=any_script_text())
def test_descriptions_in_any_script_are_kept_and_shown_escaped(
    client, ann, media_root, alt, caption, title
):
    Image.objects.all().delete()
    response = _post_upload(
        logged_in(client, ann),
        image_bytes((60, 40), "PNG"),
        "x.png",
        alt_text=alt,
        caption=caption,
        title=title,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    image = Image.objects.get()
    assert (image.alt_text, image.caption, image.title) == (
        alt.strip(),
        caption.strip(),
        title.strip(),
    )
    page = client.get(change_url(image)).content.decode()
    for typed in (image.alt_text, image.caption, image.title):
        assert html.escape(typed) in page  # escaped once, in the form's fields


# --- the files at MEDIA_URL ---------------------------------------------------------------


def test_files_are_served_as_images_with_nosniff_and_a_sandbox(client, media_root):
    image, _ = services.image_upload(upload=upload(jpeg_with_gps()), alt_text="x")
    name = image.files[-1]["name"]

    response = Client().get(f"/media/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "immutable" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == (media_root / name).read_bytes()
    assert Client().head(f"/media/{name}").status_code == 200
    assert Client().post(f"/media/{name}").status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "images/2026/01/x.html",
        "images/2026/01/x.svg",
        "images/2026/01/../../../db.sqlite3",
        "../var/db.sqlite3",
        "images/2026/01/missing-0000-480.jpg",
        "images/2026/01/UPPER.jpg",
        "admin-password.txt",
        "images/2026/01/%00.jpg",
    ],
)
def test_nothing_but_names_the_library_writes_is_answered(client, media_root, path):
    (media_root / "images/2026/01").mkdir(parents=True)
    for name in ("x.html", "x.svg", "UPPER.jpg"):
        (media_root / "images/2026/01" / name).write_text("<script>alert(1)</script>")
    response = client.get(f"/media/{path}")
    assert response.status_code in (400, 404)
    assert b"<script>" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_the_delete_page_warns_which_posts_show_the_image(client, ann, media_root):
    image, _ = services.image_upload(upload=upload(jpeg_with_gps()), alt_text="x", uploaded_by=ann)
    make_post(author=ann, title="Live <post>", body=f"![](image:{image.pk})")
    otto = member_of("Authors", "otto")
    make_post(
        author=otto, title="Otto's secret draft", status="draft", body=f"![](image:{image.pk})"
    )

    page = logged_in(client, ann).get(delete_url(image)).content.decode()

    assert "This image is shown in" in page and "Live &lt;post&gt;</a>" in page
    assert "1 unpublished post(s)" in page and "secret" not in page
