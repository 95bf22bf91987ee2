"""The archive's articles and their paragraphs (with the days each names), on the shared `Database`.

One article is written in one transaction, with its paragraphs, their
analysed terms and named days, and their vectors (through the
`EmbeddingStore`), so an interrupted ingest leaves either the whole article
or nothing of it. A new query about articles or paragraphs (by id, by day, by
source) is a method here.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from index.input.dates import PublishedDate, find_dates_in_text, published_from_columns
from index.models import Article, IngestStatus, Passage, StoredArticle
from index.search.analysis import paragraph_terms
from index.storage.sqlite.db import Database
from index.storage.sqlite.embedding_store import EmbeddingStore

__all__ = [
    "ArticleStore", "Removal", "SearchFilters", "StoreStats", "WriteOutcome", "content_hash"]


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

    def sql(self) -> tuple[str, list[object]]:
        """A WHERE fragment on `articles a`; a date filter honours precision and skips unknown dates."""
        clauses: list[str] = []
        params: list[object] = []
        if self.since is not None:
            clauses.append("a.published_last IS NOT NULL AND a.published_last >= ?")
            params.append(self.since.isoformat())
        if self.until is not None:
            clauses.append("a.published_first IS NOT NULL AND a.published_first <= ?")
            params.append(self.until.isoformat())
        if self.language:
            clauses.append("a.language = ?")
            params.append(self.language.lower())
        if self.outlet:
            clauses.append("a.outlet = ? COLLATE NOCASE")
            params.append(self.outlet)
        return (" AND ".join(clauses) or "1"), params


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

    def sql(self) -> tuple[str, list[object]]:
        clauses: list[str] = []
        params: list[object] = []
        if self.article_ids:
            clauses.append(f"id IN ({','.join('?' * len(self.article_ids))})")
            params.extend(self.article_ids)
        if self.sources:
            clauses.append(f"source IN ({','.join('?' * len(self.sources))})")
            params.extend(self.sources)
        if self.outlet:
            clauses.append("outlet = ? COLLATE NOCASE")
            params.append(self.outlet)
        if self.since:
            clauses.append("published_first IS NOT NULL AND published_first >= ?")
            params.append(self.since.isoformat())
        if self.until:
            clauses.append("published_last IS NOT NULL AND published_last <= ?")
            params.append(self.until.isoformat())
        return " AND ".join(clauses), params


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
    """Added or replaced."""
    added_ids: tuple[int, ...]
    removed_ids: tuple[int, ...]


def _article_from_row(row: sqlite3.Row) -> StoredArticle:
    return StoredArticle(
        id=row["id"],
        title=row["title"],
        outlet=row["outlet"],
        source=row["source"],
        published=published_from_columns(row["published_first"], row["date_precision"]),
        language=row["language"],
        first_seen=datetime.fromisoformat(row["first_seen"]),
        content_hash=row["content_hash"],
        url=row["url"],
        duplicate_of=row["duplicate_of"],
        topic_density=row["topic_density"],
        side=row["side"],
    )


class ArticleStore:
    """Articles, paragraphs and paragraph days; safe to share between threads (every call takes the database's lock)."""

    def __init__(self, db: Database, embeddings: EmbeddingStore) -> None:
        self.db = db
        self.embeddings = embeddings
        self._article_cache: dict[int, StoredArticle] = {}

    def forget_cached(self) -> None:
        """Drop the articles kept in memory: another process changed the archive (see `index.search.vector_refresh`)."""
        self._article_cache.clear()

    # -- writing --------------------------------------------------------------

    def find_source(self, source: str) -> tuple[int, str] | None:
        rows = self.db.read("SELECT id, content_hash FROM articles WHERE source = ?", (source,))
        return (rows[0]["id"], rows[0]["content_hash"]) if rows else None

    def find_hash(self, digest: str) -> int | None:
        rows = self.db.read("SELECT id FROM articles WHERE content_hash = ? ORDER BY id LIMIT 1", (digest,))
        return rows[0]["id"] if rows else None

    def write_article(
        self,
        article: Article,
        vectors: np.ndarray,
        *,
        model_id: str,
        digest: str,
        first_seen: datetime | None = None,
        duplicate_of: int | None = None,
        topic_density: float | None = None,
    ) -> WriteOutcome:
        """Insert or replace one article with its paragraphs and vectors, atomically."""
        if len(vectors) != len(article.paragraphs):
            raise ValueError("one vector per paragraph is required")
        seen = (first_seen or datetime.now(UTC)).isoformat(timespec="seconds")
        published = article.published
        first = published.first_day()
        last = published.last_day()
        with self.db.transaction() as db:
            self.embeddings.claim_model(db, model_id, int(vectors.shape[1]))
            existing = db.execute("SELECT id FROM articles WHERE source = ?", (article.source,)).fetchone()
            removed: list[int] = []
            if existing is not None:
                article_id = existing["id"]
                removed = [r["id"] for r in db.execute("SELECT id FROM paragraphs WHERE article_id = ?", (article_id,))]
                db.execute("DELETE FROM paragraphs WHERE article_id = ?", (article_id,))
                db.execute(
                    """UPDATE articles SET url=?, title=?, outlet=?, published_first=?, published_last=?,
                       date_precision=?, language=?, content_hash=?, duplicate_of=?, topic_density=?, side=?
                       WHERE id=?""",
                    (article.url, article.title, article.outlet, first and first.isoformat(),
                     last and last.isoformat(), published.precision.value, article.language, digest,
                     duplicate_of, topic_density, article.side, article_id),
                )
                status = IngestStatus.REPLACED
            else:
                cursor = db.execute(
                    """INSERT INTO articles(source, url, title, outlet, published_first, published_last,
                       date_precision, language, first_seen, content_hash, duplicate_of, topic_density, side)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (article.source, article.url, article.title, article.outlet, first and first.isoformat(),
                     last and last.isoformat(), published.precision.value, article.language, seen, digest,
                     duplicate_of, topic_density, article.side),
                )
                article_id = int(cursor.lastrowid or 0)
                status = IngestStatus.ADDED
            added: list[int] = []
            for position, (text, vector) in enumerate(zip(article.paragraphs, vectors, strict=True)):
                cursor = db.execute(
                    "INSERT INTO paragraphs(article_id, position, text, terms) VALUES (?, ?, ?, ?)",
                    (article_id, position, text, paragraph_terms(text, article.language)),
                )
                paragraph_id = int(cursor.lastrowid or 0)
                db.executemany(
                    "INSERT OR IGNORE INTO paragraph_dates(paragraph_id, day) VALUES (?, ?)",
                    [(paragraph_id, day.isoformat())
                     for day in find_dates_in_text(text, published, article.language)],
                )
                self.embeddings.add(db, paragraph_id, vector)
                added.append(paragraph_id)
            db.execute(
                "INSERT INTO meta(key, value) VALUES ('last_ingest', ?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (datetime.now(UTC).isoformat(timespec="seconds"),),
            )
        self._article_cache.pop(article_id, None)
        return WriteOutcome(article_id, status, tuple(added), tuple(removed))

    def remove(self, removal: Removal) -> tuple[list[StoredArticle], tuple[int, ...]]:
        """Delete the chosen articles with their paragraphs, vectors and terms in one transaction.

        Returns the articles removed and their paragraph ids (for the derived vector index to drop).
        """
        if removal.empty:
            raise ValueError("nothing chosen to remove")
        where, params = removal.sql()
        with self.db.transaction() as db:
            rows = db.execute(f"SELECT * FROM articles WHERE {where} ORDER BY id", params).fetchall()
            articles = [_article_from_row(r) for r in rows]
            ids = [a.id for a in articles]
            paragraph_ids: list[int] = []
            for start in range(0, len(ids), 900):
                chunk = ids[start:start + 900]
                marks = ",".join("?" * len(chunk))
                paragraph_ids += [r[0] for r in db.execute(
                    f"SELECT id FROM paragraphs WHERE article_id IN ({marks})", chunk)]
                db.execute(f"DELETE FROM paragraphs WHERE article_id IN ({marks})", chunk)
                db.execute(f"DELETE FROM articles WHERE id IN ({marks})", chunk)
        for article_id in ids:
            self._article_cache.pop(article_id, None)
        self._article_cache.clear()  # copies that pointed at a removed article no longer do
        return articles, tuple(paragraph_ids)

    def article_terms(self) -> Iterator[tuple[int, list[str]]]:
        """(article id, analysed terms of all its paragraphs), article by article: for recomputing topic shares."""
        for (article_id,) in self.db.read("SELECT id FROM articles ORDER BY id"):
            rows = self.db.read("SELECT terms FROM paragraphs WHERE article_id = ? ORDER BY position", (article_id,))
            yield article_id, [t for r in rows for t in r[0].split()]

    def set_topic_densities(self, values: Iterable[tuple[int, float]], fingerprint: str) -> None:
        """Store recomputed topic shares and the keyword fingerprint they were computed with, atomically."""
        with self.db.transaction() as db:
            db.executemany("UPDATE articles SET topic_density = ? WHERE id = ?", [(d, i) for i, d in values])
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('topic_fingerprint', ?)", (fingerprint,))
        self._article_cache.clear()

    def topic_fingerprint(self) -> str | None:
        """The keyword fingerprint the stored topic shares were computed with (see `set_topic_densities`)."""
        return self.db.meta("topic_fingerprint")

    # -- reading --------------------------------------------------------------

    def iter_paragraph_texts(self, batch: int = 512) -> Iterator[list[tuple[int, str, int, int]]]:
        """(paragraph id, text, article id, position) in id order, in batches: for re-embedding."""
        for rows in self.db.read_pages(
            "SELECT id, text, article_id, position FROM paragraphs WHERE id > ? ORDER BY id LIMIT ?", batch
        ):
            yield [(r["id"], r["text"], r["article_id"], r["position"]) for r in rows]

    def article(self, article_id: int) -> StoredArticle:
        cached = self._article_cache.get(article_id)
        if cached is not None:
            return cached
        rows = self.db.read("SELECT * FROM articles WHERE id = ?", (article_id,))
        if not rows:
            raise KeyError(article_id)
        stored = _article_from_row(rows[0])
        self._article_cache[article_id] = stored
        return stored

    def articles(self, ids: Iterable[int]) -> dict[int, StoredArticle]:
        return {i: self.article(i) for i in ids}

    def passages(self, ids: Sequence[int]) -> dict[int, Passage]:
        """Passages by paragraph id; ids no longer in the store are simply absent."""
        rows = self.db.read_in("SELECT id, article_id, position, text FROM paragraphs WHERE id IN ({marks})",
                               [int(i) for i in ids])
        return {row["id"]: Passage(row["id"], self.article(row["article_id"]), row["position"], row["text"])
                for row in rows}

    def article_passages(self, article_id: int) -> list[Passage]:
        rows = self.db.read(
            "SELECT id, position, text FROM paragraphs WHERE article_id = ? ORDER BY position", (article_id,)
        )
        stored = self.article(article_id)
        return [Passage(r["id"], stored, r["position"], r["text"]) for r in rows]

    def filtered_paragraph_ids(self, filters: SearchFilters) -> np.ndarray:
        where, params = filters.sql()
        rows = self.db.read(
            f"SELECT p.id FROM paragraphs p JOIN articles a ON a.id = p.article_id WHERE {where}", params
        )
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def paragraph_ids_published_on(self, day: date) -> list[int]:
        rows = self.db.read(
            """SELECT p.id FROM paragraphs p JOIN articles a ON a.id = p.article_id
               WHERE a.date_precision = 'day' AND a.published_first = ?""",
            (day.isoformat(),),
        )
        return [r[0] for r in rows]

    def paragraph_ids_published_in_month(self, year: int, month: int) -> list[int]:
        """Paragraphs of articles published in that month, at day or month precision."""
        prefix = f"{year:04d}-{month:02d}"
        rows = self.db.read(
            """SELECT p.id FROM paragraphs p JOIN articles a ON a.id = p.article_id
               WHERE a.date_precision IN ('day', 'month') AND substr(a.published_first, 1, 7) = ?""",
            (prefix,),
        )
        return [r[0] for r in rows]

    def days_mentioned(self, ids: Sequence[int]) -> dict[int, list[date]]:
        """The days each paragraph's text names (see `find_dates_in_text`), by paragraph id."""
        found: dict[int, list[date]] = {}
        for row in self.db.read_in(
            "SELECT paragraph_id, day FROM paragraph_dates WHERE paragraph_id IN ({marks}) ORDER BY day",
            [int(i) for i in ids],
        ):
            found.setdefault(row[0], []).append(date.fromisoformat(row[1]))
        return found

    def paragraph_ids_mentioning(self, days: Iterable[date]) -> list[int]:
        """Paragraphs whose text names one of these days (resolved against their article's date)."""
        wanted = sorted({d.isoformat() for d in days})
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        return [r[0] for r in self.db.read(f"SELECT paragraph_id FROM paragraph_dates WHERE day IN ({marks})", wanted)]

    def articles_published_on(self, day: date) -> list[StoredArticle]:
        rows = self.db.read(
            "SELECT * FROM articles WHERE date_precision = 'day' AND published_first = ? ORDER BY id",
            (day.isoformat(),),
        )
        return [_article_from_row(r) for r in rows]

    def years(self) -> list[int]:
        rows = self.db.read(
            "SELECT DISTINCT substr(published_first, 1, 4) FROM articles WHERE published_first IS NOT NULL ORDER BY 1"
        )
        return [int(r[0]) for r in rows]

    def publication_years(self) -> list[int]:
        """The years of `years()` by one index lookup a year instead of a scan of every article: questions
        naming a day without a year ask for this on every question."""
        years: list[int] = []
        start = ""
        while True:
            first = self.db.read("SELECT MIN(published_first) FROM articles WHERE published_first >= ?", (start,))[0][0]
            if first is None:
                return years
            years.append(int(first[:4]))
            start = f"{years[-1] + 1:04d}"

    def paragraph_ids_near(self, first: date, last: date, *, exclude_article: int | None = None) -> np.ndarray:
        """Paragraphs of the articles whose days come within [first, last], for near-duplicate checks.

        An article's days are its publication range (a month-only date covers
        its month), or the day it was first seen when its date is unknown.
        Year-only dates are too vague to place a copy and are left out. The
        lower bound on `published_first` (a month before `first`) lets SQLite
        walk the publication index over a few weeks instead of the archive.
        """
        reach_back = (first - timedelta(days=31)).isoformat()
        after = (last + timedelta(days=1)).isoformat()
        rows = self.db.read(
            """SELECT group_concat(p.id) FROM paragraphs p WHERE p.article_id IN (
                   SELECT id FROM articles WHERE published_first BETWEEN ? AND ? AND published_last >= ?
                          AND date_precision != 'year' AND id != ?
                   UNION ALL
                   SELECT id FROM articles WHERE published_first IS NULL AND first_seen >= ? AND first_seen < ?
                          AND id != ?)""",
            (reach_back, last.isoformat(), first.isoformat(), exclude_article or 0,
             first.isoformat(), after, exclude_article or 0),
        )
        joined = rows[0][0] if rows else None
        if not joined:
            return np.zeros(0, dtype=np.int64)
        return np.array(joined.split(","), dtype=np.int64)

    def article_ids_of(self, paragraph_ids: Iterable[int]) -> dict[int, int]:
        """The article of each of these paragraphs (ids no longer stored are absent)."""
        rows = self.db.read_in("SELECT id, article_id FROM paragraphs WHERE id IN ({marks})",
                               sorted({int(i) for i in paragraph_ids}))
        return {row[0]: row[1] for row in rows}

    def paragraph_count(self) -> int:
        """Stored paragraphs (SQLite counts them on the small (article, position) index, not the table)."""
        return int(self.db.read("SELECT COUNT(*) FROM paragraphs")[0][0])

    def stats(self) -> StoreStats:
        counts = self.db.read(
            """SELECT (SELECT COUNT(*) FROM articles) AS articles,
                      (SELECT COUNT(*) FROM paragraphs) AS paragraphs,
                      (SELECT COUNT(*) FROM embeddings) AS embeddings,
                      (SELECT COUNT(DISTINCT outlet) FROM articles) AS outlets,
                      (SELECT MIN(published_first) FROM articles) AS oldest"""
        )[0]
        newest_rows = self.db.read(
            "SELECT published_first, date_precision FROM articles WHERE published_first IS NOT NULL "
            "ORDER BY published_last DESC, published_first DESC LIMIT 1"
        )
        newest = (
            published_from_columns(newest_rows[0][0], newest_rows[0][1]) if newest_rows else PublishedDate.unknown()
        )
        languages = {
            r["language"] or "?": r["n"]
            for r in self.db.read("SELECT language, COUNT(*) AS n FROM articles GROUP BY language ORDER BY n DESC")
        }
        return StoreStats(
            articles=counts["articles"],
            paragraphs=counts["paragraphs"],
            embeddings=counts["embeddings"],
            languages=languages,
            outlets=counts["outlets"],
            oldest=counts["oldest"] or "",
            newest=newest.iso(),
            newest_display=newest.display() if newest.value else "",
            last_ingest=self.db.meta("last_ingest") or "",
            model_id=self.db.meta("model_id") or "",
        )
