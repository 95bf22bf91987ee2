"""Hostile input, resource bounds: paragraph length, sentence splitting in linear time, what one article may add.

Nothing here times anything. Linear work is shown by running it in a child
process under a CPU-time limit that linear code meets many times over and
quadratic code could not meet in days (see tests/bounded_child.py).
"""

from __future__ import annotations

import pytest

from index.input.chunking import (
    MAX_PARAGRAPH_CHARS,
    WINDOW_OVERLAP_CHARS,
    normalise_whitespace,
    split_paragraphs,
    split_sentences,
    window_text,
)
from tests.bounded_child import run_bounded

RUN_ON = "Stepanakert was shelled again overnight and the sirens did not stop " * 1500


def test_text_without_sentence_ends_becomes_overlapping_windows_of_the_article() -> None:
    paragraphs = split_paragraphs(RUN_ON)
    whole = normalise_whitespace(RUN_ON)
    assert len(paragraphs) > 60
    assert all(len(p) <= MAX_PARAGRAPH_CHARS for p in paragraphs)
    # every window quotes a real place in the article, and consecutive windows share a little text
    assert all(p in whole for p in paragraphs)
    for left, right in zip(paragraphs, paragraphs[1:], strict=False):
        shared = right[: WINDOW_OVERLAP_CHARS // 2]
        assert shared in left[-2 * WINDOW_OVERLAP_CHARS:]
    assert paragraphs[0].startswith("Stepanakert") and whole.endswith(paragraphs[-1])


def test_windows_cut_text_without_spaces_too() -> None:
    windows = window_text("x" * 10_000)
    assert all(0 < len(w) <= MAX_PARAGRAPH_CHARS for w in windows)
    assert sum(len(w) for w in windows) >= 10_000


def test_long_paragraph_with_one_endless_sentence_keeps_its_other_sentences_whole() -> None:
    text = "The ceasefire held. " + "and then " * 400 + "it broke. The talks resumed."
    parts = split_paragraphs(text)
    assert parts[0].startswith("The ceasefire held.") and parts[-1].endswith("The talks resumed.")
    assert all(len(p) <= MAX_PARAGRAPH_CHARS for p in parts)


@pytest.mark.parametrize("text", ["A. " * 20, "Dr. Aliyev sprak. Hij zei niets."])
def test_linear_splitter_keeps_its_answers(text: str) -> None:
    assert " ".join(split_sentences(text)) == normalise_whitespace(text)


def test_splitting_is_linear_on_pathological_text() -> None:
    """25x the issue's 'A. ' * 80000 (which took 2.1 s, ×2.5-3.6 per doubling) and other worst cases, 20 CPU s."""
    done = run_bounded(
        """
        from index.input.chunking import MAX_PARAGRAPH_CHARS, split_paragraphs, split_sentences
        cases = ["A. " * 2_000_000, "Ab. Cd. " * 300_000, "x" * 5_000_000, "word " * 1_000_000,
                 ")" * 2_000_000, ". " + "\\u201d" * 2_000_000 + " X", "\\n \\n" * 1_000_000 + "end"]
        for text in cases:
            parts = split_paragraphs(text)
            assert parts and max(map(len, parts)) <= MAX_PARAGRAPH_CHARS
        assert len(split_sentences("A. " * 2_000_000)) == 1
        print("ok")
        """,
        cpu_seconds=20,
    )
    assert done.returncode == 0 and done.stdout.split() == [b"ok"], done.stderr.decode()[-2000:]


PLACES = ["Stepanakert", "Ganja", "Shusha", "Hadrut", "Martuni", "Lachin", "Agdam", "Kalbajar", "Goris", "Barda"]


def _report(n: int, paragraphs: int) -> str:
    body = [
        f"Paragraph {i} of report {n}: officials in {PLACES[(n + i) % 10]} said that shelling continued through the "
        f"night, that {i + 3} houses were damaged near the market and that residents were asked to stay in "
        f"shelters until the morning, while aid convoys waited at the edge of {PLACES[(n + 2 * i) % 10]}."
        for i in range(paragraphs)
    ]
    return f"date 2020-10-{n % 28 + 1:02d} " + "\n\n".join(body) + "\n"


@pytest.mark.slow
def test_a_large_batch_is_stored_article_by_article_as_it_is_embedded(services, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """3,300 ordinary paragraphs in 20 files: each article is committed as soon as its paragraphs are embedded,
    long before the batch is through, and the caller sees every stored article (and every file read) as it goes."""
    from index.embedding_batches import PARAGRAPHS_PER_BATCH
    from index.input.input_files import collect_files

    folder = tmp_path / "large"
    folder.mkdir()
    for n in range(20):
        (folder / f"report-{n:02d}.txt").write_text(_report(n, 165))
    read: list[int] = []
    seen: list[tuple[int, int]] = []
    for result in services.ingestor.ingest_files(collect_files([folder]), progress=read.append):
        assert result.status == "added", result
        seen.append((services.store.articles.stats().articles, len(read)))
    assert [stored for stored, _ in seen] == list(range(1, 21)), "one commit per article, as results arrive"
    # embedding runs ahead of storing by the batches in flight (one per worker) and the one being filled
    workers = services.embedder.threads if services.embedder.one_thread_batches else 1
    ahead = (workers + 1) * PARAGRAPHS_PER_BATCH // 165 + 1
    assert seen[0][1] <= ahead < 20, "the first article was stored while later files were still unread"
    assert services.store.articles.stats().paragraphs == 3300 and len(services.vectors) == 3300
