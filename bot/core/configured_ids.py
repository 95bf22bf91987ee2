"""Which channels and roles the settings name, and what stops working when the bot cannot see one.

An id copied wrong, or the example's placeholder left in place, used to fail
silently: a placeholder in `ask_channel_ids` turned mentions off everywhere.
The Discord edge says which of these ids it can see (its cache, once
connected); this module turns the ones it cannot into lines for the log at
start and for `/status`. No Discord here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from config.settings import Settings
from index.sources.registry import Source

__all__ = ["IdKind", "ConfiguredId", "configured_ids", "unseen_lines"]


class IdKind(StrEnum):
    CHANNEL = "channel"
    ROLE = "role"


@dataclass(frozen=True)
class ConfiguredId:
    setting: str
    """Where it is configured: a setting's name, or a monitored source's."""
    kind: IdKind
    id: int
    effect: str
    """What does not happen while the bot cannot see it."""


def configured_ids(settings: Settings, sources: Iterable[Source] = ()) -> list[ConfiguredId]:
    """Every channel and role id the settings and the monitored sources name."""
    discord = settings.discord
    ids = [ConfiguredId("discord.ask_channel_ids", IdKind.CHANNEL, i, "mentions there are not answered")
           for i in discord.ask_channel_ids]
    ids += [ConfiguredId("discord.thread_channel_ids", IdKind.CHANNEL, i, "answers there open no thread")
            for i in discord.thread_channel_ids]
    ids += [ConfiguredId("discord.manager_role_ids", IdKind.ROLE, i, "its members cannot manage sources or follows")
            for i in discord.manager_role_ids]
    if settings.digest.channel_id:
        ids.append(ConfiguredId("digest.channel_id", IdKind.CHANNEL, settings.digest.channel_id,
                                "the daily digest cannot be posted"))
    if settings.alerts.channel_id:
        ids.append(ConfiguredId("alerts.channel_id", IdKind.CHANNEL, settings.alerts.channel_id,
                                "new-article alerts cannot be posted"))
    ids += [ConfiguredId(f"source {s.name} channel_id", IdKind.CHANNEL, s.channel_id,
                         "its new articles cannot be posted there")
            for s in sources if s.channel_id and s.enabled]
    return ids


def unseen_lines(ids: Iterable[ConfiguredId], visible: Callable[[ConfiguredId], bool],
                 channel: Callable[[int], str] = lambda i: f"channel {i}") -> list[str]:
    """One line per id the bot cannot see, saying what that stops; `channel` writes a channel for the reader
    (`channel 123` in a terminal, a mention in Discord)."""
    ids = list(ids)
    unseen = [c for c in ids if not visible(c)]
    lines = []
    for configured in unseen:
        shown = channel(configured.id) if configured.kind is IdKind.CHANNEL else f"role {configured.id}"
        lines.append(f"{configured.setting}: the bot cannot see {shown} (a placeholder, or a {configured.kind} of "
                     f"another server?): {configured.effect}")
    asked = [c for c in ids if c.setting == "discord.ask_channel_ids"]
    if asked and all(c in unseen for c in asked):
        lines.append("discord.ask_channel_ids: none of these channels is one the bot can see, so mentions are "
                     "answered nowhere (leave the list empty to answer in every channel)")
    return lines
