"""The analysed terms of every paragraph on PostgreSQL, and `term_counts`: how many paragraphs hold each term.

`term_counts` is kept in the article's own transaction (`article_store`), so
concept BM25's idf reads one row per form, as FTS5's vocabulary gives it in
the SQLite archive. Finding candidates by terms is Milvus's part in cluster
mode (`index.search.milvus`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from index.storage.postgres.db import PostgresDatabase

__all__ = ["TermStore"]


class TermStore:
    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db

    def term_document_counts(self, terms: Iterable[str]) -> dict[str, int]:
        rows = self.db.read("SELECT term, doc FROM term_counts WHERE term = ANY(%s) AND doc > 0", (sorted(set(terms)),))
        return {r["term"]: int(r["doc"]) for r in rows}

    def paragraph_terms(self, ids: Sequence[int]) -> dict[int, str]:
        rows = self.db.read("SELECT id, terms FROM paragraphs WHERE id = ANY(%s)", ([int(i) for i in ids],))
        return {r["id"]: r["terms"] for r in rows}

    def mean_terms_per_paragraph(self, sample: int = 2000) -> float:
        rows = self.db.read(
            """SELECT AVG(length(terms) - length(replace(terms, ' ', '')) + 1) AS mean
               FROM (SELECT terms FROM paragraphs ORDER BY id DESC LIMIT %s) latest""", (sample,))
        return float(rows[0]["mean"] or 1.0)
