"""The lexical side of a large archive: candidates by concept weight within a postings budget, term counts read
once per archive size, and lookups that use indexes instead of scanning every article.

Real SQLite and FTS5 on a few dozen paragraphs, with the large-archive threshold lowered so they count as
large; nothing is timed, the tests bound what is read.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

import index.search.lexical as lexical
from index.input.dates import PublishedDate, parse_date
from index.models import Article
from index.search.lexical import LexicalScorer
from index.search.query import QuestionReader
from index.storage.sqlite.article_store import content_hash
from index.storage.sqlite.store import Store, open_store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = open_store(tmp_path / "archive.sqlite3")
    yield opened
    opened.close()


def _write(store: Store, name: str, paragraphs: list[str], published: PublishedDate | None = None) -> list[int]:
    article = Article(title=name, outlet="Wire", source=f"{name}.txt",
                      published=published or PublishedDate.day(date(2021, 5, 1)), language="en",
                      paragraphs=tuple(paragraphs))
    vectors = np.random.default_rng(len(name)).standard_normal((len(paragraphs), 512)).astype(np.float32)
    return list(store.articles.write_article(article, vectors, model_id="m", digest=content_hash(article)).added_ids)


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexical, "COMMON_MIN_PARAGRAPHS", 10)
    monkeypatch.setattr(lexical, "COMMON_SHARE", 0.9)


def test_candidates_hold_the_most_concept_weight(store: Store, large: None) -> None:
    both = _write(store, "both", ["Shelling of Martuni damaged the hospital."])
    hospital_twice = _write(store, "hospital", ["The hospital and the hospital annex were full."])
    martuni = _write(store, "martuni", ["Martuni is a town in the east."])
    _write(store, "filler", [f"Weather report number {n} for the region." for n in range(20)])
    concepts = QuestionReader().read("Was the hospital in Martuni hit?").concepts
    scorer = LexicalScorer(store.terms)
    size = 23
    stats = scorer.concept_stats(concepts, size)
    found = scorer.candidates(concepts, stats, size, 10, None)
    assert found[0] == both[0], "the paragraph holding both concepts comes first"
    assert set(found) == set(both + hospital_twice + martuni)
    assert found.index(martuni[0]) < found.index(hospital_twice[0]), "Martuni is rarer than hospital here"


def test_the_postings_budget_leaves_out_the_commonest_concepts(store: Store, large: None,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    rare = _write(store, "rare", ["Sotk was shelled at night."])
    common = _write(store, "common", [f"Officials said the shelling continued, report {n}." for n in range(12)])
    _write(store, "filler", [f"Weather report number {n} for the region." for n in range(12)])
    concepts = QuestionReader().read("shelling Sotk").concepts
    scorer = LexicalScorer(store.terms)
    stats = scorer.concept_stats(concepts, 25)
    assert set(scorer.candidates(concepts, stats, 25, 20, None)) == set(rare + common)
    monkeypatch.setattr(lexical, "QUERY_POSTINGS", 5)  # room for Sotk (one posting), not for shelling (13)
    assert scorer.candidates(concepts, stats, 25, 20, None) == rare


def test_small_archives_keep_fts5_ranking(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """bm25 weighs how often a paragraph says it; concept weight does not, and breaks ties by recency."""
    often = _write(store, "often", ["The hospital, the hospital annex and the hospital garden."])
    once = _write(store, "once", ["A hospital."])
    concepts = QuestionReader().read("hospital").concepts
    scorer = LexicalScorer(store.terms)
    stats = scorer.concept_stats(concepts, 2)
    assert scorer.candidates(concepts, stats, 2, 10, None) == often + once
    monkeypatch.setattr(lexical, "COMMON_MIN_PARAGRAPHS", 2)
    monkeypatch.setattr(lexical, "COMMON_SHARE", 1.0)
    assert scorer.candidates(concepts, stats, 2, 10, None) == once + often


def test_term_counts_are_read_once_per_archive_size(store: Store, large: None) -> None:
    _write(store, "a", [f"Report {n} from Stepanakert about the hospital." for n in range(30)])
    scorer = LexicalScorer(store.terms)
    reads: list[set[str]] = []
    real = store.terms.term_document_counts

    def counted(terms):  # type: ignore[no-untyped-def]
        wanted = set(terms)
        reads.append(wanted)
        return real(wanted)

    store.terms.term_document_counts = counted  # type: ignore[method-assign]
    forms = {"stepanakert", "hospit", "nowher"}
    assert scorer.document_counts(forms, 30) == {"stepanakert": 30, "hospit": 30}
    assert scorer.document_counts(forms, 30) == {"stepanakert": 30, "hospit": 30}
    assert scorer.document_counts({"hospit", "report"}, 30) == {"hospit": 30, "report": 30}
    assert reads == [forms, {"report"}], "a form already counted at this size was read again"
    scorer.document_counts(forms, 60)  # the archive doubled: counts are read afresh
    assert reads[-1] == forms


def test_publication_years_by_index_match_the_scan(store: Store) -> None:
    for n, published in enumerate(("2020-10-01", "2020-11", "2022-03-03", "2024", "")):
        _write(store, f"y{n}", ["Text."], parse_date(published) if published else PublishedDate.unknown())
    assert store.articles.publication_years() == store.articles.years() == [2020, 2022, 2024]
