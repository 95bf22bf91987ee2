"""The one way any input becomes an `Article`, and the bounds an article must keep to be stored.

Seed files, JSON Lines, HTML files, feed entries and watched pages each have a
parser of their own, but what they hand on must meet one standard, whatever
the input tried:
- text is clean (`index.text_cleaning`) and cut into bounded paragraphs
  (`index.chunking`);
- titles and outlets are one clean line of bounded length;
- a URL is stored only when it is a plain http(s) link (`index.urls`);
- a date after tomorrow is refused: an archive must not hold news from
  9999-12-31 (feeds drop such a date instead, see `index.sources.entry_articles`);
- a language is an ISO 639 code, else detected from the text.

`admit_article` is the ingest's own check of the same bounds, for articles
built by code rather than parsed, plus the bound on what one article may
contribute: at most `max_paragraphs` paragraphs of at most
`MAX_PARAGRAPH_CHARS` characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from index.errors import InputError
from index.input.chunking import MAX_PARAGRAPH_CHARS, bound_paragraphs, split_sentences
from index.input.dates import PublishedDate
from index.input.language import detect_language
from index.input.text_cleaning import bounded_label, clean_label, clean_text
from index.input.urls import web_url_problem
from index.models import Article

__all__ = [
    "ArticleLimits",
    "build_article",
    "admit_article",
    "title_from_lead",
    "latest_plausible_date",
    "TITLE_MAX_CHARS",
    "OUTLET_MAX_CHARS",
    "FUTURE_SLACK",
]

TITLE_MAX_CHARS = 300
OUTLET_MAX_CHARS = 100
_LEAD_TITLE_CHARS = 160
FUTURE_SLACK = timedelta(days=1)
"""Time zones put a just-published article up to a day 'ahead' of the UTC date it was first seen."""
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


@dataclass(frozen=True)
class ArticleLimits:
    max_paragraphs: int = 2000
    """With paragraphs of at most 1,500 characters, one article contributes at most about 3 MB of text."""


def latest_plausible_date(today: date | None = None) -> date:
    """The last publication day an article may carry: tomorrow, as seen from UTC."""
    return (today or datetime.now(UTC).date()) + FUTURE_SLACK


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def title_from_lead(lead: str) -> str:
    """The lead's first sentence, shortened at a word when long: a title for inputs that give none."""
    sentences = split_sentences(lead[: 4 * _LEAD_TITLE_CHARS])
    return _shorten(sentences[0] if sentences else lead, _LEAD_TITLE_CHARS)


def build_article(
    *,
    where: str,
    title: str,
    outlet: str,
    source: str,
    published: PublishedDate,
    language: str,
    paragraphs: Sequence[str],
    url: str | None = None,
    today: date | None = None,
) -> Article:
    """An article meeting the module's rules, or an InputError naming `where` (file, line or URL) and the field."""
    text = bound_paragraphs(clean_text(p) for p in paragraphs)
    if not text:
        raise InputError(where, "no text")
    if url:
        problem = web_url_problem(url)
        if problem is not None:
            raise InputError(where, f"url {_shorten(clean_label(url), 80)!r} is not a usable web link ({problem})")
    latest = latest_plausible_date(today)
    if published.value is not None and published.value > latest:
        raise InputError(where, f"date {published.iso()} lies in the future (after {latest.isoformat()})")
    code = clean_label(language).lower()
    if code and not _LANGUAGE_CODE.fullmatch(code):
        raise InputError(where, f"language {_shorten(code, 20)!r} is not an ISO 639 code such as 'nl' or 'en'")
    return Article(
        title=bounded_label(title, TITLE_MAX_CHARS) or title_from_lead(text[0]),
        outlet=bounded_label(outlet, OUTLET_MAX_CHARS) or "unknown outlet",
        source=source,
        published=published,
        language=code or detect_language(" ".join(text[:3])),
        paragraphs=tuple(text),
        url=url or None,
    )


def admit_article(article: Article, limits: ArticleLimits) -> Article:
    """The article within the bounds on paragraphs, re-cut if code built it with over-long ones.

    Raises InputError naming the article's source when it has more paragraphs
    than one article may contribute.
    """
    paragraphs = article.paragraphs
    if any(len(p) > MAX_PARAGRAPH_CHARS for p in paragraphs):
        paragraphs = tuple(bound_paragraphs(paragraphs))
    if len(paragraphs) > limits.max_paragraphs:
        raise InputError(
            article.source,
            f"{len(paragraphs)} paragraphs, more than one article may have ({limits.max_paragraphs}, "
            "ingest.max_article_paragraphs); split it into several articles",
        )
    if not paragraphs:
        raise InputError(article.source, "no text")
    return article if paragraphs == article.paragraphs else replace(article, paragraphs=paragraphs)
