"""The archive of record: the database every other structure (vector indexes, lexical indexes) is derived
from, and the repositories the core reads and writes it through. `protocols` says what the core asks of
them; one folder per backend (`sqlite`, `postgres`) answers it, and `portable` holds the repositories
whose SQL runs on both."""

__all__ = [
    "portable",
    "postgres",
    "protocols",
    "records",
    "source_records",
    "sqlite",
]
