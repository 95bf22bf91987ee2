"""Turning input files into `Article`s: pure functions on bytes, no store, no model.

Formats:
- `.txt` in the seed format: optional `key: value` header lines (title, outlet,
  url, language), then `date YYYY-MM[-DD]` and the lead on the same line, then
  paragraphs separated by blank lines. The lead is paragraph 0.
- `.jsonl`: one JSON object per line with title, url, outlet, published,
  language and text, all strings.
- `.html` / `.htm`: the main text, extracted with trafilatura.

Every problem is raised as `InputError` naming the file (and line) and the
reason, so a batch can report it and go on; `parse_file` turns even an
unexpected parser failure into such an error, so one file never costs the
others. Every article is built by `index.article_building`, under the same
rules as feed entries.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from index.errors import InputError
from index.input.article_building import build_article
from index.input.chunking import split_paragraphs
from index.input.dates import PublishedDate, parse_date
from index.input.input_files import read_regular_file, shown_path
from index.input.pages import extract_page
from index.input.text_cleaning import printable_name
from index.models import Article

__all__ = [
    "SUPPORTED_SUFFIXES",
    "ParseOptions",
    "parse_file",
    "parse_seed_text",
    "parse_jsonl_text",
    "decode_text",
]

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".jsonl", ".html", ".htm")
_HEADER = re.compile(r"^\s*(title|outlet|url|language)\s*:(.*)$", re.IGNORECASE)
_DATE_LINE = re.compile(r"^\s*date\s+(\S+)(?:[ \t]+(.*))?$", re.IGNORECASE)
_JSONL_FIELDS = ("title", "url", "outlet", "published", "language", "text")
MAX_LINE_ERRORS = 10
"""Bad JSON Lines reported one by one per file; the rest are counted in one more line."""


@dataclass(frozen=True)
class ParseOptions:
    max_file_bytes: int = 5_000_000
    default_outlet: str = ""


def decode_text(data: bytes, source: str, *, allow_nul: bool = False) -> str:
    """Bytes to text, refusing binary files and invalid UTF-8 with a precise reason."""
    if not data.strip():
        raise InputError(source, "empty file")
    if not allow_nul and b"\x00" in data[:8192]:
        raise InputError(source, "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            source, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def _outlet_from_name(name: str) -> str:
    """`nos--2020-09-27-aanval.txt` names its outlet before the double dash."""
    stem = name.rsplit(".", 1)[0]
    if "--" in stem:
        return stem.split("--", 1)[0].replace("-", " ").replace("_", " ").strip()
    return ""


def parse_seed_text(text: str, *, source: str, default_outlet: str = "") -> Article:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    headers: dict[str, str] = {}
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    while index < len(lines):
        header = _HEADER.match(lines[index])
        if not header:
            break
        headers[header.group(1).lower()] = header.group(2).strip()
        index += 1
    if index >= len(lines):
        raise InputError(source, "no 'date YYYY-MM[-DD]' line found")
    date_line = _DATE_LINE.match(lines[index])
    if not date_line:
        shown = lines[index].strip()[:40]
        raise InputError(source, f"first line must start with 'date YYYY-MM' or 'date YYYY-MM-DD', got {shown!r}")
    try:
        published = parse_date(date_line.group(1))
    except ValueError as exc:
        raise InputError(source, str(exc)) from None
    body = "\n".join([date_line.group(2) or "", *lines[index + 1 :]])
    paragraphs = split_paragraphs(body)
    if not paragraphs:
        raise InputError(source, "the article has a date but no text")
    return build_article(
        where=source,
        title=headers.get("title", ""),
        outlet=headers.get("outlet") or default_outlet,
        source=source,
        published=published,
        language=headers.get("language", ""),
        paragraphs=paragraphs,
        url=headers.get("url") or None,
    )


def _jsonl_record(line: str, where: str) -> dict[str, str]:
    """The line's fields as strings (absent or null fields as ""), or an InputError naming the field."""
    if "\x00" in line:
        raise InputError(where, "contains NUL bytes")
    try:
        record = json.loads(line)
    except RecursionError:
        raise InputError(where, "invalid JSON (nested too deeply)") from None
    except ValueError as exc:  # JSONDecodeError, and integers too long to convert
        raise InputError(where, f"invalid JSON ({getattr(exc, 'msg', exc)})") from None
    if not isinstance(record, dict):
        raise InputError(where, "expected a JSON object")
    fields: dict[str, str] = {}
    for name in _JSONL_FIELDS:
        value = record.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            kind = {bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "an object"}
            raise InputError(where, f"field {name!r} must be a string, not {kind.get(type(value), 'another type')}")
        fields[name] = value
    return fields


