"""Refit the answerability model on one half of the development set and check it on the other.

    python bench/fit_answerability.py [--devset ../shared/devset] [--half a] [--write]

The signal model is what newsbot decides with when the trained reader cannot be loaded.
Ingests the development corpus into a throw-away folder through the product's own
services, reads every question the way `newsbot ask` does (`Answerer.assess` with the
fallback `SignalDecider`), fits a
class-balanced logistic regression on the signals of one half, and prints balanced
abstention accuracy on both halves and on bench/offtopic.jsonl. `--write` stores the
coefficients in bot/core/answerability.json (what the product loads).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.answer_decision import SignalDecider  # noqa: E402
from bot.core.answerability import MODEL_FILE, AnswerabilityModel, Signals, load_answerability_model  # noqa: E402
from bot.core.services import open_services  # noqa: E402
from config.settings import load_settings  # noqa: E402

FEATURES = tuple(f.name for f in fields(Signals))
L2 = 1.0


def fit_logistic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Class-balanced, lightly L2-regularised logistic regression by Newton's method on standardised inputs."""
    mean, scale = x.mean(0), x.std(0) + 1e-9
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    sample = np.where(y == 1, 0.5 / max(y.sum(), 1), 0.5 / max((1 - y).sum(), 1))
    penalty = L2 * np.diag(np.r_[np.ones(len(w) - 1), 0.0]) / len(y)
    for _ in range(100):
        p = 1 / (1 + np.exp(-z @ w))
        gradient = z.T @ (sample * (p - y)) + penalty @ w
        hessian = (z * (sample * p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hessian + 1e-9 * np.eye(len(w)), gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return mean, scale, w[:-1], float(w[-1])


def balanced(answered: list[bool], answerable: list[bool]) -> float:
    yes = [a for a, gold in zip(answered, answerable, strict=True) if gold]
    no = [not a for a, gold in zip(answered, answerable, strict=True) if not gold]
    return 0.5 * (sum(yes) / max(len(yes), 1) + sum(no) / max(len(no), 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=ROOT.parent / "shared" / "devset")
    parser.add_argument("--half", choices=["a", "b"], default="a", help="the half to fit on (the other checks)")
    parser.add_argument("--write", action="store_true", help="store the coefficients in bot/core/" + MODEL_FILE)
    args = parser.parse_args()

    questions = [json.loads(line) for line in (args.devset / "questions.jsonl").read_text().splitlines() if line]
    offtopic = [json.loads(line) for line in (ROOT / "bench" / "offtopic.jsonl").read_text().splitlines() if line]
    with tempfile.TemporaryDirectory(prefix="newsbot-fit-") as folder:
        settings = load_settings(data_dir=Path(folder))
        with open_services(settings.model_copy(update={"reader": settings.reader.model_copy(
                update={"enabled": False})})) as services:
            services.ingestor.ingest_paths([args.devset / "corpus"])
            answerer = services.answerer
            decider = SignalDecider(load_answerability_model())
            answerer.decider = decider
            assessed = [(q["id"][0], bool(q["gold"]), answerer.assess(q["question"])) for q in questions]
            off = [answerer.assess(q["question"]) for q in offtopic]

            def signals(a: Any) -> Signals | None:
                leading = [h for h in a.result.hits if services.topic.on_topic(h.passage.article.topic_density)]
                return decider.signals(a.result, leading)[0] if leading else None

            def would_answer(a: Any) -> bool:
                return a.decision is not None and decider.decide("", a.result, [
                    h for h in a.result.hits if services.topic.on_topic(h.passage.article.topic_density)]).answers

            train = [(s, gold) for half, gold, a in assessed if half == args.half and (s := signals(a)) is not None]
            x = np.array([[asdict(s)[f] for f in FEATURES] for s, _ in train])
            y = np.array([gold for _, gold in train], dtype=float)
            mean, scale, weights, bias = fit_logistic(x, y)
            model = AnswerabilityModel(FEATURES, tuple(mean.round(6)), tuple(scale.round(6)),
                                       tuple(weights.round(6)), round(bias, 6))
            decider.model = model  # the fallback's whole decision, override included, with the new fit
            report: dict[str, float] = {}
            for half in ("a", "b"):
                part = [(gold, a) for h, gold, a in assessed if h == half]
                answered = [would_answer(a) for _, a in part]
                report[f"balanced_accuracy_{half}"] = round(balanced(answered, [gold for gold, _ in part]), 3)
            declined_off = [not would_answer(a) for a in off]
            report["offtopic_declined"] = round(sum(declined_off) / len(declined_off), 3)

    model = AnswerabilityModel(model.features, model.mean, model.scale, model.weights, model.bias,
                               notes={"fitted_on": f"development set half {args.half}", **report})
    print(json.dumps(report))
    print("weights:", dict(zip(FEATURES, weights.round(3), strict=True)), "bias", round(bias, 3))
    if args.write:
        (ROOT / "bot" / "core" / MODEL_FILE).write_text(model.to_json(), encoding="utf-8")
        print("written to bot/core/" + MODEL_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
