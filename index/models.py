"""Plain data that crosses module boundaries.

Everything here is frozen so a value handed from the store to search to the bot
cannot be changed behind anyone's back, and nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from index.input.dates import PublishedDate

__all__ = [
    "Article",
    "StoredArticle",
    "Passage",
    "Hit",
    "IngestStatus",
    "IngestResult",
]


@dataclass(frozen=True)
class Article:
    """A parsed article, not yet stored: what every input format is turned into."""

    title: str
    outlet: str
    source: str
    """File name for file-ingested articles, the URL otherwise: the key that identifies the article."""
    published: PublishedDate
    language: str
    paragraphs: tuple[str, ...]
    url: str | None = None
    side: str | None = None
    """Whose account it carries when the input says so (`ingest --side`, a monitored source's side)."""


@dataclass(frozen=True)
class StoredArticle:
    """An article as the store knows it, with its id and bookkeeping."""

    id: int
    title: str
    outlet: str
    source: str
    published: PublishedDate
    language: str
    first_seen: datetime
    content_hash: str
    url: str | None = None
    duplicate_of: int | None = None
    """Id of the earlier article this one is a near-duplicate of (same wire story elsewhere)."""
    topic_density: float | None = None
    """Share of its words naming the monitored conflict (see `index.topic`); None until computed."""
    side: str | None = None
    """The side it was ingested with, if any (else the outlet table decides, see `index.sides`)."""


@dataclass(frozen=True)
class Passage:
    """One paragraph of a stored article."""

    id: int
    article: StoredArticle
    position: int
    """0-based place in the article; the lead is 0."""
    text: str


@dataclass(frozen=True)
class Hit:
    """A passage found by search, with the scores that ranked it."""

    passage: Passage
    score: float
    dense: float = 0.0
    lexical: float = 0.0
    coverage: float = 0.0
    """Share of the question's concept weight the passage holds (see `index.lexical`)."""
    dated: bool = False
    """Published on, or naming, a day (or month) the question names."""
    matched: frozenset[int] = frozenset()
    """Indexes of the question's concepts found in the passage."""


class IngestStatus(StrEnum):
    """What ingest did with one input."""

    ADDED = "added"
    REPLACED = "replaced"
    """Same source, changed content: its paragraphs and vectors were replaced."""
    UNCHANGED = "unchanged"
    """Nothing new: the same content is stored already (under this source or another)."""
    FAILED = "failed"

    @property
    def stored(self) -> bool:
        return self in (IngestStatus.ADDED, IngestStatus.REPLACED)


@dataclass(frozen=True)
class IngestResult:
    """What happened to one input during ingest."""

    source: str
    status: IngestStatus
    article_id: int | None = None
    paragraphs: int = 0
    error: str = ""
    duplicate_of: int | None = None
