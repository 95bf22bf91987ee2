"""What the command line accepts as option values, checked by argparse before any work starts."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from typing import Any

from config.settings import Settings

__all__ = ["Command", "iso_date", "add_filters", "search_filters"]

Command = Callable[[Settings, argparse.Namespace], int]
"""A subcommand: the settings and its parsed arguments in, the exit code out."""


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from None


def add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=iso_date, help="only articles published on or after this day")
    parser.add_argument("--until", type=iso_date, help="only articles published on or before this day")
    parser.add_argument("--lang", help="only articles in this language (ISO code, e.g. nl, en)")
    parser.add_argument("--outlet", help="only articles from this outlet")


def search_filters(args: argparse.Namespace) -> Any:
    from index.storage.sqlite.article_store import SearchFilters

    return SearchFilters(since=args.since, until=args.until, language=args.lang, outlet=args.outlet)
