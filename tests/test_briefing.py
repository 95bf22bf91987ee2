"""The digest reads as a briefing: one story per event with each side's account, whole headlines, the day's news
quoted first; /timeline limited to the period its topic names, with sides; the first start posts no catch-up.

Articles are written here for the cases the development set does not hold (tests/test_briefing_devset.py checks
its pairs): the two sides' reports of one strike that read far apart (0.64, under the 0.65 a story otherwise
needs), and a report whose most central sentence is background.
"""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core import digest as digest_module
from bot.core.digest import build_digest
from bot.core.news_sentences import headline_for, news_signal
from bot.core.timeline import TimelineBuilder, named_period
from index.ingest import FileOrigin
from index.input.dates import PublishedDate
from index.models import StoredArticle
from index.sides import Side

UTC_ZONE = ZoneInfo("UTC")

BAKU = """
    title: Missile strike on Ganja kills ten civilians, Baku says
    outlet: Caspian Herald
    language: en
    date 2020-10-11 Ten civilians were killed and more than thirty wounded when a missile fired from Armenian territory hit a residential block in Ganja before dawn on Sunday, Azerbaijan's prosecutor general's office said.

    Rescue workers pulled children from the rubble of the five-storey building throughout the morning, and President Ilham Aliyev called the attack a war crime that would not go unanswered.

    The defence ministry in Baku said the strike came hours after both sides had agreed in Moscow to a humanitarian truce, and accused Yerevan of deliberately targeting civilians far from the front line.
    """
YEREVAN = """
    title: Stepanakert shelled through the night despite Moscow truce
    outlet: Ararat Evening News
    language: en
    date 2020-10-11 Azerbaijani artillery and drones struck Stepanakert and Martuni through the night to Sunday, wounding eleven residents and setting homes and a school on fire, Artsakh's emergency service said.

    Families again spent the night in basements as sirens sounded across the city, hours after a humanitarian truce agreed in Moscow was meant to take effect.

    Armenia's defence ministry rejected accusations from Baku that a missile had been fired at Ganja from Armenian territory, and called them disinformation meant to justify new attacks.
    """
REOPENED = """
    title: Lachin corridor open again
    outlet: Test Wire
    language: en
    date 2023-07-04 The first convoy of 30 trucks with flour and medicine crossed the Hakari bridge into the Lachin corridor on Monday, Karabakh officials said.

    The Lachin corridor, the only road between Armenia and Nagorno-Karabakh, has long been the lifeline of the Karabakh Armenians, and had been blocked for seven months since December 2022 by Azerbaijani protesters.

    For months the Lachin corridor road to Armenia had been closed to Karabakh, and the Karabakh Armenians had lived without the corridor to Armenia since the protests of 2022.
    """


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
    return path


def _stored(title: str, lead: str) -> tuple[StoredArticle, str]:
    article = StoredArticle(id=1, title=title, outlet="O", source="o.txt", published=PublishedDate.day(date(2020, 11, 10)),
                            language="nl", first_seen=datetime(2020, 11, 10, tzinfo=UTC), content_hash="x")
    return article, lead


# --- headlines and news sentences (no model) ----------------------------------------------------------------------

def test_a_title_is_the_headline_whole_however_long() -> None:
    title = ("Armenia and Azerbaijan agree a humanitarian ceasefire after ten hours of talks in Moscow, "
             "but fighting goes on near Hadrut")
    headline, taken_from = headline_for(*_stored(title, "Armenia and Azerbaijan agreed on Saturday."))
    assert headline == title and taken_from is None


def test_without_a_title_the_headline_is_a_whole_sentence_or_its_main_clause_never_a_subordinate_one() -> None:
    short = "Kort nadat het akkoord bekend werd, bestormden demonstranten het parlement in Jerevan."
    headline, taken_from = headline_for(*_stored(short[:40] + "…", short + " Daarna volgde meer."))
    assert headline == short.rstrip(".") and taken_from == short
    long = ("Kort nadat het bestandsakkoord over Nagorno-Karabach in de nacht van maandag op dinsdag bekend werd "
            "gemaakt door de Russische president, bestormden honderden boze demonstranten het parlementsgebouw in "
            "Jerevan en eisten zij het aftreden van premier Pasjinjan.")
    headline, _ = headline_for(*_stored(long[:40] + "…", long))
    assert headline.startswith("Bestormden honderden boze demonstranten") and not headline.endswith("…")
    dateline = "JEREVAN – Demonstranten bestormden het parlement."
    assert headline_for(*_stored(dateline[:20] + "…", dateline))[0] == "Demonstranten bestormden het parlement"


