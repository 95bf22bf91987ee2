"""Choose how the answer decision weighs the reader and the search signals, on devset half a; confirm on b.

    python bench/choose_decision.py [--weights DIR] [--write] [--json]

The reader's weights come from `bench/train_reader.py`; what decides whether to
answer is the best passage's reader logit plus `signal_weight` times the
log-odds of the search-signal model (`bot.core.answerability`). This script
scores every devset question both ways (the reader over newsbot's 20
candidates, as `train_reader.py` does; the signal model through the product's
own services with the reader off) and keeps the signals (weight 1) when the sum
separates answerable from unanswerable questions better than the reader alone
on half a (AUROC), else weight 0.

The threshold stays at 0.5, where the decision says "more likely than not".
Each half has 14 unanswerable questions, so one of them moves balanced
abstention by 0.036: a threshold tuned on half a follows single questions
(the grid is printed so that can be seen) and did not carry over to half b.
`--write` stores the choice in the weights' reader.json (the weights and their
checksum stay as they are).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.reader_data import DEVSET, groups, load_questions  # noqa: E402
from bench.train_reader import Encoding, Scored, auroc, dev_pairs, score_cross, shown_order  # noqa: E402
from bot.core.answer_decision import log_odds  # noqa: E402

SIGNAL_WEIGHTS = (0.0, 1.0)
THRESHOLD = 0.5
CUTS = [round(c, 2) for c in np.arange(0.05, 0.96, 0.05)]


def signal_probabilities(folder: Path) -> dict[str, float]:
    """The search-signal model's probability for every devset question, from the product with the reader off."""
    from bot.core.services import open_services
    from config.settings import load_settings

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="newsbot-decision-") as data:
        with open_services(load_settings(data_dir=Path(data)), reader=None) as services:
            services.ingestor.ingest_paths([folder / "corpus"])
            for question in load_questions(folder):
                decision = services.answerer.assess(question["question"]).decision
                out[question["id"]] = decision.probability if decision is not None else 0.0
    return out


def figures(scored: list[Scored], signals: dict[str, float], search_weight: float, signal_weight: float,
            cut: float) -> dict[str, float]:
    answerable = [s for s in scored if s.group.answerable]
    unanswerable = [s for s in scored if not s.group.answerable]

    def probability(s: Scored) -> float:
        if not len(s.logits):
            return 0.0
        return float(1 / (1 + np.exp(-(s.logits.max() + signal_weight * log_odds(signals[s.group.id])))))

    found = sum(probability(s) >= cut and bool(s.gold[shown_order(s, search_weight)[:5]].any()) for s in answerable)
    answered = sum(probability(s) >= cut for s in answerable)
    declined = sum(probability(s) < cut for s in unanswerable)
    shown = sum(bool(s.gold[shown_order(s, search_weight)[:5]].any()) for s in answerable)
    return {
        "R@5": round(float(found) / max(len(answerable), 1), 3),
        "shown_R@5": round(float(shown) / max(len(answerable), 1), 3),
        "balanced": round(0.5 * (float(answered) / max(len(answerable), 1)
                                 + float(declined) / max(len(unanswerable), 1)), 3),
        "answered": int(answered),
        "declined": int(declined),
    }


def separation(scored: list[Scored], signals: dict[str, float], signal_weight: float) -> float:
    """AUROC of the decision's log-odds, answerable against unanswerable questions."""
    def decision(s: Scored) -> float:
        return float(s.logits.max()) + signal_weight * log_odds(signals[s.group.id]) if len(s.logits) else -1e9

    return round(auroc([decision(s) for s in scored if s.group.answerable],
                       [decision(s) for s in scored if not s.group.answerable]), 3)


def choose(scored: list[Scored], signals: dict[str, float], search_weight: float) -> dict[str, Any]:
    halves = {h: [s for s in scored if s.group.id.startswith(h)] for h in "ab"}
    by_weight = {w: {h: separation(halves[h], signals, w) for h in "ab"} for w in SIGNAL_WEIGHTS}
    weight = max(SIGNAL_WEIGHTS, key=lambda w: (by_weight[w]["a"], -w))
    return {
        "signal_weight": weight,
        "threshold": THRESHOLD,
        "search_weight": search_weight,
        "auroc": {str(w): by_weight[w] for w in SIGNAL_WEIGHTS},
        "at_threshold": {h: figures(halves[h], signals, search_weight, weight, THRESHOLD) for h in "ab"},
        "grid": {str(cut): {h: figures(halves[h], signals, search_weight, weight, cut) for h in "ab"}
                 for cut in CUTS},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weights", type=Path, help="folder with reader.json and reader.safetensors "
                                                     "(default: the shipped ones)")
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--write", action="store_true", help="store the choice in the folder's reader.json")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from index.reading.encoder import E5Encoder
    from index.reading.model import PairLimits, ReaderModel
    from index.reading.reader import open_base_model
    from index.reading.tokenizer import E5Tokenizer
    from index.reading.weights import MANIFEST_FILE, ReaderManifest, load_weights, shipped_folder

    folder = args.weights or shipped_folder()
    base, base_sha256 = open_base_model()
    manifest, tensors = load_weights(folder, base_sha256)
    encoding = Encoding(E5Tokenizer(base), PairLimits(manifest.question_tokens, manifest.pair_tokens))
    model = ReaderModel(E5Encoder(base), manifest.trained_from)
    model.load_state_dict(tensors, strict=False)
    dev = groups(args.devset, same_day=False)
    scored = score_cross(model, encoding, dev_pairs(model, encoding, dev))
    result = choose(scored, signal_probabilities(args.devset), manifest.search_weight)
    if args.write:
        chosen = ReaderManifest(**{**asdict(manifest), "threshold": result["threshold"],
                                   "signal_weight": result["signal_weight"],
                                   "training": {**manifest.training, "decision": result}})
        (folder / MANIFEST_FILE).write_text(chosen.to_json(), encoding="utf-8")
    if args.json:
        print(json.dumps(result))
    else:
        print(f"chosen on half a: signal weight {result['signal_weight']} (threshold {result['threshold']}, "
              f"search weight {result['search_weight']})")
        print(f"AUROC per signal weight: {result['auroc']}")
        print(f"at threshold {THRESHOLD}: a {result['at_threshold']['a']}  b {result['at_threshold']['b']}")
        for cut, row in result["grid"].items():
            print(f"  threshold {cut}: a {row['a']}  b {row['b']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
