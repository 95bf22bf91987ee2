"""Commands that answer from the archive: ask, search, perspectives, timeline, digest."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.cli.options import Command, add_filters, iso_date, search_filters
from config.settings import Settings

__all__ = ["register"]


def register(sub: Any) -> dict[str, Command]:
    ask = sub.add_parser("ask", help="answer a question with cited passages")
    ask.add_argument("question", help="the question, or - to read one question per line from stdin")
    ask.add_argument("--json", action="store_true", help="print JSON (one object per question)")
    ask.add_argument("--written", dest="written", action="store_true", default=None,
                     help="a checked written answer in the question's language, when a writer is set up (default)")
    ask.add_argument("--quoted", dest="written", action="store_false", help="quoted sentences only")
    add_filters(ask)

    search = sub.add_parser("search", help="show the raw ranked passages for a query")
    search.add_argument("query", help="the query, or - to read one query per line from stdin")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--json", action="store_true",
                        help="print JSON: the hits as one list, or with -, one object per query")
    add_filters(search)

    perspectives = sub.add_parser("perspectives", help="each side's passages on a question, grouped by side")
    perspectives.add_argument("question")
    perspectives.add_argument("--json", action="store_true")
    add_filters(perspectives)

    timeline = sub.add_parser("timeline", help="dated events about a topic, in order, each cited")
    timeline.add_argument("topic")
    timeline.add_argument("--since", type=iso_date, help="first day (YYYY-MM-DD)")
    timeline.add_argument("--until", type=iso_date, help="last day (YYYY-MM-DD)")
    timeline.add_argument("--json", action="store_true")

    digest = sub.add_parser("digest", help="print the digest of a day")
    digest.add_argument("--date", type=iso_date, help="the day (default: yesterday in digest.timezone)")
    digest.add_argument("--json", action="store_true")
    return {"ask": cmd_ask, "search": cmd_search, "perspectives": cmd_perspectives, "timeline": cmd_timeline,
            "digest": cmd_digest}


def _answer(services: Any, question: str, args: argparse.Namespace) -> tuple[Any, Any]:
    """The answer to print (written when a writer is set up and --quoted was not given) and the written one."""
    answer = services.answerer.answer(question, search_filters(args))
    written = services.writer.write(answer) if services.writer is not None and args.written is not False else None
    return (written.answer if written is not None else answer), written


def _print_answer(services: Any, question: str, args: argparse.Namespace) -> None:
    from bot.core.formatting import format_answer_text

    posted, written = _answer(services, question, args)
    if args.json:
        line = {**posted.to_dict(), "written": written.to_dict() if written is not None else None}
        print(json.dumps(line, ensure_ascii=False), flush=True)
    else:
        print(format_answer_text(posted), end="\n\n" if args.question == "-" else "\n", flush=True)


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.services import open_services

    with open_services(settings, writing=args.written is not False) as services:
        if args.written and services.writer is None:
            print("newsbot: no writer is set up (NEWSBOT_WRITER__URL or NEWSBOT_WRITER__GGUF, and the reader): "
                  "quoted answers", file=sys.stderr)
        if args.question == "-":
            for line in sys.stdin:
                question = line.strip()
                if question:
                    _print_answer(services, question, args)
            return 0
        _print_answer(services, args.question, args)
        return 0


def _hit_rows(hits: Any) -> list[dict[str, Any]]:
    return [
        {"rank": n, "paragraph_id": h.passage.id, "score": round(h.score, 4), "dense": round(h.dense, 4),
         "lexical": round(h.lexical, 4), "article_id": h.passage.article.id,
         "source": h.passage.article.source, "paragraph": h.passage.position, "text": h.passage.text}
        for n, h in enumerate(hits, start=1)
    ]


def cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.formatting import format_hits_text
    from bot.core.services import open_services

    with open_services(settings, reader=None) as services:
        if args.query == "-":
            for line in sys.stdin:
                query = line.strip()
                if not query:
                    continue
                hits = services.searcher.search(query, filters=search_filters(args), limit=args.limit).hits
                if args.json:
                    print(json.dumps({"query": query, "hits": _hit_rows(hits)}, ensure_ascii=False), flush=True)
                else:
                    print(format_hits_text(hits), end="\n\n", flush=True)
            return 0
        result = services.searcher.search(args.query, filters=search_filters(args), limit=args.limit)
        if args.json:
            print(json.dumps(_hit_rows(result.hits), ensure_ascii=False))
        else:
            print(format_hits_text(result.hits))
        return 0


def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from bot.core.digest import build_digest, check_digest_day, day_before
    from bot.core.formatting import format_digest_text
    from bot.core.services import open_services

    zone = settings.digest.timezone
    day = args.date or day_before(datetime.now(UTC), zone)
    check_digest_day(day)  # before the model is loaded: a bad day is known at once
    with open_services(settings) as services:
        digest = build_digest(services.store.articles, services.store.embeddings, services.embedder, day, zone,
                              topic=services.topic, side_of=services.side_of)
        print(json.dumps(digest.to_dict(), ensure_ascii=False) if args.json else format_digest_text(digest))
        return 0


def cmd_perspectives(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.formatting import format_perspectives_text
    from bot.core.perspectives import PerspectiveFinder
    from bot.core.services import open_services

    with open_services(settings, reader=None) as services:  # score floors, as in Discord (bot/assembly.py)
        finder = PerspectiveFinder(services.searcher, services.topic, services.side_of)
        found = finder.find(args.question, search_filters(args))
        print(json.dumps(found.to_dict(), ensure_ascii=False) if args.json else format_perspectives_text(found))
        return 0


def cmd_timeline(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.formatting import format_timeline_text
    from bot.core.services import open_services
    from bot.core.timeline import TimelineBuilder

    with open_services(settings, reader=None) as services:  # score floors, as in Discord (bot/assembly.py)
        builder = TimelineBuilder(services.searcher, services.store.articles, services.topic, services.side_of)
        built = builder.build(args.topic, args.since, args.until)
        print(json.dumps(built.to_dict(), ensure_ascii=False) if args.json else format_timeline_text(built))
        return 0
