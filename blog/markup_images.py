"""Images from the media library in a post: ``![alt](image:42)`` -> a figure with srcset.

The blog knows no media app: the app that stores images registers a resolver here from its
``ready()`` (``register_image_resolver``). Before a post is rendered, the ids its text
mentions are looked up in one query, outside the render's CPU budget; while rendering,
``LibraryImages`` turns each ``image:<id>`` into an ``<img>`` with ``srcset``, ``sizes``,
``width`` and ``height`` (no layout shift). An image alone in its paragraph becomes a
``<figure>`` with the library's caption (or the Markdown title, ``![alt](image:42
"caption")``). The first library image of a post loads at once; the rest lazily.

The Markdown alt text wins when given (``![](image:42)`` uses the library's). An id that is
not in the library shows its alt text instead, and the author is told.
"""

import re
from dataclasses import dataclass

from markdown.treeprocessors import Treeprocessor

IMAGE_SCHEME = "image:"
_MENTIONED = re.compile(r"image:([0-9]{1,12})")
_IMAGE_SRC = re.compile(r"image:([0-9]{1,12})")
MAX_IMAGES = 500
"""Ids looked up per post, at most (one query with an IN list)."""
SIZES = "(max-width: 42rem) 100vw, 42rem"
"""The text column (--measure in site.css) is at most 42rem wide."""
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class LibraryImage:
    """What a post needs of a stored image; built by the resolver, compared for caching."""

    src: str
    srcset: tuple
    """(url, width) pairs, narrowest first."""
    width: int
    height: int
    alt: str
    caption: str = ""


_resolver = None


def register_image_resolver(resolver):
    """``resolver(ids)`` -> {id: LibraryImage} for the ids that exist."""
    global _resolver
    _resolver = resolver


def mentioned_images(text):
    """The library images ``text`` may use, looked up at once: {id: LibraryImage}."""
    if _resolver is None or IMAGE_SCHEME not in text:
        return {}
    ids = []
    seen = set()
    for match in _MENTIONED.finditer(text):
        number = int(match.group(1))
        if number not in seen:
            seen.add(number)
            ids.append(number)
            if len(ids) >= MAX_IMAGES:
                break
    return dict(_resolver(ids)) if ids else {}


def _clean(text):
    return _UNWANTED.sub("", text or "").strip()


class LibraryImages(Treeprocessor):
    """``<img src="image:N">`` -> the library image (see the module's docstring).

    Reads ``md.library_images`` (set before converting) and records on
    ``md.missing_images`` the ids it could not find.
    """

    def run(self, root):
        images = getattr(self.md, "library_images", {})
        self.md.missing_images = missing = []
        parents = {child: parent for parent in root.iter() for child in parent}
        first = True
        for element in list(root.iter("img")):
            match = _IMAGE_SRC.fullmatch(element.get("src", "").strip())
            if match is None:
                continue
            number = int(match.group(1))
            image = images.get(number)
            if image is None:
                missing.append(number)
                self._as_text(element, number)
                continue
            caption = self._fill(element, image, eager=first)
            first = False
            paragraph = parents.get(element)
            if paragraph is not None and self._alone_in(paragraph, element):
                self._as_figure(paragraph, element, caption)

    @staticmethod
    def _fill(element, image, *, eager):
        """Set the image's attributes; return its caption."""
        alt = _clean(element.get("alt")) or _clean(image.alt)
        caption = _clean(element.get("title")) or _clean(image.caption)
        element.attrib.clear()
        element.set("src", image.src)
        if len(image.srcset) > 1:
            element.set("srcset", ", ".join(f"{url} {width}w" for url, width in image.srcset))
            element.set("sizes", SIZES)
        element.set("width", str(image.width))
        element.set("height", str(image.height))
        element.set("alt", alt)
        element.set("loading", "eager" if eager else "lazy")
        element.set("decoding", "async")
        return caption

    @staticmethod
    def _as_text(element, number):
        alt = _clean(element.get("alt")) or f"image {number}"
        element.attrib.clear()
        element.tag = "span"
        element.text = f"[Image: {alt}]"

    @staticmethod
    def _alone_in(paragraph, element):
        return (
            paragraph.tag == "p"
            and len(paragraph) == 1
            and not (paragraph.text or "").strip()
            and not (element.tail or "").strip()
        )

    @staticmethod
    def _as_figure(paragraph, element, caption):
        paragraph.tag = "figure"
        paragraph.text = None
        element.tail = None
        if caption:
            figcaption = paragraph.makeelement("figcaption", {})
            figcaption.text = caption
            paragraph.append(figcaption)
