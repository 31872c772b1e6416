"""Image files built in the tests (Pillow), and the fixtures the media-library tests share."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

GPS_LATITUDE = (51.0, 31.0, 7.25)
GPS_LONGITUDE = (0.0, 5.0, 44.5)
SECRET_COMMENT = b"Clinic 4, Barts Health, patient room"


def jpeg_with_gps(size=(1200, 800), *, orientation=None):
    """A JPEG whose left half is red and right half blue, with GPS coordinates, a camera
    serial number and a comment in its metadata (and an EXIF orientation if given)."""
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    exif = image.getexif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.BodySerialNumber] = "SERIAL-0042"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = GPS_LONGITUDE
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=SECRET_COMMENT, quality=90)
    return out.getvalue()


def image_bytes(size=(2000, 1000), fmt="PNG", mode="RGB", color=(10, 120, 60), **save):
    image = Image.new(mode, size, color)
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def png_claiming(width, height):
    """A valid little PNG whose header claims ``width`` x ``height`` pixels: a few hundred
    bytes that would need width x height x 3 bytes of memory to decode."""
    real = image_bytes((8, 8), "PNG")
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return real[:8] + ihdr + real[8 + len(ihdr) :]


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture(name="media_root")
def media_root_fixture(settings, tmp_path):
    """Uploads land in a fresh folder for each test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_bytes(media_root, entry):
    return (media_root / entry["name"]).read_bytes()
