"""The only writers of the media library: upload, describe, delete.

Files are written before the row (an image row always has its files) and removed again if
the row cannot be saved; a deleted image's files go after the transaction commits. Posts
that show an image are re-rendered when its description changes or it is deleted, so their
stored HTML (alt text, caption, files) stays true.
"""

import logging
import re
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from blog import markup
from blog.derived_html import rerender
from blog.models import Post
from media_library import processing
from media_library.models import Image

logger = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"images/[0-9]{4}/[0-9]{2}/[a-z0-9_-]{1,60}\.(?:jpg|png|webp)")
"""Every file this app writes is named so; the serving view answers nothing else. New names
never hold ``_`` (``_stem``); it is allowed so that files stored under such names before
that fix (``clinic_gps-….jpg``) are still served."""

_NOT_IN_NAMES = re.compile(r"[^a-z0-9]+")


def _stem(filename):
    """The uploaded name's stem, as ``[a-z0-9-]`` (``IMG_0001.JPG`` -> ``img-0001``)."""
    base = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    return _NOT_IN_NAMES.sub("-", slugify(base))[:30].strip("-") or "image"


def _write(processed, stem):
    """Write every variant; return their entries. Names are fresh (a random part), so a
    file is never overwritten and its address can be cached for ever."""
    now = timezone.now()
    token = secrets.token_hex(4)
    entries = []
    try:
        for variant in processed.variants:
            name = f"images/{now:%Y}/{now:%m}/{stem}-{token}-{variant.width}.{variant.extension}"
            saved = default_storage.save(name, ContentFile(variant.data))
            if saved != name:  # the storage renamed it: not a name we can serve
                default_storage.delete(saved)
                raise OSError(f"the storage would not keep the name {name}")
            entries.append(
                {
                    "name": saved,
                    "width": variant.width,
                    "height": variant.height,
                    "bytes": len(variant.data),
                }
            )
    except Exception:
        _delete_files([entry["name"] for entry in entries])
        raise
    return entries


def _delete_files(names):
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not delete the media file %s", name, exc_info=True)


def image_check(upload):
    """The upload decoded, checked and cleaned (``processing.Processed``), nothing stored.

    Raises processing.ImageRefused with a message for the author for anything that is not
    an acceptable image: too large, not an image, SVG, damaged, too many pixels.
    """
    decoded = processing.open_checked(
        upload,
        max_bytes=settings.IMAGE_UPLOAD_MAX_BYTES,
        max_pixels=settings.IMAGE_MAX_PIXELS,
    )
    try:
        return processing.process(decoded)
    except (OSError, ValueError, SyntaxError, MemoryError):
        logger.warning("Could not process an uploaded image", exc_info=True)
        raise processing.ImageRefused(
            "This image could not be processed. Export it again as JPEG or PNG and upload "
            "the new file."
        ) from None


def image_store(*, image, processed, filename):
    """Write ``processed``'s files and save ``image`` (its description already set)."""
    if not image.title:
        image.title = (filename or "")[:200]
    image.width, image.height = processed.variants[-1].width, processed.variants[-1].height
    image.format = processed.format.lower()
    image.full_clean(exclude=["files"])
    entries = _write(processed, _stem(filename))
    image.files = entries
    try:
        with transaction.atomic():
            image.full_clean()
            image.save()
    except Exception:
        _delete_files([entry["name"] for entry in entries])
        raise
    return image


def image_upload(*, upload, alt_text, caption="", title="", uploaded_by=None):
    """Check, clean and store an uploaded image. Returns (image, notes for the author)."""
    image = Image(alt_text=alt_text, caption=caption, title=title, uploaded_by=uploaded_by)
    image.full_clean(exclude=["files", "width", "height", "format"])
    processed = image_check(upload)
    image_store(image=image, processed=processed, filename=upload.name)
    return image, processed.notes


def posts_showing(image):
    """The posts whose text refers to ``image`` (``image:<id>`` not followed by a digit)."""
    mention = re.compile(rf"image:{image.pk}(?![0-9])")
    candidates = Post.objects.filter(body__contains=f"image:{image.pk}").only("pk", "body")
    return [post.pk for post in candidates if mention.search(post.body)]


def _rerender_posts(pks):
    if pks:
        rerender(Post.objects.filter(pk__in=pks), render=markup.render_post_body)


@transaction.atomic
def image_describe(*, image, alt_text, caption, title):
    """Change what an image says (its files never change); posts showing it follow."""
    image.alt_text, image.caption, image.title = alt_text, caption, title
    image.full_clean()
    image.save(update_fields=["alt_text", "caption", "title"])
    _rerender_posts(posts_showing(image))
    return image


@transaction.atomic
def image_delete(*, image):
    """Delete the image; its files go once the deletion is committed. Posts that showed it
    show its alt text instead (their authors see a note in the admin)."""
    names = image.stored_names()
    showing = posts_showing(image)
    image.delete()
    _rerender_posts(showing)
    transaction.on_commit(lambda: _delete_files(names))
