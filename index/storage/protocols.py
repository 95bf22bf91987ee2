"""What the core asks of the archive, whichever backend keeps it: one protocol per repository.

Two implementations of each sit side by side: `index.storage.sqlite` (one
file, one process that writes, the default) and `index.storage.postgres`
(a server that several bot and worker processes share: cluster mode). The
core and the bot type their collaborators with these protocols only, and
`tests/test_storage_contract.py` runs the same tests against both backends.

Both keep the same rules: an article commits with its paragraphs, vectors
and terms or not at all; re-ingesting the same content adds nothing; every
derived index (FAISS, Milvus) can be rebuilt from what is stored here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Protocol

import numpy as np

from index.models import Article, Passage, StoredArticle
from index.storage.records import Follow, Removal, SearchFilters, StoreStats, WriteOutcome
from index.storage.source_records import Source, SourceState

__all__ = [
    "Archive",
    "ArticleRepository",
    "EmbeddingRepository",
    "FollowRepository",
    "LeaderLock",
    "PostRepository",
    "SourceRepository",
    "TermRepository",
]


class EmbeddingRepository(Protocol):
    """The vector of every paragraph and the model that made them: the source of every vector index."""

    def check_model(self, model_id: str) -> None:
        """Refuse a model other than the one the stored vectors come from (`ModelMismatchError`)."""

    def replace_all(self, batches: Iterable[tuple[Sequence[int], np.ndarray]], model_id: str) -> None:
        """Swap every stored vector for a new model's, in one transaction (`newsbot reindex`)."""

    def paragraph_ids(self) -> np.ndarray: ...

    def vectors_for(self, ids: Sequence[int] | np.ndarray, dimension: int) -> np.ndarray: ...

    def vector_count(self) -> int: ...

    def iter_vectors(self, batch: int = 8192) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(paragraph ids, vectors) in id order, `batch` at a time: index builds stream through this."""


class ArticleRepository(Protocol):
    """Articles, their paragraphs and the days each paragraph names."""

    @property
    def embeddings(self) -> EmbeddingRepository: ...

    def find_source(self, source: str) -> tuple[int, str] | None:
        """(article id, content hash) of the article stored under this file name or URL."""

    def find_hash(self, digest: str) -> int | None: ...

    def write_article(self, article: Article, vectors: np.ndarray, *, model_id: str, digest: str,
                      first_seen: datetime | None = None, duplicate_of: int | None = None,
                      topic_density: float | None = None) -> WriteOutcome:
        """Insert or replace one article with its paragraphs, terms and vectors, atomically; content already
        stored (under this source, or raced in by another process) comes back UNCHANGED."""

    def remove(self, removal: Removal) -> tuple[list[StoredArticle], tuple[int, ...]]:
        """Delete the chosen articles in one transaction: the articles and their paragraph ids."""

    def chosen(self, removal: Removal) -> list[StoredArticle]:
        """The articles `remove` would delete (`newsbot remove --dry-run`)."""

    def article_terms(self) -> Iterator[tuple[int, list[str]]]: ...

    def set_topic_densities(self, values: Iterable[tuple[int, float]], fingerprint: str) -> None: ...

    def topic_fingerprint(self) -> str | None: ...

    def iter_paragraph_texts(self, batch: int = 512) -> Iterator[list[tuple[int, str, int, int]]]: ...

    def article(self, article_id: int) -> StoredArticle: ...

    def articles(self, ids: Iterable[int]) -> dict[int, StoredArticle]: ...

    def passages(self, ids: Sequence[int]) -> dict[int, Passage]: ...

    def article_passages(self, article_id: int) -> list[Passage]: ...

    def filtered_paragraph_ids(self, filters: SearchFilters) -> np.ndarray: ...

    def paragraph_ids_published_on(self, day: date) -> list[int]: ...

    def paragraph_ids_published_in_month(self, year: int, month: int) -> list[int]: ...

    def days_mentioned(self, ids: Sequence[int]) -> dict[int, list[date]]: ...

    def paragraph_ids_mentioning(self, days: Iterable[date]) -> list[int]: ...

    def articles_published_on(self, day: date) -> list[StoredArticle]: ...

    def years(self) -> list[int]: ...

    def publication_years(self) -> list[int]: ...

    def paragraph_ids_near(self, first: date, last: date, *, exclude_article: int | None = None) -> np.ndarray: ...

    def article_ids_of(self, paragraph_ids: Iterable[int]) -> dict[int, int]: ...

    def paragraph_count(self) -> int: ...

    def stats(self) -> StoreStats: ...

    def forget_cached(self) -> None:
        """Drop the articles kept in memory: another process changed the archive."""


class TermRepository(Protocol):
    """The analysed terms of every paragraph and how many paragraphs hold each: concept BM25's inputs."""

    def term_document_counts(self, terms: Iterable[str]) -> dict[str, int]: ...

    def paragraph_terms(self, ids: Sequence[int]) -> dict[int, str]: ...

    def mean_terms_per_paragraph(self, sample: int = 2000) -> float: ...


