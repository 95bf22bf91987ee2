"""Characters no article may carry into the archive, the terminal or Discord.

Titles, outlets and paragraphs come from files and feeds that anyone can
write. Terminal escape sequences (`ESC[2J` clears the screen of whoever runs
`newsbot ask`), other control characters, bidirectional overrides (which make
text read differently from how it is stored) and lone surrogates (valid in a
JSON string, refused by SQLite's UTF-8 encoder) are removed on the way in, so
everything downstream can treat article text as plain, printable text.
"""

from __future__ import annotations

import re

from index.input.chunking import normalise_whitespace

__all__ = ["clean_text", "clean_label", "bounded_label", "printable_name", "without_non_xml"]

_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor movement, screen clearing
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x1b[@-Z\\-_]"  # two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # CSI in its one-byte C1 form
)
_WHITESPACE_CONTROLS = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85"
_REMOVED = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f"  # control characters that are not whitespace
    "\u202a-\u202e\u2066-\u2069"  # bidirectional embeddings, overrides and isolates
    "\ufeff]"  # a byte-order mark inside text
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\u061c\u180e]")
"""Zero-width spaces and joiners, direction marks, invisible operators: in a name they make two names that
look alike differ, or hide where a name ends."""
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """`text` without escape sequences, control characters (whitespace ones kept) and bidi overrides."""
    if text.isprintable():
        return text
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _REMOVED.sub("", text)
    return _SURROGATE.sub("\ufffd", text)


def clean_label(text: str) -> str:
    """A title, outlet, source name or followed topic: clean text on one line, whitespace collapsed, without
    invisible characters."""
    return normalise_whitespace(_INVISIBLE.sub("", clean_text(text)))


def bounded_label(text: str, limit: int) -> str:
    """`clean_label(text)`, cut at a word with "…" when longer than `limit` characters."""
    label = clean_label(text)
    if len(label) <= limit:
        return label
    return label[: limit - 1].rsplit(" ", 1)[0] + "…"


def printable_name(name: str) -> str:
    """A file name as it can be stored and shown: undecodable bytes and control characters as escapes.

    File names are bytes on POSIX; Python hands undecodable ones over as lone
    surrogates, which SQLite refuses and a terminal garbles. `caf\\xe9.txt`
    stays distinct from every other name, and printing it cannot move the cursor.
    """
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that no file system produced
        raw = name.encode("utf-8", "backslashreplace")
    decoded = raw.decode("utf-8", "backslashreplace")
    if decoded.isprintable():
        return decoded
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in decoded)


def without_non_xml(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold, which lxml refuses to parse (HTML from anywhere)."""
    return _NOT_XML.sub("", text)
