"""Cached pages sent gzip-compressed to the browsers that ask, compressed once when stored.

A cached page is the same bytes for everyone except its placeholders (the CSRF token, the
single-use comment token...), filled for each request. Compressing the whole page again on
every hit would cost more than serving it (about 2 ms for a 140 KB thread); so the page is
compressed once, at store time, in pieces:

- each stored piece of the page is deflated and ended with a full flush (``Z_FULL_FLUSH``):
  the output ends on a byte boundary and no later piece refers back to anything before it;
- each placeholder's value is sent as a *stored* (uncompressed) deflate block, put between
  the pieces at each request (RFC 1951, 3.2.4: a byte ``00``, the length, its complement,
  the bytes);
- the gzip trailer's CRC-32 of the whole page is combined from the pieces' CRCs (stored)
  and the values' (computed at each request, a few dozen bytes), as zlib's
  ``crc32_combine`` does: appending ``n`` bytes to a CRC is a fixed linear map of its 32
  bits, kept per piece as four 256-entry tables (built once per process and length).

So a hit costs a join of about a tenth of the bytes, and a few table look-ups.

Secrets are never compressed: a placeholder's value (the CSRF token) sits in a stored block,
so the compressed length reveals nothing about it (the BREACH attack needs a secret inside
the compressed data; the rest of a cached page is the same for every visitor).
"""

import re
import struct
import zlib
from functools import lru_cache

LEVEL = 6  # zlib's default: a 140 KB thread in ~2 ms, once per stored page
MIN_BYTES = 200  # smaller pages are sent as they are (as Django's GZipMiddleware does)
_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # gzip, deflate, no name, no mtime
_POLY = 0xEDB88320  # CRC-32, reflected
_STORED_MAX = 0xFFFF
_QUALITY = re.compile(r"^\s*q\s*=\s*([0-9.]+)\s*$", re.IGNORECASE)


@lru_cache(maxsize=256)
def accepts_gzip(accept_encoding):
    """True if an ``Accept-Encoding`` header value allows gzip (RFC 9110, 12.5.3): ``gzip``
    (or ``x-gzip``, or ``*`` if gzip is not named) with a quality above 0."""
    wildcard = False
    for item in accept_encoding.split(","):
        name, _, parameters = item.partition(";")
        name = name.strip().lower()
        if name not in ("gzip", "x-gzip", "*"):
            continue
        quality = 1.0
        for parameter in parameters.split(";"):
            match = _QUALITY.match(parameter)
            if match:
                try:
                    quality = float(match.group(1))
                except ValueError:
                    quality = 0.0
        if name == "*":
            wildcard = quality > 0
        else:
            return quality > 0
    return wildcard


def wants_gzip(request):
    return accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", ""))


def _multiply(a, b):
    """a × b modulo the CRC-32 polynomial (zlib's ``multmodp``), both reflected."""
    product, bit = 0, 1 << 31
    while True:
        if a & bit:
            product ^= b
            if a & (bit - 1) == 0:
                return product
        bit >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1


def _powers_of_two():
    powers = [1 << 30]  # x^1
    for _ in range(31):
        powers.append(_multiply(powers[-1], powers[-1]))
    return powers


_X_TO_2_TO_THE = _powers_of_two()  # x^(2^k) modulo the polynomial, k = 0..31


def _x_to_the_bits_of(length):
    """x^(8 × length) modulo the polynomial: what appending ``length`` bytes multiplies by."""
    result, k, n = 1 << 31, 3, length
    while n:
        if n & 1:
            result = _multiply(_X_TO_2_TO_THE[k & 31], result)
        n >>= 1
        k += 1
    return result


@lru_cache(maxsize=1024)
def _shift_tables(length):
    """Four 256-entry tables: the CRC ``c`` of some bytes, moved past ``length`` more bytes,
    is the XOR of the four tables at ``c``'s four bytes (a linear map, tabulated)."""
    operator = _x_to_the_bits_of(length)
    basis = [_multiply(operator, 1 << bit) for bit in range(32)]
    tables = []
    for byte in range(4):
        table = [0] * 256
        for value in range(1, 256):
            low = value & -value
            table[value] = table[value ^ low] ^ basis[8 * byte + low.bit_length() - 1]
        tables.append(tuple(table))
    return tuple(tables)


def crc32_combine(crc1, crc2, length2):
    """The CRC-32 of A + B from A's (``crc1``), B's (``crc2``) and B's length (zlib's)."""
    t0, t1, t2, t3 = _shift_tables(length2)
    return (
        t0[crc1 & 0xFF] ^ t1[(crc1 >> 8) & 0xFF] ^ t2[(crc1 >> 16) & 0xFF] ^ t3[crc1 >> 24]
    ) ^ crc2


def stored_blocks(value):
    """``value`` as non-final stored deflate blocks (the stream is on a byte boundary)."""
    blocks = []
    for start in range(0, len(value), _STORED_MAX):
        piece = value[start : start + _STORED_MAX]
        blocks.append(b"\x00" + struct.pack("<HH", len(piece), len(piece) ^ 0xFFFF) + piece)
    return b"".join(blocks)


class GzipPage:
    """A page's pieces deflated once; ``body(values)`` is the gzip member for a request
    whose placeholders were filled with ``values`` (bytes, in the page's order)."""

    __slots__ = ("pieces", "crcs", "lengths")

    def __init__(self, pieces):
        """``pieces``: the page's stored bytes between its placeholders (one more than
        there are placeholders)."""
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS, 9)
        deflated = []
        for piece in pieces[:-1]:
            deflated.append(compressor.compress(piece) + compressor.flush(zlib.Z_FULL_FLUSH))
        deflated.append(compressor.compress(pieces[-1]) + compressor.flush(zlib.Z_FINISH))
        self.pieces = tuple(deflated)
        self.crcs = tuple(zlib.crc32(piece) for piece in pieces)
        self.lengths = tuple(len(piece) for piece in pieces)

    @property
    def size(self):
        """Bytes kept (the compressed pieces)."""
        return sum(len(piece) for piece in self.pieces)

    def inflate(self, n):
        """Piece ``n`` uncompressed: each piece decompresses alone, since none refers back
        past the full flush before it."""
        return zlib.decompressobj(-zlib.MAX_WBITS).decompress(self.pieces[n])

    def body(self, values=()):
        pieces, crcs, lengths = self.pieces, self.crcs, self.lengths
        parts = [_HEADER, pieces[0]]
        crc, size = crcs[0], lengths[0]
        for n, value in enumerate(values, start=1):
            if value:
                parts.append(stored_blocks(value))
                crc = zlib.crc32(value, crc)
                size += len(value)
            parts.append(pieces[n])
            crc = crc32_combine(crc, crcs[n], lengths[n])
            size += lengths[n]
        parts.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(parts)
