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


def _megabytes(n):
    return f"{n / 1_000_000:.1f} MB"


def check_size(path: Path) -> int:
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            f"{path} is {_megabytes(size)}, more than the {_megabytes(limit)} an import "
            f"may read (setting IMPORT_MAX_BYTES). Nothing was imported."
        )
    return size


def parse_xml(path) -> Element:
    """The root element of the XML file at ``path``, or ImportFileError."""
    path = Path(path)
    check_size(path)
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