def _jsonl_article(line: str, where: str, *, source: str, number: int, default_outlet: str) -> Article:
    fields = _jsonl_record(line, where)
    if not fields["text"].strip():
        raise InputError(where, "missing or empty field 'text'")
    try:
        published = parse_date(fields["published"])
    except ValueError as exc:
        raise InputError(where, f"field 'published': {exc}") from None
    url = fields["url"].strip() or None
    return build_article(
        where=where,
        title=fields["title"],
        outlet=fields["outlet"] or default_outlet,
        source=url or f"{source}#L{number}",
        published=published,
        language=fields["language"],
        paragraphs=split_paragraphs(fields["text"]),
        url=url,
    )


def parse_jsonl_text(text: str, *, source: str, default_outlet: str = "") -> Iterator[Article | InputError]:
    """One Article (or the InputError for that line) per non-empty line, so one bad line spoils nothing else.

    Lines end at "\\n" only: JSON strings may hold U+2028 and other characters
    that `str.splitlines` would also split at.
    """
    bad_lines = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{source} line {number}"
        try:
            yield _jsonl_article(line, where, source=source, number=number, default_outlet=default_outlet)
        except InputError as exc:
            bad_lines += 1
            if bad_lines <= MAX_LINE_ERRORS:
                yield exc
    if bad_lines > MAX_LINE_ERRORS:
        yield InputError(source, f"{bad_lines - MAX_LINE_ERRORS} more lines with errors (the first "
                                 f"{MAX_LINE_ERRORS} are listed)")


def _parse_html(data: bytes, *, source: str, default_outlet: str) -> Article:
    try:
        page = extract_page(data, url=None)
    except InputError as exc:
        raise InputError(source, exc.reason) from None
    return build_article(
        where=source,
        title=page.title,
        outlet=default_outlet,
        source=source,
        published=page.published if page.published is not None else PublishedDate.unknown(),
        language=page.language or "",
        paragraphs=page.paragraphs,
    )


def parse_file(path: Path, options: ParseOptions | None = None) -> list[Article | InputError]:
    """All articles in one file; problems come back as InputError values, not raised.

    The source name is the file name: moving the corpus folder must not turn
    every article into a new one.
    """
    options = options or ParseOptions()
    source = printable_name(path.name)
    suffix = path.suffix.lower()
    try:
        if suffix not in SUPPORTED_SUFFIXES:
            raise InputError(source, f"unsupported file type {suffix or '(none)'!r}; expected .txt, .jsonl or .html")
        data = read_regular_file(path, options.max_file_bytes, source)
        outlet = _outlet_from_name(source) or options.default_outlet
        if suffix in (".html", ".htm"):
            if not data.strip():
                raise InputError(source, "empty file")
            return [_parse_html(data, source=source, default_outlet=outlet)]
        if suffix == ".jsonl":
            text = decode_text(data, source, allow_nul=True)
            return list(parse_jsonl_text(text, source=source, default_outlet=outlet))
        return [parse_seed_text(decode_text(data, source), source=source, default_outlet=outlet)]
    except InputError as exc:
        return [exc]
    except Exception as exc:
        # A parser library failing on a pathological document (deeply nested HTML, say) is this
        # file's problem: the batch goes on. The detail is for a bug report, not for the summary.
        log.debug("parsing %s failed", shown_path(path), exc_info=True)
        return [InputError(source, f"could not be parsed ({type(exc).__name__})")]
