"""Monitored sources: the shipped TOML list plus those added at run time, all kept in the archive
(SQLite, or PostgreSQL in cluster mode).

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

import tomllib
from pathlib import Path

from config.identifiers import parse_id
from index.errors import InputError
from index.sides import Side
from index.storage.protocols import SourceRepository
from index.storage.source_records import (
    NAME_MAX_CHARS,
    Source,
    SourceKind,
    SourceState,
    backoff_delay,
    checked_source,
)

__all__ = [
    "SourceKind", "Source", "SourceState", "SourceRegistry", "load_sources_file", "backoff_delay", "checked_source",
    "NAME_MAX_CHARS",
]

SourceRegistry = SourceRepository
"""The sources and feed entries of the archive, whichever backend keeps them (`index.storage`)."""


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
