"""The SQLite archive on its own: schema versions and upgrades of older archives (the repository contract both
backends keep is tests/test_storage_contract.py)."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from index.sources.registry import SourceKind
from index.storage.portable.post_log import PostLog
from index.storage.portable.source_store import SourceStore
from index.storage.sqlite.db import MIGRATIONS, SCHEMA_VERSION, Database

_EARLY_SOURCE_TABLES = """
CREATE TABLE sources (name TEXT PRIMARY KEY, url TEXT NOT NULL, outlet TEXT NOT NULL, language TEXT,
    side TEXT NOT NULL DEFAULT 'unknown', poll_minutes REAL NOT NULL, enabled INTEGER NOT NULL DEFAULT 1,
    origin TEXT NOT NULL DEFAULT 'runtime', etag TEXT, last_modified TEXT, last_success TEXT, last_error TEXT,
    last_error_at TEXT, failures INTEGER NOT NULL DEFAULT 0, next_poll TEXT, seeded INTEGER NOT NULL DEFAULT 0);
CREATE TABLE feed_entries (url TEXT PRIMARY KEY, digest TEXT NOT NULL, seen TEXT NOT NULL);
CREATE TABLE digest_posts (channel_id INTEGER NOT NULL, day TEXT NOT NULL, message_ids TEXT NOT NULL,
    posted_at TEXT NOT NULL, PRIMARY KEY (channel_id, day));
INSERT INTO sources(name, url, outlet, poll_minutes) VALUES ('wire', 'https://example.org/feed', 'Wire', 15);
INSERT INTO feed_entries(url, digest, seen) VALUES ('https://example.org/a', 'abc', '2020-10-04T09:00:00+00:00');
INSERT INTO digest_posts VALUES (42, '2020-10-04', '1,2', '2020-10-05T06:00:00+00:00');
"""
"""The tables as newsbot created them on first use, before they had a schema version, with a row each."""


def _archive_at(path: Path, version: int, extra_sql: str = "") -> None:
    """An archive as a newsbot of schema `version` left it."""
    db = sqlite3.connect(path, isolation_level=None)
    for steps in MIGRATIONS[:version]:
        for step in steps:
            step(db)
    db.execute(f"PRAGMA user_version={version}")
    db.executescript(extra_sql)
    db.close()


def test_a_version_1_archive_is_upgraded_with_its_paragraphs_analysed(tmp_path: Path) -> None:
    path = tmp_path / "newsbot.sqlite3"
    _archive_at(path, 1, """
        INSERT INTO articles(id, source, title, outlet, published_first, published_last, date_precision, language,
                             first_seen, content_hash)
        VALUES (1, 'old.txt', 'Old', 'Outlet', '2020-10-05', '2020-10-05', 'day', 'en', '2020-10-05T08:00:00', 'h');
        INSERT INTO paragraphs(id, article_id, position, text) VALUES (1, 1, 0, 'Shelling hit Ganja on Sunday.');
    """)
    db = Database(path)
    try:
        assert db.read("PRAGMA user_version")[0][0] == SCHEMA_VERSION
        assert db.read("SELECT terms FROM paragraphs WHERE id = 1")[0][0] == "shell hit ganja on sunday"
        assert [r[0] for r in db.read("SELECT day FROM paragraph_dates WHERE paragraph_id = 1")] == ["2020-10-04"]
        assert db.read("SELECT COUNT(*) FROM digest_posts")[0][0] == 0
    finally:
        db.close()


def test_a_version_2_archive_keeps_the_sources_and_posts_its_newsbot_created(tmp_path: Path) -> None:
    path = tmp_path / "newsbot.sqlite3"
    _archive_at(path, 2, _EARLY_SOURCE_TABLES)
    db = Database(path)
    try:
        assert db.read("PRAGMA user_version")[0][0] == SCHEMA_VERSION
        [wire] = SourceStore(db).all()
        assert (wire.source.name, wire.source.kind) == ("wire", SourceKind.FEED)
        assert db.read("SELECT owner FROM feed_entries")[0][0] is None
        assert PostLog(db).posted(42, date(2020, 10, 4))
    finally:
        db.close()
    reopened = Database(path)  # every later start finds the schema current and changes nothing
    assert reopened.read("PRAGMA user_version")[0][0] == SCHEMA_VERSION
    reopened.close()
