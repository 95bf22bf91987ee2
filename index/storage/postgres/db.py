"""The archive on PostgreSQL: a pool of connections, one ordered list of migrations, the advisory locks.

Cluster mode (`NEWSBOT_STORE__URL`): several bot and worker processes share
one database, so the rules the SQLite archive gets from being the only writer
come from PostgreSQL here: an article is one transaction; the same content
written by two processes at once is stored once because a unique constraint
says so (`articles.source`, `articles.content_hash`), not because one process
looked first; and whatever must happen in one process at a time (migrations,
the digest) takes an advisory lock.

The schema version is the single row of `schema_version`. Version n+1 is
reached by running `MIGRATIONS[n]` in one transaction under an advisory lock,
so two processes started together migrate once. A new table is one more entry
at the end of the list, as for SQLite (`index.storage.sqlite.db`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from index.errors import StoreError

try:
    import psycopg
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool
except ImportError:  # pragma: no cover - the cluster extra is not installed
    psycopg = None  # type: ignore[assignment]

__all__ = ["CLUSTER_EXTRA_MISSING", "MIGRATIONS", "SCHEMA_VERSION", "PostgresDatabase", "Row", "redacted_url"]

log = logging.getLogger(__name__)

Row = dict[str, Any]

CLUSTER_EXTRA_MISSING = ("cluster mode needs the `cluster` extra (PostgreSQL and Milvus clients): "
                         "pip install 'newsbot[cluster]'")

_MIGRATION_LOCK = 0x6E657773_0001
"""Advisory lock key held while migrating ('news' and 1)."""

_ARCHIVE = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    id BIGSERIAL PRIMARY KEY,
    source TEXT NOT NULL UNIQUE,
    url TEXT,
    title TEXT NOT NULL,
    outlet TEXT NOT NULL,
    published_first TEXT,
    published_last TEXT,
    date_precision TEXT NOT NULL,
    language TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    duplicate_of BIGINT REFERENCES articles(id) ON DELETE SET NULL,
    topic_density DOUBLE PRECISION,
    side TEXT
);
CREATE INDEX articles_published ON articles(published_first, published_last);
CREATE INDEX articles_first_seen ON articles(first_seen);
CREATE INDEX articles_outlet ON articles(lower(outlet));
CREATE TABLE paragraphs (
    id BIGSERIAL PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    terms TEXT NOT NULL DEFAULT '',
    UNIQUE (article_id, position)
);
CREATE TABLE embeddings (
    paragraph_id BIGINT PRIMARY KEY REFERENCES paragraphs(id) ON DELETE CASCADE,
    vector BYTEA NOT NULL
);
CREATE TABLE paragraph_dates (
    paragraph_id BIGINT NOT NULL REFERENCES paragraphs(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    PRIMARY KEY (day, paragraph_id)
);
CREATE INDEX paragraph_dates_paragraph ON paragraph_dates(paragraph_id);
CREATE TABLE term_counts (term TEXT PRIMARY KEY, doc BIGINT NOT NULL);
CREATE TABLE search_outbox (
    id BIGSERIAL PRIMARY KEY,
    article_id BIGINT NOT NULL,
    fresh BOOLEAN NOT NULL DEFAULT FALSE,
    queued_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE sources (
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    outlet TEXT NOT NULL,
    language TEXT,
    side TEXT NOT NULL DEFAULT 'unknown',
    poll_minutes DOUBLE PRECISION NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    origin TEXT NOT NULL DEFAULT 'runtime',
    etag TEXT,
    last_modified TEXT,
    last_success TEXT,
    last_error TEXT,
    last_error_at TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    next_poll TEXT,
    seeded INTEGER NOT NULL DEFAULT 0,
    kind TEXT NOT NULL DEFAULT 'feed',
    channel_id BIGINT,
    include_terms TEXT NOT NULL DEFAULT '',
    exclude_terms TEXT NOT NULL DEFAULT '',
    lease_owner TEXT,
    lease_until TEXT
);
CREATE TABLE feed_entries (url TEXT PRIMARY KEY, digest TEXT NOT NULL, seen TEXT NOT NULL, owner TEXT);
CREATE TABLE digest_posts (
    channel_id BIGINT NOT NULL,
    day TEXT NOT NULL,
    message_ids TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    PRIMARY KEY (channel_id, day)
);
CREATE TABLE follows (
    id BIGSERIAL PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    topic TEXT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    vector BYTEA NOT NULL,
    UNIQUE (channel_id, topic)
);
CREATE TABLE follow_alerts (
    follow_id BIGINT NOT NULL REFERENCES follows(id) ON DELETE CASCADE,
    story BIGINT NOT NULL,
    article_id BIGINT NOT NULL,
    posted_at TEXT NOT NULL,
    PRIMARY KEY (follow_id, story)
);
"""
"""Version 1: every table of the SQLite archive at its version 6 but one, plus `term_counts` (how many paragraphs
hold each analysed term: FTS5's vocabulary there) and `search_outbox` (articles whose search entries Milvus still
has to take in: written in the article's own transaction). The one left out is SQLite's removal log
(`vector_removals`): it tells a process which vectors to drop from its own FAISS copy, and in cluster mode no
process keeps a copy (every one searches the same Milvus collection; see `index.search.shared_refresh`)."""

