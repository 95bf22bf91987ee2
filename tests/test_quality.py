"""Retrieval and abstention quality on the bundled sample must not silently fall.

Floors sit just under the figures measured with bench/eval.py (see README);
the model and data are fixed, so the run is deterministic.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from eval import evaluate, load_questions  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, embedder):  # type: ignore[no-untyped-def]
    from bot.core.services import open_services
    from config.settings import load_settings

    services = open_services(load_settings(data_dir=tmp_path_factory.mktemp("quality")), embedder=embedder)
    try:
        services.ingestor.ingest_paths([ROOT / "data" / "sample"])
        return evaluate(services, load_questions())
    finally:
        services.close()


def test_question_set_covers_every_kind() -> None:
    questions = load_questions()
    kinds = {q["kind"] for q in questions}
    assert len(questions) >= 40
    assert kinds == {"same-language", "cross-language", "paraphrase", "date", "unanswerable"}


def test_recall_floors(report) -> None:  # type: ignore[no-untyped-def]
    overall = report.overall.as_dict()
    assert overall["recall@5"] >= 0.80
    assert overall["mrr@10"] >= 0.55
    assert report.kinds["same-language"].as_dict()["recall@5"] >= 0.95
    assert report.kinds["cross-language"].as_dict()["recall@5"] >= 0.64
    assert report.kinds["date"].as_dict()["recall@5"] >= 0.85


def test_abstention_floor(report) -> None:  # type: ignore[no-untyped-def]
    assert report.balanced_abstention >= 0.68
