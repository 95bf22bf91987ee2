"""PostgreSQL seen through the SQL both backends speak (`index.storage.portable.sql`): `?` parameters, rows
read by name or position, row claims that skip rows another process holds."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from index.storage.postgres.db import PostgresDatabase

__all__ = ["KeyedRow", "PortableDatabase"]


class KeyedRow(tuple[Any, ...]):
    """A row read by column name or by position, as `sqlite3.Row` is."""

    _names: dict[str, int]

    def __new__(cls, values: Sequence[Any], names: dict[str, int]) -> KeyedRow:
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(self._names[key] if isinstance(key, str) else key)

    def keys(self) -> list[str]:
        return list(self._names)


def _keyed(rows: list[dict[str, Any]]) -> list[KeyedRow]:
    if not rows:
        return []
    names = {name: n for n, name in enumerate(rows[0])}
    return [KeyedRow(tuple(row.values()), names) for row in rows]


def _dialect(sql: str) -> str:
    return sql.replace("?", "%s")


class _Cursor:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self.rowcount = int(cursor.rowcount)

    def fetchone(self) -> KeyedRow | None:
        rows = _keyed([row] if (row := self._cursor.fetchone()) is not None else [])
        return rows[0] if rows else None

    def fetchall(self) -> list[KeyedRow]:
        return _keyed(self._cursor.fetchall())

    def __iter__(self) -> Iterator[KeyedRow]:
        return iter(self.fetchall())


class _Connection:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[object] = ()) -> _Cursor:
        return _Cursor(self._conn.execute(_dialect(sql), params))

    def executemany(self, sql: str, params: Sequence[Sequence[object]]) -> None:
        with self._conn.cursor() as cursor:
            cursor.executemany(_dialect(sql), params)


class PortableDatabase:
    skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db

    def read(self, sql: str, params: Sequence[object] = ()) -> list[KeyedRow]:
        return _keyed(self.db.read(_dialect(sql), params))

    @contextmanager
    def transaction(self) -> Iterator[_Connection]:
        with self.db.transaction() as conn:
            yield _Connection(conn)

    def meta(self, key: str) -> str | None:
        return self.db.meta(key)
