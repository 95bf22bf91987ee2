"""The `sources` and `feed_entries` tables in SQLite (see `index.sources.registry` for what they mean)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from index.sides import Side
from index.storage.portable.sql import SqlDatabase, SqlRow
from index.storage.source_records import Source, SourceKind, SourceState, backoff_delay, checked_source

__all__ = ["SourceStore"]


class SourceStore:
    """The `sources` and `feed_entries` tables."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    def _row_to_state(self, row: SqlRow) -> SourceState:
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
            return int(db.execute("DELETE FROM sources WHERE name = ?", (name,)).rowcount) > 0

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

    # -- leases: which process polls a source now ---------------------------------------------------------

    def claim_due(self, owner: str, lease: timedelta, limit: int = 1) -> list[SourceState]:
        now = datetime.now(UTC)
        stamp = now.isoformat(timespec="seconds")
        with self.db.transaction() as db:
            rows = db.execute(
                """SELECT name FROM sources WHERE enabled = 1 AND (next_poll IS NULL OR next_poll <= ?)
                   AND (lease_until IS NULL OR lease_until <= ? OR lease_owner = ?) ORDER BY next_poll, name LIMIT ?"""
                + self.db.skip_locked,
                (stamp, stamp, owner, limit),
            ).fetchall()
            until = (now + lease).isoformat(timespec="seconds")
            names = [r["name"] for r in rows if db.execute(
                """UPDATE sources SET lease_owner = ?, lease_until = ? WHERE name = ?
                   AND (lease_until IS NULL OR lease_until <= ? OR lease_owner = ?)""",
                (owner, until, r["name"], stamp, owner)).rowcount]
        return [state for name in names if (state := self.get(name)) is not None]

    def claim(self, name: str, owner: str, lease: timedelta) -> bool:
        now = datetime.now(UTC)
        with self.db.transaction() as db:
            cursor = db.execute(
                """UPDATE sources SET lease_owner = ?, lease_until = ? WHERE name = ?
                   AND (lease_until IS NULL OR lease_until <= ? OR lease_owner = ?)""",
                (owner, (now + lease).isoformat(timespec="seconds"), name, now.isoformat(timespec="seconds"), owner),
            )
            return int(cursor.rowcount) > 0

    def release(self, name: str, owner: str) -> None:
        with self.db.transaction() as db:
            db.execute("UPDATE sources SET lease_owner = NULL, lease_until = NULL WHERE name = ? AND lease_owner = ?",
                       (name, owner))
