"""Monitored sources: the shipped TOML list plus those added at run time, all kept in SQLite.

The TOML file is a seed: at start its sources are upserted (by name) into the
`sources` table, which also holds run-time state: conditional-GET validators,
the last success and error, consecutive failures and the back-off deadline.
Sources added from Discord or the CLI live only in the table.

A source is a feed or a watched article page (`SourceKind`). The
`feed_entries` table remembers every article URL a source has processed, and
which source claimed it first: an article belongs to that source, and another
source linking the same URL adds nothing (it used to replace the article,
outlet and date included).
"""

from __future__ import annotations

import sqlite3
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from config.identifiers import parse_id
from index.errors import InputError
from index.input.article_building import OUTLET_MAX_CHARS
from index.input.text_cleaning import bounded_label
from index.input.urls import web_url_problem
from index.sides import Side
from index.storage.sqlite.db import Database

__all__ = [
    "SourceKind", "Source", "SourceState", "SourceRegistry", "load_sources_file", "backoff_delay", "checked_source",
    "NAME_MAX_CHARS",
]

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
    InputError naming `where` and the field. Every way in (sources file, CLI, Discord) goes through here."""
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


def _channel(value: object, where: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return parse_id(value, "Discord channel id")
    except ValueError as exc:
        raise InputError(where, f"channel_id: {exc}") from None


def _terms(value: object, where: str, field: str) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
        raise InputError(where, f"{field} must be a list of words or a comma-separated string")
    return tuple(i.strip() for i in items if i.strip())


def load_sources_file(path: Path, default_minutes: float = 15.0) -> list[Source]:
    """Parse a sources TOML file (`[[source]]` tables); errors name the file and the entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(str(path), f"cannot read sources file ({exc})") from None
    sources = []
    for number, entry in enumerate(data.get("source", []), start=1):
        where = f"{path} source #{number}"
        if not isinstance(entry, dict):
            raise InputError(where, "expected a [[source]] table")
        try:
            side = Side(str(entry.get("side", "unknown")).lower())
        except ValueError:
            raise InputError(where, f"side must be one of {', '.join(s.value for s in Side)}") from None
        try:
            kind = SourceKind(str(entry.get("kind", "feed")).lower())
        except ValueError:
            raise InputError(where, f"kind must be one of {', '.join(k.value for k in SourceKind)}") from None
        try:
            poll_minutes = float(entry.get("poll_minutes", default_minutes))
        except (TypeError, ValueError):
            raise InputError(where, "poll_minutes must be a number") from None
        source = Source(
            name=str(entry.get("name", "")).strip(),
            url=str(entry.get("url", "")).strip(),
            outlet=str(entry.get("outlet") or entry.get("name", "")).strip(),
            language=(str(entry["language"]).lower() if entry.get("language") else None),
            side=side,
            poll_minutes=poll_minutes,
            enabled=bool(entry.get("enabled", True)),
            kind=kind,
            channel_id=_channel(entry.get("channel_id"), where),
            include=_terms(entry.get("include", ()), where, "include"),
            exclude=_terms(entry.get("exclude", ()), where, "exclude"),
        )
        sources.append(checked_source(source, where))
    return sources


