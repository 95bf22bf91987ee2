"""Speed of the pipeline against the bare model, in the same run.

    python bench/speed.py [--sizes 10000 100000] [--ingest-articles 300] [--questions 60] [--json]

1. Ingest: paragraphs per second through `Ingestor` (parse, hash, embed,
   near-duplicate check, SQLite transaction, FAISS update, atomic save) against
   the bare encoder on the same texts. Overhead target: ≤ 25 %.
2. Ask: warm `Answerer.answer` latency (p50/p95/p99) on the development corpus
   (quiet, and with an ingest running in the same process) and at each
   synthetic corpus size, against the floor measured question by question in
   the same run: the query embedding, one exact FAISS search, and one bare
   forward pass of the reader over the passages it reads for that question.
   The large corpora are synthetic: random unit vectors written through the
   real store and index (embedding 100k real paragraphs would take many
   minutes and measure the model, not the pipeline). Targets: p50 ≤ 300 ms and
   p95 ≤ 700 ms on two cores, ingest running or not.
3. Peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.core.services import open_services  # noqa: E402
from config.settings import load_settings  # noqa: E402
from index.ingest import embedding_text  # noqa: E402
from index.input.dates import PublishedDate  # noqa: E402
from index.models import Article  # noqa: E402
from index.storage.sqlite.article_store import content_hash  # noqa: E402

WORDS = (
    "army shelling village ceasefire corridor peacekeepers refugees drone artillery ministry statement border "
    "Stepanakert Shusha Ganja Lachin Hadrut Agdam Kalbajar Yerevan Baku Moscow Pashinyan Aliyev Putin negotiations "
    "prisoners mines humanitarian convoy bridge road hospital school church mosque city district front offensive "
    "leger beschietingen dorp staakt-het-vuren vluchtelingen gevechten regering minister verklaring grens"
).split()
QUESTIONS = [
    "What did Aliyev say about Shusha?", "Wat gebeurde er in Stepanakert?", "When did the peacekeepers arrive?",
    "Hoeveel vluchtelingen kwamen er in Armenië aan?", "Who shelled Ganja on 4 October 2020?",
    "What is the Lachin corridor?", "Wie tekende het staakt-het-vuren?", "Were drones used in the war?",
]


def _vocabulary(size: int = 30_000) -> tuple[list[str], list[float]]:
    """Domain words plus pseudo-words with Zipf-like frequencies, so FTS5 sees a realistic vocabulary."""
    rng = random.Random(3)
    letters = "abcdefghijklmnoprstuvwz"
    invented = ["".join(rng.choices(letters, k=rng.randint(4, 10))) for _ in range(size)]
    words = WORDS + invented
    weights = [1.0 / (rank + 10) for rank in range(len(words))]
    return words, weights


VOCABULARY, WEIGHTS = _vocabulary()


def _sentence(rng: random.Random) -> str:
    words = rng.choices(VOCABULARY, weights=WEIGHTS, k=rng.randint(8, 16))
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))


def _articles(rng: random.Random, count: int, paragraphs: int) -> list[Article]:
    start = date(2020, 9, 27)
    return [
        Article(
            title=_sentence(rng), outlet=f"Outlet {i % 7}", source=f"synthetic-{i}.txt",
            published=PublishedDate.day(start + timedelta(days=i % 400)), language="en",
            paragraphs=tuple(_paragraph(rng) for _ in range(paragraphs)),
        )
        for i in range(count)
    ]


def bench_ingest(articles_count: int) -> dict[str, float]:
    rng = random.Random(7)
    articles = _articles(rng, articles_count, 6)
    texts = [embedding_text(a.title, p, i) for a in articles for i, p in enumerate(a.paragraphs)]
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as tmp:
        services = open_services(load_settings(data_dir=Path(tmp)))
        try:
            bare_model = services.embedder.model[0].encoder
            bare_model.encode(texts[:64])  # warm-up
            started = time.perf_counter()
            for i in range(0, len(texts), services.embedder.batch_size):
                bare_model.encode(texts[i:i + services.embedder.batch_size])
            bare = time.perf_counter() - started
            started = time.perf_counter()
            results = list(services.ingestor.ingest_articles(articles))
            pipeline = time.perf_counter() - started
            assert all(r.status == "added" for r in results)
        finally:
            services.close()
    return {
        "paragraphs": len(texts),
        "bare_paragraphs_per_s": len(texts) / bare,
        "pipeline_paragraphs_per_s": len(texts) / pipeline,
        "overhead_pct": 100 * (pipeline - bare) / bare,
    }


def _fill_synthetic(services: Any, paragraphs: int, rng: random.Random) -> None:
    """Write `paragraphs` synthetic paragraphs with random unit vectors through the real store and index."""
    per_article = 8
    articles = _articles(rng, paragraphs // per_article, per_article)
    np_rng = np.random.default_rng(11)
    model_id = services.embedder.model_id
    for article in articles:
        vectors = np_rng.standard_normal((per_article, services.embedder.dimension)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        outcome = services.store.articles.write_article(article, vectors, model_id=model_id,
                                                        digest=content_hash(article))
        services.vectors.update(outcome.added_ids, vectors)
    services.vectors.save()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _bare_reader_forward(services: Any, question: str, passages: list[str]) -> None:
    """One forward pass of the reader over the passages, padded into one batch: the least reading can cost."""
    import torch

    from index.reading.model import build_pairs

    reader = services.reader
    if reader is None or not passages:
        return
    tokenizer = reader.tokenizer
    batch = build_pairs(tokenizer.encode(question), [tokenizer.encode_many([p]) for p in passages],
                        bos=tokenizer.bos, eos=tokenizer.eos, pad=tokenizer.pad,
                        prefix_ids=(tokenizer.encode("query:"), tokenizer.encode("passage:")), limits=reader.limits)
    with torch.inference_mode():
        reader.model(batch.ids, batch.mask)


def _time_asks(services: Any, questions: list[str]) -> tuple[list[float], list[float]]:
    """Seconds per question for the floor and for a whole answer, interleaved.

    The floor is what any answer costs: embedding the question, one exact
    FAISS search, and (with the reader on) one bare reader forward over the
    passages the reader reads for that question.
    """
    for q in questions[:5]:
        services.answerer.answer(q)  # warm-up
    k = services.reader.candidates if services.reader else 0
    bare, full = [], []
    for q in questions:
        passages = [h.passage.text for h in services.searcher.search(q, limit=k).hits] if k else []
        t0 = time.perf_counter()
        vector = services.embedder.encode_query(q)
        services.vectors.search(vector, services.searcher.weights.candidates)
        _bare_reader_forward(services, q, passages)
        bare.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        services.answerer.answer(q)
        full.append(time.perf_counter() - t0)
    return bare, full


def _latencies(full: list[float], bare: list[float]) -> dict[str, float]:
    return {
        "ask_p50_ms": 1000 * statistics.median(full), "ask_p95_ms": 1000 * _percentile(full, 0.95),
        "ask_p99_ms": 1000 * _percentile(full, 0.99),
        "bare_p50_ms": 1000 * statistics.median(bare), "bare_p95_ms": 1000 * _percentile(bare, 0.95),
        "bare_p99_ms": 1000 * _percentile(bare, 0.99),
    }


def bench_ask(size: int, questions: int) -> dict[str, float]:
    rng = random.Random(size)
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as tmp:
        services = open_services(load_settings(data_dir=Path(tmp)))
        try:
            started = time.perf_counter()
            _fill_synthetic(services, size, rng)
            fill = time.perf_counter() - started
            asked = [QUESTIONS[i % len(QUESTIONS)] + f" {i}" for i in range(questions)]
            bare, full = _time_asks(services, asked)
        finally:
            services.close()
    return {"paragraphs": size, "fill_s": fill, **_latencies(full, bare)}


def bench_ask_real(corpus: Path, questions: list[str], threads: int, busy: bool) -> dict[str, float]:
    """`ask` on real reporting (the development corpus) against the floor, question by question, interleaved.

    The floor is what any answer costs: embedding the question and one exact
    FAISS search over the same paragraphs. With `busy`, an ingest of the same
    corpus into a second archive runs in a thread meanwhile (the bot polls
    sources while it answers).
    """
    import threading

    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as tmp:
        settings = load_settings(data_dir=Path(tmp) / "a", embedding={"threads": threads})
        with open_services(settings) as services:
            services.ingestor.ingest_paths([corpus])
            stop = threading.Event()
            worker = None
            if busy:
                def ingest_again() -> None:
                    round_ = 0
                    while not stop.is_set():
                        other = load_settings(data_dir=Path(tmp) / f"b{round_}", embedding={"threads": threads})
                        with open_services(other, embedder=services.embedder) as second:
                            for path in sorted(corpus.glob("*.txt")):
                                if stop.is_set():
                                    break
                                second.ingestor.ingest_paths([path])
                        round_ += 1
                worker = threading.Thread(target=ingest_again, daemon=True)
                worker.start()
                time.sleep(2.0)
            bare, full = _time_asks(services, questions)
            stop.set()
            if worker is not None:
                worker.join()
            size = len(services.vectors)
    return {
        "paragraphs": size, "threads": threads, "busy": busy, **_latencies(full, bare),
        "ratio_p50": statistics.median(full) / statistics.median(bare),
        "ratio_mean": sum(full) / sum(bare),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="newsbot speed benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--ingest-articles", type=int, default=300)
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--devset", type=Path, default=ROOT.parent / "shared" / "devset",
                        help="real reporting for the ask-against-floor measurement")
    parser.add_argument("--only-real", action="store_true", help="only the real-corpus ask measurement")
    args = parser.parse_args()
    report: dict[str, Any] = {"ask_real": []}
    if (args.devset / "questions.jsonl").is_file():
        asked = [json.loads(line)["question"] for line in (args.devset / "questions.jsonl").read_text().splitlines()]
        for threads, busy in ((1, False), (2, False), (1, True), (2, True)):
            row = bench_ask_real(args.devset / "corpus", asked, threads, busy)
            report["ask_real"].append(row)
            if not args.json:
                print(f"ask on {row['paragraphs']} real paragraphs, {threads} thread(s), "
                      f"{'ingest running' if busy else 'quiet'}: p50 {row['ask_p50_ms']:.1f} ms, p95 "
                      f"{row['ask_p95_ms']:.1f} ms; floor p50 {row['bare_p50_ms']:.1f} ms, "
                      f"p95 {row['bare_p95_ms']:.1f} "
                      f"ms; ratio p50 {row['ratio_p50']:.2f}, mean {row['ratio_mean']:.2f}", flush=True)
    if args.only_real:
        if args.json:
            print(json.dumps(report))
        return 0
    report.update({"ingest": bench_ingest(args.ingest_articles), "ask": []})
    if not args.json:
        i = report["ingest"]
        print(f"ingest: {i['paragraphs']} paragraphs; bare model {i['bare_paragraphs_per_s']:.0f}/s, "
              f"pipeline {i['pipeline_paragraphs_per_s']:.0f}/s, overhead {i['overhead_pct']:.1f} %", flush=True)
    for size in args.sizes:
        row = bench_ask(size, args.questions)
        report["ask"].append(row)
        if not args.json:
            print(f"ask @ {size:>6} paragraphs: p50 {row['ask_p50_ms']:.1f} ms, p95 {row['ask_p95_ms']:.1f} ms "
                  f"(floor p50 {row['bare_p50_ms']:.1f} ms, p95 {row['bare_p95_ms']:.1f} ms; "
                  f"filled in {row['fill_s']:.0f} s)", flush=True)
    report["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(json.dumps(report))
    else:
        print(f"peak resident memory: {report['peak_rss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
