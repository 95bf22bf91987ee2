"""The one door through which core work (embedding, FAISS, SQLite) leaves the Discord event loop.

The bot answers, searches, builds digests and polls on a small pool of its
own threads, so a slow question never holds up the gateway heartbeat and the
core's thread pools (torch, BLAS) are not oversubscribed by an unbounded one.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["CoreThreads", "RunBlocking", "CORE_WORKERS"]

T = TypeVar("T")

CORE_WORKERS = 4

RunBlocking = Callable[..., Awaitable[Any]]
"""`CoreThreads.run`, as the cogs and jobs that use it see it."""


class CoreThreads:
    def __init__(self, workers: int = CORE_WORKERS) -> None:
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newsbot-core")

    async def run(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run core work on the worker threads, never on the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(func, *args, **kwargs))

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
