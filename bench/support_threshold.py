"""Choose the written-answer support threshold on devset half a, confirm it on half b.

    python bench/support_threshold.py [--json]

The writer's check (`bot.core.support_check`) asks the reader whether the
passages a written sentence cites support it. A written answer restates the
question with its answer, so each answerable devset question gives one such
claim: the question followed by its reference answer. Cited against a gold
paragraph it should pass; cited against the best-ranked paragraph that is not
gold (a near miss: search put it there because it shares the question's names
and dates) it should not. The threshold with the best balanced accuracy on
half a is printed, with what it gives on half b.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.reader_data import DEVSET, Group, groups  # noqa: E402

GRID = [round(0.05 * k, 2) for k in range(1, 20)]


def claim(group: Group) -> str:
    return f"{group.question.rstrip()} {group.answer.strip()}"


def supports(support: Any, dev: list[Group]) -> list[tuple[str, float, float]]:
    """(id, support from a gold paragraph, support from the best-ranked other paragraph) per answerable question."""
    out = []
    for group in dev:
        if not group.answerable or not group.answer.strip():
            continue
        gold = [c for c in group.candidates if c.gold]
        others = sorted((c for c in group.candidates if not c.gold and c.rank >= 0), key=lambda c: c.rank)
        if not others:
            continue
        best_gold = max(support.support(claim(group), [c.text]) for c in gold)
        out.append((group.id, best_gold, support.support(claim(group), [others[0].text])))
    return out


def balanced(rows: list[tuple[str, float, float]], cut: float) -> float:
    if not rows:
        return 0.0
    kept = sum(g >= cut for _, g, _ in rows) / len(rows)
    dropped = sum(n < cut for _, _, n in rows) / len(rows)
    return 0.5 * (kept + dropped)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from bot.core.support_check import load_support_check
    from bot.core.writing import SUPPORT_THRESHOLD

    support = load_support_check()
    if support is None:
        print("the reader could not be loaded (see the log line above); nothing to choose", file=sys.stderr)
        return 1
    rows = supports(support, groups(args.devset, same_day=False))
    half = {h: [r for r in rows if r[0].startswith(h)] for h in "ab"}
    chosen = max(GRID, key=lambda cut: (balanced(half["a"], cut), -abs(cut - 0.5)))
    result = {
        "chosen_on_a": chosen,
        "in_use": SUPPORT_THRESHOLD,
        "claims": {h: len(half[h]) for h in "ab"},
        "balanced": {h: {str(cut): round(balanced(half[h], cut), 3) for cut in sorted({chosen, SUPPORT_THRESHOLD})}
                     for h in "ab"},
        "kept_from_gold": {h: round(sum(g >= chosen for _, g, _ in half[h]) / max(len(half[h]), 1), 3)
                           for h in "ab"},
        "dropped_from_near_miss": {h: round(sum(n < chosen for _, _, n in half[h]) / max(len(half[h]), 1), 3)
                                   for h in "ab"},
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"threshold chosen on half a: {chosen} (in use: {SUPPORT_THRESHOLD})")
        for h in "ab":
            print(f"half {h}: {len(half[h])} claims, balanced {result['balanced'][h]}, kept from gold "
                  f"{result['kept_from_gold'][h]}, dropped from the near miss {result['dropped_from_near_miss'][h]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
