"""The single-machine archive: one SQLite file (WAL), its ordered migrations, and the repositories on it."""

__all__ = [
    "archive_file",
    "article_store",
    "db",
    "embedding_store",
    "store",
    "term_store",
]
