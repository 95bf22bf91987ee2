"""Monitored sources as the archive keeps them: what a source is, its polling state, its back-off."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum

from config.identifiers import parse_id
from index.errors import InputError
from index.input.article_building import OUTLET_MAX_CHARS
from index.input.text_cleaning import bounded_label
from index.input.urls import web_url_problem
from index.sides import Side

__all__ = ["MAX_BACKOFF", "NAME_MAX_CHARS", "Source", "SourceKind", "SourceState", "backoff_delay", "checked_source"]

MAX_BACKOFF = timedelta(hours=6)


class SourceKind(StrEnum):
    """What polling a source fetches: a feed of entries, or one article page watched for changes."""

    FEED = "feed"
    PAGE = "page"


@dataclass(frozen=True)
class Source:
    name: str
    url: str
    outlet: str
    language: str | None = None
    side: Side = Side.UNKNOWN
    poll_minutes: float = 15.0
    enabled: bool = True
    kind: SourceKind = SourceKind.FEED
    channel_id: int | None = None
    """A channel that gets this source's new articles (besides the general alerts channel)."""
    include: tuple[str, ...] = ()
    """Only articles naming one of these words (any spelling, any language) go to that channel."""
    exclude: tuple[str, ...] = ()
    """Articles naming one of these words never go to that channel."""


@dataclass(frozen=True)
class SourceState:
    source: Source
    etag: str | None = None
    last_modified: str | None = None
    last_success: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    failures: int = 0
    next_poll: str | None = None
    seeded: bool = False
    """True once the first poll stored the source's existing entries (which raise no alerts)."""

    def describe(self, channel: Callable[[int], str] = lambda i: f"channel {i}",
                 text: Callable[[str], str] = lambda s: s) -> str:
        """One line for `newsbot status`, `/status` and `/sources list`. `channel` writes a channel id for the
        reader (a mention in Discord) and `text` whatever came from a person or a server (made inert there)."""
        source = self.source
        parts = [f"{text(source.name)}: {text(source.url)}"]
        if source.kind is SourceKind.PAGE:
            parts.append("watched page")
        if not source.enabled:
            parts.append("disabled")
        if source.channel_id:
            route = f"posts to {channel(source.channel_id)}"
            if source.include:
                route += f" if it names {text(', '.join(source.include))}"
            if source.exclude:
                route += f", never if {text(', '.join(source.exclude))}"
            parts.append(route)
        parts.append(f"last success {self.last_success or 'never'}")
        if self.failures:
            parts.append(f"{self.failures} failures in a row, last error: {text(self.last_error or '')}")
        return " · ".join(parts)


def backoff_delay(failures: int, interval: timedelta) -> timedelta:
    """Exponential back-off after consecutive failures: interval × 2^failures, capped at six hours."""
    if failures <= 0:
        return interval
    return min(MAX_BACKOFF, interval * (1 << min(failures, 16)))


NAME_MAX_CHARS = 60
WORD_MAX_CHARS = 100
MAX_WORDS = 50


def _words(words: tuple[str, ...], where: str, field: str) -> tuple[str, ...]:
    cleaned = tuple(w for w in (bounded_label(word, WORD_MAX_CHARS) for word in words) if w)
    if len(cleaned) > MAX_WORDS:
        raise InputError(where, f"{field}: at most {MAX_WORDS} words")
    return cleaned


def checked_source(source: Source, where: str) -> Source:
    """The source with its name, outlet and words cleaned like a file's header lines (control, bidi and
    invisible characters removed, one line, bounded length) and its URL, interval and channel checked; or an
    InputError naming `where` and the field. Every way in (sources file, CLI, Discord) goes through here, and
    every repository stores what it returns, whichever backend keeps the sources."""
    name = bounded_label(source.name, NAME_MAX_CHARS)
    if not name:
        raise InputError(where, "a source needs a name (of printable characters)")
    language = bounded_label(source.language or "", 8).lower() or None
    source = replace(source, name=name, outlet=bounded_label(source.outlet, OUTLET_MAX_CHARS) or name,
                     include=_words(source.include, where, "include"),
                     exclude=_words(source.exclude, where, "exclude"), language=language)
    if source.channel_id is not None:
        try:
            parse_id(source.channel_id, "Discord channel id")
        except ValueError as exc:
            raise InputError(where, f"channel_id: {exc}") from None
    if not source.url.lower().startswith(("http://", "https://")):
        raise InputError(where, f"source {source.name!r}: url must start with http:// or https://")
    problem = web_url_problem(source.url)
    if problem is not None:
        raise InputError(where, f"source {source.name!r}: url is not usable ({problem})")
    if not 0 < source.poll_minutes <= 10080:
        raise InputError(where, f"source {source.name!r}: poll_minutes must be more than 0 and at most 10080")
    return source
