"""Conversation memory: bounded, keyed by answer or thread, forgotten when idle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.answering import Answer
from bot.core.conversation import IDLE_LIMIT, ConversationMemory, Turn

NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def _turn(question: str, at: datetime = NOW) -> Turn:
    return Turn(question, Answer(question, "…", False), at)


def test_follow_ups_reach_the_conversation_through_any_of_its_keys() -> None:
    memory = ConversationMemory()
    memory.record(100, _turn("Wat werd er op 10 november 2020 afgesproken?"), 200, 300)
    assert memory.context(200, NOW) == "Wat werd er op 10 november 2020 afgesproken?"
    memory.record(300, _turn("En wat vond Pasjinjan ervan?"), 400)
    assert memory.context(400, NOW) == "Wat werd er op 10 november 2020 afgesproken? En wat vond Pasjinjan ervan?"
    assert memory.context(999, NOW) is None


def test_turns_conversations_and_idle_time_are_bounded() -> None:
    memory = ConversationMemory(max_conversations=3, max_turns=2)
    for n in range(5):
        memory.record(1, _turn(f"q{n}"))
    assert [t.question for t in memory.turns(1, NOW)] == ["q3", "q4"]
    for key in range(10, 20):
        memory.record(key, _turn(f"k{key}"))
    assert len(memory) == 3 and memory.context(1, NOW) is None, "the least recently used is forgotten"
    assert memory.context(19, NOW + IDLE_LIMIT + timedelta(minutes=1)) is None
