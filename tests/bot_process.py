"""`newsbot run` in a child process, logging in to a Discord emulator: `python -m tests.bot_process BASE_URL`.

The child changes only discord.py's two base URLs (as `patched_discord` does in
the tests' own process) and then runs the command line unchanged, so
multi-process tests start real bot processes against one emulator.
"""

from __future__ import annotations

import sys

import yarl


def main(base_url: str) -> int:
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    Route.BASE = f"{base_url}/api/v10"
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(base_url.replace("http://", "ws://", 1) + "/gateway")
    from bot.cli import main as newsbot

    return newsbot(["run"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
