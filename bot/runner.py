"""`newsbot run`: start the bot with everything it serves, and exit cleanly on a bad token or no network.

Discord resets a token after 1000 logins in 24 hours, so a crash loop (a
container restarting the bot over and over) must not log in at full speed:
each start is recorded in the data folder and quick successive starts wait
longer and longer (capped) before logging in.

Without a network (DNS down, Discord unreachable) the bot does not log in at
all: it tries to reach Discord's API with growing pauses (`ReachRetry`) and,
if it never can, exits with code 2 and one line saying so. Once connected,
discord.py itself reconnects after network trouble.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import aiohttp
import discord
import yarl
from discord.ext import commands
from discord.http import Route

from bot.client import ServerUnreachable
from config.settings import Settings

__all__ = ["run_bot", "start_delay", "record_start", "write_heartbeat", "check_health", "reach_discord", "ReachRetry",
           "HEARTBEAT_FILE"]

log = logging.getLogger(__name__)

STARTS_FILE = "starts.json"
HEARTBEAT_FILE = "heartbeat.json"
HEARTBEAT_SECONDS = 30.0
QUICK_START_WINDOW = 600.0
MAX_DELAY = 300.0


def record_start(data_dir: Path, now: float | None = None) -> list[float]:
    """Remember this start; return the starts within the last window, this one included."""
    now = time.time() if now is None else now
    path = data_dir / STARTS_FILE
    try:
        starts = [float(t) for t in json.loads(path.read_text())]
    except (OSError, ValueError, TypeError):
        starts = []
    starts = [t for t in starts if now - t < QUICK_START_WINDOW] + [now]
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(starts))
    os.replace(tmp, path)
    return starts


def start_delay(recent_starts: int) -> float:
    """No wait for the first three starts in ten minutes, then 5 s, 10 s, 20 s … up to five minutes."""
    if recent_starts <= 3:
        return 0.0
    return min(MAX_DELAY, 5.0 * 2 ** (recent_starts - 4))


def write_heartbeat(data_dir: Path, *, connected: bool, index_ok: bool) -> None:
    path = data_dir / HEARTBEAT_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "time": time.time(), "connected": connected,
                               "index_ok": index_ok}))
    os.replace(tmp, path)


def check_health(data_dir: Path, max_age: float = 3 * HEARTBEAT_SECONDS) -> tuple[bool, str]:
    """For the container HEALTHCHECK: the bot process is alive, recently wrote its heartbeat, index in sync."""
    try:
        beat = json.loads((data_dir / HEARTBEAT_FILE).read_text())
    except (OSError, ValueError):
        return False, "no heartbeat yet"
    age = time.time() - float(beat.get("time", 0))
    try:
        os.kill(int(beat["pid"]), 0)
    except (ProcessLookupError, KeyError, ValueError):
        return False, "the bot process is not running"
    except PermissionError:
        pass
    if age > max_age:
        return False, f"heartbeat is {age:.0f} s old"
    if not beat.get("index_ok"):
        return False, "the vector index is out of sync with the database"
    return True, f"ok (connected={beat.get('connected')}, heartbeat {age:.0f} s ago)"


@dataclass(frozen=True)
class ReachRetry:
    """How long `newsbot run` keeps trying to reach Discord before it gives up: 5, 10, 20, 40, 60 s."""

    attempts: int = 6
    first_delay_s: float = 5.0
    max_delay_s: float = 60.0
    connect_timeout_s: float = 10.0


async def reach_discord(retry: ReachRetry, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> str | None:
    """None as soon as a TCP connection to Discord's API host succeeds; else, after every attempt, the last error.

    The host is the one discord.py will use (its REST base URL), so this
    probes exactly what logging in needs, without spending a login.
    """
    base = yarl.URL(Route.BASE)
    host, port = base.host or "discord.com", base.port or 443
    delay = retry.first_delay_s
    problem = ""
    for attempt in range(1, retry.attempts + 1):
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), retry.connect_timeout_s)
        except (OSError, TimeoutError) as exc:
            problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        else:
            writer.close()
            return None
        if attempt < retry.attempts:
            log.warning("cannot reach Discord at %s:%d (%s); trying again in %g s (%d of %d)", host, port, problem,
                        delay, attempt, retry.attempts)
            await sleep(delay)
            delay = min(delay * 2, retry.max_delay_s)
    return f"cannot reach Discord at {host}:{port} after {retry.attempts} attempts ({problem}): check the network"


async def _heartbeat(bot: commands.Bot | commands.AutoShardedBot, data_dir: Path, index_ok: Callable[[], bool]) -> None:
    """Every HEARTBEAT_SECONDS: alive, connected, and whether the vectors in use match the archive now
    (`index_ok` reads the archive, so it runs off the event loop)."""
    while not bot.is_closed():
        try:
            ok = await asyncio.to_thread(index_ok)
        except Exception:
            log.exception("checking the index for the heartbeat failed")
            ok = False
        write_heartbeat(data_dir, connected=bot.is_ready(), index_ok=ok)
        await asyncio.sleep(HEARTBEAT_SECONDS)


async def _serve(settings: Settings, token: str, retry: ReachRetry | None = None) -> int:
    from bot.assembly import assemble_bot
    from bot.core.monitoring import fetch_policy, open_registry
    from bot.core.services import open_services
    from bot.core.status import schedule_lines
    from index.sources.fetch import Fetcher

    unreachable = await reach_discord(retry or ReachRetry())
    if unreachable is not None:
        print(f"newsbot: {unreachable}", file=sys.stderr)
        return 2
    services = await asyncio.to_thread(partial(open_services, settings, writing=True))
    registry = await asyncio.to_thread(open_registry, services)
    fetcher = Fetcher(fetch_policy(settings.sources))
    assembled = assemble_bot(services, registry, fetcher)
    for line in schedule_lines(settings, len(registry.all()), assembled.follows.follows.count_all()):
        log.info("scheduled: %s", line)
    bot = assembled.bot
    bot.install(jobs=assembled.jobs)
    def index_ok() -> bool:
        services.refresher.refresh()
        return services.index_in_sync()

    beat = asyncio.create_task(_heartbeat(bot, settings.data_dir, index_ok))
    try:
        async with bot:
            await bot.start(token)
        return 0
    except discord.LoginFailure:
        print("newsbot: Discord rejected the bot token (check DISCORD_TOKEN)", file=sys.stderr)
        return 2
    except ServerUnreachable as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 2
    except (aiohttp.ClientError, OSError, discord.DiscordServerError) as exc:
        print(f"newsbot: lost the connection to Discord while logging in ({type(exc).__name__}: {exc})",
              file=sys.stderr)
        return 2
    finally:
        beat.cancel()
        await fetcher.aclose()
        services.close()


def run_bot(settings: Settings, retry: ReachRetry | None = None) -> int:
    token = settings.discord.token.get_secret_value().strip() if settings.discord.token else ""
    if not token:
        print("newsbot: no Discord token: set DISCORD_TOKEN (or NEWSBOT_DISCORD__TOKEN)", file=sys.stderr)
        return 2
    starts = record_start(settings.data_dir)
    delay = start_delay(len(starts))
    if delay:
        log.warning("%d starts in the last %d minutes: waiting %.0f s before logging in", len(starts),
                    QUICK_START_WINDOW // 60, delay)
        time.sleep(delay)
    try:
        return asyncio.run(_serve(settings, token, retry))
    except KeyboardInterrupt:
        return 0
