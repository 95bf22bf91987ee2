"""Feeds and article pages to `Article`s: pure functions on bytes.

Nothing here touches the network or the file system. feedparser is only ever
given a byte stream (given a str or bytes it would fetch a URL or open a local
file named by the body), and trafilatura only an HTML string.

Feed bytes are hostile input. feedparser 6.0.14 expands internal DTD entities
in its lenient parser even after the strict parser rejected the document for
entity amplification: a 1.2 MB feed whose one 1 MB entity is referenced 2,000
times took 89 s and 2 GB. Two layers stop that and whatever else a parser can
be made to do:

1. `strip_dtd` removes every DOCTYPE (with its internal subset) and ENTITY
   declaration before parsing, in linear time, so no custom entity exists;
2. feedparser runs in a short-lived child process with an address-space and
   CPU rlimit and a wall-clock timeout (`FeedParseLimits`), so an unknown
   parser blow-up costs one poll, not the bot.

The child costs about 0.25 s per feed, which a poll every few minutes affords.
"""

from __future__ import annotations

import codecs
import json
import logging
import math
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime

import lxml.etree
import lxml.html

from index.article_building import build_article, latest_plausible_date
from index.chunking import normalise_whitespace, split_paragraphs
from index.dates import PublishedDate, parse_date
from index.errors import InputError
from index.models import Article
from index.urls import canonical_url, web_url_problem

__all__ = [
    "FeedParseLimits",
    "FeedEntry",
    "ParsedFeed",
    "ExtractedPage",
    "parse_feed",
    "extract_page",
    "entry_to_article",
    "page_to_article",
    "needs_page",
    "canonical_url",
    "strip_dtd",
    "decode_markup",
    "html_to_text",
    "SHORT_SUMMARY_CHARS",
    "MIN_PAGE_TEXT_CHARS",
]

log = logging.getLogger(__name__)

SHORT_SUMMARY_CHARS = 600
"""A summary shorter than this (and no full content) is a teaser: the article page is worth fetching."""

MIN_PAGE_TEXT_CHARS = 80
"""Less main text than this is a navigation stub, cookie wall or paywall teaser, not an article."""


# --- data -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedParseLimits:
    """Bounds on the feed-parsing child process.

    The CPU budget grows with the feed (a 10,000-item, 2 MB feed takes feedparser
    2 to 4 CPU seconds); the wall-clock limit is twice that, so a machine whose
    cores are busy elsewhere slows a legitimate feed down without failing it,
    while the CPU limit still bounds what a hostile one can cost.
    """

    timeout_s: float = 15.0
    """CPU seconds for any feed, and half the wall-clock limit, before the allowance per megabyte."""
    seconds_per_megabyte: float = 5.0
    memory_bytes: int = 512 * 1024 * 1024
    """Address-space cap; a legitimate 4.5 MB feed peaks under 60 MB resident."""

    def cpu_seconds(self, size: int) -> float:
        return self.timeout_s + self.seconds_per_megabyte * size / 1_000_000

    def wall_seconds(self, size: int) -> float:
        return 2 * self.cpu_seconds(size)


@dataclass(frozen=True)
class FeedEntry:
    url: str
    """Canonical article URL (see `canonical_url`): the key the article is stored under."""
    title: str
    published: PublishedDate
    summary_text: str
    """The entry's summary as plain text, paragraphs separated by blank lines."""
    content_text: str
    """The full text when the feed carries it (clearly longer than the summary), else ""."""
    guid: str


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    entries: list[FeedEntry]
    problem: str = ""
    """Why the feed was only parsed leniently (malformed XML), for the logs; "" when it was well-formed."""


@dataclass(frozen=True)
class ExtractedPage:
    title: str
    paragraphs: tuple[str, ...]
    published: PublishedDate
    language: str | None


# --- decoding ---------------------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_DECL_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]{0,300}?\?>")
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


