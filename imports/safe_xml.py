"""Reading an export file as XML without letting it attack the importer.

defusedxml refuses DTDs, entity declarations (so no "billion laughs") and external
entities; the size cap is checked from the file's metadata before a byte is read, so a
500 MB file is refused at once. Every refusal is an ``ImportFileError`` with a message a
person can act on (for malformed XML: the line and column).
"""

from __future__ import annotations

import os
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml import ElementTree as SafeElementTree
from django.conf import settings


class ImportFileError(Exception):
    """The file cannot be imported at all; nothing was changed."""


NOTHING = "Nothing was imported."
# The first bytes of files people pick by mistake, and what to call them.
NOT_XML_STARTS = (
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (unzip it and import the .xml file inside)"),
    (b"\x1f\x8b", "a gzip archive (unpack it and import the .xml file inside)"),
    (b"{", "JSON (a Ghost export, perhaps: Trialpress reads Blogger and WordPress files)"),
    (b"[", "JSON (Trialpress reads Blogger and WordPress files)"),
)


def readable_size(n):
    """1 234 567 -> "1.2 MB"; small sizes in bytes or kB, never "0.0 MB"."""
    if n < 1_000:
        return f"{n} byte" + ("" if n == 1 else "s")
    for unit, scale in (("kB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000)):
        if n < scale * 1_000 or unit == "GB":
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"  # pragma: no cover (the loop always returns)


def check_size(path: Path) -> int:
    if path.is_dir():
        raise ImportFileError(f"{path} is a folder: give the export file itself. {NOTHING}")
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}. {NOTHING}") from None
    if size == 0:
        raise ImportFileError(f"{path} is empty (0 bytes): export the blog again. {NOTHING}")
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            f"{path} is {readable_size(size)}, more than the {readable_size(limit)} an import "
            f"may read (setting IMPORT_MAX_BYTES). {NOTHING}"
        )
    return size


def check_looks_like_xml(path: Path):
    """A file that does not start like XML is named for what it seems to be."""
    try:
        with path.open("rb") as file:
            start = file.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}. {NOTHING}") from None
    if start.startswith(b"<") or start.startswith((b"\xff\xfe", b"\xfe\xff")):
        return
    seems = next((name for magic, name in NOT_XML_STARTS if start.startswith(magic)), "")
    raise ImportFileError(
        f"{path} is not XML" + (f": it looks like {seems}" if seems else "") + ". Blogger "
        "backups and WordPress exports are .xml files. " + NOTHING
    )


def parse_xml(path) -> Element:
    """The root element of the XML file at ``path``, or ImportFileError."""
    path = Path(path)
    check_size(path)
    check_looks_like_xml(path)
    try:
        tree = SafeElementTree.parse(
            str(path), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DTDForbidden:
        raise ImportFileError(
            f"{path} declares a DTD (<!DOCTYPE ...>), which exports never need and which "
            "can hide an attack; it was not read. Nothing was imported."
        ) from None
    except EntitiesForbidden:
        raise ImportFileError(
            f"{path} declares XML entities (a way to make a small file expand to gigabytes); "
            "it was not read. Nothing was imported."
        ) from None
    except ExternalReferenceForbidden:
        raise ImportFileError(
            f"{path} refers to an external file or address (an external entity); it was "
            "not read. Nothing was imported."
        ) from None
    except DefusedXmlException as exc:
        raise ImportFileError(f"{path} was refused: {exc}. Nothing was imported.") from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise ImportFileError(
            f"{path} is not well-formed XML: {_reason(exc)} at line {line}, column {column + 1}. "
            "Nothing was imported."
        ) from None
    except (OSError, UnicodeError) as exc:
        raise ImportFileError(f"Cannot read {path}: {exc}. Nothing was imported.") from None
    return tree.getroot()


def _reason(exc):
    """expat's message without its own ': line 3, column 4' tail."""
    text = str(exc)
    return text.split(": line ", 1)[0]
