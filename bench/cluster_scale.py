"""Cluster mode against the default mode on this machine: ingest throughput with 1 and 2 workers, bytes per
paragraph in PostgreSQL and Milvus, the Milvus server's memory, and the cost of an answer.

    python bench/scale.py --cluster [--cluster-articles 600] [--questions 100]

All in one run, so a busy machine slows every figure alike:

1. The same `--cluster-articles` realistic articles (`scale_corpus`, ~10 paragraphs each), in two folders of
   alternate articles, go through `newsbot ingest`: into a fresh data folder (the default mode: SQLite +
   FAISS); into a fresh PostgreSQL database and Milvus collection by one process (one worker); and into
   another by two processes at once, one folder each (two workers, one embedding thread each on this
   2-core machine). Paragraphs per second of wall time, each as a ratio to the default mode.
2. Sizes: the PostgreSQL database and each table per paragraph, the Milvus data folder per paragraph, and
   the resident memory of the Milvus server with the collection loaded.
3. `--questions` questions interleaved against both archives in one process (`Answerer.answer`), p50/p99.

PostgreSQL (Debian's package) and `milvus-lite server` are started for the run and stopped after it.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NEWSBOT = Path(sys.executable).with_name("newsbot")

__all__ = ["run_cluster_bench"]


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _ingest(folders: Sequence[Path], env: dict[str, str], *, processes: int) -> tuple[float, int]:
    """(wall seconds, paragraphs stored) of `processes` `newsbot ingest` runs at once over `folders`."""
    groups = [list(folders)] if processes == 1 else [[f] for f in folders]
    started = time.perf_counter()
    children = [subprocess.Popen([str(NEWSBOT), "ingest", *map(str, group), "--json"], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) for group in groups]
    paragraphs = 0
    for child in children:
        out, _ = child.communicate()
        if child.returncode not in (0, 1):
            raise RuntimeError(f"newsbot ingest failed ({child.returncode})")
        paragraphs += int(json.loads(out)["paragraphs"])
    return time.perf_counter() - started, paragraphs


def _percentiles(values: Sequence[float]) -> str:
    ordered = sorted(values)
    return f"{statistics.median(ordered) * 1000:.0f} / {ordered[int(0.99 * (len(ordered) - 1))] * 1000:.0f} ms"


def run_cluster_bench(articles: int, questions: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from scale_corpus import day_of, plan_article, question, seed_text

    from bot.core.services import open_services
    from config.settings import load_settings
    from tests.cluster_servers import missing_reason, start_milvus, start_postgres

    reason = missing_reason()
    if reason:
        raise SystemExit(f"cannot run the cluster bench: {reason}")
    work = Path(tempfile.mkdtemp(prefix="newsbot-cluster-bench-"))
    planned = [plan_article(seq) for seq in range(articles)]
    folders = [work / "corpus-0", work / "corpus-1"]
    for folder in folders:
        folder.mkdir()
    for n, article in enumerate(planned):
        (folders[n % 2] / article.file_name).write_text(seed_text(article), encoding="utf-8")
    postgres, milvus = start_postgres(), start_milvus(work)  # the server user cannot enter `work`
    import psycopg

    server = postgres.url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute("CREATE DATABASE one_worker")
        conn.execute("CREATE DATABASE two_workers")
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")} | {"HF_HUB_OFFLINE": "1"}

    def cluster_env(name: str, threads: int = 0) -> dict[str, str]:
        return base | {"NEWSBOT_DATA_DIR": str(work / f"data-{name}"), "NEWSBOT_STORE__URL": f"{server}/{name}",
                       "NEWSBOT_SEARCH__MILVUS_URI": milvus.url, "NEWSBOT_SEARCH__MILVUS_COLLECTION": name,
                       "NEWSBOT_EMBEDDING__THREADS": str(threads)}

    try:
        result: dict[str, Any] = {"articles": articles, "cores": os.cpu_count()}
        default_s, paragraphs = _ingest(folders, base | {"NEWSBOT_DATA_DIR": str(work / "data-default")},
                                        processes=1)
        one_s, one_p = _ingest(folders, cluster_env("one_worker"), processes=1)
        two_s, two_p = _ingest(folders, cluster_env("two_workers", threads=1), processes=2)
        default_rate, one_rate, two_rate = paragraphs / default_s, one_p / one_s, two_p / two_s
        result["ingest"] = {"paragraphs": paragraphs, "default": round(default_rate, 1),
                            "one_worker": round(one_rate, 1), "two_workers": round(two_rate, 1),
                            "one_worker_ratio": round(one_rate / default_rate, 3),
                            "two_workers_ratio": round(two_rate / default_rate, 3)}
        with psycopg.connect(f"{server}/one_worker") as conn:
            tables = {name: int(size) for name, size in conn.execute(
                "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relkind = 'r' "
                "AND relnamespace = 'public'::regnamespace ORDER BY 2 DESC")}
            database = int(conn.execute("SELECT pg_database_size('one_worker')").fetchone()[0])  # type: ignore[index]
        result["bytes_per_paragraph"] = {
            "postgresql": round(database / one_p), **{f"postgresql.{k}": round(v / one_p) for k, v in tables.items()
                                                        if v / one_p >= 50},
            "milvus_files": round(_folder_bytes(milvus.folder / "data") / (one_p + two_p)),
            "sqlite": round((work / "data-default" / "newsbot.sqlite3").stat().st_size / paragraphs),
            "faiss": round((work / "data-default" / "paragraphs.faiss").stat().st_size / paragraphs),
        }
        assert milvus.process is not None
        result["milvus_server_rss_mb"] = round(_rss_mb(milvus.process.pid))
        default = open_services(load_settings(data_dir=work / "data-default"))
        cluster = open_services(load_settings(data_dir=work / "data-one", store={"url": f"{server}/one_worker"},
                                              search={"milvus_uri": milvus.url, "milvus_collection": "one_worker"}),
                                embedder=default.embedder)
        last_day = day_of(articles - 1)
        timings: dict[str, list[float]] = {"default": [], "cluster": []}
        for n in range(questions):
            text = question(n, last_day)
            for name, services in (("default", default), ("cluster", cluster)):
                started = time.perf_counter()
                services.answerer.answer(text)
                timings[name].append(time.perf_counter() - started)
        result["ask_p50_p99"] = {name: _percentiles(values) for name, values in timings.items()}
        default.close()
        cluster.close()
        return result
    finally:
        milvus.stop()
        postgres.stop()
        subprocess.run(["rm", "-rf", str(work)], check=False)
