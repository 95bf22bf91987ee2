"""Rendering answers for Discord, without Discord: limits, marks, links, no pings."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.answering import Answer
from bot.core.citations import Citation
from bot.markdown_escaping import neutralise_mentions
from bot.render import LIMITS, IndexFooter, answer_embed, fit_text, hits_embed
from index.input.dates import PublishedDate, parse_date
from index.models import Hit, Passage, StoredArticle


def _article(n: int, url: str | None = "https://example.org/a", published: PublishedDate | None = None) -> StoredArticle:
    return StoredArticle(
        id=n, title=f"Title {n}", outlet=f"Outlet {n}", source=f"file{n}.txt",
        published=published or parse_date("2020-09-27"), language="en",
        first_seen=datetime(2020, 9, 27, tzinfo=UTC), content_hash="h", url=url,
    )


def _citation(n: int, text: str, marked: str, **kw: object) -> Citation:
    passage = Passage(id=n, article=_article(n, **kw), position=2, text=text)  # type: ignore[arg-type]
    return Citation(n=n, passage=passage, score=0.9, marked=marked)


def test_fit_text_cuts_at_sentence_boundaries_with_visible_ellipsis() -> None:
    text = "First sentence here. Second sentence is longer than the first. Third."
    assert fit_text(text, 100) == text
    assert fit_text(text, 40) == "First sentence here. …"
    assert len(fit_text("x" * 5000, 1024)) <= 1024


def test_answer_embed_marks_the_best_sentence_and_links_without_unfurling() -> None:
    text = "The army entered the town. Officials confirmed it on Sunday. Residents fled."
    answer = Answer("Who entered?", "Officials confirmed it on Sunday. [1]", False,
                    (_citation(1, text, "Officials confirmed it on Sunday."),))
    embed = answer_embed(answer, IndexFooter(10, 50, "10 November 2020"))
    field = embed.fields[0]
    assert field.name == "[1] Outlet 1 · 27 September 2020 · ¶3"
    assert "**Officials confirmed it on Sunday.**" in field.value
    assert "<https://example.org/a>" in field.value
    assert embed.footer.text == "10 articles, 50 paragraphs indexed · newest article 10 November 2020"


def test_month_precision_is_shown_as_a_month() -> None:
    answer = Answer("q", "s [1]", False, (_citation(1, "s.", "s.", published=parse_date("2020-10")),))
    assert "October 2020 ·" in answer_embed(answer).fields[0].name


def test_file_sources_are_cited_by_title_and_outlet_never_by_file_name() -> None:
    answer = Answer("q", "s [1]", False, (_citation(1, "s.", "s.", url=None),))
    field = answer_embed(answer).fields[0]
    assert "Outlet 1" in field.name and "Title 1" in field.value
    assert "file1.txt" not in field.name + field.value


def test_overlong_answer_stays_inside_every_limit() -> None:
    long_text = " ".join(f"This is sentence number {i} of a very long paragraph." for i in range(200))
    citations = tuple(_citation(n, long_text, f"This is sentence number {n * 10} of a very long paragraph.")
                      for n in range(1, 6))
    answer = Answer("q" * 400, "summary " * 1000, False, citations)
    embed = answer_embed(answer, IndexFooter(1, 1, ""))
    assert len(embed.title or "") <= LIMITS.title
    assert len(embed.description or "") <= LIMITS.description
    assert len(embed.fields) <= LIMITS.fields
    assert all(len(f.value or "") <= LIMITS.field_value and len(f.name or "") <= LIMITS.field_name
               for f in embed.fields)
    assert len(embed) <= LIMITS.total
    assert all("**This is sentence number" in (f.value or "") for f in embed.fields)


def test_mentions_in_article_text_are_neutralised() -> None:
    text = "A local group posted: @everyone go to the shelters now. Ask <@123> or @here."
    safe = neutralise_mentions(text)
    assert "@everyone" not in safe and "@here" not in safe and "<@1" not in safe
    answer = Answer("q", text, False, (_citation(1, text, "A local group posted: @everyone go to the shelters now."),))
    embed = answer_embed(answer)
    assert "@everyone" not in (embed.description or "") + "".join(f.value or "" for f in embed.fields)


def test_search_pages() -> None:
    hits = [Hit(Passage(i, _article(i), 0, f"Passage {i}."), score=1 - i / 100) for i in range(7)]
    first = hits_embed("query", hits, 0, 3, None)
    last = hits_embed("query", hits, 2, 3, None)
    assert [f.name.split(".")[0] for f in first.fields] == ["1", "2", "3"]
    assert len(last.fields) == 1 and last.footer.text.startswith("page 3/3")


def test_digest_embeds_split_in_order_within_limits() -> None:
    from datetime import date

    from bot.core.digest import Digest, Story
    from bot.render import STORIES_PER_MESSAGE, digest_embeds

    long_text = " ".join(f"Sentence {i} of a long report about the corridor and the convoy." for i in range(60))
    stories = tuple(
        Story(headline=f"Story {n} " + "x" * 300, citations=(_citation(n, long_text, long_text),),
              outlets=(f"Outlet {n}", "Other"), articles=(_article(n),))
        for n in range(1, 31)
    )
    digest = Digest(date(2020, 9, 27), "Europe/Amsterdam", 30, 31, stories)
    embeds = digest_embeds(digest)
    assert embeds[0].title == "Digest — Sunday 27 September 2020"
    assert len(embeds) >= 30 // STORIES_PER_MESSAGE
    names = [f.name for e in embeds for f in e.fields]
    assert [int(n.split(".")[0]) for n in names] == list(range(1, 31))
    for embed in embeds:
        assert len(embed) <= LIMITS.total and len(embed.fields) <= LIMITS.fields
        assert all(len(f.value or "") <= LIMITS.field_value and len(f.name or "") <= LIMITS.field_name
                   for f in embed.fields)
    empty = digest_embeds(Digest(date(2020, 9, 28), "Europe/Amsterdam", 0, 0, ()))
    assert empty[0].description == "No new reports on 2020-09-28."
