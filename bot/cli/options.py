"""What the command line accepts as option values, checked by argparse before any work starts."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from typing import Any

from config.identifiers import parse_id
from config.settings import Settings
from index.input.text_cleaning import bounded_label

__all__ = ["Command", "iso_date", "add_filters", "search_filters", "id_of", "label"]

Command = Callable[[Settings, argparse.Namespace], int]
"""A subcommand: the settings and its parsed arguments in, the exit code out."""


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from None


def id_of(kind: str) -> Callable[[str], int]:
    """An option that is an id (`--channel`, `--id`): digits only, positive, below 2^63 (`config.identifiers`)."""
    def parse(value: str) -> int:
        try:
            return parse_id(value, kind)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return parse


def label(limit: int) -> Callable[[str], str]:
    """An option that names something (`--outlet`): cleaned like a file's header line, at most `limit`
    characters, and refused when nothing printable is left."""
    def parse(value: str) -> str:
        cleaned = bounded_label(value, limit)
        if not cleaned:
            raise argparse.ArgumentTypeError("nothing left once control, bidi and invisible characters are removed")
        return cleaned
    return parse


def add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=iso_date, help="only articles published on or after this day")
    parser.add_argument("--until", type=iso_date, help="only articles published on or before this day")
    parser.add_argument("--lang", help="only articles in this language (ISO code, e.g. nl, en)")
    parser.add_argument("--outlet", help="only articles from this outlet")


def search_filters(args: argparse.Namespace) -> Any:
    from index.storage.sqlite.article_store import SearchFilters

    return SearchFilters(since=args.since, until=args.until, language=args.lang, outlet=args.outlet)
