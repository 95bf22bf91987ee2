"""Digest stories, perspectives and timelines on the independent development set (real model, real archive).

The pairs and distractors are those its notes list: each side's report of one event
(Barda, Shusha, the six soldiers, September 2022, the Lachin road, September 2023),
the same event in two languages, and articles about something else entirely.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bench.devset import both_sides_gold_shown
from bot.core.digest import build_digest
from bot.core.perspectives import PerspectiveFinder
from bot.core.timeline import TimelineBuilder
from index.sides import Side
from tests.conftest import DEVSET

pytestmark = pytest.mark.slow

PAIRS = {  # day -> article prefixes that must share one story, with both sides labelled where they differ
    date(2020, 9, 27): ("a01", "a02"), date(2020, 10, 28): ("a10", "a11"), date(2020, 11, 8): ("a12", "a13"),
    date(2021, 5, 28): ("a20", "a21"), date(2022, 9, 14): ("b01", "b02"), date(2022, 12, 14): ("b05", "b04"),
    date(2023, 9, 20): ("b09", "b10"), date(2025, 3, 14): ("b23", "b24"),
}
UTC_ZONE = ZoneInfo("UTC")
DISTRACTORS = ("a03", "a07", "a19", "b16", "b17", "b21", "b22")


def _prefix(source: str) -> str:
    return Path(source).name[:3]


@pytest.mark.parametrize("day", sorted(PAIRS))
def test_each_sides_reports_of_one_event_are_one_story(devset_services, day: date) -> None:  # type: ignore[no-untyped-def]
    services = devset_services
    digest = build_digest(services.store.articles, services.store.embeddings, services.embedder, day, UTC_ZONE, topic=services.topic,
                          side_of=services.side_of)
    stories = [s for s in digest.stories if {_prefix(a.source) for a in s.articles} & set(PAIRS[day])]
    assert len(stories) == 1
    [story] = stories
    assert set(PAIRS[day]) <= {_prefix(a.source) for a in story.articles}
    sides = {services.side_of(a) for a in story.articles} - {Side.UNKNOWN, Side.INTERNATIONAL}
    if len(sides) == 2:
        assert story.several_sides and set(story.sides) >= sides, "both sides' accounts, under their labels"
    assert not story.citations[0].marked.startswith(story.headline.rstrip("…"))


def test_no_distractor_becomes_a_story(devset_services) -> None:  # type: ignore[no-untyped-def]
    services = devset_services
    days = {date.fromisoformat(row[0]) for row in
            services.store.db.read("SELECT published_first FROM articles WHERE date_precision = 'day'")}
    for day in sorted(days):
        digest = build_digest(services.store.articles, services.store.embeddings, services.embedder, day, UTC_ZONE, topic=services.topic)
        shown = {_prefix(a.source) for s in digest.stories for a in s.articles}
        assert not shown & set(DISTRACTORS), day


def test_perspectives_show_both_sides_gold_for_most_contrast_questions(devset_services) -> None:  # type: ignore[no-untyped-def]
    services = devset_services
    finder = PerspectiveFinder(services.searcher, services.topic, services.side_of)
    questions = [json.loads(line) for line in (DEVSET / "questions.jsonl").read_text().splitlines() if line]
    contrast = [q for q in questions if q["kind"] == "contrast"]
    both = 0
    for q in contrast:
        perspectives = finder.find(q["question"])
        both += both_sides_gold_shown(services, perspectives, q["gold"])
        assert set(perspectives.missing) | {a.side for a in perspectives.accounts} >= {
            Side.ARMENIAN, Side.AZERBAIJANI, Side.INTERNATIONAL}
    assert len(contrast) == 16 and both >= 12


@pytest.mark.parametrize(("topic", "since", "until", "expected"), [
    ("Lachin corridor", date(2022, 12, 1), date(2023, 9, 30), {"b04", "b07", "b08"}),
    ("vredesverdrag", None, None, {"b23", "b25"}),
])
def test_timeline_in_date_order_without_duplicates(devset_services, topic, since, until, expected) -> None:  # type: ignore[no-untyped-def]
    services = devset_services
    timeline = TimelineBuilder(services.searcher, services.store.articles, services.topic).build(topic, since, until)
    days = [e.when.first_day() for e in timeline.entries]
    assert days == sorted(days) and days
    passages = [(e.citation.passage.article.id, e.citation.passage.position) for e in timeline.entries]
    assert len(passages) == len(set(passages)), "a passage appears once"
    assert expected <= {_prefix(a.source) for e in timeline.entries for a, _side in e.sources}
    for entry in timeline.entries:
        assert since is None or entry.when.first_day() >= since
        if not entry.named:
            assert entry.when == entry.reported, "a publication date is shown at its own precision"