class SourceRepository(Protocol):
    """Monitored sources, their polling state and leases, and the feed entries they processed."""

    def upsert(self, source: Source, *, origin: str = "runtime") -> None: ...

    def sync_file(self, sources: list[Source]) -> None: ...

    def remove(self, name: str) -> bool: ...

    def get(self, name: str) -> SourceState | None: ...

    def all(self) -> list[SourceState]: ...

    def record_success(self, name: str, *, etag: str | None, last_modified: str | None,
                       interval: timedelta) -> None: ...

    def record_failure(self, name: str, error: str, *, interval: timedelta) -> SourceState | None: ...

    def stored_today(self, name: str, now: datetime | None = None) -> int:
        """Articles the source `name` stored for the first time today (UTC): what its daily cap counts."""

    def entry_digest(self, url: str) -> str | None: ...

    def remember_entry(self, url: str, digest: str) -> None: ...

    def claim_entry(self, url: str, source: Source) -> bool: ...

    def claim_due(self, owner: str, lease: timedelta, limit: int = 1) -> list[SourceState]:
        """Enabled sources whose poll is due and that no live lease holds, leased to `owner` for `lease`:
        each poll runs in one process, and a dead process's sources are due again when its lease ends."""

    def claim(self, name: str, owner: str, lease: timedelta) -> bool:
        """Lease one source to `owner` if no other live lease holds it (a bot's own poll job asks this)."""

    def release(self, name: str, owner: str) -> None: ...


class PostRepository(Protocol):
    """Digests posted, so each (channel, day) is posted exactly once across restarts and processes."""

    def posted(self, channel_id: int, day: date) -> bool: ...

    def first_start(self, channel_id: int) -> datetime | None:
        """When a bot first ran with a digest for this channel (None: never): no catch-up is owed before it."""

    def remember_first_start(self, channel_id: int, at: datetime) -> None: ...

    def record(self, channel_id: int, day: date, message_ids: list[int]) -> None: ...


class FollowRepository(Protocol):
    """Followed topics, the stories they were alerted about, and which new articles were checked."""

    def add(self, guild_id: int, channel_id: int, topic: str, created_by: int,
            vector: np.ndarray) -> Follow | None: ...

    def remove(self, guild_id: int, topic: str, channel_id: int | None = None) -> int: ...

    def in_guild(self, guild_id: int) -> list[Follow]: ...

    def all(self) -> list[Follow]: ...

    def count_all(self) -> int: ...

    def count(self, guild_id: int) -> int: ...

    def alerted_roots(self, follow_id: int) -> set[int]: ...

    def last_alert(self, follow_id: int) -> datetime | None: ...

    def record_alert(self, follow_id: int, story: int, article_id: int, at: datetime) -> None: ...

    def unchecked_article_ids(self, limit: int = 200) -> list[int]: ...

    def mark_checked(self, article_id: int) -> None: ...


class LeaderLock(Protocol):
    """Who runs the jobs that must run in one process at a time (the digest, followed-topic alerts)."""

    def acquire(self) -> bool:
        """True while this process leads: taken if free, kept once held, lost only with the process (or
        its connection to the archive)."""

    def release(self) -> None: ...


class Archive(Protocol):
    """One archive with every repository on it, opened and closed together."""

    @property
    def articles(self) -> ArticleRepository: ...

    @property
    def embeddings(self) -> EmbeddingRepository: ...

    @property
    def terms(self) -> TermRepository: ...

    @property
    def sources(self) -> SourceRepository: ...

    @property
    def posts(self) -> PostRepository: ...

    @property
    def follows(self) -> FollowRepository: ...

    def leader_lock(self, name: str) -> LeaderLock: ...

    def describe(self) -> dict[str, object]:
        """Which database this is (never with a password), for `newsbot status`."""

    def close(self) -> None: ...

