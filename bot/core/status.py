"""The status report shared by `newsbot status` and `/status`."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from bot.core.services import Services
from index.sources.registry import SourceRegistry

__all__ = ["StatusReport", "status_report"]


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

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of `newsbot status --json`."""
        return {**asdict(self), "sources": list(self.sources)}


def status_report(services: Services, registry: SourceRegistry) -> StatusReport:
    stats = services.store.articles.stats()
    health = services.vectors.last_health
    return StatusReport(
        articles=stats.articles,
        paragraphs=stats.paragraphs,
        outlets=stats.outlets,
        languages=stats.languages,
        oldest=stats.oldest,
        newest=stats.newest,
        last_ingest=stats.last_ingest,
        model=services.embedder.model_id,
        index=health.describe() if health else "not loaded",
        index_ok=bool(health and health.ok),
        data_dir=str(services.settings.data_dir),
        sources=tuple(state.describe() for state in registry.all()),
    )
