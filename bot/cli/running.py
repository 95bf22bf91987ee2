"""Commands about the long-running processes: the bot (start it, ask whether it is healthy) and the worker."""

from __future__ import annotations

import argparse
import json
import logging
from typing import Any

from bot.cli.options import Command
from config.settings import Settings

__all__ = ["register"]

log = logging.getLogger("newsbot")


def register(sub: Any) -> dict[str, Command]:
    worker = sub.add_parser("worker", help="poll due sources and ingest, beside other workers and bots (no Discord)")
    worker.add_argument("--once", action="store_true", help="poll what is due now, then exit")
    worker.add_argument("--json", action="store_true", help="with --once: the polls as JSON")
    sub.add_parser("run", help="start the Discord bot")
    sub.add_parser("healthcheck", help="exit 0 if the running bot is alive and its index healthy (for Docker)")
    return {"worker": cmd_worker, "run": cmd_run, "healthcheck": cmd_healthcheck}


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    import asyncio
    import signal
    from datetime import timedelta

    from bot.core.monitoring import fetch_policy, make_monitor, open_registry
    from bot.core.services import Services, open_services
    from bot.core.worker import SourceWorker, process_name
    from index.sources.fetch import Fetcher

    async def work(services: Services) -> int:
        registry = open_registry(services)
        async with Fetcher(fetch_policy(settings.sources)) as fetcher:
            worker = SourceWorker(registry, make_monitor(services, registry, fetcher), owner=process_name(),
                                  lease=timedelta(seconds=settings.worker.lease_seconds))
            if args.once:
                results = await worker.poll_due()
                print(json.dumps([r.to_dict() for r in results]) if args.json else
                      "\n".join([r.line() for r in results] + [f"{len(results)} sources polled"]))
                return 1 if any(r.error for r in results) else 0
            stop = asyncio.Event()
            for signum in (signal.SIGTERM, signal.SIGINT):
                asyncio.get_running_loop().add_signal_handler(signum, stop.set)
            log.info("worker %s polling due sources", worker.owner)
            await worker.run(settings.worker.idle_seconds, stop)
            return 0

    with open_services(settings, reader=None) as services:
        return asyncio.run(work(services))


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.runner import run_bot

    return run_bot(settings)


def cmd_healthcheck(settings: Settings, args: argparse.Namespace) -> int:
    from bot.runner import check_health

    ok, detail = check_health(settings.data_dir)
    print(detail)
    return 0 if ok else 1
