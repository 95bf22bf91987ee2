"""Whose account a report carries: the side of its outlet or source.

In a war each side's media report the same event differently; a reader wants
to see both accounts next to each other. A side is a property of where an
article comes from, not of what it says: it is set per monitored source
(`newsbot sources add --side`), per ingested folder (`newsbot ingest --side`),
or looked up in an outlet table (`config/outlets.toml` ships one for the sample
outlets; `NEWSBOT_SIDES__OUTLETS_FILE` points at your own).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

__all__ = ["Side", "SideTable", "load_side_table", "bundled_side_table", "SIDE_LABELS"]


class Side(StrEnum):
    ARMENIAN = "armenian"
    AZERBAIJANI = "azerbaijani"
    INTERNATIONAL = "international"
    UNKNOWN = "unknown"


SIDE_LABELS: dict[str, dict[Side, str]] = {
    "en": {Side.ARMENIAN: "Armenian side", Side.AZERBAIJANI: "Azerbaijani side",
           Side.INTERNATIONAL: "International", Side.UNKNOWN: "Unknown outlet"},
    "nl": {Side.ARMENIAN: "Armeense kant", Side.AZERBAIJANI: "Azerbeidzjaanse kant",
           Side.INTERNATIONAL: "Internationaal", Side.UNKNOWN: "Onbekende bron"},
}
"""How a side is named to users, in the two languages they ask in."""


def _key(outlet: str) -> str:
    return " ".join(outlet.casefold().split())


@dataclass(frozen=True)
class SideTable:
    """Outlet name → side; outlets not listed are `unknown`."""

    outlets: Mapping[str, Side] = field(default_factory=dict)

    def side_of(self, outlet: str) -> Side:
        return self.outlets.get(_key(outlet), Side.UNKNOWN)

    def merged(self, other: SideTable) -> SideTable:
        return SideTable({**self.outlets, **other.outlets})


def load_side_table(path: Path) -> SideTable:
    """Read a TOML table of `"Outlet name" = "side"` under `[outlets]`; errors name the file and the entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the outlet table ({exc})") from None
    table = data.get("outlets", {})
    if not isinstance(table, dict):
        raise ValueError(f"{path}: [outlets] must be a table of \"outlet\" = \"side\"")
    outlets: dict[str, Side] = {}
    for outlet, side in table.items():
        try:
            outlets[_key(outlet)] = Side(str(side).lower())
        except ValueError:
            choices = ", ".join(s.value for s in Side)
            raise ValueError(f"{path}: outlet {outlet!r} has side {side!r}; use one of {choices}") from None
    return SideTable(outlets)


def bundled_side_table() -> SideTable:
    """The outlet table shipped with the sample articles (config/outlets.toml)."""
    from importlib import resources

    with resources.as_file(resources.files("config").joinpath("outlets.toml")) as path:
        return load_side_table(path)
