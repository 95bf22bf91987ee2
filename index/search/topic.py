"""Whether an article, or a question, is about the monitored conflict at all.

A news feed about Karabakh also carries a COP29 report from Baku, a Georgian
protest or a Ukraine ceasefire. Those articles are kept and searchable, but
they must not become digest stories or lead an answer. The test is the share
of an article's words that name the conflict's places, peoples and leaders
(the configured keywords, in every glossary spelling and transliteration):
on the development set its seven distractors score at most 0.007 and its 43
reports on the conflict at least 0.037, so `MIN_DENSITY` sits between.

Measured and not used: the similarity of an article's mean vector to a topic
description separates the two worse (0.06–0.20 against 0.18–0.35) and adds
nothing next to the keyword share.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from index.search.analysis import stems, word_tokens
from index.search.glossary import expand_term

__all__ = ["TopicGate", "MIN_DENSITY"]

MIN_DENSITY = 0.02
_MIN_FORM_LENGTH = 5
"""Shorter stems collide with ordinary words of other languages ("bak" is Dutch for bake, "arme" French
for weapon, "berg" German for mountain)."""


@dataclass(frozen=True)
class TopicGate:
    name: str
    """What the archive covers, as said to a user ("the Nagorno-Karabakh conflict")."""
    keywords: tuple[str, ...]
    min_density: float = MIN_DENSITY
    name_nl: str = ""

    def described(self, language: str) -> str:
        return self.name_nl if language == "nl" and self.name_nl else self.name

    @cached_property
    def forms(self) -> frozenset[str]:
        """Every analysed term that names the topic."""
        out: set[str] = set()
        for keyword in self.keywords:
            for spelling in (keyword.lower(), *expand_term(keyword.lower())):
                for word in word_tokens(spelling):
                    out |= {form for form in stems(word) if len(form) >= _MIN_FORM_LENGTH}
        return frozenset(out)

    @property
    def fingerprint(self) -> str:
        """Changes when the keywords do, so stored densities can be recomputed."""
        return hashlib.sha256("\n".join(sorted(self.forms)).encode()).hexdigest()[:16]

    def density(self, terms: Iterable[str]) -> float:
        """Share of analysed terms that name the topic."""
        total = hits = 0
        forms = self.forms
        for term in terms:
            total += 1
            hits += term in forms
        return hits / total if total else 0.0

    def on_topic(self, density: float | None) -> bool:
        """Unknown (not yet computed) counts as on topic: better a distractor cited than a report lost."""
        return density is None or density >= self.min_density

    def names_topic(self, phrases: Sequence[tuple[str, ...]]) -> bool:
        """Whether any of a question's analysed forms names the topic."""
        forms = self.forms
        return any(term in forms for phrase in phrases for term in phrase)
