"""Turning input files into `Article`s: pure functions on bytes, no store, no model.

Formats:
- `.txt` in the seed format: optional `key: value` header lines (title, outlet,
  url, language), then `date YYYY-MM[-DD]` and the lead on the same line, then
  paragraphs separated by blank lines. The lead is paragraph 0.
- `.jsonl`: one JSON object per line with title, url, outlet, published,
  language and text.
- `.html` / `.htm`: the main text, extracted with trafilatura.

Every problem is raised as `InputError` naming the file (and line) and the
reason, so a batch can report it and go on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from index.chunking import normalise_whitespace, split_paragraphs, split_sentences
from index.dates import PublishedDate, parse_date
from index.errors import InputError
from index.language import detect_language
from index.models import Article

__all__ = [
    "SUPPORTED_SUFFIXES",
    "ParseOptions",
    "parse_file",
    "parse_seed_text",
    "parse_jsonl_text",
    "decode_text",
    "title_from_lead",
]

SUPPORTED_SUFFIXES = (".txt", ".jsonl", ".html", ".htm")
_HEADER = re.compile(r"^\s*(title|outlet|url|language)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_DATE_LINE = re.compile(r"^\s*date\s+(\S+)(?:[ \t]+(.*))?$", re.IGNORECASE)
_TITLE_MAX = 160


@dataclass(frozen=True)
class ParseOptions:
    max_file_bytes: int = 5_000_000
    default_outlet: str = ""


def decode_text(data: bytes, source: str) -> str:
    """Bytes to text, refusing binary files and invalid UTF-8 with a precise reason."""
    if not data.strip():
        raise InputError(source, "empty file")
    if b"\x00" in data[:8192]:
        raise InputError(source, "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            source, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def title_from_lead(lead: str) -> str:
    sentences = split_sentences(lead)
    title = sentences[0] if sentences else lead
    if len(title) > _TITLE_MAX:
        title = title[: _TITLE_MAX - 1].rsplit(" ", 1)[0] + "…"
    return title


def _outlet_from_name(path: Path) -> str:
    """`nos--2020-09-27-aanval.txt` names its outlet before the double dash."""
    stem = path.stem
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
        headers[header.group(1).lower()] = header.group(2)
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
    title = normalise_whitespace(headers.get("title", "")) or title_from_lead(paragraphs[0])
    language = headers.get("language", "").lower() or detect_language(" ".join(paragraphs[:3]))
    url = headers.get("url") or None
    return Article(
        title=title,
        outlet=headers.get("outlet") or default_outlet or "unknown outlet",
        source=source,
        published=published,
        language=language,
        paragraphs=tuple(paragraphs),
        url=url,
    )


def parse_jsonl_text(text: str, *, source: str, default_outlet: str = "") -> Iterator[Article | InputError]:
    """One Article (or the InputError for that line) per non-empty line, so one bad line spoils nothing else."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source} line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(where, f"invalid JSON ({exc.msg})")
            continue
        if not isinstance(record, dict):
            yield InputError(where, "expected a JSON object")
            continue
        text_value = record.get("text")
        if not isinstance(text_value, str) or not text_value.strip():
            yield InputError(where, "missing or empty field 'text'")
            continue
        try:
            published = parse_date(str(record.get("published") or ""))
        except ValueError as exc:
            yield InputError(where, f"field 'published': {exc}")
            continue
        paragraphs = split_paragraphs(text_value)
        url = str(record.get("url") or "") or None
        yield Article(
            title=normalise_whitespace(str(record.get("title") or "")) or title_from_lead(paragraphs[0]),
            outlet=str(record.get("outlet") or "") or default_outlet or "unknown outlet",
            source=url or f"{source}#L{number}",
            published=published,
            language=str(record.get("language") or "").lower() or detect_language(" ".join(paragraphs[:3])),
            paragraphs=tuple(paragraphs),
            url=url,
        )


def _parse_html(data: bytes, *, source: str, default_outlet: str) -> Article:
    from index.feeds import extract_page

    page = extract_page(data, url=None)
    paragraphs = tuple(p for p in (normalise_whitespace(x) for x in page.paragraphs) if p)
    if not paragraphs:
        raise InputError(source, "no main text found in the HTML")
    return Article(
        title=page.title or title_from_lead(paragraphs[0]),
        outlet=default_outlet or "unknown outlet",
        source=source,
        published=page.published if page.published is not None else PublishedDate.unknown(),
        language=page.language or detect_language(" ".join(paragraphs[:3])),
        paragraphs=paragraphs,
    )


def parse_file(path: Path, options: ParseOptions | None = None) -> list[Article | InputError]:
    """All articles in one file; problems come back as InputError values, not raised.

    The source name is the file name: moving the corpus folder must not turn
    every article into a new one.
    """
    options = options or ParseOptions()
    source = path.name
    suffix = path.suffix.lower()
    try:
        if suffix not in SUPPORTED_SUFFIXES:
            raise InputError(source, f"unsupported file type {suffix or '(none)'!r}; expected .txt, .jsonl or .html")
        size = path.stat().st_size
        if size > options.max_file_bytes:
            raise InputError(
                source, f"file is {size} bytes, over the limit of {options.max_file_bytes} (ingest.max_file_bytes)"
            )
        data = path.read_bytes()
        outlet = _outlet_from_name(path) or options.default_outlet
        if suffix in (".html", ".htm"):
            if not data.strip():
                raise InputError(source, "empty file")
            return [_parse_html(data, source=source, default_outlet=outlet)]
        text = decode_text(data, source)
        if suffix == ".jsonl":
            return list(parse_jsonl_text(text, source=source, default_outlet=outlet))
        return [parse_seed_text(text, source=source, default_outlet=outlet)]
    except InputError as exc:
        return [exc]
    except OSError as exc:
        return [InputError(source, f"cannot read file ({exc.strerror or exc})")]
