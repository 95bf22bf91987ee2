"""What reads as the news of a report's day: its headline, and which of its sentences tell the day's events.

A digest is read as a briefing. Two things made it read like a pile of cuttings:

- Headlines. A title cut at 100 characters ends mid-sentence with "…", and a
  lead's first clause is often subordinate ("Kort nadat het bestandsakkoord
  over Nagorno-Karabach bekend werd"). A headline here is the article's own
  title, whole; without one, the lead's first sentence, or its main clause
  when the sentence opens with a subordinate one and is long. Never cut.
- Quotes. The sentence closest to a story's centroid is often background: "The
  Lachin corridor … was blocked for nine months" is as close to a reopening
  story as "The corridor reopened on Monday". `news_signal` scores a sentence
  for telling the day's events, from what it says about *when*: the report's
  day or the days just before it ("on Sunday", "27 September", "gisteren"),
  numbers that are not years, a verb of action (killed, shelled, signed,
  captured … in the archive's languages), against earlier years and phrases of
  duration ("since", "has long", "for decades", "seit Jahren", "depuis").
"""

from __future__ import annotations

import re
from datetime import timedelta

from index.input.chunking import split_sentences
from index.input.dates import PublishedDate, find_dates_in_text
from index.models import StoredArticle

__all__ = ["headline_for", "has_own_title", "news_signal", "HEADLINE_CLAUSE_CHARS", "RECENT_DAYS"]

HEADLINE_CLAUSE_CHARS = 140
"""A lead sentence longer than this that opens with a subordinate clause is headlined by its main clause."""
RECENT_DAYS = 2
"""A day the sentence names counts as the report's news when it is at most this many days before it."""

_DATELINE = re.compile(r"^[A-ZÀ-ÖØ-ÞА-Я][A-ZÀ-ÖØ-ÞА-Я ./'’-]{1,40}\s[–—-]\s")
_SUBORDINATE = re.compile(
    r"^(kort nadat|vlak nadat|nadat|toen|terwijl|hoewel|omdat|zodra|nu|"
    r"shortly after|soon after|after|when|while|although|as|since|once|because|"
    r"kurz nachdem|nachdem|als|während|obwohl|weil|sobald|"
    r"peu après|après que|alors que|lorsque|bien que|quand|puisque|tandis que)\b", re.IGNORECASE)
_ACTION = re.compile(
    r"\b(kill|shell|struck|strike|attack|launch|captur|seiz|signed|agreed|announc|reopen|block|fired|"
    r"releas|arrest|withdr|fled|evacuat|halt|resum|declar|order|destroy|"
    r"gedood|doodde|beschot|aangeval|ondertek|getekend|tekende|kondigde|aangekondigd|verover|"
    r"ingenomen|vrijgelaten|gearresteerd|heropend|gevlucht|vluchtten|ontruim|"
    r"getötet|beschoss|angegriff|unterzeichn|vereinbart|angekündigt|erober|eingenommen|freigelassen|festgenommen|"
    r"geflohen|verhängt|ordnete|"
    r"tués|bombard|attaqu|signé|annoncé|conquis|libéré|arrêté|ordonné|décrét)", re.IGNORECASE)
_DURATION = re.compile(
    r"\b(has long|have long|had long|long-running|decades-long|for (\w+ ){0,2}(months|years|decades)|"
    r"since the (end|start|beginning)|since (the )?(19|20)\d\d|since the (19|20)?\d0s|in the past|"
    r"(al|sinds|ruim|bijna) (\w+ ){0,2}(maanden|jaren|decennia)|sinds (het|de) (einde|begin|jaren)|"
    r"sinds (19|20)\d\d|decennialang|jarenlang|"
    r"seit (\w+ ){0,2}(monaten|jahren|jahrzehnten)|seit (dem|der) (ende|beginn)|seit (19|20)\d\d|"
    r"jahrzehntelang|jahrelang|"
    r"depuis (\w+ ){0,2}(mois|ans|années|décennies)|depuis (la|le) (fin|début)|depuis (19|20)\d\d|"
    r"depuis longtemps)\b",
    re.IGNORECASE)
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")
_NUMBER = re.compile(r"\b\d[\d.,]*\b")


def has_own_title(article: StoredArticle, lead: str) -> bool:
    """An input without a title gets its lead's first words as one; that is no headline."""
    stem = article.title.rstrip("…").rstrip()
    return bool(stem) and not lead.startswith(stem)


def _main_clause(sentence: str) -> str:
    """The main clause of a sentence that opens with a subordinate one ("Nadat …, gingen …"), else the sentence."""
    if not _SUBORDINATE.match(sentence):
        return sentence
    comma = sentence.find(", ")
    if comma < 0 or comma + 2 >= len(sentence):
        return sentence
    rest = sentence[comma + 2:]
    return rest[0].upper() + rest[1:]


def headline_for(article: StoredArticle, lead: str) -> tuple[str, str | None]:
    """(headline, the lead sentence it was taken from, or None for a title): the article's own title, whole;
    else the lead's first sentence without its dateline, or that sentence's main clause when it opens with a
    subordinate clause and is long. Never cut mid-sentence, never a subordinate clause alone."""
    if has_own_title(article, lead):
        return article.title, None
    sentences = split_sentences(lead) or [lead]
    first = sentences[0]
    sentence = _DATELINE.sub("", first).strip().rstrip(".")
    if len(sentence) > HEADLINE_CLAUSE_CHARS:
        sentence = _main_clause(sentence)
    return sentence, first


def news_signal(sentence: str, published: PublishedDate, language: str) -> float:
    """How much `sentence` tells the news of its report's day, from −1 (background) to about +1.

    A day named on the report's day or up to RECENT_DAYS before it is the
    strongest clue (+0.5); a verb of action and a number that is not a year add
    a little (+0.1 each: background has them too). Against: a day named more
    than a week before, or an earlier year, when no recent day is named (−0.5),
    and a phrase of duration in months or years, "has long", "since the end of"
    (−0.5). Days ("seit Tagen unter Feuer") are the news going on, not background.
    """
    score = 0.0
    reference = published.last_day()
    recent = False
    if reference is not None:
        named = find_dates_in_text(sentence, published, language)
        recent = any(reference - timedelta(days=RECENT_DAYS) <= day <= reference for day in named)
        earlier = any(day < reference - timedelta(days=7) for day in named) or any(
            int(year) < reference.year for year in _YEAR.findall(sentence))
        if recent:
            score += 0.5
        elif earlier:
            score -= 0.5
    if _ACTION.search(sentence):
        score += 0.1
    if any(not _YEAR.fullmatch(number) for number in _NUMBER.findall(sentence)):
        score += 0.1
    if _DURATION.search(sentence):
        score -= 0.5
    return max(-1.0, min(1.0, score))
