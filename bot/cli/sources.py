"""Commands about monitored sources: sources list / add / remove, and one poll over them."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.cli.options import Command, id_of
from config.settings import Settings
from index.sides import Side

__all__ = ["register"]


def register(sub: Any) -> dict[str, Command]:
    sources = sub.add_parser("sources", help="list, add or remove monitored sources")
    sources_sub = sources.add_subparsers(dest="action", required=True)
    listing = sources_sub.add_parser("list", help="every source with its state")
    listing.add_argument("--json", action="store_true")
    add = sources_sub.add_parser("add", help="add a source after fetching it once")
    add.add_argument("name")
    add.add_argument("url")
    add.add_argument("--outlet", help="outlet shown in citations (default: the name)")
    add.add_argument("--language", help="ISO code, e.g. nl")
    add.add_argument("--side", default="unknown", choices=[s.value for s in Side])
    add.add_argument("--poll-minutes", type=float)
    add.add_argument("--channel", type=id_of("Discord channel id"),
                     help="a Discord channel id that gets this source's new articles")
    add.add_argument("--include", default="", help="comma-separated words: only articles naming one go there")
    add.add_argument("--exclude", default="", help="comma-separated words: articles naming one never go there")
    add.add_argument("--replace", action="store_true", help="replace the source of this name if there is one")
    remove = sources_sub.add_parser("remove", help="stop monitoring a source")
    remove.add_argument("name")

    poll = sub.add_parser("poll", help="poll the sources once and ingest what is new")
    poll.add_argument("--source", action="append", default=[], help="only this source (repeatable)")
    poll.add_argument("--json", action="store_true")
    return {"sources": cmd_sources, "poll": cmd_poll}


def cmd_sources(settings: Settings, args: argparse.Namespace) -> int:
    import asyncio

    from bot.core.monitoring import check_source, fetch_policy, open_registry
    from bot.core.services import open_services
    from index.input.text_cleaning import bounded_label
    from index.sources.registry import NAME_MAX_CHARS, Source, checked_source

    with open_services(settings, reader=None) as services:
        registry = open_registry(services)
        if args.action == "list":
            states = registry.all()
            if args.json:
                print(json.dumps([{**s.source.__dict__, "side": s.source.side.value, "kind": s.source.kind.value,
                                   "include": list(s.source.include), "exclude": list(s.source.exclude),
                                   "last_success": s.last_success,
                                   "last_error": s.last_error, "failures": s.failures} for s in states]))
            else:
                print("\n".join(s.describe() for s in states) or "no sources")
            return 0
        if args.action == "remove":
            if registry.remove(bounded_label(args.name, NAME_MAX_CHARS)):
                print(f"removed {args.name}")
                return 0
            print(f"newsbot: no source named {args.name!r}", file=sys.stderr)
            return 1
        source = checked_source(Source(
            name=args.name, url=args.url, outlet=args.outlet or args.name, language=args.language,
            side=Side(args.side), poll_minutes=args.poll_minutes or settings.sources.poll_minutes,
            channel_id=args.channel, include=tuple(args.include.split(",")), exclude=tuple(args.exclude.split(",")),
        ), "sources add")
        existing = registry.get(source.name)
        if existing is not None and not args.replace:
            print(f"newsbot: a source named {source.name!r} exists already ({existing.source.url}): add --replace "
                  "to replace it", file=sys.stderr)
            return 2
        source, found = asyncio.run(check_source(source, fetch_policy(settings.sources)))
        registry.upsert(source)
        print(f"{'replaced' if existing else 'added'} {source.name}: {found}")
        return 0


def cmd_poll(settings: Settings, args: argparse.Namespace) -> int:
    import asyncio

    from bot.core.monitoring import open_registry, poll_sources
    from bot.core.services import open_services

    with open_services(settings, reader=None) as services:
        registry = open_registry(services)
        results = asyncio.run(poll_sources(services, registry, args.source))
        if args.json:
            print(json.dumps([r.to_dict() for r in results]))
        else:
            for result in results:
                print(result.line())
            added = sum(r.added for r in results)
            print(f"{len(results)} sources polled, {added} articles added, "
                  f"{sum(bool(r.error) for r in results)} failed")
        return 1 if any(r.error for r in results) else 0
