"""Hostile settings and storage: exit code 2 and one clear line instead of a traceback, and no silent loss.

Each case is built in tmp_path and run through `newsbot`'s real entry point
(`bot.cli.main`, in this process, so the model loaded once for the session is
reused), with the real SQLite and FAISS files.
"""

from __future__ import annotations

import hashlib
import json
import socket
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from config.settings import SettingsError, load_settings
from tests.conftest import write_articles

ENV_NAMES = ("NEWSBOT_CONFIG", "DISCORD_TOKEN", "NEWSBOT_DISCORD__TOKEN")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(list(args))
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    return code, [line for line in err.splitlines() if line.strip()]


def _one_clear_line(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, lines = _run(capsys, *args)
    assert code == 2, lines
    assert len(lines) == 1 and lines[0].startswith("newsbot: "), lines
    return lines[0]


# --- settings ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["1,2", "[1, 2]", " 1 , 2 "])
def test_channel_lists_are_accepted_as_comma_lists_and_json(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_DISCORD__ASK_CHANNEL_IDS", value)
    monkeypatch.setenv("NEWSBOT_SOURCES__TOPIC_KEYWORDS", "Shusha,Lachin")
    monkeypatch.setenv("NEWSBOT_TOPIC__KEYWORDS", "Karabakh, Artsakh")
    settings = load_settings()
    assert settings.discord.ask_channel_ids == [1, 2]
    assert settings.sources.topic_keywords == ["Shusha", "Lachin"]
    assert settings.topic.keywords == ["Karabakh", "Artsakh"]


@pytest.mark.parametrize(
    ("name", "value", "field"),
    [
        ("NEWSBOT_DISCORD__ASK_CHANNEL_IDS", "1,x", "discord.ask_channel_ids"),
        ("NEWSBOT_DISCORD__ASK_CHANNEL_IDS", "[1,", "discord.ask_channel_ids"),
        ("NEWSBOT_SOURCES__FETCH_DEADLINE_S", "inf", "sources.fetch_deadline_s"),
        ("NEWSBOT_SOURCES__FETCH_DEADLINE_S", "86400", "sources.fetch_deadline_s"),
        ("NEWSBOT_SOURCES__POLL_MINUTES", "nan", "sources.poll_minutes"),
        ("NEWSBOT_LOG_LEVEL", "LOUD", "log_level"),
        # keyword lists that name nothing once trimmed: ",,," used to empty every digest without a word
        ("NEWSBOT_TOPIC__KEYWORDS", ",,,", "topic.keywords"),
        ("NEWSBOT_TOPIC__KEYWORDS", "[]", "topic.keywords"),
        ("NEWSBOT_TOPIC__KEYWORDS", '[" ", ""]', "topic.keywords"),
        ("NEWSBOT_TOPIC__KEYWORDS", "--,..", "topic.keywords"),
        ("NEWSBOT_SOURCES__TOPIC_KEYWORDS", " , ,", "sources.topic_keywords"),
    ],
)
def test_bad_values_exit_2_with_one_line_naming_the_setting(
    name: str, value: str, field: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(name, value)
    line = _one_clear_line(capsys, "--data-dir", str(tmp_path), "status")
    assert field in line


def test_log_level_is_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_LOG_LEVEL", "debug")
    assert load_settings().log_level == "DEBUG"


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"[digest\ntime = 1\n", "not valid TOML"), (b'[digest]\ntime = "\xff\xfe"\n', "not UTF-8"),
     (b"[search]\ntop_k = 4\ntop_k = 5\n", "not valid TOML")],
)
def test_broken_config_files_exit_2_naming_the_file(
    content: bytes, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "newsbot.toml"
    config.write_bytes(content)
    line = _one_clear_line(capsys, "--config", str(config), "--data-dir", str(tmp_path / "data"), "status")
    assert str(config) in line and reason in line
    with pytest.raises(SettingsError, match=reason):
        load_settings(config)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31"])
def test_digest_of_an_impossible_day_exits_2(day: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _one_clear_line(capsys, "--data-dir", str(tmp_path), "digest", "--date", day)
    assert day in line and "1900-01-01" in line


# --- storage ----------------------------------------------------------------------------------------------------

@pytest.fixture
def archive(tmp_path: Path, embedder, capsys: pytest.CaptureFixture[str]) -> Path:  # type: ignore[no-untyped-def]
    """A data folder holding a small real archive (SQLite + FAISS + manifest), closed again."""
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "ingest", str(write_articles(tmp_path / "corpus"))]) == 0
    capsys.readouterr()
    return data


