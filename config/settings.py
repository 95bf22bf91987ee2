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
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from pydantic_settings import SettingsError as SourceError

from config.cluster_settings import StoreSettings, WorkerSettings
from config.setting_types import DiscordId, ListSetting, Section, ShardList, WordsSetting
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
    "StoreSettings",
    "WorkerSettings",
    "WriterSettings",
    "SettingsError",
    "load_settings",
    "BUNDLED_MODEL",
]

BUNDLED_MODEL = "bundled:use-multilingual-v3"
"""The default embedder: Google's multilingual USE v3, shipped with its weights in a pip package."""


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class EmbeddingSettings(Section):
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


class IngestSettings(Section):
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


class SearchSettings(Section):
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
    milvus_uri: str | None = Field(
        None,
        description="Milvus URI (http://host:19530) that holds the search index in cluster mode, with STORE__URL; "
        "unset keeps the FAISS file in DATA_DIR.",
    )
    milvus_collection: str = Field(
        "newsbot_paragraphs",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,254}$",
        description="Name of the Milvus collection of one archive (several archives can share one Milvus).",
    )


class ReaderSettings(Section):
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


class DiscordSettings(Section):
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
    shard_count: int | None = Field(
        None,
        ge=1,
        le=65_536,
        description="Gateway shards in all (several `newsbot run` processes each run some); unset lets Discord "
        "recommend a count for the bot's guilds (one shard per 1,000 or so).",
    )
    shard_ids: ShardList = Field(
        default_factory=list,
        description="The shards this process runs (0-based, below SHARD_COUNT); empty runs all of them.",
    )

    @model_validator(mode="after")
    def _shards_within_count(self) -> DiscordSettings:
        if self.shard_ids and self.shard_count is None:
            raise ValueError("shard_ids needs shard_count (the shards of all processes together)")
        if self.shard_count is not None and any(not 0 <= i < self.shard_count for i in self.shard_ids):
            raise ValueError(f"shard_ids must be between 0 and {self.shard_count - 1}")
        return self


class DigestSettings(Section):
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


class SourcesSettings(Section):
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


class TopicSettings(Section):
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


class SidesSettings(Section):
    outlets_file: Path | None = Field(
        None,
        description=(
            "TOML table of outlet name = armenian / azerbaijani / international (see config/outlets.toml, "
            "used when unset); outlets not listed count as unknown."
        ),
    )


class AlertsSettings(Section):
    channel_id: DiscordId | None = Field(
        None, description="Channel that gets a short post per newly ingested article.")
    max_per_poll: int = Field(5, ge=0, le=50, description="Most alerts posted after one poll of a source.")
    follow_threshold: float = Field(
        0.40, ge=0.0, le=2.0, description="Search score a new article's best paragraph needs to alert a followed "
        "topic.",
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
    store: StoreSettings = StoreSettings()
    worker: WorkerSettings = WorkerSettings()
    writer: WriterSettings = WriterSettings()

    @model_validator(mode="after")
    def _cluster_needs_both(self) -> Settings:
        if (self.store.url is None) != (self.search.milvus_uri is None):
            raise ValueError("cluster mode needs both NEWSBOT_STORE__URL (PostgreSQL) and "
                             "NEWSBOT_SEARCH__MILVUS_URI (Milvus); set both or neither")
        return self

    @property
    def cluster(self) -> bool:
        """Whether the archive is on PostgreSQL and search on Milvus (several processes share them)."""
        return self.store.url is not None

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


if __name__ == "__main__":
    from config.settings_table import settings_table

    print(settings_table())
