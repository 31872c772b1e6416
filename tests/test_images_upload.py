"""Uploading an image: checked by content, metadata removed, sizes written once.

Every refusal is a message for the author (never a 500), and nothing is stored for it."""

import io

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from PIL import Image as PILImage

from media_library import services
from media_library.models import Image
from media_library.processing import ImageRefused
from media_library.services import NAME_PATTERN
from tests.images_support import (
    GPS_LATITUDE,
    SECRET_COMMENT,
    image_bytes,
    jpeg_with_gps,
    media_root_fixture,  # noqa: F401  (the media_root fixture)
    png_claiming,
    stored_bytes,
    upload,
)
from tests.strategies import any_script_text

pytestmark = pytest.mark.django_db


def _files_on_disk(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_gps_location_and_every_other_metadata_are_gone_after_upload(media_root):
    original = jpeg_with_gps()
    assert PILImage.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # it was there
    image, _notes = services.image_upload(upload=upload(original), alt_text="A clinic corridor")
    assert image.files
    for entry in image.files:
        data = stored_bytes(media_root, entry)
        stored = PILImage.open(io.BytesIO(data))
        assert stored.format == "JPEG"
        assert not stored.getexif(), entry  # no EXIF at all: no GPS, no camera, no serial
        assert not stored.getexif().get_ifd(0x8825)
        assert "exif" not in stored.info and "icc_profile" not in stored.info
        assert "comment" not in stored.info
        for secret in (b"Exif", b"PhoneMaker", b"SERIAL-0042", SECRET_COMMENT, b"GPS"):
            assert secret not in data, (secret, entry["name"])
    assert str(GPS_LATITUDE[0]) not in repr(image.files)


def test_the_orientation_is_applied_to_the_pixels_before_the_metadata_goes(media_root):
    # Orientation 6: the camera held sideways; viewers rotate the stored pixels 90° clockwise.
    image, _ = services.image_upload(
        upload=upload(jpeg_with_gps((1200, 800), orientation=6)), alt_text="Upright"
    )
    assert (image.width, image.height) == (800, 1200)
    full = PILImage.open(io.BytesIO(stored_bytes(media_root, image.files[-1]))).convert("RGB")
    top, bottom = full.getpixel((400, 100)), full.getpixel((400, 1100))
    assert top[0] > 150 and top[2] < 100, top  # the stored left half (red) is now on top
    assert bottom[2] > 150 and bottom[0] < 100, bottom


def test_variants_are_written_once_at_the_documented_widths(media_root):
    image, _ = services.image_upload(
        upload=upload(image_bytes((2000, 1000), "PNG"), "chart.png", "image/png"),
        alt_text="A chart",
    )
    assert [(f["width"], f["height"]) for f in image.files] == [
        (480, 240),
        (960, 480),
        (1600, 800),
        (2000, 1000),
    ]
    for entry in image.files:
        stored = PILImage.open(io.BytesIO(stored_bytes(media_root, entry)))
        assert stored.size == (entry["width"], entry["height"])
        assert stored.format == "PNG"
        assert entry["bytes"] == len(stored_bytes(media_root, entry))
    assert (image.width, image.height, image.format) == (2000, 1000, "png")
    assert len(_files_on_disk(media_root)) == 4


def test_a_huge_image_is_scaled_down_to_the_largest_kept_size(media_root):
    image, notes = services.image_upload(
        upload=upload(image_bytes((3600, 1200), "JPEG"), "wide.jpg"), alt_text="Wide"
    )
    assert (image.width, image.height) == (2400, 800)
    assert [f["width"] for f in image.files] == [480, 960, 1600, 2400]
    assert any("Scaled down to 2400 x 800" in note for note in notes)


def test_a_small_image_gets_only_its_own_size(media_root):
    image, _ = services.image_upload(
        upload=upload(image_bytes((300, 200), "WEBP"), "x.webp", "image/webp"), alt_text="Tiny"
    )
    assert [(f["width"], f["height"]) for f in image.files] == [(300, 200)]
    assert image.format == "webp"
    assert image.files[0]["name"].endswith(".webp")


def test_png_transparency_is_kept_and_a_gif_becomes_a_png_of_its_first_frame(media_root):
    png, _ = services.image_upload(
        upload=upload(image_bytes((600, 300), "PNG", "RGBA", (0, 0, 0, 0)), "t.png"),
        alt_text="Transparent",
    )
    stored = PILImage.open(io.BytesIO(stored_bytes(media_root, png.files[-1])))
    assert stored.mode == "RGBA" and stored.getpixel((5, 5))[3] == 0
    frames = [PILImage.new("RGB", (100, 80), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], duration=100)
    image, notes = services.image_upload(upload=upload(gif.getvalue(), "a.gif"), alt_text="GIF")
    assert image.format == "png" and image.files[-1]["name"].endswith(".png")
    assert any("first frame" in note for note in notes)


def test_a_cmyk_jpeg_is_stored_as_rgb(media_root):
    image, _ = services.image_upload(
        upload=upload(image_bytes((500, 400), "JPEG", "CMYK", (0, 200, 200, 0)), "print.jpg"),
        alt_text="Print",
    )
    stored = PILImage.open(io.BytesIO(stored_bytes(media_root, image.files[-1])))
    assert stored.mode == "RGB"


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (png_claiming(100_000, 100_000), "bomb.png", "more than 50,000,000 pixels"),
        (png_claiming(20_000, 20_000), "bomb.png", "more than 50,000,000 pixels"),
        (png_claiming(60_000, 1_000), "strip.png", "60,000 x 1,000 pixels; images may have up"),
        (b"Hello, this is only text.\n" * 40, "photo.jpg", "not an image this site can read"),
        (b"", "empty.jpg", "The file is empty"),
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
            b"<script>alert(1)</script></svg>",
            "logo.svg",
            "SVG images are not accepted",
        ),
        (b'<svg onload="alert(1)"/>', "disguised.png", "SVG images are not accepted"),
        (image_bytes((50, 50), "BMP"), "old.bmp", "This is a BMP image"),
        (image_bytes((800, 600), "JPEG")[:600], "cut.jpg", "damaged or incomplete"),
    ],
    ids=["bomb-100k", "bomb-20k", "long-strip", "text", "empty", "svg", "svg-as-png", "bmp", "cut"],
)
def test_refused_uploads_say_why_and_store_nothing(media_root, data, name, expected):
    with pytest.raises(ImageRefused) as refused:
        services.image_upload(upload=upload(data, name), alt_text="Anything")
    assert expected in str(refused.value)
    assert Image.objects.count() == 0
    assert _files_on_disk(media_root) == []


