"""Feeds to entries: RSS, Atom or RDF bytes parsed by feedparser in a sandboxed child process.

Nothing here touches the network or the file system. feedparser is only ever
given a byte stream (given a str or bytes it would fetch a URL or open a local
file named by the body).

Feed bytes are hostile input. Two layers stop an entity expansion and
whatever else a parser can be made to do:

1. `strip_dtd` (`index.sources.dtd`) removes every DOCTYPE and ENTITY
   declaration before parsing, so no custom entity exists;
2. feedparser runs in a short-lived child process (`index.sources.feed_worker`)
   with an address-space and CPU rlimit and a wall-clock timeout
   (`FeedParseLimits`), so an unknown parser blow-up costs one poll, not the bot.

The child costs about 0.25 s per feed, which a poll every few minutes affords.
"""

from __future__ import annotations

import json
import logging
import math
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from index.errors import InputError
from index.input.charset_decoding import decode_markup, xml_declared_encoding
from index.input.dates import PublishedDate
from index.input.urls import canonical_url, web_url_problem
from index.sources.dtd import strip_dtd
from index.sources.html_text import html_to_text, text_paragraphs

__all__ = [
    "FeedParseLimits",
    "FeedEntry",
    "ParsedFeed",
    "parse_feed",
    "needs_page",
    "SHORT_SUMMARY_CHARS",
]

log = logging.getLogger(__name__)

SHORT_SUMMARY_CHARS = 600
"""A summary shorter than this (and no full content) is a teaser: the article page is worth fetching."""

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


# --- feeds ------------------------------------------------------------------------------------------------------

_XML_DECL = re.compile(r"^\s*<\?xml[^>]{0,300}?\?>")
_WORKER = "index.sources.feed_worker"


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
    text = decode_markup(body, (http_charset, xml_declared_encoding(body)))
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

    The child is a fresh interpreter in isolated mode (-I) running
    `index.sources.feed_worker`, which imports only feedparser.
    """
    cpu_seconds = max(1, math.ceil(limits.cpu_seconds(len(data))))
    wall_seconds = limits.wall_seconds(len(data))
    command = [sys.executable, "-I", "-m", _WORKER, str(limits.memory_bytes), str(cpu_seconds), base_url]
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
    return text_paragraphs(value)


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


# --- teasers ----------------------------------------------------------------------------------------------------

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
