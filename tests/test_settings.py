from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config.settings import SettingsError, load_settings
from config.settings_table import documented_settings

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NEWSBOT_CONFIG", "DISCORD_TOKEN", "NEWSBOT_DISCORD__TOKEN", "NEWSBOT_DIGEST__TIME"):
        monkeypatch.delenv(name, raising=False)


def test_env_toml_and_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "newsbot.toml"
    config.write_text('[digest]\ntime = "07:15"\ntimezone = "Asia/Yerevan"\n[search]\ntop_k = 4\n')
    monkeypatch.setenv("NEWSBOT_DIGEST__TIME", "06:30")
    settings = load_settings(config, data_dir=tmp_path)
    assert settings.digest.time == time(6, 30)  # the environment beats the file
    assert settings.digest.timezone == ZoneInfo("Asia/Yerevan")
    assert settings.search.top_k == 4
    assert settings.db_path == tmp_path / "newsbot.sqlite3"


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[digest]\ntime = "25:00"\ntimezone = "Mars/Olympus"\n[search]\ntop_k = 0\n')
    with pytest.raises(SettingsError) as caught:
        load_settings(config)
    message = str(caught.value)
    assert "digest.time" in message and "digest.timezone" in message and "search.top_k" in message


def test_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="nope.toml"):
        load_settings(tmp_path / "nope.toml")


def test_token_from_discord_token_and_never_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "MTIz.secret-token-value")
    settings = load_settings()
    assert settings.discord.token is not None
    assert settings.discord.token.get_secret_value() == "MTIz.secret-token-value"
    assert "secret-token-value" not in repr(settings) and "secret-token-value" not in str(settings)


def test_readme_documents_every_setting_with_its_default_and_description() -> None:
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"\|\s*`(NEWSBOT_[A-Z_]+)`\s*\|\s*`([^`]*)`\s*\|\s*(.*?)\s*\|\s*", line)
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3))
    expected = {name: (default, description) for name, default, description in documented_settings()}
    assert rows == expected


def test_writer_settings_from_the_environment_keep_the_key_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_WRITER__URL", "http://localhost:11434/v1/")
    monkeypatch.setenv("NEWSBOT_WRITER__MODEL", "llama3.1:8b")
    monkeypatch.setenv("NEWSBOT_WRITER__API_KEY", "sk-writer-secret")
    monkeypatch.setenv("NEWSBOT_WRITER__TIMEOUT_S", "12.5")
    writer = load_settings().writer
    assert writer.enabled and writer.url == "http://localhost:11434/v1" and writer.timeout_s == 12.5
    assert writer.api_key is not None and writer.api_key.get_secret_value() == "sk-writer-secret"
    assert "sk-writer-secret" not in repr(load_settings()) and "sk-writer-secret" not in str(writer)


def test_no_writer_by_default() -> None:
    writer = load_settings().writer
    assert not writer.enabled and writer.timeout_s == 20.0 and writer.max_chars == 600


@pytest.mark.parametrize(("values", "message"), [
    ({"url": "http://localhost:11434/v1", "model": "m", "gguf": "model.gguf"}, "not both"),
    ({"url": "http://localhost:11434/v1"}, "needs writer.model"),
    ({"url": "ftp://localhost/v1", "model": "m"}, "http(s) base URL"),
    ({"gguf": "model.gguf", "timeout_s": 0}, "writer.timeout_s"),
    ({"gguf": "model.gguf", "timeout_s": "inf"}, "writer.timeout_s"),
])
def test_writer_settings_that_cannot_work_are_refused(values: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(message)):
        load_settings(writer=values)