def test_the_pixel_limit_is_a_setting(media_root, settings):
    settings.IMAGE_MAX_PIXELS = 1_000
    with pytest.raises(ImageRefused, match="40 x 40 pixels; images may have up to 1,000"):
        services.image_upload(upload=upload(image_bytes((40, 40))), alt_text="Small")


def test_a_file_over_the_size_limit_is_refused_with_both_sizes(media_root, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 20 * 1024
    data = image_bytes((900, 900), "PNG", color=(1, 2, 3)) + b"\0" * (30 * 1024)
    with pytest.raises(ImageRefused, match=r"This file is 0\.0 MB; images may be up to 0\.0 MB"):
        services.image_upload(upload=upload(data, "big.png"), alt_text="Big")
    settings.IMAGE_UPLOAD_MAX_BYTES = 1024 * 1024
    data = b"x" * (3 * 1024 * 1024)
    with pytest.raises(ImageRefused, match=r"This file is 3\.0 MB; images may be up to 1\.0 MB"):
        services.image_upload(upload=upload(data, "big.png"), alt_text="Big")


@pytest.mark.parametrize("alt", ["", "   ", "tab\x07bell"])
def test_alt_text_is_required_and_checked_before_any_file_is_written(media_root, alt):
    with pytest.raises(ValidationError) as invalid:
        services.image_upload(upload=upload(jpeg_with_gps()), alt_text=alt)
    assert "alt_text" in invalid.value.message_dict
    assert _files_on_disk(media_root) == []


def test_stored_names_are_ascii_and_unique_whatever_the_uploaded_name(media_root):
    first, _ = services.image_upload(
        upload=upload(jpeg_with_gps(), "Σκλήρυνση <script>.jpg"), alt_text="One"
    )
    second, _ = services.image_upload(
        upload=upload(jpeg_with_gps(), "Σκλήρυνση <script>.jpg"), alt_text="Two"
    )
    names = first.stored_names() + second.stored_names()
    assert len(set(names)) == len(names)
    assert all(name.isascii() and "<" not in name and " " not in name for name in names)
    assert first.title == "Σκλήρυνση <script>.jpg"  # the title keeps what was typed


def test_a_storage_failure_leaves_no_half_stored_image(media_root, monkeypatch):
    from django.core.files.storage import default_storage

    real_save, calls = default_storage.save, []

    def failing_save(name, content, **kwargs):
        calls.append(name)
        if len(calls) == 3:
            raise OSError("disk full")
        return real_save(name, content, **kwargs)

    monkeypatch.setattr(default_storage, "save", failing_save)
    with pytest.raises(OSError):
        services.image_upload(upload=upload(image_bytes((2000, 1000))), alt_text="Chart")
    assert Image.objects.count() == 0
    assert _files_on_disk(media_root) == []


def test_pillows_own_bomb_guard_is_on_and_its_warning_refuses_too(media_root, monkeypatch):
    import warnings

    from django.conf import settings

    from media_library import processing

    assert PILImage.MAX_IMAGE_PIXELS == settings.IMAGE_MAX_PIXELS  # set by the app's ready()
    monkeypatch.setattr(PILImage, "MAX_IMAGE_PIXELS", 1_000)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        with pytest.raises(ImageRefused, match="more than 10,000 pixels"):
            # 1,600 pixels: over Pillow's limit (a warning, made an error), under twice it.
            processing.open_checked(
                upload(image_bytes((40, 40))), max_bytes=10**7, max_pixels=10_000
            )


def test_an_image_pillow_cannot_process_is_a_message_not_a_500(media_root, monkeypatch):
    from media_library import processing

    def broken(image):
        raise OSError("encoder error -2")

    monkeypatch.setattr(processing, "process", broken)
    with pytest.raises(ImageRefused, match=r"could not be processed \(OSError\)"):
        services.image_upload(upload=upload(jpeg_with_gps()), alt_text="x")
    assert Image.objects.count() == 0


@pytest.mark.parametrize(
    ("mode", "fmt", "stored_mode"),
    [("I;16", "PNG", "RGB"), ("1", "PNG", "RGB"), ("LA", "PNG", "LA"), ("L", "JPEG", "L")],
)
def test_unusual_pixel_formats_are_stored_in_one_a_browser_shows(
    media_root, mode, fmt, stored_mode
):
    data = image_bytes((700, 300), fmt, mode, 0)
    image, _ = services.image_upload(upload=upload(data, f"x.{fmt.lower()}"), alt_text="x")
    stored = PILImage.open(io.BytesIO(stored_bytes(media_root, image.files[-1])))
    assert stored.mode == stored_mode and stored.size == (700, 300)


@given(name=any_script_text(max_size=80))
def test_any_file_name_gives_an_ascii_stored_name_and_is_kept_as_the_title(media_root, name):
    image, _ = services.image_upload(
        upload=upload(image_bytes((120, 80)), f"{name}.png", "image/png"), alt_text="x"
    )
    assert all(NAME_PATTERN.fullmatch(stored) for stored in image.stored_names())
    assert image.title == f"{name}.png"[:200].strip()
