"""Typed settings: the only place that reads the environment.

Values come, strongest first, from: keyword arguments (the CLI's flags),
environment variables `NEWSBOT_*` (nested with `__`, e.g.
`NEWSBOT_DIGEST__TIME=07:30`), the TOML file named by `--config` or
`NEWSBOT_CONFIG`, then the defaults below. Every field carries a description:
README's configuration table is checked against them by a test.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from pydantic_settings import SettingsError as SourceError

from config.setting_types import DiscordId, ListSetting, WordsSetting
from config.writer_settings import WriterSettings

__all__ = [
    "Settings",
    "EmbeddingSettings",
    "IngestSettings",
    "SearchSettings",
    "DiscordSettings",
    "DigestSettings",
    "SourcesSettings",
    "AlertsSettings",
    "TopicSettings",
    "SidesSettings",
    "WriterSettings",
    "SettingsError",
    "load_settings",
    "BUNDLED_MODEL",
    "documented_settings",
]

BUNDLED_MODEL = "bundled:use-multilingual-v3"
"""The default embedder: Google's multilingual USE v3, shipped with its weights in a pip package."""


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class EmbeddingSettings(_Section):
    model: str = Field(
        BUNDLED_MODEL,
        description=(
            "Sentence-transformers model name or path. The default is bundled and works offline; "
            "any other name is loaded by sentence-transformers (a hub name needs the network once)."
        ),
    )
    query_prefix: str = Field("", description="Text put before every question (e.g. 'query: ' for e5 models).")
    passage_prefix: str = Field("", description="Text put before every paragraph (e.g. 'passage: ' for e5 models).")
    batch_size: int = Field(64, ge=1, le=4096, description="Paragraphs embedded per batch during ingest.")
    threads: int = Field(
        0,
        ge=0,
        le=256,
        description="CPU threads for embedding (torch and numpy); 0 uses all cores. FAISS searches on one thread.",
    )


class IngestSettings(_Section):
    max_file_bytes: int = Field(5_000_000, ge=1, description="Files larger than this are refused with an error.")
    default_outlet: str = Field(
        "", description="Outlet for files that name none (else taken from the file name, 'outlet--slug.txt')."
    )
    dedup_threshold: float = Field(
        0.80,
        ge=0.0,
        le=1.0,
        description="Mean best-match cosine of paragraphs above which two articles count as the same story copy.",
    )
    dedup_window_days: int = Field(
        3,
        ge=0,
        le=366,
        description="Days around an article's date within which other articles are checked for being the same story "
        "copy (wire copies appear within days; the check does not grow with the archive).",
    )
    max_article_paragraphs: int = Field(
        2000,
        ge=1,
        le=100_000,
        description="Most paragraphs (of at most 1,500 characters) one article may have; longer ones are refused.",
    )


class SearchSettings(_Section):
    top_k: int = Field(5, ge=1, le=10, description="Most passages cited in one answer.")
    candidates: int = Field(60, ge=5, le=1000, description="Candidates each retriever hands to fusion.")
    date_boost: float = Field(0.25, ge=0.0, le=1.0, description="Bonus for passages of a date the question names.")
    approximate_above: int = Field(
        50_000,
        ge=0,
        description="Stored paragraphs from which dense search uses an approximate index (a FAISS HNSW graph; "
        "recall@10 against exact search in README's measured section) instead of exact search; 0 keeps it exact.",
    )
    dictionary_dir: Path = Field(
        Path("/usr/share/dictd"),
        description=(
            "Folder of the FreeDict bilingual dictionaries (dictd format) used to translate question words; "
            "missing dictionaries only lower cross-language recall."
        ),
    )


class ReaderSettings(_Section):
    enabled: bool = Field(
        True,
        description="Decide with the trained reader (which passage answers, and whether any does); off: with search "
        "scores alone, as newsbot does when the reader cannot be loaded.",
    )
    weights_dir: Path | None = Field(
        None,
        description="Folder holding reader.safetensors and reader.json (made by bench/train_reader.py --write); "
        "unset: the weights shipped with newsbot.",
    )


class DiscordSettings(_Section):
    token: SecretStr | None = Field(
        None, description="Bot token (also read from DISCORD_TOKEN). Never logged or shown."
    )
    guild_id: DiscordId | None = Field(
        None, description="Sync slash commands to this server only (instant); else globally.")
    ask_channel_ids: ListSetting = Field(
        default_factory=list,
        description="Channels where mentions are answered (comma-separated or a JSON list); empty means everywhere.",
    )
    thread_channel_ids: ListSetting = Field(
        default_factory=list,
        description="Channels where every answer to a mention opens a thread, so busy channels stay readable.",
    )
    manager_role_ids: ListSetting = Field(
        default_factory=list,
        description="Roles that may change sources and follows and post /digest publicly, besides Manage Server.",
    )


