"""Integration: real SQLite, real FAISS, the real bundled model, on a few articles in tmp_path."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from config.settings import Settings
from index.errors import ModelMismatchError
from index.reindex import reindex
from index.search.vectors import VectorIndex
from tests.conftest import write_articles

pytestmark = pytest.mark.slow


def test_ingest_is_idempotent(services, corpus_dir: Path) -> None:  # type: ignore[no-untyped-def]
    first = services.ingestor.ingest_paths([corpus_dir])
    assert [r.status for r in first] == ["added"] * 3
    stats = services.store.articles.stats()
    again = services.ingestor.ingest_paths([corpus_dir])
    assert [r.status for r in again] == ["unchanged"] * 3
    assert services.store.articles.stats().paragraphs == stats.paragraphs == 8
    assert len(services.vectors) == 8


def test_changed_content_replaces_paragraphs_and_vectors(services, corpus_dir: Path) -> None:  # type: ignore[no-untyped-def]
    services.ingestor.ingest_paths([corpus_dir])
    old_ids = set(services.store.embeddings.paragraph_ids().tolist())
    path = corpus_dir / "blatt--exodus.txt"
    path.write_text(path.read_text() + "\nEin dritter Absatz über die Lage in Goris.\n")
    results = services.ingestor.ingest_paths([path])
    assert results[0].status == "replaced"
    assert services.store.articles.stats().articles == 3
    new_ids = set(services.store.embeddings.paragraph_ids().tolist())
    assert len(new_ids) == 9 and len(old_ids & new_ids) == 6
    assert set(services.vectors.ids().tolist()) == new_ids


def test_cross_language_search_finds_the_other_language(services, corpus_dir: Path) -> None:  # type: ignore[no-untyped-def]
    services.ingestor.ingest_paths([corpus_dir])
    top = services.searcher.search("Hoeveel Russische vredestroepen komen er?").hits[0]
    assert top.passage.article.source == "wire--ceasefire.txt" and top.passage.position == 1
    top = services.searcher.search("Who captured Shusha?").hits[0]
    assert top.passage.article.source == "krant--sjoesja.txt"


def test_filters_restrict_language_and_dates(services, corpus_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from index.storage.sqlite.article_store import SearchFilters

    services.ingestor.ingest_paths([corpus_dir])
    hits = services.searcher.search("refugees", filters=SearchFilters(language="de")).hits
    assert hits and {h.passage.article.language for h in hits} == {"de"}
    # The month-precision article (2023-09) overlaps a filter starting mid-month.
    hits = services.searcher.search("refugees", filters=SearchFilters(since=date(2023, 9, 20))).hits
    assert {h.passage.article.source for h in hits} == {"blatt--exodus.txt"}
    assert services.searcher.search("refugees", filters=SearchFilters(until=date(2019, 1, 1))).hits == ()


def test_near_duplicate_wire_copy_is_linked_and_folded(services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    original = """
        title: Ceasefire collapses within hours
        outlet: Wire One
        date 2020-10-11 A humanitarian truce between Armenia and Azerbaijan agreed in Moscow broke down within hours as both sides reported new shelling.

        The truce was meant to allow the exchange of prisoners and of the bodies of soldiers killed in the Karabakh fighting.
        """
    copy = """
        title: Truce collapses within hours
        outlet: Wire Two
        date 2020-10-11 A humanitarian truce between Armenia and Azerbaijan agreed in Moscow collapsed within hours as both sides reported fresh shelling.

        The truce was supposed to allow the exchange of prisoners and of the bodies of soldiers killed in the Karabakh fighting.
        """
    folder = write_articles(tmp_path / "wire", {"one--a.txt": original, "two--b.txt": copy})
    results = services.ingestor.ingest_paths([folder])
    assert results[1].duplicate_of == results[0].article_id
    answer = services.answerer.answer("What was the Moscow truce meant to allow?")
    assert not answer.abstained
    positions = [c.passage.position for c in answer.citations]
    assert len(set(positions)) == len(positions), "the same paragraph of the wire story was cited twice"
    assert all(any(o.outlet == "Wire Two" for o in c.also_in) for c in answer.citations)


def test_index_file_is_rebuilt_when_missing_or_behind(settings: Settings, embedder, corpus_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from bot.core.services import open_services

    services = open_services(settings, embedder=embedder)
    services.ingestor.ingest_paths([corpus_dir])
    services.close()
    manifest = json.loads(settings.index_path.with_suffix(".faiss.json").read_text())
    assert {k: v for k, v in manifest.items() if k != "sha256"} == {"model_id": embedder.model_id, "dimension": 512,
                                                                   "count": 8, "layout": "exact"}
    assert len(manifest["sha256"]) == 64
    settings.index_path.unlink()
    reopened = open_services(settings, embedder=embedder)
    assert reopened.health is not None and reopened.health.rebuilt and reopened.health.ok
    assert len(reopened.vectors) == 8
    reopened.close()


def test_model_mismatch_is_a_clear_error(services, settings: Settings, corpus_dir: Path) -> None:  # type: ignore[no-untyped-def]
    services.ingestor.ingest_paths([corpus_dir])
    other = VectorIndex(settings.index_path, 384, "some-other-model")
    with pytest.raises(ModelMismatchError, match="newsbot reindex"):
        other.load(services.store.embeddings)


def test_reindex_re_embeds_everything(services, corpus_dir: Path) -> None:  # type: ignore[no-untyped-def]
    services.ingestor.ingest_paths([corpus_dir])
    before = services.store.embeddings.vectors_for(services.store.embeddings.paragraph_ids(), 512)
    assert reindex(services.store.articles, services.store.embeddings, services.vectors, services.embedder) == 8
    after = services.store.embeddings.vectors_for(services.store.embeddings.paragraph_ids(), 512)
    assert abs(after - before).max() < 1e-4
    assert services.vectors.last_health is not None and services.vectors.last_health.ok


def test_failed_file_stores_nothing_and_others_go_on(services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = write_articles(tmp_path / "mixed", {
        "good.txt": "date 2020-10-04 Ganja was hit by rockets on Sunday.",
        "bad.txt": "no date here",
    })
    (folder / "notes.md").write_text("# notes")
    results = {r.source: r for r in services.ingestor.ingest_paths([folder])}
    assert results["good.txt"].status == "added"
    assert results["bad.txt"].status == "failed" and "date" in results["bad.txt"].error
    assert results["notes.md"].status == "failed" and "unsupported" in results["notes.md"].error
    assert services.store.articles.stats().articles == 1


def test_cli_ingest_exit_code_and_summary(settings: Settings, corpus_dir: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from bot.cli import main

    (corpus_dir / "broken.txt").write_text(textwrap.dedent("nothing"))
    code = main(["--data-dir", str(settings.data_dir), "ingest", "--json", str(corpus_dir)])
    out = capsys.readouterr()
    assert code == 1
    assert json.loads(out.out)["added"] == 3
    assert "broken.txt" in out.err


def test_unloadable_model_is_a_clear_error(tmp_path: Path) -> None:
    from config.settings import EmbeddingSettings
    from index.embedder import load_embedder
    from index.errors import ModelLoadError

    with pytest.raises(ModelLoadError, match="embedding.model"):
        load_embedder(EmbeddingSettings(model=str(tmp_path / "no-such-model")))
