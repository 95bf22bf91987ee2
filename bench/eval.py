"""Retrieval and abstention quality on the bundled sample.

Ingests data/sample/ into a temporary folder, asks every question of
bench/questions.jsonl and prints Recall@1, Recall@5, MRR@10 per question kind
and overall, plus balanced abstention accuracy: the mean of the share of
unanswerable questions declined and the share of answerable ones answered
(always answering scores 0.5).

    python bench/eval.py [--json] [--show-misses]

tests/test_quality.py runs the same `evaluate` and asserts floors measured
with it, so a change that makes answers worse fails CI.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

QUESTIONS = ROOT / "bench" / "questions.jsonl"
SAMPLE = ROOT / "data" / "sample"


@dataclass
class KindScores:
    count: int = 0
    hit1: int = 0
    hit5: int = 0
    rr: float = 0.0

    def add(self, rank: int | None) -> None:
        self.count += 1
        if rank is not None:
            self.hit1 += rank == 1
            self.hit5 += rank <= 5
            self.rr += 1.0 / rank if rank <= 10 else 0.0

    def as_dict(self) -> dict[str, float]:
        n = self.count or 1
        return {"n": self.count, "recall@1": self.hit1 / n, "recall@5": self.hit5 / n, "mrr@10": self.rr / n}


@dataclass
class Report:
    kinds: dict[str, KindScores] = field(default_factory=lambda: defaultdict(KindScores))
    overall: KindScores = field(default_factory=KindScores)
    answered_answerable: int = 0
    answerable: int = 0
    declined_unanswerable: int = 0
    unanswerable: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def balanced_abstention(self) -> float:
        a = self.answered_answerable / (self.answerable or 1)
        u = self.declined_unanswerable / (self.unanswerable or 1)
        return (a + u) / 2

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.as_dict(),
            "kinds": {k: v.as_dict() for k, v in sorted(self.kinds.items())},
            "abstention": {
                "balanced_accuracy": self.balanced_abstention,
                "answered_answerable": f"{self.answered_answerable}/{self.answerable}",
                "declined_unanswerable": f"{self.declined_unanswerable}/{self.unanswerable}",
            },
        }


def load_questions(path: Path = QUESTIONS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(services: Any, questions: list[dict[str, Any]]) -> Report:
    """Score an already-filled `Services` on the questions."""
    report = Report()
    for q in questions:
        expected = {(a["file"], a["paragraph"]) for a in q["answers"]}
        answer = services.answerer.answer(q["question"])
        if expected:
            report.answerable += 1
            report.answered_answerable += not answer.abstained
            hits = services.searcher.search(q["question"], limit=10).hits
            rank = next(
                (n for n, h in enumerate(hits, start=1) if (h.passage.article.source, h.passage.position) in expected),
                None,
            )
            report.kinds[q["kind"]].add(rank)
            report.overall.add(rank)
            if rank != 1:
                top = hits[0] if hits else None
                report.misses.append({
                    "id": q["id"], "kind": q["kind"], "question": q["question"], "rank": rank,
                    "expected": sorted(expected),
                    "top": (top.passage.article.source, top.passage.position) if top else None,
                })
        else:
            report.unanswerable += 1
            report.declined_unanswerable += answer.abstained
            if not answer.abstained:
                report.misses.append({"id": q["id"], "kind": "unanswerable", "question": q["question"],
                                      "answered": answer.reason})
        if expected and answer.abstained:
            report.misses.append({"id": q["id"], "kind": q["kind"], "question": q["question"],
                                  "abstained": answer.reason})
    return report


def run(settings_overrides: dict[str, Any] | None = None) -> Report:
    from bot.core.services import open_services
    from config.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="newsbot-eval-") as tmp:
        settings = load_settings(data_dir=Path(tmp), **(settings_overrides or {}))
        services = open_services(settings)
        try:
            services.ingestor.ingest_paths([SAMPLE])
            return evaluate(services, load_questions())
        finally:
            services.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.add_argument("--show-misses", action="store_true", help="list questions not ranked first or misjudged")
    args = parser.parse_args()
    report = run()
    if args.json:
        print(json.dumps(report.as_dict()))
    else:
        print(f"{'kind':<16}{'n':>4}{'R@1':>8}{'R@5':>8}{'MRR@10':>9}")
        for kind, scores in [*sorted(report.kinds.items()), ("overall", report.overall)]:
            d = scores.as_dict()
            print(f"{kind:<16}{d['n']:>4}{d['recall@1']:>8.3f}{d['recall@5']:>8.3f}{d['mrr@10']:>9.3f}")
        print(
            f"balanced abstention accuracy {report.balanced_abstention:.3f} "
            f"(answered {report.answered_answerable}/{report.answerable} answerable, "
            f"declined {report.declined_unanswerable}/{report.unanswerable} unanswerable)"
        )
    if args.show_misses:
        for miss in report.misses:
            print(json.dumps(miss, ensure_ascii=False), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