class SourceRegistry:
    """The `sources` and `feed_entries` tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _row_to_state(self, row: sqlite3.Row) -> SourceState:
        source = Source(
            name=row["name"], url=row["url"], outlet=row["outlet"], language=row["language"],
            side=Side(row["side"]), poll_minutes=row["poll_minutes"], enabled=bool(row["enabled"]),
            kind=SourceKind(row["kind"]), channel_id=row["channel_id"],
            include=tuple(t for t in row["include_terms"].split("\n") if t),
            exclude=tuple(t for t in row["exclude_terms"].split("\n") if t),
        )
        return SourceState(
            source=source, etag=row["etag"], last_modified=row["last_modified"], last_success=row["last_success"],
            last_error=row["last_error"], last_error_at=row["last_error_at"], failures=row["failures"],
            next_poll=row["next_poll"], seeded=bool(row["seeded"]),
        )

    def upsert(self, source: Source, *, origin: str = "runtime") -> None:
        source = checked_source(source, f"source {source.name!r}")
        with self.db.transaction() as db:
            db.execute(
                """INSERT INTO sources(name, url, outlet, language, side, poll_minutes, enabled, origin, kind,
                                      channel_id, include_terms, exclude_terms)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(name) DO UPDATE SET url=excluded.url, outlet=excluded.outlet,
                   language=excluded.language, side=excluded.side, poll_minutes=excluded.poll_minutes,
                   enabled=excluded.enabled, kind=excluded.kind, channel_id=excluded.channel_id,
                   include_terms=excluded.include_terms, exclude_terms=excluded.exclude_terms""",
                (source.name, source.url, source.outlet, source.language, source.side.value, source.poll_minutes,
                 int(source.enabled), origin, source.kind.value, source.channel_id, "\n".join(source.include),
                 "\n".join(source.exclude)),
            )

    def sync_file(self, sources: list[Source]) -> None:
        for source in sources:
            self.upsert(source, origin="file")

    def remove(self, name: str) -> bool:
        with self.db.transaction() as db:
            return db.execute("DELETE FROM sources WHERE name = ?", (name,)).rowcount > 0

    def get(self, name: str) -> SourceState | None:
        rows = self.db.read("SELECT * FROM sources WHERE name = ?", (name,))
        return self._row_to_state(rows[0]) if rows else None

    def all(self) -> list[SourceState]:
        return [self._row_to_state(r) for r in self.db.read("SELECT * FROM sources ORDER BY name")]

    def record_success(self, name: str, *, etag: str | None, last_modified: str | None, interval: timedelta) -> None:
        now = datetime.now(UTC)
        with self.db.transaction() as db:
            db.execute(
                """UPDATE sources SET etag=COALESCE(?, etag), last_modified=COALESCE(?, last_modified),
                   last_success=?, failures=0, next_poll=?, seeded=1 WHERE name=?""",
                (etag, last_modified, now.isoformat(timespec="seconds"),
                 (now + interval).isoformat(timespec="seconds"), name),
            )

    def stored_today(self, name: str, now: datetime | None = None) -> int:
        """Articles the source `name` stored for the first time today (UTC): what its daily cap counts."""
        day = (now or datetime.now(UTC)).date().isoformat()
        rows = self.db.read("SELECT COUNT(*) FROM articles a JOIN feed_entries f ON f.url = a.source "
                            "WHERE a.first_seen >= ? AND f.owner = ?", (day, name))
        return int(rows[0][0])

    def entry_digest(self, url: str) -> str | None:
        """What a feed entry looked like when it was last processed (to skip unchanged teasers)."""
        rows = self.db.read("SELECT digest FROM feed_entries WHERE url = ?", (url,))
        return rows[0]["digest"] if rows else None

    def remember_entry(self, url: str, digest: str) -> None:
        with self.db.transaction() as db:
            db.execute(
                "INSERT INTO feed_entries(url, digest, seen) VALUES (?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET digest=excluded.digest, seen=excluded.seen",
                (url, digest, datetime.now(UTC).isoformat(timespec="seconds")),
            )

    def claim_entry(self, url: str, source: Source) -> bool:
        """Whether the article at `url` belongs to `source`, claiming it if no source has yet.

        Atomic, so two sources polled at once cannot both claim one URL. An
        article stored before owners were recorded (or from a file) belongs to
        a source only when its outlet is that source's outlet.
        """
        with self.db.transaction() as db:
            row = db.execute("SELECT owner FROM feed_entries WHERE url = ?", (url,)).fetchone()
            if row is not None and row["owner"] is not None:
                return bool(row["owner"] == source.name)
            stored = db.execute("SELECT outlet FROM articles WHERE source = ?", (url,)).fetchone()
            if stored is not None and stored["outlet"] != source.outlet:
                return False
            db.execute(
                "INSERT INTO feed_entries(url, digest, seen, owner) VALUES (?, '', ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET owner=excluded.owner",
                (url, datetime.now(UTC).isoformat(timespec="seconds"), source.name),
            )
            return True

    def record_failure(self, name: str, error: str, *, interval: timedelta) -> SourceState | None:
        state = self.get(name)
        if state is None:
            return None
        failures = state.failures + 1
        now = datetime.now(UTC)
        next_poll = now + backoff_delay(failures, interval)
        with self.db.transaction() as db:
            db.execute(
                "UPDATE sources SET last_error=?, last_error_at=?, failures=?, next_poll=? WHERE name=?",
                (error[:500], now.isoformat(timespec="seconds"), failures, next_poll.isoformat(timespec="seconds"),
                 name),
            )
        return replace(state, last_error=error, failures=failures, next_poll=next_poll.isoformat())
