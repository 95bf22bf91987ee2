"""Values the archive's repositories take and return, whatever the backend (SQLite or PostgreSQL)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import numpy as np

from index.errors import ModelMismatchError
from index.models import Article, IngestStatus

__all__ = [
    "MAX_FOLLOWS_PER_GUILD", "Follow", "IndexedArticle", "IndexedParagraph", "Removal", "SearchFilters", "StoreStats",
    "WriteOutcome", "content_hash", "model_mismatch",
]


def content_hash(article: Article) -> str:
    """Hash of what an article says (paragraphs + date), not where it came from."""
    digest = hashlib.sha256()
    digest.update(article.published.iso().encode())
    for paragraph in article.paragraphs:
        digest.update(b"\x1e")
        digest.update(paragraph.encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class SearchFilters:
    since: date | None = None
    until: date | None = None
    language: str | None = None
    outlet: str | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.since, self.until, self.language, self.outlet))

    def sql(self, mark: str = "?") -> tuple[str, list[object]]:
        """A WHERE fragment on `articles a` with `mark` for a parameter (`%s` in PostgreSQL); a date filter honours
        precision and skips unknown dates. Outlets compare without case (ASCII, as SQLite's NOCASE did)."""
        clauses: list[str] = []
        params: list[object] = []
        if self.since is not None:
            clauses.append(f"a.published_last IS NOT NULL AND a.published_last >= {mark}")
            params.append(self.since.isoformat())
        if self.until is not None:
            clauses.append(f"a.published_first IS NOT NULL AND a.published_first <= {mark}")
            params.append(self.until.isoformat())
        if self.language:
            clauses.append(f"a.language = {mark}")
            params.append(self.language.lower())
        if self.outlet:
            clauses.append(f"lower(a.outlet) = lower({mark})")
            params.append(self.outlet)
        return (" AND ".join(clauses) or "TRUE"), params


@dataclass(frozen=True)
class Removal:
    """Which articles `newsbot remove` deletes: every criterion given must hold (at least one is required)."""

    article_ids: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    """File names or URLs, as stored."""
    outlet: str | None = None
    since: date | None = None
    until: date | None = None
    """A date range removes articles whose whole publication date lies inside it."""

    @property
    def empty(self) -> bool:
        return not (self.article_ids or self.sources or self.outlet or self.since or self.until)

    def sql(self, mark: str = "?") -> tuple[str, list[object]]:
        """A WHERE fragment on `articles` with `mark` for a parameter (`%s` in PostgreSQL)."""
        clauses: list[str] = []
        params: list[object] = []
        if self.article_ids:
            clauses.append(f"id IN ({','.join([mark] * len(self.article_ids))})")
            params.extend(self.article_ids)
        if self.sources:
            clauses.append(f"source IN ({','.join([mark] * len(self.sources))})")
            params.extend(self.sources)
        if self.outlet:
            clauses.append(f"lower(outlet) = lower({mark})")
            params.append(self.outlet)
        if self.since:
            clauses.append(f"published_first IS NOT NULL AND published_first >= {mark}")
            params.append(self.since.isoformat())
        if self.until:
            clauses.append(f"published_last IS NOT NULL AND published_last <= {mark}")
            params.append(self.until.isoformat())
        return " AND ".join(clauses), params


def model_mismatch(stored: str, configured: str) -> ModelMismatchError:
    """Vectors of one model only: the error for a configured model that is not the stored vectors' model."""
    return ModelMismatchError(
        f"the store's vectors were made by {stored!r} but the configured model is {configured!r}; "
        "run `newsbot reindex` to re-embed with the configured model (or configure the old one again)"
    )


@dataclass(frozen=True)
class StoreStats:
    articles: int
    paragraphs: int
    embeddings: int
    languages: dict[str, int]
    outlets: int
    oldest: str
    newest: str
    newest_display: str
    last_ingest: str
    model_id: str


@dataclass(frozen=True)
class WriteOutcome:
    article_id: int
    status: IngestStatus
    """Added or replaced; UNCHANGED when another process stored the same content first (cluster mode)."""
    added_ids: tuple[int, ...]
    removed_ids: tuple[int, ...]
    duplicate_of: int | None = None
    """For an UNCHANGED outcome (the same content was stored meanwhile under another name): that article."""


MAX_FOLLOWS_PER_GUILD = 50
"""Followed topics one server may have."""


@dataclass(frozen=True)
class Follow:
    id: int
    guild_id: int
    channel_id: int
    topic: str
    created_by: int
    vector: np.ndarray
    """The topic's embedding, kept so that matching a new article costs no encoding."""


@dataclass(frozen=True)
class IndexedParagraph:
    """One paragraph as a search engine takes it in: its vector, analysed terms, the days it names, and the
    fields of its article that searches filter on."""

    id: int
    article_id: int
    vector: np.ndarray
    terms: str
    days: tuple[date, ...]
    published_first: date | None
    published_last: date | None
    precision: str
    language: str
    outlet: str
    side: str


@dataclass(frozen=True)
class IndexedArticle:
    """What the outbox hands a search engine for one article: its paragraphs now, none when it was removed."""

    article_id: int
    paragraphs: tuple[IndexedParagraph, ...]
    fresh: bool = False
    """First written since it was queued, never replaced or removed: a search engine has nothing of it to drop."""
