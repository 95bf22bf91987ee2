"""Language detection: articles from their opening text, written sentences one at a time."""

from __future__ import annotations

import pytest

from index.input.language import detect_language, detect_sentence_language

ARTICLES = {
    "nl": "Bij beschietingen op Stepanakert zijn zondag opnieuw burgers omgekomen, meldden de lokale autoriteiten.",
    "en": "Shelling of Stepanakert killed more civilians on Sunday, local authorities said.",
    "de": "Beim Beschuss von Stepanakert sind am Sonntag erneut Zivilisten ums Leben gekommen.",
    "fr": "De nouveaux bombardements sur Stepanakert ont fait des victimes civiles dimanche.",
    "ru": "В воскресенье в результате обстрела Степанакерта вновь погибли мирные жители.",
}


@pytest.mark.parametrize("code", sorted(ARTICLES))
def test_an_article_and_a_sentence_are_named_in_their_language(code: str) -> None:
    assert detect_language(ARTICLES[code]) == code
    assert detect_sentence_language(ARTICLES[code]) == code


def test_blank_text_is_not_guessed() -> None:
    assert detect_language("  \n ") == ""
    assert detect_sentence_language("") == ""


def test_a_short_written_sentence_is_told_apart() -> None:
    assert detect_sentence_language("De wapenstilstand hield geen dag stand.") == "nl"
    assert detect_sentence_language("The ceasefire did not last a day.") == "en"
