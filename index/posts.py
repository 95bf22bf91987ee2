"""Record of digests posted, so each (channel, day) is posted exactly once, across restarts."""

from __future__ import annotations

from datetime import UTC, date, datetime

from index.store import Store

__all__ = ["PostLog"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS digest_posts (
    channel_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    message_ids TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    PRIMARY KEY (channel_id, day)
)
"""


class PostLog:
    def __init__(self, store: Store) -> None:
        self.store = store
        with store.transaction() as db:
            db.execute(_SCHEMA)

    def posted(self, channel_id: int, day: date) -> bool:
        rows = self.store.read("SELECT 1 FROM digest_posts WHERE channel_id = ? AND day = ?",
                               (channel_id, day.isoformat()))
        return bool(rows)

    def record(self, channel_id: int, day: date, message_ids: list[int]) -> None:
        with self.store.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO digest_posts(channel_id, day, message_ids, posted_at) VALUES (?, ?, ?, ?)",
                (channel_id, day.isoformat(), ",".join(map(str, message_ids)),
                 datetime.now(UTC).isoformat(timespec="seconds")),
            )