def _xml_declared_encoding(data: bytes) -> str | None:
    match = _XML_DECL_ENCODING.match(data[:1024])
    return match.group(1).decode("ascii") if match else None


def _html_declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


# --- DTD stripping ----------------------------------------------------------------------------------------------

_DECLARATION_START = re.compile(r"<!(?:DOCTYPE|ENTITY)\b", re.IGNORECASE)
_DECLARATION_TOKEN = re.compile(r"""["'\[\]>]|<!--""")


def _declaration_end(text: str, position: int) -> int:
    """Index just past the declaration whose body starts at `position` (the end of text if unterminated).

    Skips quoted strings and comments and counts brackets, so a `>` inside an
    internal subset or an entity value does not end the DOCTYPE early. Every
    step moves forward: linear time whatever the input.
    """
    depth = 0
    while True:
        match = _DECLARATION_TOKEN.search(text, position)
        if match is None:
            return len(text)
        token = match.group()
        if token in ('"', "'", "<!--"):
            close = text.find("-->" if token == "<!--" else token, match.end())
            if close < 0:
                return len(text)
            position = close + (3 if token == "<!--" else 1)
        elif token == "[":
            depth += 1
            position = match.end()
        elif token == "]":
            depth = max(0, depth - 1)
            position = match.end()
        elif depth == 0:
            return match.end()
        else:
            position = match.end()


def strip_dtd(text: str) -> str:
    """The document without any DOCTYPE (internal subset included) or ENTITY declaration.

    Feeds have no use for a DTD, and without one no custom entity can be
    defined, so nothing can expand. References to removed entities stay as
    literal text.
    """
    pieces: list[str] = []
    position = 0
    while True:
        match = _DECLARATION_START.search(text, position)
        if match is None:
            pieces.append(text[position:])
            return "".join(pieces)
        pieces.append(text[position:match.start()])
        position = _declaration_end(text, match.end())


