"""Typed settings and the default configuration files."""

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
