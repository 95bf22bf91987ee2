"""The cluster archive: PostgreSQL (psycopg 3), its ordered migrations, the repositories on it, the outbox that
feeds Milvus. Needs the `cluster` extra."""

__all__ = [
    "article_store",
    "db",
    "embedding_store",
    "portable",
    "search_outbox",
    "store",
    "term_store",
]
