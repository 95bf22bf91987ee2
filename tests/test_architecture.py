"""The dependency direction: config <- index <- bot.core <- bot (cogs, client, cli).

`index/` and `bot/core/` must stay usable without Discord or a scheduler, so
they may not import discord or apscheduler, nor the Discord-facing parts of bot/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "config": ("index", "bot", "discord", "apscheduler"),
    "index": ("bot", "discord", "apscheduler"),
    "bot/core": ("discord", "apscheduler", "bot.cogs", "bot.client", "bot.render", "bot.cli", "bot.errors",
                 "bot.runner", "bot.scheduling"),
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_do_not_import_upwards(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, package
    offences = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in files
        for name in _imports(path)
        if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN[package])
    ]
    assert offences == []


def test_no_grab_bag_modules() -> None:
    names = {p.stem for d in ("index", "bot", "config") for p in (ROOT / d).rglob("*.py")}
    assert not names & {"utils", "helpers", "misc", "common"}