# --- HTML to text -----------------------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr li "
    "main nav ol p pre section table td th tr ul".split()
)
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object"})
_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BLANK_LINE = re.compile(r"\n\s*\n")


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment, a blank line between block elements (so paragraphs survive)."""
    html = _NOT_XML_CHARS.sub("", html)
    if "<" not in html and "&" not in html:
        return _join_paragraphs(_BLANK_LINE.split(html))
    try:
        root = lxml.html.fromstring(f"<div>{html}</div>")
    except (lxml.etree.ParserError, ValueError):
        return _join_paragraphs([html])
    lxml.etree.strip_elements(
        root, lxml.etree.Comment, lxml.etree.ProcessingInstruction, *_SKIPPED_TAGS, with_tail=False
    )
    pieces: list[str] = []
    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        block = element.tag in _BLOCK_TAGS
        if event == "start":
            pieces.append("\n\n" if block else "\n" if element.tag == "br" else "")
            pieces.append(element.text or "")
        else:
            pieces.append("\n\n" if block else "")
            if element is not root:
                pieces.append(element.tail or "")
    return _join_paragraphs(_BLANK_LINE.split("".join(pieces)))


def _join_paragraphs(blocks: Iterable[str]) -> str:
    return "\n\n".join(p for p in (normalise_whitespace(b) for b in blocks) if p)


# --- feeds ------------------------------------------------------------------------------------------------------

_WORKER_SOURCE = r'''
import io, json, sys

def limit(memory, cpu_seconds):
    try:
        import resource
    except ImportError:  # not POSIX: only the parent's timeout applies
        return
    for which, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, cpu_seconds)):
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, hard))

def day(parsed):
    return list(parsed[:3]) if parsed else None

def detail(entry, key):
    value = entry.get(key + "_detail") or {}
    return {"value": value.get("value") or "", "type": value.get("type") or ""}

def main():
    limit(int(sys.argv[1]), int(sys.argv[2]))
    import feedparser
    parsed = feedparser.parse(
        io.BytesIO(sys.stdin.buffer.read()),
        response_headers={"content-type": "application/xml; charset=utf-8", "content-location": sys.argv[3]},
    )
    entries = []
    for entry in parsed.entries:
        entries.append({
            "link": entry.get("link") or "",
            "id": entry.get("id") or "",
            "title": detail(entry, "title"),
            "summary": detail(entry, "summary"),
            "content": [
                {"value": c.get("value") or "", "type": c.get("type") or ""} for c in entry.get("content") or []
            ],
            "published": entry.get("published") or "",
            "published_day": day(entry.get("published_parsed")),
            "updated": entry.get("updated") or "",
            "updated_day": day(entry.get("updated_parsed")),
        })
    problem = ""
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        problem = f"{type(exc).__name__}: {exc}" if exc is not None else "malformed feed"
    json.dump({"title": detail(parsed.feed, "title"), "entries": entries, "problem": problem}, sys.stdout)

main()
'''


def parse_feed(
    body: bytes,
    *,
    base_url: str,
    max_entries: int = 200,
    http_charset: str | None = None,
    limits: FeedParseLimits | None = None,
) -> ParsedFeed:
    """RSS, Atom or RDF bytes to entries, canonical URLs deduplicated, at most `max_entries`.

    A malformed feed still yields whatever entries the lenient parser found;
    one with none raises InputError naming `base_url`.
    """
    if not body.strip():
        raise InputError(base_url, "empty feed")
    text = decode_markup(body, (http_charset, _xml_declared_encoding(body)))
    text = strip_dtd(_XML_DECL.sub("", text, count=1))
    raw = _run_feedparser(text.encode("utf-8"), base_url=base_url, limits=limits or FeedParseLimits())
    problem = str(raw.get("problem") or "")
    entries = _entries(raw.get("entries") or [], base_url=base_url, max_entries=max_entries)
    if not entries:
        reason = f"not a feed or a broken one ({problem})" if problem else "the feed has no entries with a link"
        raise InputError(base_url, reason)
    if problem:
        log.info("%s: malformed feed, %d entries parsed leniently (%s)", base_url, len(entries), problem)
    return ParsedFeed(title=_text_of(raw.get("title")), entries=entries, problem=problem)


def _run_feedparser(data: bytes, *, base_url: str, limits: FeedParseLimits) -> dict[str, object]:
    """feedparser's findings as plain JSON, from a child process that cannot outgrow its limits.

    The child is a fresh interpreter in isolated mode (-I): it imports only
    feedparser, not this project (whose package imports FAISS and numpy).
    """
    cpu_seconds = max(1, math.ceil(limits.cpu_seconds(len(data))))
    wall_seconds = limits.wall_seconds(len(data))
    command = [sys.executable, "-I", "-c", _WORKER_SOURCE, str(limits.memory_bytes), str(cpu_seconds), base_url]
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=wall_seconds, check=False)
    except subprocess.TimeoutExpired:
        raise InputError(base_url, f"feed parsing took longer than {wall_seconds:.3g} s") from None
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace")
        if "MemoryError" in stderr or "Cannot allocate memory" in stderr:
            reason = f"feed parsing needed more than {limits.memory_bytes // 2**20} MB"
        elif done.returncode < 0:
            reason = f"feed parser killed by signal {-done.returncode} (CPU limit {cpu_seconds} s?)"
        else:
            last = stderr.strip().splitlines()[-1:] or ["no message"]
            reason = f"feed parser failed ({last[0][:200]})"
        raise InputError(base_url, reason)
    try:
        result = json.loads(done.stdout)
    except ValueError as exc:
        raise InputError(base_url, f"feed parser output unreadable ({exc})") from None
    if not isinstance(result, dict):
        raise InputError(base_url, "feed parser output unreadable")
    return result


def _text_of(field: object) -> str:
    """Plain text of a feedparser text construct ({"value", "type"}), unescaping HTML ones."""
    if not isinstance(field, dict):
        return ""
    value = str(field.get("value") or "")
    kind = str(field.get("type") or "")
    if "html" in kind:
        return html_to_text(value)
    return _join_paragraphs(_BLANK_LINE.split(value))


def _entries(raw_entries: object, *, base_url: str, max_entries: int) -> list[FeedEntry]:
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    if not isinstance(raw_entries, list):
        return entries
    for raw in raw_entries:
        if len(entries) >= max_entries:
            break
        if not isinstance(raw, dict):
            continue
        entry = _entry(raw, base_url=base_url)
        if entry is None or entry.url in seen:
            continue
        seen.add(entry.url)
        entries.append(entry)
    return entries


def _entry(raw: dict[str, object], *, base_url: str) -> FeedEntry | None:
    link = str(raw.get("link") or "")
    guid = str(raw.get("id") or "")
    if not link and guid.startswith(("http://", "https://")):
        link = guid
    if not link:
        return None
    try:
        url = canonical_url(link, base=base_url)
    except ValueError:
        url = link
    problem = web_url_problem(url)
    if problem is not None:
        log.debug("%s: skipping entry with an unusable link %r (%s)", base_url, link[:200], problem)
        return None
    summary = raw.get("summary")
    summary_text = _text_of(summary)
    raw_content = raw.get("content")
    contents = raw_content if isinstance(raw_content, list) else []
    content_text = "\n\n".join(t for t in (_text_of(c) for c in contents) if t)
    declared_summary = isinstance(summary, dict) and bool(summary.get("type"))
    if not summary_text:
        summary_text = content_text  # what feedparser itself shows when there is no summary
    if declared_summary and not _clearly_longer(content_text, summary_text):
        content_text = ""
    title = _text_of(raw.get("title"))
    return FeedEntry(
        url=url,
        title=title,
        published=_entry_date(raw),
        summary_text=summary_text,
        content_text=content_text,
        guid=guid or url,
    )


def _clearly_longer(content: str, summary: str) -> bool:
    """Full text rather than the summary again: a quarter and 200 characters longer at least."""
    return len(content) >= len(summary) * 1.25 + 200 if summary else bool(content)


def _entry_date(raw: dict[str, object]) -> PublishedDate:
    """The date as the outlet wrote it (its own time zone), falling back to feedparser's UTC reading."""
    for text_key, day_key in (("published", "published_day"), ("updated", "updated_day")):
        local = _local_date(str(raw.get(text_key) or ""))
        if local is not None:
            return PublishedDate.day(local)
        parts = raw.get(day_key)
        if isinstance(parts, list) and len(parts) == 3:
            try:
                return PublishedDate.day(date(int(parts[0]), int(parts[1]), int(parts[2])))
            except (TypeError, ValueError):
                continue
    return PublishedDate.unknown()


