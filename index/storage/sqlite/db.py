"""The archive's SQLite database: one connection, one lock, and one ordered list of migrations for every table.

SQLite is the source of truth; everything else (the FAISS file) is derived
from it and can be rebuilt. The database runs in WAL mode so the bot keeps
answering while an ingest writes, and every statement of every repository
(articles, vectors, terms, sources, digest posts) goes through `transaction`
or `read`, so one lock serialises them across threads.

The schema version is SQLite's `user_version`. Version n+1 is reached by
running `MIGRATIONS[n]` in one transaction, so an interrupted upgrade leaves
a known version. A new table is one more entry at the end of the list (never
an edit of an earlier one: archives in use have already run it).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from index.errors import StoreError
from index.input.dates import find_dates_in_text, published_from_columns
from index.search.analysis import paragraph_terms
from index.storage.sqlite.archive_file import (
    check_archive_identity,
    check_data_dir,
    damage_error,
    existing_archive,
    mark_archive,
)

__all__ = ["Database", "Migration", "MIGRATIONS", "SCHEMA_VERSION", "sql_script"]

Migration = Callable[[sqlite3.Connection], None]


def sql_script(sql: str) -> Migration:
    """Statements one by one (executescript would commit the migration's transaction half-way)."""
    def run(db: sqlite3.Connection) -> None:
        statement = ""
        for line in sql.splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):
                db.execute(statement)
                statement = ""
    return run


_ARCHIVE = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL UNIQUE,
    url TEXT,
    title TEXT NOT NULL,
    outlet TEXT NOT NULL,
    published_first TEXT,
    published_last TEXT,
    date_precision TEXT NOT NULL,
    language TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    duplicate_of INTEGER REFERENCES articles(id) ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS articles_hash ON articles(content_hash);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published_first, published_last);
