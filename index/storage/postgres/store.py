"""The cluster archive: one PostgreSQL database and the repositories on it, opened and closed together."""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass, field
from typing import Any

from index.storage.portable.follow_store import FollowStore
from index.storage.portable.post_log import PostLog
from index.storage.portable.source_store import SourceStore
from index.storage.postgres.article_store import ArticleStore
from index.storage.postgres.db import PostgresDatabase
from index.storage.postgres.embedding_store import EmbeddingStore
from index.storage.postgres.portable import PortableDatabase
from index.storage.postgres.search_outbox import SearchOutbox
from index.storage.postgres.term_store import TermStore

__all__ = ["AdvisoryLeaderLock", "PostgresStore", "open_postgres_store"]


class AdvisoryLeaderLock:
    """Leadership across machines: a session-level advisory lock on a connection of its own. It is held as long
    as that connection lives; when the leader's process dies the server drops the connection and the lock, and
    the next process that asks becomes leader."""

    def __init__(self, db: PostgresDatabase, name: str) -> None:
        self.db = db
        self.key = zlib.crc32(f"newsbot-leader:{name}".encode())
        self._conn: Any = None
        self._lock = threading.Lock()

    def acquire(self) -> bool:
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.execute("SELECT 1")
                    return True
                except Exception:  # the connection is gone, and the lock with it
                    self._conn = None
            conn = self.db.dedicated_connection()
            row = conn.execute("SELECT pg_try_advisory_lock(%s) AS held", (self.key,)).fetchone()
            if row is not None and row["held"]:
                self._conn = conn
                return True
            conn.close()
            return False

    def release(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


@dataclass(frozen=True)
class PostgresStore:
    db: PostgresDatabase
    articles: ArticleStore
    embeddings: EmbeddingStore
    terms: TermStore
    outbox: SearchOutbox
    sources: SourceStore = field(init=False)
    posts: PostLog = field(init=False)
    follows: FollowStore = field(init=False)

    def __post_init__(self) -> None:
        portable = PortableDatabase(self.db)
        object.__setattr__(self, "sources", SourceStore(portable))
        object.__setattr__(self, "posts", PostLog(portable))
        object.__setattr__(self, "follows", FollowStore(portable))

    def leader_lock(self, name: str) -> AdvisoryLeaderLock:
        return AdvisoryLeaderLock(self.db, name)

    def describe(self) -> dict[str, object]:
        return {"backend": "postgresql", "database": self.db.shown}

    def close(self) -> None:
        self.db.close()


def open_postgres_store(url: str) -> PostgresStore:
    db = PostgresDatabase(url)
    embeddings = EmbeddingStore(db)
    return PostgresStore(db, ArticleStore(db, embeddings), embeddings, TermStore(db), SearchOutbox(db))
