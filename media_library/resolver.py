"""The media library as ``blog.markup_images`` sees it (registered in apps.ready())."""

from media_library.models import Image


def library_images(ids):
    """{id: LibraryImage} for the ids that are in the library, in one query."""
    found = {}
    rows = Image.objects.filter(pk__in=list(ids)).only(
        "pk", "alt_text", "caption", "width", "height", "files"
    )
    for image in rows:
        reference = image.as_library_image()
        if reference is not None:
            found[image.pk] = reference
    return found
