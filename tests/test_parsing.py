from pathlib import Path

from index.errors import InputError
from index.input.chunking import split_paragraphs, split_sentences
from index.input.dates import DatePrecision
from index.input.parsing import ParseOptions, parse_file, parse_seed_text
from index.models import Article


def _one(path: Path, options: ParseOptions | None = None) -> Article | InputError:
    results = parse_file(path, options)
    assert len(results) == 1
    return results[0]


def test_seed_format_lead_is_paragraph_zero_and_title_defaults_to_first_sentence() -> None:
    text = "  date 2020-09 De gevechten laaiden zondag op. Beide kanten meldden doden.\n\nTweede alinea.\n\n\nDerde.\n"
    article = parse_seed_text(text, source="x.txt")
    assert article.paragraphs == ("De gevechten laaiden zondag op. Beide kanten meldden doden.", "Tweede alinea.", "Derde.")
    assert article.title == "De gevechten laaiden zondag op."
    assert article.published.precision is DatePrecision.MONTH
    assert article.language == "nl"


def test_header_lines_give_title_outlet_url(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("title: T\noutlet: O\nurl: https://example.org/a\nlanguage: en\ndate 2020-10-04 Lead.\n\nMore.\n")
    article = _one(path)
    assert isinstance(article, Article)
    assert (article.title, article.outlet, article.url, article.source) == ("T", "O", "https://example.org/a", "a.txt")


def test_outlet_from_file_name(tmp_path: Path) -> None:
    path = tmp_path / "het-avondblad--aanval.txt"
    path.write_text("date 2020-10-04 Er was een aanval op de stad.\n")
    article = _one(path)
    assert isinstance(article, Article) and article.outlet == "het avondblad"


def test_bad_inputs_each_get_a_reason_naming_the_file(tmp_path: Path) -> None:
    cases = {
        "empty.txt": b"   \n",
        "nodate.txt": b"Just text without a date line.\n",
        "baddate.txt": b"date 2020-02-30 Lead.\n",
        "binary.txt": b"date 2020-01-01 \x00\x01\x02",
        "latin1.txt": "date 2020-01-01 caf\u00e9".encode("latin-1"),
        "doc.pdf": b"%PDF-1.4",
    }
    reasons = {}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        result = _one(tmp_path / name)
        assert isinstance(result, InputError), name
        assert str(result).startswith(name)
        reasons[name] = result.reason
    assert reasons["empty.txt"] == "empty file"
    assert "date YYYY-MM" in reasons["nodate.txt"]
    assert "2020-02-30" in reasons["baddate.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert "unsupported file type" in reasons["doc.pdf"]


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("date 2020-01-01 " + "word " * 100)
    result = _one(path, ParseOptions(max_file_bytes=100))
    assert isinstance(result, InputError) and "ingest.max_file_bytes" in result.reason


def test_jsonl_bad_line_does_not_spoil_the_others(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(
        '{"title": "A", "url": "https://example.org/a", "outlet": "O", "published": "2020-10-04", "language": "en",'
        ' "text": "First.\\n\\nSecond."}\n'
        "not json\n"
        '{"title": "B", "text": ""}\n'
    )
    results = parse_file(path)
    assert isinstance(results[0], Article) and results[0].paragraphs == ("First.", "Second.")
    assert results[0].source == "https://example.org/a"
    assert isinstance(results[1], InputError) and "line 2" in str(results[1])
    assert isinstance(results[2], InputError) and "'text'" in str(results[2])


def test_sentences_respect_abbreviations_and_quotes() -> None:
    assert split_sentences("Dhr. Aliyev sprak. „Wij winnen”, zei hij. Dat is 3.5 procent.") == [
        "Dhr. Aliyev sprak.",
        "„Wij winnen”, zei hij.",
        "Dat is 3.5 procent.",
    ]


def test_day_ordinals_do_not_end_a_sentence() -> None:
    text = "Der Gerichtshof hatte am 22. Februar entschieden. Baku reagierte nicht."
    assert split_sentences(text) == ["Der Gerichtshof hatte am 22. Februar entschieden.", "Baku reagierte nicht."]


def test_overlong_paragraph_is_cut_at_sentences() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(100))
    parts = split_paragraphs(text, limit=200)
    assert len(parts) > 5 and all(len(p) <= 200 for p in parts)
    assert " ".join(parts) == text
