import warnings

from django.apps import AppConfig


class MediaLibraryConfig(AppConfig):
    name = "media_library"
    verbose_name = "Media library"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings
        from PIL import Image as PILImage

        import pagecache
        from blog.markup_images import register_image_resolver
        from config.middleware import allow_uploads_under
        from media_library.processing import megabytes
        from media_library.resolver import library_images

        register_image_resolver(library_images)
        # Pillow's own guard, behind ours (processing.open_checked checks the header first):
        # a warning at the limit is an error too, set once here (not per upload: not
        # thread-safe).
        PILImage.MAX_IMAGE_PIXELS = settings.IMAGE_MAX_PIXELS
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        # Files are not pages: never stored in or served from the page cache.
        pagecache.register_excluded_prefix(settings.MEDIA_URL)
        # The admin's upload form may carry an image up to IMAGE_UPLOAD_MAX_BYTES.
        allow_uploads_under(
            "/admin/media_library/image/",
            lambda: settings.IMAGE_UPLOAD_MAX_BYTES + UPLOAD_FORM_OVERHEAD_BYTES,
            describe=lambda: f"images up to {megabytes(settings.IMAGE_UPLOAD_MAX_BYTES)}",
        )
        # Images shown in posts: a description changed or an image deleted re-renders
        # the posts (services), which invalidates the page cache there.


UPLOAD_FORM_OVERHEAD_BYTES = 64 * 1024
"""The other fields of the upload form (alt text, caption, title, the CSRF token)."""
