"""A politeness gap between requests to one host, so concurrent polls queue instead of bursting."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

__all__ = ["HostPacer"]


class HostPacer:
    """Spaces requests to one host; a lock per host so concurrent polls queue instead of bursting."""

    def __init__(
        self, interval_s: float, clock: Callable[[], float], sleep: Callable[[float], Awaitable[None]]
    ) -> None:
        self._interval = interval_s
        self._clock = clock
        self._sleep = sleep
        self._locks: dict[str, asyncio.Lock] = {}
        self._last: dict[str, float] = {}

    async def wait(self, host: str) -> None:
        if self._interval <= 0:
            return
        lock = self._locks.setdefault(host, asyncio.Lock())
        async with lock:
            last = self._last.get(host)
            if last is not None:
                delay = last + self._interval - self._clock()
                if delay > 0:
                    await self._sleep(delay)
            self._last[host] = self._clock()
