"""The status report shared by `newsbot status` and `/status`."""

from __future__ import annotations

from typing import Any

from bot.core.services import Services
from index.sources.registry import SourceRegistry

__all__ = ["status_report"]


def status_report(services: Services) -> dict[str, Any]:
    stats = services.store.articles.stats()
    health = services.vectors.last_health
    return {
        "articles": stats.articles,
        "paragraphs": stats.paragraphs,
        "outlets": stats.outlets,
        "languages": stats.languages,
        "oldest": stats.oldest,
        "newest": stats.newest,
        "last_ingest": stats.last_ingest,
        "model": services.embedder.model_id,
        "index": health.describe() if health else "not loaded",
        "index_ok": bool(health and health.ok),
        "data_dir": str(services.settings.data_dir),
        "sources": [state.describe() for state in SourceRegistry(services.store.db).all()],
    }
