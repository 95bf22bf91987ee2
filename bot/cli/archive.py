"""Commands that fill, empty and inspect the archive: ingest, remove, reindex, status, demo."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.cli.options import Command, id_of, iso_date, label
from bot.cli.terminal import progress
from config.settings import Settings
from index.input.article_building import OUTLET_MAX_CHARS
from index.sides import Side

__all__ = ["register", "sample_dir", "DEMO_QUESTIONS"]


def sample_dir() -> Path:
    """data/sample/ of a source checkout, else of the working directory (an installed package, as in Docker)."""
    beside_code = Path(__file__).resolve().parent.parent.parent / "data" / "sample"
    return beside_code if beside_code.is_dir() else Path.cwd() / "data" / "sample"


DEMO_QUESTIONS = (
    "Hoeveel mensen vluchtten in september 2023 uit Karabach?",  # Dutch, answered from Dutch reports
    "What happened to the Lachin corridor in December 2022?",  # English
    "Wat gebeurde er op 10 november 2020?",  # Dutch, answered from English reports, dated
)


def register(sub: Any) -> dict[str, Command]:
    ingest = sub.add_parser("ingest", help="ingest article files and folders")
    ingest.add_argument("paths", nargs="+", type=Path)
    ingest.add_argument("--json", action="store_true", help="print one JSON summary object")
    ingest.add_argument("--outlet", type=label(OUTLET_MAX_CHARS),
                        help="the outlet of every file given (a folder from one outlet)")
    ingest.add_argument("--side", choices=[s.value for s in Side], help="whose account these files carry")

    remove = sub.add_parser("remove", help="delete articles with their paragraphs and vectors")
    remove.add_argument("--id", type=id_of("article id"), action="append", default=[],
                        help="an article id (repeatable)")
    remove.add_argument("--source", action="append", default=[], help="a file name or URL as stored (repeatable)")
    remove.add_argument("--outlet", help="every article of this outlet")
    remove.add_argument("--since", type=iso_date, help="published on or after this day")
    remove.add_argument("--until", type=iso_date, help="published on or before this day")
    remove.add_argument("--dry-run", action="store_true", help="list what would be removed, remove nothing")
    remove.add_argument("--json", action="store_true")

    status = sub.add_parser("status", help="counts, languages, dates, model and index health")
    status.add_argument("--json", action="store_true")

    sub.add_parser("reindex", help="re-embed every paragraph with the configured model")
    sub.add_parser("demo", help="ingest the bundled sample into a throw-away folder and answer three questions")
    return {"ingest": cmd_ingest, "remove": cmd_remove, "status": cmd_status, "reindex": cmd_reindex,
            "demo": cmd_demo}


def cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.services import open_services
    from index.ingest import FileOrigin, IngestSummary
    from index.input.input_files import collect_files
    from index.models import IngestStatus

    with open_services(settings, reader=None) as services:
        files = collect_files(args.paths)
        summary = IngestSummary()
        origin = FileOrigin(outlet=args.outlet, side=args.side)
        with progress(len(files), "ingesting") as bar:
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
    from index.storage.records import Removal

    removal = Removal(tuple(args.id), tuple(args.source), args.outlet, args.since, args.until)
    if removal.empty:
        print("newsbot: say what to remove: --id, --source, --outlet, --since/--until", file=sys.stderr)
        return 2
    with open_services(settings, reader=None) as services:
        removed = services.store.articles.chosen(removal) if args.dry_run else services.remove_articles(removal)
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


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.services import open_services
    from bot.core.status import status_report

    with open_services(settings, reader=None) as services:
        report = status_report(services, services.store.sources, services.store.follows.count_all())
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
            if report.archive and report.archive.get("backend") != "sqlite":
                print(f"archive:     {report.archive['backend']} {report.archive['database']}")
            if report.search_index and report.search_index.get("engine") != "faiss":
                print(f"search:      {report.search_index['engine']} {report.search_index.get('uri')} "
                      f"collection {report.search_index.get('collection')}: {report.search_index['vectors']} "
                      f"vectors, {report.search_index.get('pending')} articles waiting")
            for line in report.sources:
                print(f"source:      {line}")
            for line in report.schedule:
                print(f"scheduled:   {line}")
        return 0 if report.index_ok else 1


def cmd_reindex(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.services import open_services
    from index.reindex import reindex

    with open_services(settings, verify_index=False, reader=None) as services:
        total = services.store.articles.stats().paragraphs
        with progress(total, "re-embedding", unit="¶") as bar:
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
