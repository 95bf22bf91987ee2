"""The archive of record: the database every other structure (vector indexes, lexical indexes) is derived
from, and the repositories the core reads and writes it through. One folder per backend."""

__all__ = [
    "sqlite",
]