@pytest.mark.parametrize(("news", "background", "language"), [
    ("The first convoy crossed the Hakari bridge on Monday, officials said.",
     "The corridor has long been the region's lifeline and was blocked for seven months since December 2022.", "en"),
    ("De eerste konvooien reden maandag over de brug.", "De weg was al maanden dicht sinds de protesten van 2022.",
     "nl"),
    ("Am Montag überquerten 30 Lastwagen die Brücke.", "Die Straße war seit Monaten gesperrt, seit 2022.", "de"),
    ("Lundi, 30 camions ont franchi le pont.", "La route était fermée depuis des mois, depuis 2022.", "fr"),
])
def test_the_days_events_score_above_background(news: str, background: str, language: str) -> None:
    published = PublishedDate.day(date(2023, 7, 4))  # a Tuesday
    assert news_signal(news, published, language) > 0 > news_signal(background, published, language)


def test_a_year_month_or_day_in_the_topic_is_the_timelines_period() -> None:
    assert named_period("het offensief van september 2023") == (date(2023, 9, 1), date(2023, 9, 30))
    assert named_period("Lachin corridor in 2022") == (date(2022, 1, 1), date(2022, 12, 31))
    assert named_period("wat gebeurde er op 10 november 2020") == (date(2020, 11, 10), date(2020, 11, 10))
    assert named_period("Lachin corridor") is None


# --- with the model ------------------------------------------------------------------------------------------------

@pytest.fixture
def briefing(services, tmp_path: Path):  # type: ignore[no-untyped-def]
    ingest = services.ingestor.ingest_paths
    ingest([_write(tmp_path / "az", "baku.txt", BAKU)], origin=FileOrigin(side="azerbaijani"))
    ingest([_write(tmp_path / "am", "yerevan.txt", YEREVAN)], origin=FileOrigin(side="armenian"))
    ingest([_write(tmp_path / "wire", "reopened.txt", REOPENED)])
    return services


def _digest(services, day: date):  # type: ignore[no-untyped-def]
    return build_digest(services.store.articles, services.store.embeddings, services.embedder, day, UTC_ZONE,
                        topic=services.topic, side_of=services.side_of)


@pytest.mark.slow
def test_each_sides_report_of_one_strike_is_one_story_with_both_accounts(
        briefing, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    [story] = _digest(briefing, date(2020, 10, 11)).stories
    assert {a.outlet for a in story.articles} == {"Caspian Herald", "Ararat Evening News"}
    assert story.several_sides and {Side.ARMENIAN, Side.AZERBAIJANI} <= set(story.sides)
    assert story.headline in {a.title for a in story.articles}
    monkeypatch.setattr(digest_module, "OPPOSING_SIDES_SIMILARITY", digest_module.STORY_SIMILARITY)
    assert len(_digest(briefing, date(2020, 10, 11)).stories) == 2, "they read further apart than one story's"


@pytest.mark.slow
def test_the_first_quote_is_the_days_news_not_the_background_closest_to_the_story(
        briefing, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    [story] = _digest(briefing, date(2023, 7, 4)).stories
    assert story.citations[0].marked.startswith("The first convoy of 30 trucks")
    monkeypatch.setattr(digest_module, "NEWS_WEIGHT", 0.0)
    [by_centrality] = _digest(briefing, date(2023, 7, 4)).stories
    assert by_centrality.citations[0].marked.startswith("For months"), "by centrality alone: the background"


@pytest.mark.slow
def test_a_timeline_line_holds_both_sides_reports_of_one_event(briefing) -> None:  # type: ignore[no-untyped-def]
    builder = TimelineBuilder(briefing.searcher, briefing.store.articles, briefing.topic, briefing.side_of)
    timeline = builder.build("Ganja missile October 2020")
    assert (timeline.since, timeline.until) == (date(2020, 10, 1), date(2020, 10, 31))
    [line] = [e for e in timeline.entries if e.when == PublishedDate.day(date(2020, 10, 11))]
    assert {(a.outlet, side) for a, side in line.sources} == {("Caspian Herald", Side.AZERBAIJANI),
                                                              ("Ararat Evening News", Side.ARMENIAN)}
    assert timeline.to_dict()["entries"][0]["side"] in ("armenian", "azerbaijani")
