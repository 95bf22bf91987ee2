"""The command line parsed, settings loaded once, and the chosen command run with them."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.cli import answers, archive, running, sources
from bot.cli.options import Command
from bot.cli.terminal import configure_logging
from config.settings import SettingsError, load_settings
from index.errors import NewsbotError
from index.storage.sqlite.archive_file import check_data_dir

__all__ = ["build_parser", "main"]

GROUPS = (archive, answers, sources, running)
"""Each group registers its subcommands; the order is the order of `newsbot --help`."""


def _parser_and_commands() -> tuple[argparse.ArgumentParser, dict[str, Command]]:
    parser = argparse.ArgumentParser(prog="newsbot", description="News monitoring with cited answers.")
    parser.add_argument("--data-dir", type=Path, help="database and index folder (env NEWSBOT_DATA_DIR)")
    parser.add_argument("--config", type=Path, help="TOML settings file (env NEWSBOT_CONFIG)")
    parser.add_argument("--log-level", help="DEBUG, INFO, WARNING or ERROR (env NEWSBOT_LOG_LEVEL)")
    sub = parser.add_subparsers(dest="command", required=True)
    commands: dict[str, Command] = {}
    for group in GROUPS:
        commands.update(group.register(sub))
    return parser, commands


def build_parser() -> argparse.ArgumentParser:
    return _parser_and_commands()[0]


def main(argv: Sequence[str] | None = None) -> int:
    parser, commands = _parser_and_commands()
    args = parser.parse_args(argv)
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
    configure_logging(settings.log_level if explicit or args.command == "run" else "WARNING")
    code = 1
    try:
        if args.command not in ("demo", "healthcheck"):
            check_data_dir(settings.data_dir)
        code = commands[args.command](settings, args)
        sys.stdout.flush()
        return code
    except NewsbotError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_gone(code)


def _reader_gone(code: int) -> int:
    """The reader of stdout went away (`newsbot status --json | head`): end quietly. Python would report the
    failed write once more when it flushes stdout at exit, so stdout is pointed at /dev/null first. The
    command's own exit code stands when it got that far, else 1 (its output was cut short)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return code
