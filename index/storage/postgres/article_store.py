"""Articles and paragraphs on PostgreSQL: the same queries as `index.storage.sqlite.article_store`, and the
rules several writers need.

An article is written in one transaction with its paragraphs, their terms
(and the `term_counts` they change), named days and vectors, and a row in
`search_outbox` that tells Milvus to take it in after the commit
(`index.storage.postgres.search_outbox`). Two processes that store the same
file, or the same content under two names, at once are settled by the unique
constraints on `source` and `content_hash`: the second insert finds the
first's row (`ON CONFLICT DO NOTHING`) and reports the article unchanged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from index.input.dates import PublishedDate, find_dates_in_text, published_from_columns
from index.models import Article, IngestStatus, Passage, StoredArticle
from index.search.analysis import paragraph_terms
from index.storage.postgres.db import PostgresDatabase, Row
from index.storage.postgres.embedding_store import EmbeddingStore
from index.storage.records import Removal, SearchFilters, StoreStats, WriteOutcome

__all__ = ["ArticleStore"]

Connection = Any
"""A psycopg connection inside a transaction."""


def _article_from_row(row: Row) -> StoredArticle:
    return StoredArticle(
        id=row["id"], title=row["title"], outlet=row["outlet"], source=row["source"],
        published=published_from_columns(row["published_first"], row["date_precision"]),
        language=row["language"], first_seen=datetime.fromisoformat(row["first_seen"]),
        content_hash=row["content_hash"], url=row["url"], duplicate_of=row["duplicate_of"],
        topic_density=row["topic_density"], side=row["side"],
    )


def _term_counts(per_paragraph: Iterable[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for paragraph in per_paragraph:
        counts.update(set(paragraph.split()))
    return counts


def _count_terms(db: Connection, added: Counter[str], removed: Counter[str]) -> None:
    """Change how many paragraphs hold each term, in one statement at the end of the article's transaction (the
    rows of common terms are shared by every writer: held as briefly as possible) and in term order (so that
    concurrent writers lock them in one order and never deadlock)."""
    counts = Counter(added)
    counts.subtract(removed)
    terms = sorted(t for t, n in counts.items() if n)
    if not terms:
        return
    db.execute(
        "INSERT INTO term_counts(term, doc) SELECT t.term, t.doc FROM unnest(%s::text[], %s::bigint[]) AS t(term, doc) "
        "ORDER BY t.term ON CONFLICT (term) DO UPDATE SET doc = term_counts.doc + excluded.doc",
        (terms, [counts[t] for t in terms]),
    )


class ArticleStore:
    """Articles, paragraphs and paragraph days in PostgreSQL; safe to share between threads."""

    def __init__(self, db: PostgresDatabase, embeddings: EmbeddingStore) -> None:
        self.db = db
        self._embeddings = embeddings
        self._article_cache: dict[int, StoredArticle] = {}

    def forget_cached(self) -> None:
        """Drop the articles kept in memory: another process changed the archive (`index.search.shared_refresh`)."""
        self._article_cache.clear()

    @property
    def embeddings(self) -> EmbeddingStore:
        return self._embeddings

    # -- writing --------------------------------------------------------------

    def find_source(self, source: str) -> tuple[int, str] | None:
        rows = self.db.read("SELECT id, content_hash FROM articles WHERE source = %s", (source,))
        return (rows[0]["id"], rows[0]["content_hash"]) if rows else None

    def find_hash(self, digest: str) -> int | None:
        rows = self.db.read("SELECT id FROM articles WHERE content_hash = %s", (digest,))
        return rows[0]["id"] if rows else None

    def write_article(
        self, article: Article, vectors: np.ndarray, *, model_id: str, digest: str,
        first_seen: datetime | None = None, duplicate_of: int | None = None, topic_density: float | None = None,
    ) -> WriteOutcome:
        if len(vectors) != len(article.paragraphs):
            raise ValueError("one vector per paragraph is required")
        seen = (first_seen or datetime.now(UTC)).isoformat(timespec="seconds")
        published = article.published
        first, last = published.first_day(), published.last_day()
        columns = (article.url, article.title, article.outlet, first and first.isoformat(),
                   last and last.isoformat(), published.precision.value, article.language)
        with self.db.transaction() as db:
            self._embeddings.claim_model(db, model_id, int(vectors.shape[1]))
            inserted = db.execute(
                """INSERT INTO articles(url, title, outlet, published_first, published_last, date_precision,
                       language, source, first_seen, content_hash, duplicate_of, topic_density, side)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                   ON CONFLICT DO NOTHING RETURNING id""",
                (*columns, article.source, seen, digest, duplicate_of, topic_density, article.side),
            ).fetchone()
            removed: list[int] = []
            old_terms: Counter[str] = Counter()
            if inserted is not None:
                article_id = int(inserted["id"])
                status = IngestStatus.ADDED
            else:
                existing = db.execute("SELECT id, content_hash FROM articles WHERE source = %s FOR UPDATE",
                                      (article.source,)).fetchone()
                same = db.execute("SELECT id FROM articles WHERE content_hash = %s", (digest,)).fetchone()
                if existing is None or existing["content_hash"] == digest or same is not None:
                    # Stored already: by another process at the same moment, or the same content elsewhere.
                    kept = existing["id"] if existing is not None else same["id"] if same is not None else 0
                    other = same["id"] if same is not None and (existing is None or same["id"] != existing["id"]) \
                        else None
                    return WriteOutcome(int(kept), IngestStatus.UNCHANGED, (), (), duplicate_of=other)
                article_id = int(existing["id"])
                old = db.execute("SELECT id, terms FROM paragraphs WHERE article_id = %s", (article_id,)).fetchall()
                removed = [r["id"] for r in old]
                old_terms = _term_counts(r["terms"] for r in old)
                db.execute("DELETE FROM paragraphs WHERE article_id = %s", (article_id,))
                db.execute(
                    """UPDATE articles SET url=%s, title=%s, outlet=%s, published_first=%s, published_last=%s,
                       date_precision=%s, language=%s, content_hash=%s, duplicate_of=%s, topic_density=%s, side=%s
                       WHERE id=%s""",
                    (*columns, digest, duplicate_of, topic_density, article.side, article_id),
                )
                status = IngestStatus.REPLACED
            terms = [paragraph_terms(text, article.language) for text in article.paragraphs]
            added = [int(r["id"]) for r in db.execute(
                "INSERT INTO paragraphs(article_id, position, text, terms) "
                "SELECT %s, p.position, p.text, p.terms FROM unnest(%s::int[], %s::text[], %s::text[]) "
                "AS p(position, text, terms) ORDER BY p.position RETURNING id",
                (article_id, list(range(len(terms))), list(article.paragraphs), terms),
            ).fetchall()]
            added.sort()
            days = [(pid, day.isoformat()) for pid, text in zip(added, article.paragraphs, strict=True)
                    for day in set(find_dates_in_text(text, published, article.language))]
            db.execute("INSERT INTO paragraph_dates(paragraph_id, day) SELECT * FROM unnest(%s::bigint[], %s::text[])",
                       ([d[0] for d in days], [d[1] for d in days]))
            self._embeddings.add_many(db, added, vectors)
            _count_terms(db, _term_counts(terms), old_terms)
            db.execute("INSERT INTO search_outbox(article_id, fresh) VALUES (%s, %s)",
                       (article_id, status is IngestStatus.ADDED))
            db.execute("INSERT INTO meta(key, value) VALUES ('last_ingest', %s) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       (datetime.now(UTC).isoformat(timespec="seconds"),))
        self._article_cache.pop(article_id, None)
        return WriteOutcome(article_id, status, tuple(added), tuple(removed))

    def remove(self, removal: Removal) -> tuple[list[StoredArticle], tuple[int, ...]]:
        if removal.empty:
            raise ValueError("nothing chosen to remove")
        where, params = removal.sql("%s")
        with self.db.transaction() as db:
            rows = db.execute(f"SELECT * FROM articles WHERE {where} ORDER BY id FOR UPDATE", params).fetchall()
            articles = [_article_from_row(r) for r in rows]
            ids = [a.id for a in articles]
            old = db.execute("SELECT id, terms FROM paragraphs WHERE article_id = ANY(%s) ORDER BY id",
                             (ids,)).fetchall()
            db.execute("DELETE FROM articles WHERE id = ANY(%s)", (ids,))
            _count_terms(db, Counter(), _term_counts(r["terms"] for r in old))
            with db.cursor() as cursor:
                cursor.executemany("INSERT INTO search_outbox(article_id) VALUES (%s)", [(i,) for i in ids])
        self._article_cache.clear()
        return articles, tuple(int(r["id"]) for r in old)

    def chosen(self, removal: Removal) -> list[StoredArticle]:
        if removal.empty:
            raise ValueError("nothing chosen to remove")
        where, params = removal.sql("%s")
        return [_article_from_row(r) for r in self.db.read(f"SELECT * FROM articles WHERE {where} ORDER BY id",
                                                           params)]

    def article_terms(self) -> Iterator[tuple[int, list[str]]]:
        for row in self.db.read("SELECT id FROM articles ORDER BY id"):
            rows = self.db.read("SELECT terms FROM paragraphs WHERE article_id = %s ORDER BY position", (row["id"],))
            yield row["id"], [t for r in rows for t in r["terms"].split()]

    def set_topic_densities(self, values: Iterable[tuple[int, float]], fingerprint: str) -> None:
        with self.db.transaction() as db:
            with db.cursor() as cursor:
                cursor.executemany("UPDATE articles SET topic_density = %s WHERE id = %s", [(d, i) for i, d in values])
            db.execute("INSERT INTO meta(key, value) VALUES ('topic_fingerprint', %s) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (fingerprint,))
        self._article_cache.clear()

    def topic_fingerprint(self) -> str | None:
        return self.db.meta("topic_fingerprint")

    # -- reading --------------------------------------------------------------

    def iter_paragraph_texts(self, batch: int = 512) -> Iterator[list[tuple[int, str, int, int]]]:
        for rows in self.db.read_pages(
            "SELECT id, text, article_id, position FROM paragraphs WHERE id > %s ORDER BY id LIMIT %s", batch
        ):
            yield [(r["id"], r["text"], r["article_id"], r["position"]) for r in rows]

    def article(self, article_id: int) -> StoredArticle:
        cached = self._article_cache.get(article_id)
        if cached is not None:
            return cached
        rows = self.db.read("SELECT * FROM articles WHERE id = %s", (article_id,))
        if not rows:
            raise KeyError(article_id)
        stored = _article_from_row(rows[0])
        self._article_cache[article_id] = stored
        return stored

    def articles(self, ids: Iterable[int]) -> dict[int, StoredArticle]:
        return {i: self.article(i) for i in ids}

    def passages(self, ids: Sequence[int]) -> dict[int, Passage]:
        rows = self.db.read("SELECT id, article_id, position, text FROM paragraphs WHERE id = ANY(%s)",
                            ([int(i) for i in ids],))
        return {r["id"]: Passage(r["id"], self.article(r["article_id"]), r["position"], r["text"]) for r in rows}

    def article_passages(self, article_id: int) -> list[Passage]:
        rows = self.db.read("SELECT id, position, text FROM paragraphs WHERE article_id = %s ORDER BY position",
                            (article_id,))
        stored = self.article(article_id)
        return [Passage(r["id"], stored, r["position"], r["text"]) for r in rows]

    def filtered_paragraph_ids(self, filters: SearchFilters) -> np.ndarray:
        where, params = filters.sql("%s")
        rows = self.db.read(f"SELECT p.id FROM paragraphs p JOIN articles a ON a.id = p.article_id WHERE {where}",
                            params)
        return np.fromiter((r["id"] for r in rows), dtype=np.int64, count=len(rows))

    def paragraph_ids_published_on(self, day: date) -> list[int]:
        rows = self.db.read(
            """SELECT p.id FROM paragraphs p JOIN articles a ON a.id = p.article_id
               WHERE a.date_precision = 'day' AND a.published_first = %s""", (day.isoformat(),))
        return [r["id"] for r in rows]

    def paragraph_ids_published_in_month(self, year: int, month: int) -> list[int]:
        rows = self.db.read(
            """SELECT p.id FROM paragraphs p JOIN articles a ON a.id = p.article_id
               WHERE a.date_precision IN ('day', 'month') AND substr(a.published_first, 1, 7) = %s""",
            (f"{year:04d}-{month:02d}",))
        return [r["id"] for r in rows]

    def days_mentioned(self, ids: Sequence[int]) -> dict[int, list[date]]:
        found: dict[int, list[date]] = {}
        for row in self.db.read("SELECT paragraph_id, day FROM paragraph_dates WHERE paragraph_id = ANY(%s) "
                                "ORDER BY day", ([int(i) for i in ids],)):
            found.setdefault(row["paragraph_id"], []).append(date.fromisoformat(row["day"]))
        return found

    def paragraph_ids_mentioning(self, days: Iterable[date]) -> list[int]:
        wanted = sorted({d.isoformat() for d in days})
        if not wanted:
            return []
        return [r["paragraph_id"] for r in self.db.read(
            "SELECT paragraph_id FROM paragraph_dates WHERE day = ANY(%s)", (wanted,))]

    def articles_published_on(self, day: date) -> list[StoredArticle]:
        rows = self.db.read("SELECT * FROM articles WHERE date_precision = 'day' AND published_first = %s "
                            "ORDER BY id", (day.isoformat(),))
        return [_article_from_row(r) for r in rows]

    def years(self) -> list[int]:
        rows = self.db.read("SELECT DISTINCT substr(published_first, 1, 4) AS y FROM articles "
                            "WHERE published_first IS NOT NULL ORDER BY 1")
        return [int(r["y"]) for r in rows]

    def publication_years(self) -> list[int]:
        years: list[int] = []
        start = ""
        while True:
            first = self.db.read("SELECT MIN(published_first) AS m FROM articles WHERE published_first >= %s",
                                 (start,))[0]["m"]
            if first is None:
                return years
            years.append(int(first[:4]))
            start = f"{years[-1] + 1:04d}"

    def paragraph_ids_near(self, first: date, last: date, *, exclude_article: int | None = None) -> np.ndarray:
        reach_back = (first - timedelta(days=31)).isoformat()
        after = (last + timedelta(days=1)).isoformat()
        rows = self.db.read(
            """SELECT p.id FROM paragraphs p WHERE p.article_id IN (
                   SELECT id FROM articles WHERE published_first BETWEEN %s AND %s AND published_last >= %s
                          AND date_precision != 'year' AND id != %s
                   UNION ALL
                   SELECT id FROM articles WHERE published_first IS NULL AND first_seen >= %s AND first_seen < %s
                          AND id != %s)""",
            (reach_back, last.isoformat(), first.isoformat(), exclude_article or 0,
             first.isoformat(), after, exclude_article or 0),
        )
        return np.fromiter((r["id"] for r in rows), dtype=np.int64, count=len(rows))

    def article_ids_of(self, paragraph_ids: Iterable[int]) -> dict[int, int]:
        rows = self.db.read("SELECT id, article_id FROM paragraphs WHERE id = ANY(%s)",
                            (sorted({int(i) for i in paragraph_ids}),))
        return {r["id"]: r["article_id"] for r in rows}

    def paragraph_count(self) -> int:
        return int(self.db.read("SELECT COUNT(*) AS n FROM paragraphs")[0]["n"])

    def stats(self) -> StoreStats:
        counts = self.db.read(
            """SELECT (SELECT COUNT(*) FROM articles) AS articles, (SELECT COUNT(*) FROM paragraphs) AS paragraphs,
                      (SELECT COUNT(*) FROM embeddings) AS embeddings,
                      (SELECT COUNT(DISTINCT outlet) FROM articles) AS outlets,
                      (SELECT MIN(published_first) FROM articles) AS oldest""")[0]
        newest_rows = self.db.read(
            "SELECT published_first, date_precision FROM articles WHERE published_first IS NOT NULL "
            "ORDER BY published_last DESC, published_first DESC LIMIT 1")
        newest = (published_from_columns(newest_rows[0]["published_first"], newest_rows[0]["date_precision"])
                  if newest_rows else PublishedDate.unknown())
        languages = {r["language"] or "?": r["n"] for r in self.db.read(
            "SELECT language, COUNT(*) AS n FROM articles GROUP BY language ORDER BY n DESC, language")}
        return StoreStats(
            articles=counts["articles"], paragraphs=counts["paragraphs"], embeddings=counts["embeddings"],
            languages=languages, outlets=counts["outlets"], oldest=counts["oldest"] or "", newest=newest.iso(),
            newest_display=newest.display() if newest.value else "", last_ingest=self.db.meta("last_ingest") or "",
            model_id=self.db.meta("model_id") or "",
        )