class DigestSettings(_Section):
    channel_id: DiscordId | None = Field(
        None, description="Channel that receives the daily digest; unset disables posting.")
    time: dt.time = Field(
        dt.time(8, 0), description="Local time (HH:MM) at which the digest of the previous day is posted."
    )
    timezone: ZoneInfo = Field(
        ZoneInfo("Europe/Amsterdam"), description="IANA time zone for the digest time and its calendar day."
    )
    skip_empty: bool = Field(False, description="Post nothing (instead of a short note) on a day without reports.")
    catchup_hours: float = Field(
        12.0, ge=0.0, le=72.0, description="After downtime, a missed digest is still posted within this many hours."
    )

    @field_validator("time", mode="before")
    @classmethod
    def _parse_time(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise ValueError(f"expected HH:MM, got {value!r}")
        return dt.time(int(m.group(1)), int(m.group(2)))

    @field_validator("timezone", mode="before")
    @classmethod
    def _parse_timezone(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None


class SourcesSettings(_Section):
    file: Path | None = Field(None, description="TOML file of monitored sources (see config/sources.toml).")
    allow_private_networks: bool = Field(
        False, description="Allow fetching from private/loopback addresses (tests and local setups only)."
    )
    poll_minutes: float = Field(15.0, gt=0, le=10080, description="Default poll interval of a source.")
    fetch_deadline_s: float = Field(
        20.0, gt=0, le=600, description="Total time one fetch may take, redirects included (at most 600)."
    )
    max_bytes: int = Field(5_000_000, ge=1024, description="Largest response body read from a source.")
    topic_keywords: WordsSetting = Field(
        default_factory=list,
        description="If set, feed entries must mention one of these words (any language; comma-separated or a JSON "
        "list) to be ingested.",
    )
    max_new_per_poll: int = Field(
        50, ge=1, le=10_000,
        description="Most new articles one poll of a source stores; the rest wait for later polls (a feed that "
        "changes its links every time cannot flood the archive).",
    )
    max_new_per_day: int = Field(
        500, ge=1, le=100_000, description="Most new articles one source stores in a day (UTC); logged when reached.",
    )


DEFAULT_TOPIC_KEYWORDS = (
    "Nagorno-Karabakh", "Karabakh", "Artsakh", "Armenia", "Azerbaijan", "Stepanakert", "Shusha", "Lachin",
    "Yerevan", "Baku", "Pashinyan", "Aliyev", "Kalbajar", "Agdam", "Fizuli", "Hadrut", "Ganja", "Syunik",
)


class TopicSettings(_Section):
    name: str = Field(
        "the Nagorno-Karabakh conflict (Armenia and Azerbaijan, from September 2020 on)",
        description="What the archive covers, as told to users who ask about something else (English).",
    )
    name_nl: str = Field(
        "het conflict om Nagorno-Karabach (Armenië en Azerbeidzjan, vanaf september 2020)",
        description="The same in Dutch, for questions asked in Dutch.",
    )
    keywords: WordsSetting = Field(
        default_factory=lambda: list(DEFAULT_TOPIC_KEYWORDS),
        description=(
            "Places, peoples and leaders that mark an article as about the topic (glossary spellings count too); "
            "off-topic articles stay searchable but never lead an answer or become a digest story."
        ),
    )


    @field_validator("keywords")
    @classmethod
    def _some_keywords(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("give at least one word: without keywords every article is off the topic and every "
                             "digest is empty")
        return value


class SidesSettings(_Section):
    outlets_file: Path | None = Field(
        None,
        description=(
            "TOML table of outlet name = armenian / azerbaijani / international (see config/outlets.toml, "
            "used when unset); outlets not listed count as unknown."
        ),
    )


class AlertsSettings(_Section):
    channel_id: DiscordId | None = Field(
        None, description="Channel that gets a short post per newly ingested article.")
    max_per_poll: int = Field(5, ge=0, le=50, description="Most alerts posted after one poll of a source.")
    follow_threshold: float = Field(
        0.40, ge=0.0, le=2.0, description="Score a new article's best paragraph needs to alert a followed topic."
    )
    follow_cooldown_minutes: float = Field(
        30.0, ge=0.0, le=10080.0, description="After an alert, a followed topic stays quiet this long."
    )
    follow_check_seconds: float = Field(
        60.0, ge=1.0, le=3600.0, description="How often newly stored articles are matched against followed topics."
    )


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("newsbot", appauthor=False))


class Settings(BaseSettings):
    """Everything newsbot can be told, validated once at start."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSBOT_",
        env_nested_delimiter="__",
        frozen=True,
        extra="forbid",
        allow_inf_nan=False,
    )

    data_dir: Path = Field(default_factory=_default_data_dir, description="Where the database and index live.")
    log_level: str = Field("INFO", description="Logging level: DEBUG, INFO, WARNING or ERROR.")

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}, got {value!r}")
        return level
    embedding: EmbeddingSettings = EmbeddingSettings()
    ingest: IngestSettings = IngestSettings()
    search: SearchSettings = SearchSettings()
    reader: ReaderSettings = ReaderSettings()
    discord: DiscordSettings = DiscordSettings()
    digest: DigestSettings = DigestSettings()
    sources: SourcesSettings = SourcesSettings()
    alerts: AlertsSettings = AlertsSettings()
    topic: TopicSettings = TopicSettings()
    sides: SidesSettings = SidesSettings()
    writer: WriterSettings = WriterSettings()

    _toml_file: ClassVar[Path | None] = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls._toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=cls._toml_file))
        return tuple(sources)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "newsbot.sqlite3"

    @property
    def index_path(self) -> Path:
        return self.data_dir / "paragraphs.faiss"


class SettingsError(Exception):
    """Settings are invalid; the message lists every problem at once."""


def _format_errors(exc: ValidationError) -> str:
    """One line for one problem; a heading and a line per problem when there are several."""
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "settings"
        lines.append(f"{where}: {err['msg'].removeprefix('Value error, ')}")
    if len(lines) == 1:
        return f"invalid setting {lines[0]}"
    return "invalid settings:\n" + "\n".join(f"  {line}" for line in lines)


def load_settings(config_file: Path | str | None = None, **overrides: Any) -> Settings:
    """Build settings from flags, environment and an optional TOML file.

    `DISCORD_TOKEN` is accepted as well as `NEWSBOT_DISCORD__TOKEN` because that
    is the name every Discord hosting guide uses.
    """
    path = config_file or os.environ.get("NEWSBOT_CONFIG") or None
    toml_path = Path(path) if path else None
    if toml_path is not None:
        _check_toml_file(toml_path)
    token = os.environ.get("DISCORD_TOKEN")
    if token and not os.environ.get("NEWSBOT_DISCORD__TOKEN"):
        discord = dict(overrides.pop("discord", {}) or {})
        discord.setdefault("token", token)
        overrides["discord"] = discord

    class _Loaded(Settings):
        _toml_file = toml_path

    try:
        return _Loaded(**overrides)
    except ValidationError as exc:
        raise SettingsError(_format_errors(exc)) from None
    except SourceError as exc:  # a value the settings source itself could not read
        raise SettingsError(f"invalid settings: {exc}") from None


def _check_toml_file(path: Path) -> None:
    """Refuse a config file that is missing, unreadable, not UTF-8 or not TOML, naming the file and the place."""
    if not path.is_file():
        raise SettingsError(f"config file not found: {path}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SettingsError(f"config file {path}: cannot read it ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsError(f"config file {path}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})") \
            from None
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path}: not valid TOML ({exc})") from None


def documented_settings() -> list[tuple[str, str, str]]:
    """(environment variable, default, description) for every setting: the source of README's table."""
    rows: list[tuple[str, str, str]] = []
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            for sub_name, sub_field in annotation.model_fields.items():
                default = sub_field.get_default(call_default_factory=True)
                rows.append((f"NEWSBOT_{name.upper()}__{sub_name.upper()}", _show(default),
                             sub_field.description or ""))
        else:
            default = "per-user data folder" if name == "data_dir" else _show(field.get_default())
            rows.append((f"NEWSBOT_{name.upper()}", default, field.description or ""))
    return rows


def _show(value: object) -> str:
    if value is None:
        return "unset"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, list):
        return "[]" if not value else ",".join(map(str, value))
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def settings_table() -> str:
    """README's configuration table, regenerated with `python -m config.settings`."""
    return "\n".join(f"| `{name}` | `{default}` | {description} |" for name, default, description in
                     documented_settings())


if __name__ == "__main__":
    print(settings_table())
