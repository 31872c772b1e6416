"""Uploaded bytes -> clean images: checked by content, metadata dropped, resized once.

Nothing here trusts the file's name or declared type: Pillow reads the content. The pixel
count is checked from the header, before any pixel is decoded (a few KB of PNG can claim
100,000 x 100,000 pixels), and Pillow's own decompression-bomb guard is an error too.
Every output is re-encoded from pixels alone, so EXIF (GPS position, camera serial,
date), XMP, IPTC, comments and colour profiles are not copied; the EXIF orientation is
applied to the pixels first, so a phone photo stands the right way up without it.
"""

import io
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

ACCEPTED = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "GIF": "PNG", "WEBP": "WEBP"}
"""Pillow's name for what was uploaded -> the format its variants are written in.

Variants keep the upload's family (WordPress does the same): JPEG for photographs, PNG
(lossless) for charts, screenshots and forest plots where JPEG would smear the lines, WebP
stays WebP. Every browser and feed reader shows JPEG and PNG. GIF becomes PNG (its first
frame: animation is not kept); MPO is the JPEG some phones write."""
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
VARIANT_WIDTHS = (480, 960, 1600)
"""Widths written below the full size, for ``srcset``: a phone, a laptop column at 2x, a
wide screen at 2x (the text column is 42rem, about 670 px)."""
FULL_MAX_SIDE = 2400
"""The largest image kept: bigger uploads are scaled down (WordPress keeps 2560)."""
JPEG_QUALITY = 82
WEBP_QUALITY = 80


class ImageRefused(ValueError):
    """The upload is not an image this site accepts; the message says why, for the author."""


@dataclass(frozen=True)
class Encoded:
    width: int
    height: int
    data: bytes
    extension: str


@dataclass(frozen=True)
class Processed:
    format: str
    """The output format: JPEG, PNG or WEBP."""
    variants: tuple
    """``Encoded`` images, narrowest first; the last is the full size."""
    notes: tuple = ()
    """What the author should know (animation dropped, scaled down)."""


def megabytes(size):
    return f"{size / (1024 * 1024):.1f} MB"


def looks_like_svg(head):
    start = head.lstrip()[:512].lower()
    return start.startswith((b"<svg", b"<?xml", b"<!doctype svg")) or b"<svg" in start


def open_checked(upload, *, max_bytes, max_pixels):
    """The upload as a decoded Pillow image, or ImageRefused saying why not."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ImageRefused(
            f"This file is {megabytes(size)}; images may be up to {megabytes(max_bytes)}."
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if not head:
        raise ImageRefused("The file is empty.")
    if looks_like_svg(head):
        raise ImageRefused(
            "SVG images are not accepted: an SVG can carry script. Export it as PNG "
            "and upload that."
        )
    try:
        image = Image.open(upload)
    except UnidentifiedImageError:
        raise ImageRefused(
            "This file is not an image this site can read: upload a JPEG, PNG, GIF or WebP image."
        ) from None
    except BOMB_ERRORS:
        raise _too_many_pixels(None, max_pixels) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _damaged(exc) from None
    if image.format not in ACCEPTED:
        raise ImageRefused(
            f"This is a {image.format} image; upload a JPEG, PNG, GIF or WebP image."
        )
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels:
        raise _too_many_pixels(image.size, max_pixels)
    if image.format in ("JPEG", "MPO"):
        # Decode a large JPEG at the smallest scale (1/2, 1/4, 1/8) still at least the size
        # kept: the same pixels at a fraction of the CPU and memory.
        image.draft(None, (FULL_MAX_SIDE, FULL_MAX_SIDE))
    try:
        image.load()
    except BOMB_ERRORS:
        raise _too_many_pixels(image.size, max_pixels) from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        raise _damaged(exc) from None
    return image


BOMB_ERRORS = (Image.DecompressionBombError, Image.DecompressionBombWarning)
"""The warning is an error too: media_library's ready() makes it one, once, at start-up
(``warnings.catch_warnings`` per upload would not be thread-safe)."""


def _damaged(exc):
    return ImageRefused(
        "This image is damaged or incomplete and cannot be read "
        f"({type(exc).__name__}). Export it again and upload the new file."
    )


def _too_many_pixels(size, max_pixels):
    """``size`` is None when Pillow itself refused the header (its guard gives no size)."""
    if size is None:
        described = f"This image has more than {max_pixels:,} pixels (width x height)"
    else:
        described = f"This image is {size[0]:,} x {size[1]:,} pixels"
    return ImageRefused(
        f"{described}; images may have up to {max_pixels:,} pixels (width x height). "
        "Scale it down and upload it again."
    )


def _to_srgb(image):
    """Pixels converted to sRGB when the file embeds another colour profile (the profile
    itself is not kept); unchanged when there is none or it cannot be read."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=output_mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image


def _pixels_only(image, output_format):
    """A new image holding only the pixels, in a mode the output format can write."""
    if output_format == "JPEG":
        mode = "L" if image.mode in ("L", "1") else "RGB"
    elif image.mode in ("RGB", "RGBA", "L", "LA"):
        mode = image.mode
    elif image.mode == "P" or "transparency" in image.info:
        mode = "RGBA"
    else:
        mode = "RGB"
    if image.mode == "CMYK" or image.mode != mode:
        image = image.convert("RGBA" if image.mode == "P" and mode != "RGB" else mode)
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def _encode(image, output_format):
    out = io.BytesIO()
    if output_format == "JPEG":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif output_format == "WEBP":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        image.save(out, "PNG", optimize=True)
    return Encoded(image.width, image.height, out.getvalue(), EXTENSIONS[output_format])


def _scaled(image, width):
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def process(image):
    """A decoded image (from ``open_checked``) -> its variants, metadata-free."""
    output_format = ACCEPTED[image.format]
    notes = []
    if getattr(image, "n_frames", 1) > 1 and image.format in ("GIF", "WEBP", "PNG"):
        image.seek(0)
        notes.append("Only its first frame is kept: animation is not shown.")
    try:
        upright = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, KeyError, TypeError, ZeroDivisionError):
        upright = image  # unreadable EXIF: the pixels as stored
    upright.info = dict(image.info)  # for the colour profile; nothing of it is written
    pixels = _pixels_only(_to_srgb(upright), output_format)
    if max(pixels.size) > FULL_MAX_SIDE:
        scale = FULL_MAX_SIDE / max(pixels.size)
        full_width = max(1, round(pixels.width * scale))
        pixels = _scaled(pixels, full_width)
        notes.append(f"Scaled down to {pixels.width} x {pixels.height} pixels.")
    if pixels.mode in ("P",):
        pixels = pixels.convert("RGBA")
    widths = [w for w in VARIANT_WIDTHS if w < pixels.width]
    variants = [_encode(_scaled(pixels, w), output_format) for w in widths]
    variants.append(_encode(pixels, output_format))
    return Processed(output_format, tuple(variants), tuple(notes))
