"""Whether the archive answers a question: a small logistic model over four measured signals.

Every question about the war lands near some passage about the war, so a high
retrieval score alone does not mean the archive answers it. The signals, each
cheap and each measured on a development set the developers did not write:

- `top_score`: the fused search score of the best passage on the topic;
- `typed`: whether the best sentence holds the kind of fact asked for (a number
  for "how many", a date for "when", a name for "who");
- `unknown`: the share of the question's weight in words the archive never uses
  in any spelling or translation ("the pope", "sanctions");
- `margin`: how far the best passage leads the second (a clear winner is
  more often the answer than one of many similar passages).

The coefficients live in `answerability.json` next to this file and are
refitted by `bench/fit_answerability.py` on one half of the development set
(the other half checks them). Other signals measured there and left out
because they added nothing on the held-out half: key-term coverage of the
best sentence or passage, the rarest question word missing from it, a date
named in the question that the passage does not carry, the cosine of the
best sentence.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["AnswerabilityModel", "Signals", "load_answerability_model", "MODEL_FILE"]

MODEL_FILE = "answerability.json"


@dataclass(frozen=True)
class Signals:
    top_score: float
    typed: float
    unknown: float
    margin: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class AnswerabilityModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float = 0.5
    notes: dict[str, Any] | None = None

    def probability(self, signals: Signals) -> float:
        values = asdict(signals)
        z = self.bias + sum(
            w * (values[name] - m) / s
            for name, m, s, w in zip(self.features, self.mean, self.scale, self.weights, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-z))

    def answers(self, signals: Signals) -> bool:
        return self.probability(signals) >= self.threshold

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"


def load_answerability_model(path: Path | None = None) -> AnswerabilityModel:
    """The shipped coefficients, or those in `path`."""
    text = path.read_text(encoding="utf-8") if path else resources.files(__package__).joinpath(MODEL_FILE).read_text(
        encoding="utf-8"
    )
    data = json.loads(text)
    return AnswerabilityModel(
        features=tuple(data["features"]),
        mean=tuple(data["mean"]),
        scale=tuple(data["scale"]),
        weights=tuple(data["weights"]),
        bias=float(data["bias"]),
        threshold=float(data.get("threshold", 0.5)),
        notes=data.get("notes"),
    )
