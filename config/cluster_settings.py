"""The settings of cluster mode: where the shared archive is, and how long a worker holds a source it polls.

Unset, newsbot keeps its single-machine default (SQLite and FAISS in the data
folder); `config.settings.Settings` checks that the archive and the search
engine are set together (`search.milvus_uri` lives with the other search
settings).
"""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from config.setting_types import Section

__all__ = ["StoreSettings", "WorkerSettings"]


class StoreSettings(Section):
    url: SecretStr | None = Field(
        None,
        description="PostgreSQL URL (postgresql://user:password@host:port/database) of a shared archive for cluster "
        "mode, with SEARCH__MILVUS_URI; unset keeps the single-machine SQLite archive in DATA_DIR. Never logged "
        "with its password.",
    )

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("postgresql://", "postgres://")):
            raise ValueError("expected a URL starting with postgresql://")
        return value


class WorkerSettings(Section):
    lease_seconds: float = Field(
        300.0,
        ge=10.0,
        le=86_400.0,
        description="How long a worker holds a source it claimed for polling; a dead worker's sources are polled "
        "by another once their lease runs out.",
    )
    idle_seconds: float = Field(
        15.0, ge=0.1, le=3600.0, description="How long `newsbot worker` waits when no source is due."
    )
