"""Which files newsbot opens as its archive, and how a damaged one is reported.

SQLite opens almost anything: a 0-byte file becomes a new, empty database,
and an empty archive then empties the vector index derived from it (the
index follows SQLite). So an archive is created only where no file exists;
an existing file must be an SQLite database that newsbot wrote (its
`application_id`, or, for archives from before that mark, newsbot's tables),
else newsbot refuses to start and says how to fix it.

Damage found later (a corrupt page, a file that is not a database, an I/O
error, a full disk) becomes a `StoreError` naming the file, so every command
ends with one clear line instead of a traceback.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from index.errors import StoreError

__all__ = [
    "APPLICATION_ID",
    "check_data_dir",
    "existing_archive",
    "check_archive_identity",
    "mark_archive",
    "damage_error",
]

APPLICATION_ID = 0x6E657773
"""'news' in ASCII, written into the database header of every archive newsbot creates."""
_SQLITE_HEADER = b"SQLite format 3\x00"
_NEWSBOT_TABLES = frozenset({"articles", "paragraphs", "embeddings"})
_DAMAGE = {
    10: "the disk could not be read or written (I/O error)",
    11: "the database is damaged (corrupt page)",
    13: "the disk is full",
    26: "the file is not an SQLite database",
}
"""Primary SQLite result codes that mean the archive itself is unusable, with what to tell the user."""


def check_data_dir(folder: Path) -> None:
    """The data folder is a folder (or does not exist yet and will be created)."""
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"the data folder {folder} is a file, not a folder: move it away or choose another "
                         "--data-dir / NEWSBOT_DATA_DIR")


def existing_archive(path: Path) -> bool:
    """False when there is no file yet (a new archive will be made); True for an SQLite file to verify.

    Raises StoreError for what can never be an archive: a folder, an empty file, a file of another format.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the database ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"{path} is not a file: move it away so newsbot can create its database there")
    if info.st_size == 0:
        raise StoreError(f"{path} is empty (0 bytes), not a newsbot archive: restore it from a backup, or delete "
                         "it to start a new, empty archive (the vector index would be emptied to match)")
    with open(path, "rb") as handle:
        header = handle.read(len(_SQLITE_HEADER))
    if header != _SQLITE_HEADER:
        raise StoreError(f"{path} is not an SQLite database: restore the archive from a backup, or move the file "
                         "away to start a new one")
    return True


def check_archive_identity(db: sqlite3.Connection, path: Path) -> None:
    """An existing database must be newsbot's: marked with its application id, or holding its tables."""
    application_id = int(db.execute("PRAGMA application_id").fetchone()[0])
    if application_id == APPLICATION_ID:
        return
    tables = {str(row[0]) for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if application_id == 0 and _NEWSBOT_TABLES <= tables:
        return  # an archive from before newsbot marked its databases; `mark_archive` marks it now
    shown = ", ".join(sorted(tables)[:5]) or "none"
    raise StoreError(f"{path} is an SQLite database of another program (application id {application_id}, tables: "
                     f"{shown}), not a newsbot archive: point --data-dir / NEWSBOT_DATA_DIR elsewhere")


def mark_archive(db: sqlite3.Connection) -> None:
    db.execute(f"PRAGMA application_id={APPLICATION_ID}")


def damage_error(exc: sqlite3.DatabaseError, path: Path) -> StoreError | None:
    """The StoreError to raise for an error that means the archive is unusable, or None for any other error."""
    code = getattr(exc, "sqlite_errorcode", None)
    reason = _DAMAGE.get(code & 0xFF) if isinstance(code, int) else None
    if reason is None:
        return None
    return StoreError(f"{path}: {reason} ({exc}); restore the archive from a backup (the vector index is "
                      "rebuilt from it, never the other way round)")
