"""Commands about the long-running bot: start it, and ask whether it is healthy."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.options import Command
from config.settings import Settings

__all__ = ["register"]


def register(sub: Any) -> dict[str, Command]:
    sub.add_parser("run", help="start the Discord bot")
    sub.add_parser("healthcheck", help="exit 0 if the running bot is alive and its index healthy (for Docker)")
    return {"run": cmd_run, "healthcheck": cmd_healthcheck}


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.runner import run_bot

    return run_bot(settings)


def cmd_healthcheck(settings: Settings, args: argparse.Namespace) -> int:
    from bot.runner import check_health

    ok, detail = check_health(settings.data_dir)
    print(detail)
    return 0 if ok else 1
