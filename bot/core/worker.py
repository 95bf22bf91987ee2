"""`newsbot worker`: poll the sources that are due and ingest what they publish, beside any number of others.

Each source is claimed with a lease before it is polled (`SourceRepository.claim_due`:
`FOR UPDATE SKIP LOCKED` on PostgreSQL), so one poll of a source runs in one
process however many workers and bots are up, and a worker that dies holding
a lease only delays its sources until the lease runs out. A poll records its
outcome (the next poll time, or the failure and its back-off) before the lease
is released. Workers post nothing to Discord: followed-topic alerts come from
the bot that leads (`bot.follow_job`), which reads every newly stored article.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from datetime import timedelta

from index.sources.monitor import Monitor, PollResult
from index.storage.protocols import SourceRepository

__all__ = ["SourceWorker", "process_name"]

log = logging.getLogger(__name__)


def process_name() -> str:
    """Who holds a lease: host and process id, so an operator can tell the workers apart."""
    return f"{socket.gethostname()}:{os.getpid()}"


class SourceWorker:
    def __init__(self, sources: SourceRepository, monitor: Monitor, *, owner: str, lease: timedelta) -> None:
        self.sources = sources
        self.monitor = monitor
        self.owner = owner
        self.lease = lease

    async def poll_due(self, stop: Callable[[], bool] = lambda: False) -> list[PollResult]:
        """Claim and poll due sources one at a time until none is due (or `stop` says so)."""
        results: list[PollResult] = []
        while not stop():
            claimed = await asyncio.to_thread(self.sources.claim_due, self.owner, self.lease, 1)
            if not claimed:
                break
            state = claimed[0]
            try:
                result = await self.monitor.poll(state)
            finally:
                await asyncio.to_thread(self.sources.release, state.source.name, self.owner)
            log.info("%s", result.line())
            results.append(result)
        return results

    async def run(self, idle_seconds: float, stop: asyncio.Event) -> None:
        """Poll what is due, wait `idle_seconds` when nothing is, until `stop` is set."""
        while not stop.is_set():
            await self.poll_due(stop.is_set)
            try:
                await asyncio.wait_for(stop.wait(), idle_seconds)
            except TimeoutError:
                pass