CREATE INDEX IF NOT EXISTS articles_first_seen ON articles(first_seen);
CREATE TABLE IF NOT EXISTS paragraphs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (article_id, position)
);
CREATE TABLE IF NOT EXISTS embeddings (
    paragraph_id INTEGER PRIMARY KEY REFERENCES paragraphs(id) ON DELETE CASCADE,
    vector BLOB NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS paragraphs_fts USING fts5(
    text, content='paragraphs', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE IF NOT EXISTS paragraphs_vocab USING fts5vocab(paragraphs_fts, 'row');
CREATE TRIGGER IF NOT EXISTS paragraphs_ai AFTER INSERT ON paragraphs BEGIN
    INSERT INTO paragraphs_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS paragraphs_ad AFTER DELETE ON paragraphs BEGIN
    INSERT INTO paragraphs_fts(paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
"""
"""Version 1: articles, their paragraphs and embeddings, FTS5 over the raw text. Paragraph ids use
AUTOINCREMENT: an id is never reused, which lets the vector index compare id sets to find what changed."""

_ANALYSED_TERMS = """
DROP TRIGGER IF EXISTS paragraphs_ai;
DROP TRIGGER IF EXISTS paragraphs_ad;
DROP TABLE IF EXISTS paragraphs_vocab;
DROP TABLE IF EXISTS paragraphs_fts;
ALTER TABLE paragraphs ADD COLUMN terms TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN topic_density REAL;
CREATE VIRTUAL TABLE terms_fts USING fts5(
    terms, content='paragraphs', content_rowid='id', tokenize='unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE terms_vocab USING fts5vocab(terms_fts, 'row');
CREATE TRIGGER paragraphs_ai AFTER INSERT ON paragraphs BEGIN
    INSERT INTO terms_fts(rowid, terms) VALUES (new.id, new.terms);
END;
CREATE TRIGGER paragraphs_ad AFTER DELETE ON paragraphs BEGIN
    INSERT INTO terms_fts(terms_fts, rowid, terms) VALUES ('delete', old.id, old.terms);
END;
CREATE TABLE paragraph_dates (
    paragraph_id INTEGER NOT NULL REFERENCES paragraphs(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    PRIMARY KEY (day, paragraph_id)
) WITHOUT ROWID;
CREATE INDEX paragraph_dates_paragraph ON paragraph_dates(paragraph_id);
"""
"""Version 2: FTS5 over analysed terms (see `index.analysis`), the days each paragraph names, topic shares."""


def _analyse_stored_paragraphs(db: sqlite3.Connection) -> None:
    """Fill the v2 terms column and mentioned days for paragraphs written before v2."""
    rows = db.execute(
        """SELECT p.id, p.text, a.language, a.published_first, a.date_precision
           FROM paragraphs p JOIN articles a ON a.id = p.article_id"""
    ).fetchall()
    for row in rows:
        published = published_from_columns(row[3], row[4])
        db.execute("UPDATE paragraphs SET terms = ? WHERE id = ?", (paragraph_terms(row[1], row[2]), row[0]))
        db.executemany(
            "INSERT OR IGNORE INTO paragraph_dates(paragraph_id, day) VALUES (?, ?)",
            [(row[0], day.isoformat()) for day in find_dates_in_text(row[1], published, row[2])],
        )
    db.execute("INSERT INTO terms_fts(terms_fts) VALUES ('rebuild')")


_SOURCES_AND_POSTS = """
CREATE TABLE IF NOT EXISTS sources (
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    outlet TEXT NOT NULL,
    language TEXT,
    side TEXT NOT NULL DEFAULT 'unknown',
    poll_minutes REAL NOT NULL,
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
    kind TEXT NOT NULL DEFAULT 'feed'
);
CREATE TABLE IF NOT EXISTS feed_entries (
    url TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    seen TEXT NOT NULL,
    owner TEXT
);
CREATE TABLE IF NOT EXISTS digest_posts (
    channel_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    message_ids TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    PRIMARY KEY (channel_id, day)
);
"""
"""Version 3: monitored sources, the feed entries they processed, digests posted. Earlier newsbots created
these tables on first use, outside the schema version, hence IF NOT EXISTS and the columns added below."""

_LATER_COLUMNS = (
    ("sources", "kind", "TEXT NOT NULL DEFAULT 'feed'"),
    ("feed_entries", "owner", "TEXT"),
)
"""Columns that tables created on first use gained after their first release."""


def _add_later_columns(db: sqlite3.Connection) -> None:
    for table, column, declaration in _LATER_COLUMNS:
        if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


_SIDES_ROUTES_FOLLOWS = """
ALTER TABLE articles ADD COLUMN side TEXT;
ALTER TABLE sources ADD COLUMN channel_id INTEGER;
ALTER TABLE sources ADD COLUMN include_terms TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN exclude_terms TEXT NOT NULL DEFAULT '';
CREATE TABLE follows (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    topic TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    vector BLOB NOT NULL,
    UNIQUE (channel_id, topic)
);
CREATE TABLE follow_alerts (
    follow_id INTEGER NOT NULL REFERENCES follows(id) ON DELETE CASCADE,
    story INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    posted_at TEXT NOT NULL,
    PRIMARY KEY (follow_id, story)
);
"""
"""Version 4: the side an article was ingested with (`--side`, a source's side), a source's own channel and
include/exclude terms, followed topics and the stories they were alerted about."""

_VECTOR_REMOVALS = """
CREATE TABLE vector_removals (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    paragraph_id INTEGER NOT NULL
);
CREATE TRIGGER embeddings_removed AFTER DELETE ON embeddings BEGIN
    INSERT INTO vector_removals(paragraph_id) VALUES (old.paragraph_id);
END;
"""
"""Version 5: every stored vector that goes (its article replaced or removed, in any process), in order, so a
running bot drops it from its index without comparing every id (`index.search.vector_refresh`). New vectors
need no log: paragraph ids only grow."""

MIGRATIONS: tuple[tuple[Migration, ...], ...] = (
    (sql_script(_ARCHIVE),),
    (sql_script(_ANALYSED_TERMS), _analyse_stored_paragraphs),
    (sql_script(_SOURCES_AND_POSTS), _add_later_columns),
    (sql_script(_SIDES_ROUTES_FOLLOWS),),
    (sql_script(_VECTOR_REMOVALS),),
)
"""Schema version n+1 is reached by running MIGRATIONS[n], in one transaction."""
SCHEMA_VERSION = len(MIGRATIONS)


class Database:
    """The archive's one connection. Safe to share between threads: every statement takes the one lock."""

    def __init__(self, path: Path) -> None:
        """Open the archive at `path`, creating it only where no file exists (see `index.archive_file`)."""
        self.path = path
        check_data_dir(path.parent)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the data folder {path.parent} ({exc.strerror or exc})") from None
        existing = existing_archive(path)
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30.0)
            self._db.row_factory = sqlite3.Row
            if existing:
                check_archive_identity(self._db, path)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
            mark_archive(self._db)
        except sqlite3.DatabaseError as exc:
            raise damage_error(exc, path) or StoreError(f"{path}: cannot open the database ({exc})") from None
        self._lock = threading.RLock()

    def _migrate(self) -> None:
        """Bring the schema to SCHEMA_VERSION, one version per transaction, so a failure leaves a known version."""
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: database schema {version} is newer than this newsbot ({SCHEMA_VERSION})")
        for target in range(version, SCHEMA_VERSION):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for step in MIGRATIONS[target]:
                    step(self._db)
                self._db.execute(f"PRAGMA user_version={target + 1}")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any error: all of it or nothing."""
        with self._lock, self._damage_reported():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def read(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._lock, self._damage_reported():
            return self._db.execute(sql, params).fetchall()

    def read_in(self, sql: str, values: Sequence[object], *, chunk: int = 900) -> list[sqlite3.Row]:
        """Rows of `sql`, whose `IN ({marks})` is filled with `values`, a chunk per statement: SQLite caps
        the parameters of one statement (999 in older builds)."""
        rows: list[sqlite3.Row] = []
        for start in range(0, len(values), chunk):
            part = values[start:start + chunk]
            rows += self.read(sql.format(marks=",".join("?" * len(part))), part)
        return rows

    def read_pages(self, sql: str, batch: int, after: int = 0) -> Iterator[list[sqlite3.Row]]:
        """Rows of `sql` a page at a time, by key instead of OFFSET (which rereads every skipped row): `sql`
        takes the last key seen and the page size, and orders by its first column, an integer key; the first
        page starts after the key `after`."""
        last = after
        while rows := self.read(sql, (last, batch)):
            yield rows
            last = int(rows[-1][0])

    def data_version(self) -> int:
        """SQLite's `PRAGMA data_version`: it changes when another connection (another process) commits, never
        for this connection's own writes, so comparing it costs nothing when nobody else wrote."""
        return int(self.read("PRAGMA data_version")[0][0])

    def meta(self, key: str) -> str | None:
        """A value of the `meta` table (model id, dimension, last ingest, topic fingerprint)."""
        rows = self.read("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0]["value"]) if rows else None

    @contextmanager
    def _damage_reported(self) -> Iterator[None]:
        """A damaged or unreadable archive as a StoreError naming it; other SQLite errors pass unchanged."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            error = damage_error(exc, self.path)
            if error is None:
                raise
            raise error from None