@pytest.mark.slow
def test_data_dir_that_is_a_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    data.write_text("not a folder")
    for command in (["status"], ["run"], ["ingest", str(tmp_path)]):
        assert "is a file, not a folder" in _one_clear_line(capsys, "--data-dir", str(data), *command)


@pytest.mark.slow
def test_index_path_that_is_a_folder_exits_2(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index = archive / "paragraphs.faiss"
    index.unlink()
    index.mkdir()
    line = _one_clear_line(capsys, "--data-dir", str(archive), "status")
    assert "paragraphs.faiss is not a file" in line


@pytest.mark.slow
def test_empty_database_file_is_refused_and_the_index_kept(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index_before = (archive / "paragraphs.faiss").read_bytes()
    (archive / "newsbot.sqlite3").write_bytes(b"")
    for command in (["status"], ["ask", "Who captured Shusha?"], ["ingest", str(archive.parent / "corpus")]):
        assert "is empty (0 bytes)" in _one_clear_line(capsys, "--data-dir", str(archive), *command)
    assert (archive / "newsbot.sqlite3").stat().st_size == 0, "no empty archive was created in its place"
    assert (archive / "paragraphs.faiss").read_bytes() == index_before, "the index was not emptied to match"


@pytest.mark.slow
def test_foreign_sqlite_and_non_sqlite_files_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "newsbot.sqlite3") as db:
        db.execute("CREATE TABLE users (name TEXT)")
    assert "another program" in _one_clear_line(capsys, "--data-dir", str(data), "status")
    (data / "newsbot.sqlite3").write_text("a text file where the database should be\n")
    assert "not an SQLite database" in _one_clear_line(capsys, "--data-dir", str(data), "status")


@pytest.mark.slow
def test_damaged_database_page_exits_2(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_path = archive / "newsbot.sqlite3"
    assert not (archive / "newsbot.sqlite3-wal").exists() or (archive / "newsbot.sqlite3-wal").stat().st_size == 0
    data = bytearray(db_path.read_bytes())
    for page in range(1, len(data) // 4096):  # every page but the first (the schema) turned to noise
        data[page * 4096:(page + 1) * 4096] = bytes([0xA5]) * 4096
    db_path.write_bytes(bytes(data))
    line = _one_clear_line(capsys, "--data-dir", str(archive), "status")
    assert "newsbot.sqlite3" in line and "damaged" in line


@pytest.mark.slow
def test_damaged_vector_file_is_rebuilt_from_sqlite(archive: Path, capsys: pytest.CaptureFixture[str],
                                                     embedder) -> None:  # type: ignore[no-untyped-def]
    from bot.core.services import open_services

    index = archive / "paragraphs.faiss"
    manifest = json.loads(index.with_suffix(".faiss.json").read_text())
    assert len(manifest["sha256"]) == 64
    data = bytearray(index.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 4096] = bytes(4096)  # 4 kB of vectors zeroed: FAISS still loads it happily
    index.write_bytes(bytes(data))
    services = open_services(load_settings(data_dir=archive), embedder=embedder)
    try:
        assert services.health is not None and services.health.rebuilt and services.health.ok
        top = services.searcher.search("Who captured Shusha?").hits[0]
        assert top.passage.article.source == "krant--sjoesja.txt"
    finally:
        services.close()
    rewritten = json.loads(index.with_suffix(".faiss.json").read_text())
    assert rewritten["sha256"] == hashlib.sha256(index.read_bytes()).hexdigest()


# --- running without a network ----------------------------------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_reaching_discord_backs_off_then_gives_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from discord.http import Route

    from bot.runner import ReachRetry, reach_discord

    port = _closed_port()
    monkeypatch.setattr(Route, "BASE", f"http://127.0.0.1:{port}/api/v10")
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    problem = await reach_discord(ReachRetry(attempts=5, first_delay_s=2.0, max_delay_s=5.0), sleep=record)
    assert waits == [2.0, 4.0, 5.0, 5.0]
    assert problem is not None and f"127.0.0.1:{port} after 5 attempts" in problem


def test_run_without_network_exits_2_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from discord.http import Route

    from bot.runner import ReachRetry, run_bot

    monkeypatch.setattr(Route, "BASE", f"http://127.0.0.1:{_closed_port()}/api/v10")
    settings = load_settings(data_dir=tmp_path, discord={"token": "a-token"})
    assert run_bot(settings, ReachRetry(attempts=2, first_delay_s=0.01)) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot reach Discord" in lines[0] and "check the network" in lines[0], lines
    assert "a-token" not in lines[0]