def _local_date(text: str) -> date | None:
    """Date of an RFC 822 (RSS) or RFC 3339 (Atom) timestamp in its own offset, not converted to UTC.

    A story dated 01:30 in Yerevan (UTC+4) belongs to that day, not the day before.
    """
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


# --- entries and pages to articles ------------------------------------------------------------------------------

_TRUNCATION_MARKS = ("…", "...", "[…]", "[...]", "read more", "continue reading", "lees verder", "weiterlesen",
                     "lire la suite", "читать далее")


def needs_page(entry: FeedEntry) -> bool:
    """Whether the feed gives only a teaser, so the article page should be fetched for the text."""
    if entry.content_text:
        return False
    summary = entry.summary_text.strip()
    if len(summary) < SHORT_SUMMARY_CHARS:
        return True
    return summary.lower().endswith(_TRUNCATION_MARKS)


def extract_page(html: bytes | str, *, url: str | None, http_charset: str | None = None) -> ExtractedPage:
    """Main text, title, date and language of an article page, with trafilatura kept offline.

    trafilatura only ever sees an already-parsed tree, so it neither guesses the
    encoding (it ignores <meta charset>) nor fetches anything; `fast` skips its
    slower fallback extractors, which news article pages rarely need.
    """
    import trafilatura  # heavy import, only paid by callers that extract pages

    where = url or "(html page)"
    if isinstance(html, bytes):
        html = decode_markup(html, (http_charset, _html_declared_charset(html)))
    html = _NOT_XML_CHARS.sub("", html)
    if not html.strip():
        raise InputError(where, "empty page")
    try:
        tree = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise InputError(where, f"not parseable as HTML ({exc})") from None
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        fast=True,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = getattr(document, "text", None) or ""
    title = normalise_whitespace(getattr(document, "title", None) or "")
    paragraphs = [p for p in (normalise_whitespace(line) for line in text.split("\n")) if p]
    while paragraphs and paragraphs[0].casefold() == title.casefold():
        paragraphs.pop(0)  # the headline, kept as the title, is not the lead
    if sum(len(p) for p in paragraphs) < MIN_PAGE_TEXT_CHARS:
        raise InputError(where, "no main text found in the page")
    return ExtractedPage(
        title=title,
        paragraphs=tuple(paragraphs),
        published=_page_date(getattr(document, "date", None)),
        language=_page_language(tree),
    )


