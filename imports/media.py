"""Images in imported bodies: files given with ``--media DIR`` go into the media library.

An image address matches a file in DIR by its path (``wp-content/uploads/2012/01/x.jpg``
under DIR) or else by its file name. Matched files are stored through
``media_library.services`` once per import (and remembered, so a second import reuses them);
the others stay links and the report lists them.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from media_library import services as media_services
from media_library.models import markdown_alt
from media_library.processing import ImageRefused


class MediaFolder:
    def __init__(self, folder: Path | None, *, store, report, dry_run):
        self.folder = Path(folder).resolve() if folder else None
        self.store = store  # callable(src, image or None) remembering the import
        self.report = report
        self.dry_run = dry_run
        self.by_name = {}
        if self.folder is not None:
            for path in sorted(self.folder.rglob("*")):
                if path.is_file():
                    self.by_name.setdefault(path.name.casefold(), path)
        self.done = {}
        self.why = {}  # image address -> why it stays a link
        self.reported = set()  # (post, address) pairs already in the report
        self.stored_names = []  # files written, removed again if the import is undone

    def find(self, src):
        if self.folder is None:
            return None
        path = unquote(urlsplit(src).path).lstrip("/")
        if path:
            candidate = (self.folder / path).resolve()
            if candidate.is_file() and candidate.is_relative_to(self.folder):
                return candidate
        return self.by_name.get(path.rsplit("/", 1)[-1].casefold()) if path else None

    def markdown_for(self, src, alt, title, *, post_title, remembered):
        """Markdown for the image at ``src``, or None to leave it a link (reported)."""
        if src in self.done:
            image = self.done[src]
        elif remembered is not None:
            image = self.done[src] = remembered
        else:
            image = self.done[src] = self._store(src, alt, title, post_title=post_title)
        if image is None and (post_title, src) not in self.reported:
            self.reported.add((post_title, src))
            why = self.why.get(src, "not found")
            self.report.note(
                f"post \u201c{post_title[:60]}\u201d: image left as a link ({why}): {src}",
                group="Images",
            )
        if image is None:
            return None
        return f"![{markdown_alt(alt) if alt else ''}](image:{image.pk})"

    def _store(self, src, alt, title, *, post_title):
        path = self.find(src)
        if path is None:
            self.why[src] = "no file for it in --media" if self.folder else "no --media folder"
            return None
        if self.dry_run:
            self.report.count("image", "created")
            return _DryRunImage
        if path.stat().st_size > settings.IMAGE_UPLOAD_MAX_BYTES:
            self.why[src] = f"{path.name} is larger than IMAGE_UPLOAD_MAX_BYTES"
            return None
        data = path.read_bytes()
        try:
            image, _notes = media_services.image_upload(
                upload=SimpleUploadedFile(path.name, data),
                alt_text=(alt or title or f"Image in \u201c{post_title}\u201d")[:500],
                title=path.name[:200],
            )
        except (ImageRefused, OSError) as exc:
            self.why[src] = f"{path.name} refused: {exc}"
            return None
        self.stored_names.extend(image.stored_names())
        if not alt:
            self.report.note(
                f"post \u201c{post_title[:60]}\u201d: image {path.name} has no alternative "
                "text: describe it in the media library",
                group="Images",
            )
        self.report.count("image", "created")
        self.store(src, image)
        return image

    def forget_files(self):
        """The import was undone: remove the files it wrote (their rows are gone too)."""
        media_services._delete_files(self.stored_names)
        self.stored_names = []


class _DryRunImage:
    pk = 0
