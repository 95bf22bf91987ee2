"""Repositories written once in SQL both backends run (sources, digest posts, followed topics)."""

__all__ = [
    "follow_store",
    "post_log",
    "source_store",
    "sql",
]