def _page_date(value: object) -> PublishedDate:
    if not isinstance(value, str) or not value.strip():
        return PublishedDate.unknown()
    try:
        return parse_date(value.strip()[:10])
    except ValueError:
        return PublishedDate.unknown()


_LANGUAGE_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*$")


def _page_language(tree: lxml.html.HtmlElement) -> str | None:
    """The primary language subtag the page declares (`<html lang>`, Content-Language meta, og:locale)."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    candidates += tree.xpath("//meta[translate(@http-equiv,'CONTENT-LANGUAGE','content-language')"
                             "='content-language']/@content")
    candidates += tree.xpath("//meta[@property='og:locale']/@content")
    for candidate in candidates:
        match = _LANGUAGE_TAG.match(str(candidate or "").strip().split(",")[0].strip())
        if match:
            return match.group(1).lower()
    return None


def entry_to_article(
    entry: FeedEntry,
    *,
    outlet: str,
    language: str | None,
    page: ExtractedPage | None,
    first_seen_date: date | None = None,
) -> Article:
    """The article a feed entry stands for: the best text available, the most trustworthy date.

    Text: the feed's full content, else the fetched page, else the summary.
    Date: the entry's, else the page's, else unknown. A date after
    `first_seen_date` (today when not given; plus a day for time zones) is a
    feed error, not news from the future, and is skipped.
    """
    paragraphs: list[str] = []
    if entry.content_text:
        paragraphs = split_paragraphs(entry.content_text)
    if not paragraphs and page is not None:
        paragraphs = list(page.paragraphs)
    if not paragraphs:
        paragraphs = split_paragraphs(entry.summary_text)
    if not paragraphs:
        raise InputError(entry.url, "no text in the feed entry nor on its page")
    return build_article(
        where=entry.url,
        title=entry.title or (page.title if page is not None else ""),
        outlet=outlet,
        source=entry.url,
        published=_best_date((entry.published, page.published if page else None), first_seen_date),
        language=language or (page.language if page else None) or "",
        paragraphs=paragraphs,
        url=entry.url,
        today=first_seen_date,
    )


def page_to_article(
    page: ExtractedPage, *, url: str, outlet: str, language: str | None, first_seen_date: date | None = None
) -> Article:
    """The article a watched page holds, stored under the page's canonical URL."""
    return build_article(
        where=url,
        title=page.title,
        outlet=outlet,
        source=url,
        published=_best_date((page.published,), first_seen_date),
        language=language or page.language or "",
        paragraphs=page.paragraphs,
        url=url,
        today=first_seen_date,
    )


def _best_date(candidates: Iterable[PublishedDate | None], first_seen: date | None) -> PublishedDate:
    latest = latest_plausible_date(first_seen)
    for candidate in candidates:
        if candidate is None or candidate.value is None:
            continue
        if candidate.value > latest:
            continue
        return candidate
    return PublishedDate.unknown()
