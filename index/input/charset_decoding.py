"""Bytes of a feed or web page to text, whatever charset it declares or fails to declare.

Used for feeds and watched pages fetched from the web and for `.html` files
ingested from disk: the same rules for both, so a page reads the same either way.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence

__all__ = ["decode_markup", "xml_declared_encoding", "html_declared_charset"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_DECL_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
_WINDOWS_1252 = "cp1252"
_LEGACY_LATIN = frozenset({"iso8859-1", "ascii", "latin-1", _WINDOWS_1252})
_C1_AS_WINDOWS_1252 = {
    code: (bytes([code]).decode(_WINDOWS_1252, errors="ignore") or chr(code)) for code in range(0x80, 0xA0)
}


def _codec_name(label: str | None) -> str | None:
    """Python's codec for an HTTP/XML charset label; Latin-1 and ASCII labels mean windows-1252.

    Browsers (WHATWG Encoding Standard) read ISO-8859-1 as windows-1252, because
    servers that say Latin-1 routinely send „curly quotes“ and € from 0x80-0x9F.
    """
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return _WINDOWS_1252 if name in _LEGACY_LATIN else name


def _decode_windows_1252(data: bytes) -> str:
    """windows-1252 that never fails: the five bytes it leaves undefined become C1 controls, as in browsers."""
    return data.decode("latin-1").translate(_C1_AS_WINDOWS_1252)


def decode_markup(data: bytes, declared: Sequence[str | None] = ()) -> str:
    """Bytes of a feed or page to text.

    Order: a byte-order mark; then valid UTF-8, which wins over any single-byte
    label because legacy text with accents is almost never valid UTF-8 while
    servers that label UTF-8 as ISO-8859-1 are common; then the declared
    charsets in the order given (HTTP before the document's own); then
    windows-1252, which decodes anything.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    codecs_declared = [c for c in (_codec_name(label) for label in declared) if c]
    wide = [c for c in codecs_declared if c.startswith(("utf-16", "utf-32"))]
    for codec in wide:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for codec in codecs_declared:
        if codec == _WINDOWS_1252:
            return _decode_windows_1252(data)
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return _decode_windows_1252(data)


def xml_declared_encoding(data: bytes) -> str | None:
    match = _XML_DECL_ENCODING.match(data[:1024])
    return match.group(1).decode("ascii") if match else None


def html_declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None
