"""Conversations: the last few turns a follow-up question may lean on. No Discord here.

"En wat vond Pasjinjan zelf van dat akkoord?" only makes sense after the question
about the 10 November agreement. A conversation is keyed by where it continues
(the bot's answer a user replies to, or the thread the bot started) and keeps at
most MAX_TURNS turns; the earlier questions become the follow-up's context for
search (`Answerer.answer(..., context=...)`), so retrieval, citations and
abstention work as for any question.

Nothing here is written to disk: a restart forgets every conversation, and
MAX_CONVERSATIONS bounds the memory a busy server can make the bot hold.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.answering import Answer

__all__ = ["Turn", "ConversationMemory", "MAX_TURNS", "MAX_CONVERSATIONS"]

MAX_TURNS = 3
MAX_CONVERSATIONS = 2000
IDLE_LIMIT = timedelta(hours=6)
"""A conversation untouched this long is forgotten: a reply to a day-old answer starts afresh."""


@dataclass(frozen=True)
class Turn:
    question: str
    answer: Answer
    at: datetime


class ConversationMemory:
    """Turns by conversation key (a message id or a thread id), least recently used forgotten first."""

    def __init__(self, max_conversations: int = MAX_CONVERSATIONS, max_turns: int = MAX_TURNS) -> None:
        self._turns: OrderedDict[int, list[Turn]] = OrderedDict()
        self._aliases: dict[int, int] = {}
        self._lock = threading.Lock()
        self.max_conversations = max_conversations
        self.max_turns = max_turns

    def record(self, key: int, turn: Turn, *aliases: int) -> None:
        """Add a turn; `aliases` (the answer's own message id, a thread opened on it) reach the same conversation."""
        with self._lock:
            root = self._aliases.get(key, key)
            turns = self._turns.pop(root, [])
            turns = [*turns, turn][-self.max_turns:]
            self._turns[root] = turns
            for alias in (key, *aliases):
                self._aliases[alias] = root
            while len(self._turns) > self.max_conversations:
                dropped, _ = self._turns.popitem(last=False)
                for alias in [a for a, r in self._aliases.items() if r == dropped]:
                    del self._aliases[alias]

    def turns(self, key: int, now: datetime) -> list[Turn]:
        with self._lock:
            root = self._aliases.get(key)
            if root is None or root not in self._turns:
                return []
            turns = self._turns[root]
            if now - turns[-1].at > IDLE_LIMIT:
                return []
            self._turns.move_to_end(root)
            return list(turns)

    def context(self, key: int, now: datetime) -> str | None:
        """The earlier questions of the conversation, most recent last: what a follow-up leans on."""
        turns = self.turns(key, now)
        return " ".join(t.question for t in turns) or None

    def __len__(self) -> int:
        return len(self._turns)
