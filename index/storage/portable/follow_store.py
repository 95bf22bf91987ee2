"""Followed topics and the stories they were alerted about, in the archive's SQLite (they survive restarts).

The `follows` and `follow_alerts` tables (schema version 4, `index.db`); the
matching itself is `bot.core.following`. Which new articles still need
checking is kept as the last article id checked (`meta`), so a restart
neither alerts twice nor skips what arrived while the bot was down.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from index.storage.portable.sql import SqlDatabase
from index.storage.records import Follow

__all__ = ["FollowStore"]

_CHECKED = "follows_checked_through"


def _follow(row: object) -> Follow:
    r = row  # a row of either backend, read by column name
    return Follow(id=r["id"], guild_id=r["guild_id"], channel_id=r["channel_id"], topic=r["topic"],  # type: ignore[index]
                  created_by=r["created_by"], vector=np.frombuffer(r["vector"], dtype=np.float32))  # type: ignore[index]


class FollowStore:
    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    def add(self, guild_id: int, channel_id: int, topic: str, created_by: int, vector: np.ndarray) -> Follow | None:
        """A new follow, or None when this channel already follows this topic."""
        with self.db.transaction() as db:
            cursor = db.execute(
                """INSERT INTO follows(guild_id, channel_id, topic, created_by, created_at, vector)
                   VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                (guild_id, channel_id, topic, created_by, datetime.now(UTC).isoformat(timespec="seconds"),
                 np.asarray(vector, dtype=np.float32).tobytes()),
            )
            if not cursor.rowcount:
                return None
            row = db.execute("SELECT * FROM follows WHERE channel_id = ? AND topic = ?", (channel_id, topic)).fetchone()
        return _follow(row)

    def remove(self, guild_id: int, topic: str, channel_id: int | None = None) -> int:
        """Stop following a topic (in one channel, or in every channel of the server); how many were removed."""
        where = "guild_id = ? AND lower(topic) = lower(?)" + (" AND channel_id = ?" if channel_id else "")
        params: tuple[object, ...] = (guild_id, topic, channel_id) if channel_id else (guild_id, topic)
        with self.db.transaction() as db:
            return int(db.execute(f"DELETE FROM follows WHERE {where}", params).rowcount)

    def in_guild(self, guild_id: int) -> list[Follow]:
        return [_follow(r) for r in self.db.read("SELECT * FROM follows WHERE guild_id = ? ORDER BY id", (guild_id,))]

    def all(self) -> list[Follow]:
        return [_follow(r) for r in self.db.read("SELECT * FROM follows ORDER BY id")]

    def count_all(self) -> int:
        return int(self.db.read("SELECT COUNT(*) FROM follows")[0][0])

    def count(self, guild_id: int) -> int:
        return int(self.db.read("SELECT COUNT(*) FROM follows WHERE guild_id = ?", (guild_id,))[0][0])

    # -- what was alerted (the `FollowLog` of bot.core.following) ------------------------------------------

    def alerted_roots(self, follow_id: int) -> set[int]:
        return {r[0] for r in self.db.read("SELECT story FROM follow_alerts WHERE follow_id = ?", (follow_id,))}

    def last_alert(self, follow_id: int) -> datetime | None:
        rows = self.db.read("SELECT MAX(posted_at) FROM follow_alerts WHERE follow_id = ?", (follow_id,))
        return datetime.fromisoformat(rows[0][0]) if rows and rows[0][0] else None

    def record_alert(self, follow_id: int, story: int, article_id: int, at: datetime) -> None:
        with self.db.transaction() as db:
            db.execute("INSERT INTO follow_alerts(follow_id, story, article_id, posted_at) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                       (follow_id, story, article_id, at.isoformat(timespec="seconds")))

    # -- which articles are new -------------------------------------------------------------------------------

    def unchecked_article_ids(self, limit: int = 200) -> list[int]:
        """Articles stored since the last check, oldest first; the first check starts from now (no backlog)."""
        checked = self.db.meta(_CHECKED)
        if checked is None:
            newest = self.db.read("SELECT COALESCE(MAX(id), 0) FROM articles")[0][0]
            self.mark_checked(int(newest))
            return []
        rows = self.db.read("SELECT id FROM articles WHERE id > ? ORDER BY id LIMIT ?", (int(checked), limit))
        return [r[0] for r in rows]

    def mark_checked(self, article_id: int) -> None:
        with self.db.transaction() as db:
            db.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                       (_CHECKED, str(article_id)))
