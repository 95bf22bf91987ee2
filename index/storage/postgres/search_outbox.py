"""The outbox between the archive and Milvus: which articles search still has to take in, and taking them in.

Every write of an article (added, replaced, removed) adds a row to
`search_outbox` in the same transaction, so the archive can never hold an
article that search will not hear of. Milvus is written only after that
commit, from here: a process claims rows (`FOR UPDATE SKIP LOCKED`, so two
processes never take the same ones), locks their articles against change
(`FOR SHARE`, so a newer version cannot be indexed before an older one
lands), reads each article as it is now, hands it to the engine, and deletes
the rows in the same transaction. A crash before the commit leaves the rows
for the next process (the engine's writes are idempotent: an article's old
entries are replaced); a crash before a row was ever written rolled the
article back with it. So search never shows a paragraph the archive lacks,
and nothing stored stays unsearchable.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np

from index.storage.postgres.db import PostgresDatabase
from index.storage.records import IndexedArticle, IndexedParagraph

__all__ = ["SearchOutbox"]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class SearchOutbox:
    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db

    def set_meta(self, key: str, value: str) -> None:
        """Record what a search engine's collection was made for (model and dimension) beside the archive."""
        with self.db.transaction() as db:
            db.execute("INSERT INTO meta(key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = "
                       "excluded.value", (key, value))

    def change_mark(self) -> int:
        """Where the outbox's id sequence stands: it moves with every article any process writes, replaces or
        removes (each adds a row in its own transaction). A write rolled back moves it too: one needless
        refresh, never a missed one."""
        row = self.db.read("SELECT last_value, is_called FROM search_outbox_id_seq")[0]
        return int(row["last_value"]) if row["is_called"] else 0  # before the first row, last_value is 1 too

    def pending(self) -> int:
        return int(self.db.read("SELECT COUNT(*) AS n FROM search_outbox")[0]["n"])

    def enqueue_all(self) -> None:
        """Queue every stored article (a rebuild of the search engine)."""
        with self.db.transaction() as db:
            db.execute("INSERT INTO search_outbox(article_id) SELECT id FROM articles")

    def enqueue(self, article_ids: list[int]) -> None:
        with self.db.transaction() as db, db.cursor() as cursor:
            cursor.executemany("INSERT INTO search_outbox(article_id) VALUES (%s)", [(i,) for i in article_ids])

    def drain(self, apply: Callable[[list[IndexedArticle]], None], limit: int = 64) -> int:
        """Hand up to `limit` queued articles to `apply` and forget them once it returned; how many were taken."""
        with self.db.transaction() as db:
            claimed = db.execute("SELECT id, article_id, fresh FROM search_outbox ORDER BY id LIMIT %s "
                                 "FOR UPDATE SKIP LOCKED", (limit,)).fetchall()
            if not claimed:
                return 0
            article_ids = sorted({int(r["article_id"]) for r in claimed})
            articles = {int(r["id"]): r for r in db.execute(
                "SELECT id, published_first, published_last, date_precision, language, outlet, side FROM articles "
                "WHERE id = ANY(%s) ORDER BY id FOR SHARE", (article_ids,)).fetchall()}
            rows = db.execute(
                """SELECT p.id, p.article_id, p.terms, e.vector,
                          COALESCE((SELECT array_agg(d.day ORDER BY d.day) FROM paragraph_dates d
                                    WHERE d.paragraph_id = p.id), '{}') AS days
                   FROM paragraphs p JOIN embeddings e ON e.paragraph_id = p.id
                   WHERE p.article_id = ANY(%s) ORDER BY p.id""", (list(articles),)).fetchall()
            paragraphs: dict[int, list[IndexedParagraph]] = {i: [] for i in article_ids}
            for row in rows:
                article = articles[row["article_id"]]
                paragraphs[row["article_id"]].append(IndexedParagraph(
                    id=int(row["id"]), article_id=int(row["article_id"]),
                    vector=np.frombuffer(row["vector"], dtype=np.float32), terms=row["terms"],
                    days=tuple(date.fromisoformat(d) for d in row["days"]),
                    published_first=_day(article["published_first"]), published_last=_day(article["published_last"]),
                    precision=article["date_precision"], language=article["language"], outlet=article["outlet"],
                    side=article["side"] or "",
                ))
            stale = {int(r["article_id"]) for r in claimed if not r["fresh"]}
            apply([IndexedArticle(i, tuple(paragraphs[i]), fresh=i not in stale) for i in article_ids])
            db.execute("DELETE FROM search_outbox WHERE id = ANY(%s)", ([int(r["id"]) for r in claimed],))
            return len(claimed)
