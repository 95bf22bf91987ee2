"""`newsbot`: the command line. It builds settings and services once and passes them on.

Exit codes: 0 success, 1 some input failed (the rest was done), 2 unusable
settings, token or index (nothing was done).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from config.settings import Settings, SettingsError, load_settings
from index.errors import NewsbotError
from index.sides import Side
from index.storage.sqlite.archive_file import check_data_dir

__all__ = ["main", "build_parser"]

log = logging.getLogger("newsbot")

def sample_dir() -> Path:
    """data/sample/ of a source checkout, else of the working directory (an installed package, as in Docker)."""
    beside_code = Path(__file__).resolve().parent.parent / "data" / "sample"
    return beside_code if beside_code.is_dir() else Path.cwd() / "data" / "sample"


DEMO_QUESTIONS = (
    "Hoeveel mensen vluchtten in september 2023 uit Karabach?",  # Dutch, answered from Dutch reports
    "What happened to the Lachin corridor in December 2022?",  # English
    "Wat gebeurde er op 10 november 2020?",  # Dutch, answered from English reports, dated
)


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from None


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=_iso_date, help="only articles published on or after this day")
    parser.add_argument("--until", type=_iso_date, help="only articles published on or before this day")
    parser.add_argument("--lang", help="only articles in this language (ISO code, e.g. nl, en)")
    parser.add_argument("--outlet", help="only articles from this outlet")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbot", description="News monitoring with cited answers.")
    parser.add_argument("--data-dir", type=Path, help="database and index folder (env NEWSBOT_DATA_DIR)")
    parser.add_argument("--config", type=Path, help="TOML settings file (env NEWSBOT_CONFIG)")
    parser.add_argument("--log-level", help="DEBUG, INFO, WARNING or ERROR (env NEWSBOT_LOG_LEVEL)")
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="ingest article files and folders")
    ingest.add_argument("paths", nargs="+", type=Path)
    ingest.add_argument("--json", action="store_true", help="print one JSON summary object")
    ingest.add_argument("--outlet", help="the outlet of every file given (a folder from one outlet)")
    ingest.add_argument("--side", choices=[s.value for s in Side], help="whose account these files carry")

    remove = sub.add_parser("remove", help="delete articles with their paragraphs and vectors")
    remove.add_argument("--id", type=int, action="append", default=[], help="an article id (repeatable)")
    remove.add_argument("--source", action="append", default=[], help="a file name or URL as stored (repeatable)")
    remove.add_argument("--outlet", help="every article of this outlet")
    remove.add_argument("--since", type=_iso_date, help="published on or after this day")
    remove.add_argument("--until", type=_iso_date, help="published on or before this day")
    remove.add_argument("--dry-run", action="store_true", help="list what would be removed, remove nothing")
    remove.add_argument("--json", action="store_true")

    ask = sub.add_parser("ask", help="answer a question with cited passages")
    ask.add_argument("question", help="the question, or - to read one question per line from stdin")
    ask.add_argument("--json", action="store_true", help="print JSON (one object per question)")
    ask.add_argument("--written", dest="written", action="store_true", default=None,
                     help="a checked written answer in the question's language, when a writer is set up (default)")
    ask.add_argument("--quoted", dest="written", action="store_false", help="quoted sentences only")
    _add_filters(ask)

    search = sub.add_parser("search", help="show the raw ranked passages for a query")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--json", action="store_true")
    _add_filters(search)

    status = sub.add_parser("status", help="counts, languages, dates, model and index health")
    status.add_argument("--json", action="store_true")

    sub.add_parser("reindex", help="re-embed every paragraph with the configured model")
    sub.add_parser("demo", help="ingest the bundled sample into a throw-away folder and answer three questions")
    sources = sub.add_parser("sources", help="list, add or remove monitored sources")
    sources_sub = sources.add_subparsers(dest="action", required=True)
    listing = sources_sub.add_parser("list", help="every source with its state")
    listing.add_argument("--json", action="store_true")
    add = sources_sub.add_parser("add", help="add a source after fetching it once")
    add.add_argument("name")
    add.add_argument("url")
    add.add_argument("--outlet", help="outlet shown in citations (default: the name)")
    add.add_argument("--language", help="ISO code, e.g. nl")
    add.add_argument("--side", default="unknown", choices=["armenian", "azerbaijani", "international", "unknown"])
    add.add_argument("--poll-minutes", type=float)
    add.add_argument("--channel", type=int, help="a Discord channel id that gets this source's new articles")
    add.add_argument("--include", default="", help="comma-separated words: only articles naming one go there")
    add.add_argument("--exclude", default="", help="comma-separated words: articles naming one never go there")
    remove = sources_sub.add_parser("remove", help="stop monitoring a source")
    remove.add_argument("name")

    poll = sub.add_parser("poll", help="poll the sources once and ingest what is new")
    poll.add_argument("--source", action="append", default=[], help="only this source (repeatable)")
    poll.add_argument("--json", action="store_true")

    perspectives = sub.add_parser("perspectives", help="each side's passages on a question, grouped by side")
    perspectives.add_argument("question")
    perspectives.add_argument("--json", action="store_true")
    _add_filters(perspectives)

    timeline = sub.add_parser("timeline", help="dated events about a topic, in order, each cited")
    timeline.add_argument("topic")
    timeline.add_argument("--since", type=_iso_date, help="first day (YYYY-MM-DD)")
    timeline.add_argument("--until", type=_iso_date, help="last day (YYYY-MM-DD)")
    timeline.add_argument("--json", action="store_true")

    digest = sub.add_parser("digest", help="print the digest of a day")
    digest.add_argument("--date", type=_iso_date, help="the day (default: yesterday in digest.timezone)")
    digest.add_argument("--json", action="store_true")

    sub.add_parser("run", help="start the Discord bot")
    sub.add_parser("healthcheck", help="exit 0 if the running bot is alive and its index healthy (for Docker)")
    return parser


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("sentence_transformers", "httpx", "faiss"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Page extraction reports on every odd page it meets; newsbot reports the outcome itself, naming the input.
    for chatty in ("trafilatura", "htmldate", "courlan"):
        logging.getLogger(chatty).setLevel(logging.ERROR)


def _progress(total: int, desc: str) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="file", file=sys.stderr, disable=not sys.stderr.isatty())


def _filters(args: argparse.Namespace) -> Any:
    from index.storage.sqlite.article_store import SearchFilters

    return SearchFilters(since=args.since, until=args.until, language=args.lang, outlet=args.outlet)


def cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.services import open_services
    from index.ingest import FileOrigin, IngestSummary
    from index.input.input_files import collect_files
    from index.models import IngestStatus

    with open_services(settings) as services:
        files = collect_files(args.paths)
        summary = IngestSummary()
        origin = FileOrigin(outlet=args.outlet, side=args.side)
        with _progress(len(files), "ingesting") as bar:
            for result in services.ingestor.ingest_files(files, progress=bar.update, origin=origin):
                summary.add(result)
                bar.set_postfix_str(f"{summary.added + summary.replaced} stored, {summary.paragraphs} ¶",
                                    refresh=False)
                if result.status is IngestStatus.FAILED:
                    print(f"error: {result.error}", file=sys.stderr)
        if args.json:
            print(json.dumps(summary.to_dict()))
        else:
            print(summary.line())
        return 1 if summary.failed else 0


def cmd_remove(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.services import open_services
    from index.storage.sqlite.article_store import Removal

    removal = Removal(tuple(args.id), tuple(args.source), args.outlet, args.since, args.until)
    if removal.empty:
        print("newsbot: say what to remove: --id, --source, --outlet, --since/--until", file=sys.stderr)
        return 2
    with open_services(settings) as services:
        if args.dry_run:
            where, params = removal.sql()
            rows = services.store.db.read(f"SELECT id, source, outlet, published_first FROM articles WHERE {where}",
                                          params)
            chosen = [{"article_id": r[0], "source": r[1], "outlet": r[2], "published": r[3]} for r in rows]
        else:
            removed = services.remove_articles(removal)
            chosen = [{"article_id": a.id, "source": a.source, "outlet": a.outlet, "published": a.published.iso()}
                      for a in removed]
    if args.json:
        print(json.dumps({"dry_run": args.dry_run, "articles": chosen}, ensure_ascii=False))
    else:
        for row in chosen:
            print(f"{row['article_id']}\t{row['published']}\t{row['outlet']}\t{row['source']}")
        verb = "would be removed" if args.dry_run else "removed"
        print(f"{len(chosen)} article{'' if len(chosen) == 1 else 's'} {verb}")
    return 0


def _answer(services: Any, question: str, args: argparse.Namespace) -> tuple[Any, Any]:
    """The answer to print (written when a writer is set up and --quoted was not given) and the written one."""
    answer = services.answerer.answer(question, _filters(args))
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


def cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.formatting import format_hits_text
    from bot.core.services import open_services

    with open_services(settings) as services:
        result = services.searcher.search(args.query, filters=_filters(args), limit=args.limit)
        if args.json:
            rows = [
                {"rank": n, "paragraph_id": h.passage.id, "score": round(h.score, 4), "dense": round(h.dense, 4),
                 "lexical": round(h.lexical, 4), "article_id": h.passage.article.id,
                 "source": h.passage.article.source, "paragraph": h.passage.position, "text": h.passage.text}
                for n, h in enumerate(result.hits, start=1)
            ]
            print(json.dumps(rows, ensure_ascii=False))
        else:
            print(format_hits_text(result.hits))
        return 0


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.services import open_services
    from bot.core.status import status_report
    from bot.follow_store import FollowStore
    from index.sources.registry import SourceRegistry

    with open_services(settings) as services:
        report = status_report(services, SourceRegistry(services.store.db), FollowStore(services.store.db).count_all())
        if args.json:
            print(json.dumps(report.to_dict(), ensure_ascii=False))
        else:
            languages = ", ".join(f"{k} {v}" for k, v in report.languages.items()) or "none"
            print(f"articles:    {report.articles} from {report.outlets} outlet{'' if report.outlets == 1 else 's'}")
            print(f"paragraphs:  {report.paragraphs}")
            print(f"languages:   {languages}")
            print(f"dates:       {report.oldest or '-'} … {report.newest or '-'}")
            print(f"last ingest: {report.last_ingest or 'never'}")
            print(f"model:       {report.model}")
            print(f"index:       {report.index}")
            print(f"data dir:    {report.data_dir}")
            for line in report.sources:
                print(f"source:      {line}")
            for line in report.schedule:
                print(f"scheduled:   {line}")
        return 0 if report.index_ok else 1


def cmd_reindex(settings: Settings, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from bot.core.services import open_services
    from index.reindex import reindex

    with open_services(settings, verify_index=False) as services:
        total = services.store.articles.stats().paragraphs
        with tqdm(total=total, desc="re-embedding", unit="¶", file=sys.stderr, disable=not sys.stderr.isatty()) as bar:
            count = reindex(services.store.articles, services.store.embeddings, services.vectors,
                            services.embedder, progress=bar.update)
        print(f"re-embedded {count} paragraphs with {services.embedder.model_id}")
        return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.formatting import format_answer_text
    from bot.core.services import open_services
    from index.models import IngestStatus

    sample = sample_dir()
    if not sample.is_dir():
        print(f"newsbot: the sample articles are not here ({sample}): run the demo from the project folder",
              file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="newsbot-demo-"))
    try:
        demo_settings = settings.model_copy(update={"data_dir": workdir})
        with open_services(demo_settings) as services:
            results = services.ingestor.ingest_paths([sample])
            added = sum(r.status is IngestStatus.ADDED for r in results)
            print(f"ingested {added} sample articles into a throw-away folder\n")
            for question in DEMO_QUESTIONS:
                print(f"Q: {question}")
                print(format_answer_text(services.answerer.answer(question)))
                print()
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def cmd_sources(settings: Settings, args: argparse.Namespace) -> int:
    import asyncio

    from bot.core.monitoring import check_source, fetch_policy, open_registry
    from bot.core.services import open_services
    from index.sources.registry import Source

    with open_services(settings) as services:
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
            if registry.remove(args.name):
                print(f"removed {args.name}")
                return 0
            print(f"newsbot: no source named {args.name!r}", file=sys.stderr)
            return 1
        source = Source(
            name=args.name, url=args.url, outlet=args.outlet or args.name, language=args.language,
            side=Side(args.side), poll_minutes=args.poll_minutes or settings.sources.poll_minutes,
            channel_id=args.channel, include=tuple(w.strip() for w in args.include.split(",") if w.strip()),
            exclude=tuple(w.strip() for w in args.exclude.split(",") if w.strip()),
        )
        source, found = asyncio.run(check_source(source, fetch_policy(settings.sources)))
        registry.upsert(source)
        print(f"added {source.name}: {found}")
        return 0


def cmd_poll(settings: Settings, args: argparse.Namespace) -> int:
    import asyncio

    from bot.core.monitoring import open_registry, poll_sources
    from bot.core.services import open_services

    with open_services(settings) as services:
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

    with open_services(settings) as services:
        finder = PerspectiveFinder(services.searcher, services.topic, services.side_of)
        found = finder.find(args.question, _filters(args))
        print(json.dumps(found.to_dict(), ensure_ascii=False) if args.json else format_perspectives_text(found))
        return 0


def cmd_timeline(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.formatting import format_timeline_text
    from bot.core.services import open_services
    from bot.core.timeline import TimelineBuilder

    with open_services(settings) as services:
        built = TimelineBuilder(services.searcher, services.store.articles, services.topic).build(
            args.topic, args.since, args.until)
        print(json.dumps(built.to_dict(), ensure_ascii=False) if args.json else format_timeline_text(built))
        return 0


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.runner import run_bot

    return run_bot(settings)


def cmd_healthcheck(settings: Settings, args: argparse.Namespace) -> int:
    from bot.runner import check_health

    ok, detail = check_health(settings.data_dir)
    print(detail)
    return 0 if ok else 1


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "ingest": cmd_ingest,
    "remove": cmd_remove,
    "ask": cmd_ask,
    "search": cmd_search,
    "status": cmd_status,
    "reindex": cmd_reindex,
    "demo": cmd_demo,
    "sources": cmd_sources,
    "poll": cmd_poll,
    "digest": cmd_digest,
    "perspectives": cmd_perspectives,
    "timeline": cmd_timeline,
    "run": cmd_run,
    "healthcheck": cmd_healthcheck,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    overrides: dict[str, Any] = {}
    if args.data_dir is not None:
        overrides["data_dir"] = args.data_dir
    if args.log_level:
        overrides["log_level"] = args.log_level
    try:
        settings = load_settings(args.config, **overrides)
    except SettingsError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 2
    explicit = args.log_level or "NEWSBOT_LOG_LEVEL" in os.environ
    # One-shot commands print their result; INFO chatter is for the long-running bot.
    _configure_logging(settings.log_level if explicit or args.command == "run" else "WARNING")
    try:
        if args.command not in ("demo", "healthcheck"):
            check_data_dir(settings.data_dir)
        return COMMANDS[args.command](settings, args)
    except NewsbotError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
