"""The little both databases agree on, for repositories written once in SQL that runs on either.

Sources, digest posts and followed topics need nothing one dialect has and the
other lacks: `?` parameters (PostgreSQL's adapter turns them into `%s`),
`ON CONFLICT`, rows read by column name or position. So each is one class
here, not two copies of the same statements; the article, vector and term
repositories, whose SQL differs (FTS5, `unnest`, locks), have one per backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

__all__ = ["SqlConnection", "SqlDatabase", "SqlRow"]

SqlRow = Any
"""A row read by column name (`row["name"]`) or position (`row[0]`): `sqlite3.Row`, or PostgreSQL's `KeyedRow`."""


class SqlConnection(Protocol):
    """A connection inside a transaction."""

    def execute(self, sql: str, params: Sequence[object] = ...) -> Any: ...

    def executemany(self, sql: str, params: Sequence[Sequence[object]]) -> Any: ...


class SqlDatabase(Protocol):
    skip_locked: str
    """Appended to a SELECT that claims rows: `FOR UPDATE SKIP LOCKED` where other processes write at once,
    nothing in SQLite (whose writing transactions run one at a time)."""

    def read(self, sql: str, params: Sequence[object] = ()) -> list[SqlRow]: ...

    def transaction(self) -> AbstractContextManager[Any]: ...

    def meta(self, key: str) -> str | None: ...
