"""Typed settings, the ids they hold, and the default configuration files."""

from config.identifiers import ID_LIMIT, parse_id
from config.settings import (
    BUNDLED_MODEL,
    AlertsSettings,
    DigestSettings,
    DiscordSettings,
    EmbeddingSettings,
    IngestSettings,
    SearchSettings,
    Settings,
    SettingsError,
    SourcesSettings,
    load_settings,
)

__all__ = [
    "BUNDLED_MODEL",
    "ID_LIMIT",
    "parse_id",
    "AlertsSettings",
    "DigestSettings",
    "DiscordSettings",
    "EmbeddingSettings",
    "IngestSettings",
    "SearchSettings",
    "Settings",
    "SettingsError",
    "SourcesSettings",
    "load_settings",
]
