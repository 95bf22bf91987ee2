"""Monitored sources as the archive keeps them: what a source is, its polling state, its back-off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from index.errors import InputError
from index.input.urls import web_url_problem
from index.sides import Side

__all__ = ["MAX_BACKOFF", "Source", "SourceKind", "SourceState", "backoff_delay", "validate_source"]

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

    def describe(self) -> str:
        """One line for `newsbot status`, `/status` and `/sources list`."""
        parts = [f"{self.source.name}: {self.source.url}"]
        if self.source.kind is SourceKind.PAGE:
            parts.append("watched page")
        if not self.source.enabled:
            parts.append("disabled")
        if self.source.channel_id:
            route = f"posts to channel {self.source.channel_id}"
            if self.source.include:
                route += f" if it names {', '.join(self.source.include)}"
            if self.source.exclude:
                route += f", never if {', '.join(self.source.exclude)}"
            parts.append(route)
        parts.append(f"last success {self.last_success or 'never'}")
        if self.failures:
            parts.append(f"{self.failures} failures in a row, last error: {self.last_error}")
        return " · ".join(parts)


def backoff_delay(failures: int, interval: timedelta) -> timedelta:
    """Exponential back-off after consecutive failures: interval × 2^failures, capped at six hours."""
    if failures <= 0:
        return interval
    return min(MAX_BACKOFF, interval * (1 << min(failures, 16)))


def validate_source(source: Source, where: str) -> Source:
    if not source.name.strip():
        raise InputError(where, "a source needs a name")
    if not source.url.lower().startswith(("http://", "https://")):
        raise InputError(where, f"source {source.name!r}: url must start with http:// or https://")
    problem = web_url_problem(source.url)
    if problem is not None:
        raise InputError(where, f"source {source.name!r}: url is not usable ({problem})")
    if not 0 < source.poll_minutes <= 10080:
        raise InputError(where, f"source {source.name!r}: poll_minutes must be more than 0 and at most 10080")
    return source
