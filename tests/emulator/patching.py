"""Point the real discord.py client at a `DiscordEmulator`, changing nothing but its base URLs.

discord.py builds every REST URL as `Route.BASE + path` at request time (the interaction webhook adapter in
`discord.webhook.async_` imports the same `Route` class, so callbacks and followups follow too), and a
non-sharded `Client.connect()` opens `DiscordWebSocket.DEFAULT_GATEWAY` directly; it never asks
`/gateway/bot`. After READY it reconnects to READY's `resume_gateway_url`, which the emulator points at
itself. `Asset.BASE` (the CDN) is redirected as well, so nothing can try to reach the internet.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Iterator
from typing import TypeVar

import discord
import yarl
from discord.asset import Asset
from discord.gateway import DiscordWebSocket
from discord.http import Route

from .server import DiscordEmulator

__all__ = ["patched_discord", "running_bot"]

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextlib.contextmanager
def patched_discord(emulator: DiscordEmulator) -> Iterator[None]:
    """While active, discord.py's REST, webhook, gateway and CDN base URLs are the emulator's; restored after."""
    saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY, Asset.BASE)
    Route.BASE = emulator.api_url
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emulator.gateway_url)
    Asset.BASE = f"{emulator.base_url}/cdn"
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY, Asset.BASE = saved


@contextlib.asynccontextmanager
async def running_bot(bot: ClientT, emulator: DiscordEmulator, *, token: str | None = None,
                      login_timeout: float = 60.0, ready_timeout: float = 10.0,
                      close_timeout: float = 10.0) -> AsyncIterator[ClientT]:
    """Run `bot` against `emulator` for the duration of the block.

    Logs in (REST: /users/@me, /oauth2/applications/@me, then `setup_hook`, where a bot usually syncs its
    command tree), starts `bot.connect(reconnect=False)` in a task and waits until READY and the
    GUILD_CREATEs reached it. `login_timeout` bounds login plus `setup_hook`. On exit closes the bot (which ends the connect task cleanly: discord.py
    returns from `connect` on its own close code 1000) and re-raises anything the connect task died of.
    A failed login (e.g. `discord.LoginFailure`) propagates after the bot's HTTP session is closed.
    """
    with patched_discord(emulator):
        try:
            async with asyncio.timeout(login_timeout):
                await bot.login(token if token is not None else emulator.token)
        except BaseException:
            await bot.close()
            raise
        connection = asyncio.create_task(bot.connect(reconnect=False), name="discord-bot-connect")
        try:
            ready = asyncio.create_task(emulator.wait_ready(ready_timeout), name="emulator-wait-ready")
            await asyncio.wait({connection, ready}, return_when=asyncio.FIRST_COMPLETED)
            if not ready.done():
                ready.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ready
                connection.result()  # raises what ended the connection
                raise RuntimeError("the bot's gateway connection ended before READY")
            ready.result()
            yield bot
        finally:
            in_flight = sys.exc_info()[1]
            await bot.close()
            try:
                await asyncio.wait_for(asyncio.shield(connection), close_timeout)
            except TimeoutError:
                connection.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await connection
                raise RuntimeError(f"the bot's connect() did not return within {close_timeout} s of close()") \
                    from in_flight
            except Exception:
                if in_flight is None:
                    raise  # the connection died of something while the test ran: make it fail
