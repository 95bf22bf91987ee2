"""The analysed terms of every paragraph and the FTS5 index over them: the lexical half of search.

`index.analysis` turns text into terms; `index.lexical` scores a question's
concepts on them. This module is the SQL between the two.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from index.storage.sqlite.article_store import SearchFilters
from index.storage.sqlite.db import Database

__all__ = ["TermStore"]


class TermStore:
    """The `terms` column of `paragraphs` and the `terms_fts` / `terms_vocab` tables over it."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def lexical_candidates(self, match: str, limit: int, filters: SearchFilters | None = None) -> list[int]:
        """Paragraph ids whose analysed terms match an FTS5 query, best BM25 first."""
        if not match:
            return []
        where, params = (filters or SearchFilters()).sql()
        join = "" if where == "TRUE" else "JOIN paragraphs p ON p.id = f.rowid JOIN articles a ON a.id = p.article_id"
        try:
            rows = self.db.read(
                f"SELECT f.rowid FROM terms_fts f {join} WHERE terms_fts MATCH ? AND {where} ORDER BY rank LIMIT ?",
                [match, *params, limit],
            )
        except sqlite3.OperationalError:
            return []
        return [r[0] for r in rows]

    def lexical_candidates_by_weight(
        self, matches: Sequence[tuple[float, str]], limit: int, filters: SearchFilters | None = None
    ) -> list[int]:
        """Paragraph ids holding the most weight: each (weight, FTS5 query) adds its weight to every paragraph it
        matches; ties go to the newest. Nothing is ranked by bm25(), which reads every match's length."""
        if not matches:
            return []
        union = " UNION ALL ".join("SELECT rowid AS id, ? AS w FROM terms_fts WHERE terms_fts MATCH ?" for _ in matches)
        where, params = (filters or SearchFilters()).sql()
        join = "" if where == "TRUE" else "JOIN paragraphs p ON p.id = m.id JOIN articles a ON a.id = p.article_id"
        try:
            rows = self.db.read(
                f"SELECT m.id FROM ({union}) m {join} WHERE {where} GROUP BY m.id ORDER BY SUM(m.w) DESC, m.id DESC "
                "LIMIT ?",
                [value for weight, match in matches for value in (weight, match)] + params + [limit],
            )
        except sqlite3.OperationalError:
            return []
        return [r[0] for r in rows]

    def term_document_counts(self, terms: Iterable[str]) -> dict[str, int]:
        """How many paragraphs hold each analysed term (terms absent from the archive are left out)."""
        rows = self.db.read_in("SELECT term, doc FROM terms_vocab WHERE term IN ({marks})", sorted(set(terms)),
                               chunk=500)
        return {row[0]: int(row[1]) for row in rows}

    def paragraph_terms(self, ids: Sequence[int]) -> dict[int, str]:
        rows = self.db.read_in("SELECT id, terms FROM paragraphs WHERE id IN ({marks})", [int(i) for i in ids])
        return {row[0]: row[1] for row in rows}

    def mean_terms_per_paragraph(self, sample: int = 2000) -> float:
        """Average analysed length of the latest paragraphs (BM25's length normaliser; a sample is enough)."""
        rows = self.db.read(
            """SELECT AVG(length(terms) - length(replace(terms, ' ', '')) + 1)
               FROM (SELECT terms FROM paragraphs ORDER BY id DESC LIMIT ?)""",
            (sample,),
        )
        return float(rows[0][0] or 1.0)

