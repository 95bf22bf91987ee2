"""Record of digests posted, so each (channel, day) is posted exactly once, across restarts (see `bot.digest_job`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from index.storage.sqlite.db import Database

__all__ = ["PostLog"]


class PostLog:
    """The `digest_posts` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def posted(self, channel_id: int, day: date) -> bool:
        rows = self.db.read("SELECT 1 FROM digest_posts WHERE channel_id = ? AND day = ?",
                            (channel_id, day.isoformat()))
        return bool(rows)

    def first_start(self, channel_id: int) -> datetime | None:
        """When the bot first ran with a digest for this channel (None: never). A digest whose time came
        before is not owed: a first start posts no catch-up for the day before it."""
        value = self.db.meta(f"digest_first_start:{channel_id}")
        return datetime.fromisoformat(value) if value else None

    def remember_first_start(self, channel_id: int, at: datetime) -> None:
        with self.db.transaction() as db:
            db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)",
                       (f"digest_first_start:{channel_id}", at.isoformat(timespec="seconds")))

    def record(self, channel_id: int, day: date, message_ids: list[int]) -> None:
        with self.db.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO digest_posts(channel_id, day, message_ids, posted_at) VALUES (?, ?, ?, ?)",
                (channel_id, day.isoformat(), ",".join(map(str, message_ids)),
                 datetime.now(UTC).isoformat(timespec="seconds")),
            )
