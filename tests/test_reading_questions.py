"""Unit tests of the pieces that read questions and text for search: analysis, dictionaries, concepts, topic."""

from __future__ import annotations

import logging
import struct
import zlib
from datetime import date
from pathlib import Path

import pytest

from index.input.dates import PublishedDate, find_dates_in_text
from index.search.analysis import analyse, stems
from index.search.lexicon import BilingualDictionary, Lexicon, load_lexicon
from index.search.query import AnswerType, QuestionReader, question_language
from index.search.topic import TopicGate

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _b64(number: int) -> str:
    out = ""
    while True:
        out = B64[number % 64] + out
        number //= 64
        if not number:
            return out


def write_dictionary(folder: Path, name: str, entries: dict[str, str], chunk: int = 64) -> None:
    """A dictd dictionary in dictzip form, small chunks so that entries span chunk boundaries."""
    body = b""
    index_lines = []
    for headword, translations in entries.items():
        entry = f"{headword} /x/\n{translations}\n".encode()
        index_lines.append(f"{headword}\t{_b64(len(body))}\t{_b64(len(entry))}")
        body += entry
    pieces = [body[i:i + chunk] for i in range(0, len(body), chunk)]
    compressed = []
    for piece in pieces:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        compressed.append(packer.compress(piece) + packer.flush(zlib.Z_FULL_FLUSH))
    ra = struct.pack("<HHH", 1, chunk, len(pieces)) + b"".join(struct.pack("<H", len(c)) for c in compressed)
    extra = b"RA" + struct.pack("<H", len(ra)) + ra
    header = b"\x1f\x8b\x08\x04" + b"\x00" * 6 + struct.pack("<H", len(extra)) + extra
    (folder / f"{name}.dict.dz").write_bytes(header + b"".join(compressed))
    (folder / f"{name}.index").write_text("\n".join(sorted(index_lines)) + "\n", encoding="utf-8")


@pytest.fixture
def lexicon(tmp_path: Path) -> Lexicon:
    write_dictionary(tmp_path, "freedict-nld-eng", {
        "gewond": "1. injured, wounded", "kathedraal": "cathedral", "vrede": "peace", "macht": "1. power\n2. force",
        "hamer": "hammer",
    })
    write_dictionary(tmp_path, "freedict-eng-deu", {
        "wounded": "verwundet <adj>, verletzt", "cathedral": "Kathedrale <f>, Dom [relig.]", "hammer": "Hammer",
        "peace": "Frieden", "power": "Macht",
    })
    return load_lexicon(tmp_path)


def test_dictzip_entries_across_chunks_are_read_whole(tmp_path: Path) -> None:
    write_dictionary(tmp_path, "freedict-eng-nld", {f"word{i}": f"vertaling{i}, ander{i}" for i in range(50)}, chunk=32)
    dictionary = BilingualDictionary(tmp_path / "freedict-eng-nld.index", tmp_path / "freedict-eng-nld.dict.dz")
    assert dictionary.lookup("word37") == ("vertaling37", "ander37")
    assert dictionary.lookup("WORD5") == ("vertaling5", "ander5")
    assert dictionary.lookup("missing") == ()


def test_translation_direct_and_through_english(lexicon: Lexicon) -> None:
    found = lexicon.translate("gewond", "nl", ["en", "de", "fr"])
    assert found["en"] == ("injured", "wounded")
    assert "verwundet" in found["de"], "Dutch reaches German through English"
    assert "fr" not in found, "no dictionary, no invented translation"
    assert lexicon.split_compound("vredesmacht", "nl") == ("vrede", "macht")


def test_missing_dictionaries_are_named_in_one_log_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        lexicon = load_lexicon(tmp_path)
    assert not lexicon.available
    assert "dict-freedict-nld-eng" in caplog.text and "apt-get install" in caplog.text
    question = QuestionReader(lexicon).read("Wat gebeurde er met de kathedraal in Sjoesja?")
    words = [c.word for c in question.concepts]
    assert words == ["kathedraal", "sjoesja"], "search still reads the question, with glossary spellings"
    assert ("shusha",) in question.concepts[1].variants


def test_question_concepts_carry_spellings_translations_and_dates(lexicon: Lexicon) -> None:
    question = QuestionReader(lexicon).read("Hoeveel gewonden vielen er op 8 oktober 2020 bij de kathedraal?")
    assert question.language == "nl" and question.answer_type is AnswerType.NUMBER
    assert question.days == (date(2020, 10, 8),)
    concepts = {c.word: c.variants for c in question.concepts}
    assert "oktober" not in concepts and "2020" not in concepts, "dates are matched as dates, not as words"
    assert concepts["gewonden"][("wound",)] < 1.0, "a translation weighs less than the word itself"
    assert ("kathedral",) in concepts["kathedraal"], "German stem of the translation"
    assert question_language("What did Aliyev say about Shusha?") == "en"


def test_analysis_folds_transliterates_and_stems() -> None:
    assert analyse("Агдаме", "ru") == ["agdam"]
    assert analyse("Şuşa, Füzuli", "en") == ["susa", "fuzuli"]
    assert analyse("aanvallen gevangenen", "nl") == ["aanvall", "gevangen"]
    assert "agdam" in stems("Agdam")


def test_days_named_in_text_resolve_against_the_report() -> None:
    report = PublishedDate.day(date(2020, 10, 28))
    assert find_dates_in_text("shelled the hospital on Wednesday", report, "en") == [date(2020, 10, 28)]
    assert find_dates_in_text("struck twice on Oct. 8", report, "en") == [date(2020, 10, 8)]
    assert find_dates_in_text("Am 12. Mai", report, "de") == [date(2020, 5, 12)]
    month_report = PublishedDate.month(2021, 2)
    assert find_dates_in_text("30 января в Агдаме", month_report, "ru") == [date(2021, 1, 30)]
    assert find_dates_in_text("on Sunday", month_report, "en") == [], "no weekday without a known day"
    assert find_dates_in_text("op 5 procent", report, "nl") == []


def test_topic_share_separates_reports_from_distractors() -> None:
    gate = TopicGate("the conflict", ("Karabakh", "Armenia", "Azerbaijan", "Baku"))
    report = analyse("Azerbaijan said its army entered Karabakh; Armenia denied it, officials in Baku said.", "en")
    climate = analyse("The climate talks in Baku ended with a finance deal for poorer countries after long nights "
                      "of bargaining between delegations from every continent and many observers.", "en")
    assert gate.on_topic(gate.density(report))
    assert not gate.on_topic(gate.density(climate))
    assert gate.on_topic(None), "not yet computed counts as on topic"
    assert "bak" not in gate.forms, "short stems would match ordinary words of other languages"
