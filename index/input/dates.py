"""Dates that remember how precise they are.

News sources give "2020-09" as often as "2020-09-27". A month-only date must
never be shown or filtered as if it were the first of the month, so every date
carries its precision and exposes the range of days it may mean.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

__all__ = [
    "DatePrecision",
    "PublishedDate",
    "parse_date",
    "published_from_columns",
    "find_dates_in_question",
    "find_months_in_question",
    "find_dates_in_text",
    "MONTHS",
]


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"


_EN_MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]
_NL_MONTHS = [
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
]
_DE_MONTHS = [
    "januar", "februar", "märz", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "dezember",
]
_FR_MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]

_RU_MONTHS = [
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
]

MONTHS: dict[str, int] = {}
"""Month names (and common abbreviations) of the languages users ask in and sources write in, to numbers.

Russian months appear in the genitive, the form a date takes ("30 января")."""
for _names in (_EN_MONTHS, _NL_MONTHS, _DE_MONTHS, _FR_MONTHS):
    for _i, _name in enumerate(_names, start=1):
        MONTHS.setdefault(_name, _i)
        MONTHS.setdefault(_name[:3], _i)
for _i, _name in enumerate(_RU_MONTHS, start=1):
    MONTHS[_name] = _i
MONTHS["sept"] = 9
MONTHS["mrt"] = 3

_WEEKDAYS: dict[str, int] = {}
for _days in (
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"),
    ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    ("понедельник", "вторник", "среду", "четверг", "пятницу", "субботу", "воскресенье"),
):
    for _i, _name in enumerate(_days):
        _WEEKDAYS[_name] = _i
_YESTERDAY = {"en": "yesterday", "nl": "gisteren", "de": "gestern", "fr": "hier", "ru": "вчера"}


@dataclass(frozen=True, order=True)
class PublishedDate:
    """A publication date with its precision; `value` is the first day it may mean."""

    value: date | None
    precision: DatePrecision

    @classmethod
    def unknown(cls) -> PublishedDate:
        return cls(None, DatePrecision.UNKNOWN)

    @classmethod
    def day(cls, d: date) -> PublishedDate:
        return cls(d, DatePrecision.DAY)

    @classmethod
    def month(cls, year: int, month: int) -> PublishedDate:
        return cls(date(year, month, 1), DatePrecision.MONTH)

    def first_day(self) -> date | None:
        return self.value

    def last_day(self) -> date | None:
        if self.value is None:
            return None
        if self.precision is DatePrecision.MONTH:
            last = calendar.monthrange(self.value.year, self.value.month)[1]
            return self.value.replace(day=last)
        if self.precision is DatePrecision.YEAR:
            return self.value.replace(month=12, day=31)
        return self.value

    def iso(self) -> str:
        """`2020-09-27`, `2020-09`, `2020` or "" — never more precise than known."""
        if self.value is None:
            return ""
        if self.precision is DatePrecision.DAY:
            return self.value.isoformat()
        if self.precision is DatePrecision.MONTH:
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return f"{self.value.year:04d}"

    def display(self, language: str = "en") -> str:
        """Human form: `27 September 2020`, `September 2020`, `2020`, `date unknown` (or in Dutch)."""
        if self.value is None:
            return "datum onbekend" if language == "nl" else "date unknown"
        month = _NL_MONTHS[self.value.month - 1] if language == "nl" else calendar.month_name[self.value.month]
        if self.precision is DatePrecision.DAY:
            return f"{self.value.day} {month} {self.value.year}"
        if self.precision is DatePrecision.MONTH:
            return f"{month} {self.value.year}"
        return str(self.value.year)


_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def parse_date(text: str) -> PublishedDate:
    """Parse `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (or an ISO datetime) keeping the precision.

    Raises ValueError with the offending text, so callers can name it in their error.
    """
    raw = text.strip()
    if not raw:
        return PublishedDate.unknown()
    if "T" in raw or " " in raw:
        try:
            return PublishedDate.day(datetime.fromisoformat(raw.replace("Z", "+00:00")).date())
        except ValueError:
            pass
    m = _ISO.match(raw)
    if not m:
        raise ValueError(f"not a date: {raw!r} (expected YYYY-MM-DD or YYYY-MM)")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if day is not None and month is not None:
            return PublishedDate.day(date(year, int(month), int(day)))
        if month is not None:
            date(year, int(month), 1)
            return PublishedDate.month(year, int(month))
        return PublishedDate(date(year, 1, 1), DatePrecision.YEAR)
    except ValueError as exc:
        raise ValueError(f"not a valid date: {raw!r} ({exc})") from None


def published_from_columns(first_day: str | None, precision: str) -> PublishedDate:
    """A date as the archive stores it: the first day it may mean (ISO, or NULL) and its precision."""
    if first_day is None:
        return PublishedDate.unknown()
    return PublishedDate(date.fromisoformat(first_day), DatePrecision(precision))


_MONTH_WORDS = "|".join(sorted((re.escape(k) for k in MONTHS), key=len, reverse=True))
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th|e|er)?\.?\s+({_MONTH_WORDS})\.?(?:\s+(\d{{4}}))?\b", re.IGNORECASE
)
_MONTH_DAY = re.compile(
    rf"\b({_MONTH_WORDS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", re.IGNORECASE
)
_ISO_IN_TEXT = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def find_dates_in_question(question: str, default_year: int | None = None) -> list[date]:
    """Dates a question names ("10 november 2020", "on 27 September", "2020-10-04").

    A day without a year takes `default_year` (the corpus's main year) so that
    "on 27 September" still points somewhere; with no default it is skipped.
    """
    found: list[date] = []

    def add(year: int | None, month: int, day: int) -> None:
        y = year if year is not None else default_year
        if y is None:
            return
        try:
            d = date(y, month, day)
        except ValueError:
            return
        if d not in found:
            found.append(d)

    for m in _ISO_IN_TEXT.finditer(question):
        add(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    for m in _DAY_MONTH.finditer(question):
        add(int(m.group(3)) if m.group(3) else None, MONTHS[m.group(2).lower()], int(m.group(1)))
    for m in _MONTH_DAY.finditer(question):
        add(int(m.group(3)) if m.group(3) else None, MONTHS[m.group(1).lower()], int(m.group(2)))
    return found


_MONTH_YEAR = re.compile(rf"\b({_MONTH_WORDS})\.?\s+(\d{{4}})\b", re.IGNORECASE)


def find_months_in_question(question: str) -> list[tuple[int, int]]:
    """(year, month) pairs a question names without a day: "in december 2022", "september 2023".

    A month preceded by a day number ("10 november 2020") is a day, found by
    `find_dates_in_question`, and is not returned here.
    """
    found: list[tuple[int, int]] = []
    for m in _MONTH_YEAR.finditer(question):
        before = question[: m.start()].rstrip()
        if before and re.fullmatch(r"\d{1,2}(?:st|nd|rd|th|e|er)?\.?", before.split()[-1]):
            continue
        pair = (int(m.group(2)), MONTHS[m.group(1).lower()])
        if 1 <= pair[1] <= 12 and pair not in found:
            found.append(pair)
    return found


_WEEKDAY_WORDS = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_WEEKDAY = re.compile(rf"\b({_WEEKDAY_WORDS})(?:avond|ochtend|middag|nacht|abend|morgen|nachmittag)?\b", re.IGNORECASE)
_DAY_MONTH_IN_TEXT = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th|e|er)?\.?\s+({_MONTH_WORDS})\.?(?:\s+(\d{{4}}))?(?!\w)", re.IGNORECASE
)
_MONTH_DAY_IN_TEXT = re.compile(
    rf"\b({_MONTH_WORDS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b(?!\s*(?:%|km|procent|percent))",
    re.IGNORECASE,
)
_RELATIVE_LIMIT_DAYS = 6


def _nearest_year(month: int, day: int, reference: date) -> date | None:
    """The date with that month and day closest to the reference (a report names recent or coming days)."""
    best: date | None = None
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((candidate - reference).days) < abs((best - reference).days):
            best = candidate
    return best


def find_dates_in_text(text: str, published: PublishedDate, language: str = "") -> list[date]:
    """Days an article's paragraph names: "on 8 October", "am 12. Mai", "30 января", "on Sunday".

    A report is often published a day or more after what it describes, and a
    month-dated report describes days of its month, so the days a paragraph
    names are what date questions should match as well as the publication day.
    A day without a year is placed in the year closest to the publication
    date; a weekday ("on Sunday", "zondagavond") or "yesterday" counts only
    when the publication day is known, as the latest such day on or before it.
    """
    reference = published.first_day()
    if reference is None:
        return []
    if published.precision is DatePrecision.MONTH:
        reference = reference.replace(day=15)
    found: list[date] = []

    def add(day: date | None) -> None:
        if day is not None and day not in found:
            found.append(day)

    for m in _ISO_IN_TEXT.finditer(text):
        try:
            add(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        except ValueError:
            pass
    for pattern, day_group, month_group in ((_DAY_MONTH_IN_TEXT, 1, 2), (_MONTH_DAY_IN_TEXT, 2, 1)):
        for m in pattern.finditer(text):
            month = MONTHS[m.group(month_group).lower()]
            day_number = int(m.group(day_group))
            if m.group(3):
                try:
                    add(date(int(m.group(3)), month, day_number))
                except ValueError:
                    pass
            else:
                add(_nearest_year(month, day_number, reference))
    if published.precision is DatePrecision.DAY:
        for m in _WEEKDAY.finditer(text):
            back = (reference.weekday() - _WEEKDAYS[m.group(1).lower()]) % 7
            if back <= _RELATIVE_LIMIT_DAYS:
                add(reference - timedelta(days=back))
        word = _YESTERDAY.get(language)
        if word and re.search(rf"\b{word}\b", text, re.IGNORECASE):
            add(reference - timedelta(days=1))
    return sorted(found)
