"""`newsbot`: the command line. It builds settings and services once and passes them on.

One module per group of commands, each registering its own subcommands:
`archive` (ingest, remove, reindex, status, demo), `answers` (ask, search,
perspectives, timeline, digest), `sources` (sources, poll) and `running`
(run, healthcheck); `entry` parses the command line and dispatches.

Exit codes: 0 success, 1 some input failed (the rest was done), 2 unusable
settings, token or index (nothing was done).
"""

from bot.cli.entry import build_parser, main

__all__ = ["main", "build_parser"]