MIGRATIONS: tuple[str, ...] = (_ARCHIVE,)
"""Schema version n+1 is reached by running MIGRATIONS[n], in one transaction."""
SCHEMA_VERSION = len(MIGRATIONS)


def redacted_url(url: str) -> str:
    """The URL without its password, for logs and `newsbot status`."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class PostgresDatabase:
    """A small pool of connections to one archive; safe to share between threads."""

    def __init__(self, url: str, *, max_connections: int = 8) -> None:
        if psycopg is None:
            raise StoreError(CLUSTER_EXTRA_MISSING)
        self.url = url
        self.shown = redacted_url(url)
        try:
            self._pool = ConnectionPool(url, min_size=1, max_size=max_connections, open=True, timeout=30.0,
                                        kwargs={"autocommit": True, "row_factory": dict_row})
            self._pool.wait(timeout=30.0)
        except (psycopg.Error, Exception) as exc:
            raise StoreError(f"cannot reach the PostgreSQL archive at {self.shown} ({exc})") from None
        self._lock = threading.Lock()
        self._migrate()

    def _migrate(self) -> None:
        with self.transaction() as db:
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM schema_version").fetchone()
            version = int(row["version"]) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.shown}: archive schema {version} is newer than this newsbot "
                                 f"({SCHEMA_VERSION})")
            for target in range(version, SCHEMA_VERSION):
                db.execute(MIGRATIONS[target])
            if row is None:
                db.execute("INSERT INTO schema_version(version) VALUES (%s)", (SCHEMA_VERSION,))
            elif version != SCHEMA_VERSION:
                db.execute("UPDATE schema_version SET version = %s", (SCHEMA_VERSION,))

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One transaction on one connection of the pool: committed at the end, rolled back on any error."""
        with self._errors_named(), self._pool.connection() as conn, conn.transaction():
            yield conn

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A connection of the pool in autocommit mode, for reads that need more than one statement."""
        with self._errors_named(), self._pool.connection() as conn:
            yield conn

    def read(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        with self._errors_named(), self._pool.connection() as conn:
            cursor: Any = conn.execute(sql, params)
            return list(cursor.fetchall())

    def read_pages(self, sql: str, batch: int) -> Iterator[list[Row]]:
        """Rows a page at a time, by key: `sql` takes the last key seen and the page size and orders by its
        first column, an integer key."""
        last = 0
        while rows := self.read(sql, (last, batch)):
            yield rows
            last = int(next(iter(rows[-1].values())))

    def meta(self, key: str) -> str | None:
        rows = self.read("SELECT value FROM meta WHERE key = %s", (key,))
        return str(rows[0]["value"]) if rows else None

    def dedicated_connection(self) -> Any:
        """A connection of its own, outside the pool (a session-level advisory lock lives as long as it)."""
        with self._errors_named():
            return psycopg.connect(self.url, autocommit=True, row_factory=dict_row)

    @contextmanager
    def _errors_named(self) -> Iterator[None]:
        """Losing the server becomes a StoreError naming it; SQL errors (bugs) pass unchanged."""
        try:
            yield
        except psycopg.OperationalError as exc:
            raise StoreError(f"the PostgreSQL archive at {self.shown} failed ({exc})") from None
