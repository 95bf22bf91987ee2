"""The status report shared by `newsbot status` and `/status`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from bot.core.services import Services
from config.settings import Settings
from index.sources.registry import SourceRegistry

__all__ = ["StatusReport", "index_line", "schedule_lines", "status_report"]


@dataclass(frozen=True)
class StatusReport:
    articles: int
    paragraphs: int
    outlets: int
    languages: dict[str, int]
    """Articles per language, most first."""
    oldest: str
    newest: str
    last_ingest: str
    model: str
    index: str
    """The vector index's health in words (see `IndexHealth.describe`)."""
    index_ok: bool
    data_dir: str
    sources: tuple[str, ...]
    """One line per monitored source (see `SourceState.describe`)."""
    schedule: tuple[str, ...] = ()
    """What `newsbot run` does on its own, and what is off and how to turn it on (see `schedule_lines`)."""
    unseen: tuple[str, ...] = ()
    """Configured channels and roles the running bot cannot see, and what that stops (`bot.core.configured_ids`);
    empty where no Discord connection tells (`newsbot status`)."""

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of `newsbot status --json`."""
        return {**asdict(self), "sources": list(self.sources), "schedule": list(self.schedule),
                "unseen": list(self.unseen)}


def schedule_lines(settings: Settings, sources: int, follows: int,
                   channel: Callable[[int], str] = lambda i: f"channel {i}") -> list[str]:
    """One line per timed job: on with its details, or off with the setting that turns it on; `channel` writes
    a channel id for the reader (a mention in Discord)."""
    digest = settings.digest
    lines = [
        f"daily digest: {digest.time.strftime('%H:%M')} {digest.timezone.key} in {channel(digest.channel_id)}"
        if digest.channel_id else
        "daily digest: off (set NEWSBOT_DIGEST__CHANNEL_ID to the id of the channel it should be posted in)",
        f"source polling: {sources} source{'' if sources == 1 else 's'}" if sources else
        "source polling: no sources (add one with `newsbot sources add` or /sources add, or NEWSBOT_SOURCES__FILE)",
        f"new-article alerts: {channel(settings.alerts.channel_id)}" if settings.alerts.channel_id else
        "new-article alerts: off (set NEWSBOT_ALERTS__CHANNEL_ID; sources can also post to their own channel)",
        f"followed topics: {follows}" if follows else "followed topics: none (a manager can add one with /follow)",
    ]
    return lines


def index_line(in_use: int, stored: int, layout: str) -> str:
    """The vectors this process searches against the paragraphs the archive stores, in words."""
    search = ", approximate search" if layout == "approximate" else ""
    if in_use == stored:
        return f"ok: {in_use} vectors in use for {stored} stored paragraphs{search}"
    gap = (f"{stored - in_use} stored paragraphs not searchable yet" if in_use < stored else
           f"{in_use - stored} vectors of removed paragraphs still in use")
    return f"out of sync: {in_use} vectors in use for {stored} stored paragraphs{search} ({gap})"


def status_report(services: Services, registry: SourceRegistry, follows: int = 0, *,
                  channel: Callable[[int], str] = lambda i: f"channel {i}",
                  text: Callable[[str], str] = lambda s: s) -> StatusReport:
    """The archive as stored, and the vectors in use in this process compared with it (not as they were
    at start: another process may have ingested since). `channel` and `text` write channel ids and what
    people typed for the reader (see `SourceState.describe`)."""
    stats = services.store.articles.stats()
    states = registry.all()
    in_use = len(services.vectors)
    return StatusReport(
        articles=stats.articles,
        paragraphs=stats.paragraphs,
        outlets=stats.outlets,
        languages=stats.languages,
        oldest=stats.oldest,
        newest=stats.newest,
        last_ingest=stats.last_ingest,
        model=services.embedder.model_id,
        index=index_line(in_use, stats.paragraphs, services.vectors.layout),
        index_ok=in_use == stats.paragraphs,
        data_dir=str(services.settings.data_dir),
        sources=tuple(state.describe(channel, text) for state in states),
        schedule=tuple(schedule_lines(services.settings, len(states), follows, channel)),
    )
