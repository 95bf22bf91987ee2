"""The single-machine archive: one SQLite database and the repositories on it, opened and closed together.

Each consumer takes the narrowest of them: ingest the `ArticleStore`, the
FAISS index the `EmbeddingStore`, lexical scoring the `TermStore`, polling the
`SourceStore`, the digest job the `PostLog`, followed topics the `FollowStore`.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass, field
from pathlib import Path

from index.storage.portable.follow_store import FollowStore
from index.storage.portable.post_log import PostLog
from index.storage.portable.source_store import SourceStore
from index.storage.sqlite.article_store import ArticleStore
from index.storage.sqlite.db import Database
from index.storage.sqlite.embedding_store import EmbeddingStore
from index.storage.sqlite.term_store import TermStore

__all__ = ["FileLeaderLock", "Store", "open_store"]


class FileLeaderLock:
    """Leadership on one machine: an exclusive `flock` on a file beside the archive, freed when the process ends,
    so two bots started on one data folder do not both post the digest."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@dataclass(frozen=True)
class Store:
    db: Database
    articles: ArticleStore
    embeddings: EmbeddingStore
    terms: TermStore
    sources: SourceStore = field(init=False)
    posts: PostLog = field(init=False)
    follows: FollowStore = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", SourceStore(self.db))
        object.__setattr__(self, "posts", PostLog(self.db))
        object.__setattr__(self, "follows", FollowStore(self.db))

    def leader_lock(self, name: str) -> FileLeaderLock:
        return FileLeaderLock(self.db.path.with_name(f".{name}.leader"))

    def describe(self) -> dict[str, object]:
        return {"backend": "sqlite", "database": str(self.db.path)}

    def close(self) -> None:
        self.db.close()


def open_store(path: Path) -> Store:
    """Open (or create) the archive at `path` with every repository on it."""
    db = Database(path)
    embeddings = EmbeddingStore(db)
    return Store(db, ArticleStore(db, embeddings), embeddings, TermStore(db))
