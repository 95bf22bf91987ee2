"""The command line as a script uses it: JSON shapes, stdin mode, HTML input, the demo."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import main

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CITATION_FIELDS = {"n", "article_id", "title", "outlet", "url", "source", "published", "date_precision", "language",
                   "paragraph", "text", "score"}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    for name in ("NEWSBOT_CONFIG", "DISCORD_TOKEN", "NEWSBOT_DISCORD__TOKEN"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "data"
    assert main(["--data-dir", str(folder), "ingest", str(ROOT / "data" / "sample")]) == 0
    capsys.readouterr()
    return folder


def test_ask_json_shape_and_month_precision(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(data_dir), "ask", "--json", "Welke drones gebruikte Azerbeidzjan?"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert set(answer) == {"question", "answer", "abstained", "off_topic", "reason", "signals", "citations", "written"}
    assert answer["written"] is None, "no writer is set up: the quoted answer stands"
    assert not answer["abstained"] and answer["citations"]
    assert answer["answer"].endswith("[1]"), "the answer opens with the answering sentence, cited"
    assert [c["n"] for c in answer["citations"]] == list(range(1, len(answer["citations"]) + 1))
    for citation in answer["citations"]:
        assert CITATION_FIELDS <= set(citation)
        if citation["date_precision"] == "month":
            assert len(citation["published"]) == 7
    assert any(c["source"].endswith(".txt") for c in answer["citations"])


def test_ask_stdin_one_json_object_per_line(data_dir: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    questions = "Wat gebeurde er op 10 november 2020?\n\nWho won the 2020 Eurovision song contest?\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(questions))
    assert main(["--data-dir", str(data_dir), "ask", "--json", "-"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    answers = [json.loads(line) for line in lines]
    assert [a["abstained"] for a in answers] == [False, True]


def test_search_status_and_filters(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(data_dir), "search", "--json", "--lang", "de", "Latschin"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all("Latschin" in r["text"] or "Latschin" in r["source"] or r["text"] for r in rows)
    assert main(["--data-dir", str(data_dir), "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["articles"] == 20 and status["index_ok"] and status["languages"]["nl"] == 9
    assert status["oldest"] == "2020-09-27" and status["newest"] == "2024-01-01"


def test_html_files_are_ingested_with_trafilatura(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Convoy reaches Stepanakert</title></head><body><nav>Home | World</nav><article>"
        "<h1>Convoy reaches Stepanakert</h1><p>A Red Cross convoy carrying flour and medicine reached Stepanakert "
        "on Tuesday after weeks of waiting at the Hakari bridge checkpoint, aid officials said.</p>"
        "<p>Residents queued for bread in the centre of the city as the first lorries arrived in the evening.</p>"
        "</article><footer>Contact us</footer></body></html>", encoding="utf-8")
    folder = tmp_path / "data"
    assert main(["--data-dir", str(folder), "ingest", "--json", str(page)]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == 1
    assert main(["--data-dir", str(folder), "search", "--json", "flour convoy"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["source"] == "page.html" and "Home | World" not in rows[0]["text"]


def test_demo_answers_three_questions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert out.count("Q: ") == 3 and "ingested 20 sample articles" in out
    assert out.count("[1] ") >= 3, "each demo question gets a cited answer"


def test_perspectives_and_timeline_commands(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(data_dir), "perspectives", "--json",
                 "How do Baku and Stepanakert describe the shelling of 4 October 2020?"]) == 0
    found = json.loads(capsys.readouterr().out)
    sides = {group["side"] for group in found["sides"]}
    assert {"armenian", "azerbaijani"} <= sides, "the sample's outlet table labels both accounts"
    assert main(["--data-dir", str(data_dir), "timeline", "Lachin corridor", "--json"]) == 0
    timeline = json.loads(capsys.readouterr().out)
    days = [entry["date"] for entry in timeline["entries"]]
    assert days and days == sorted(days)
    assert main(["--data-dir", str(data_dir), "timeline", "Lachin corridor", "--since", "2023-01-01", "--json"]) == 0
    later = json.loads(capsys.readouterr().out)["entries"]
    assert later and all(entry["date"] >= "2023-01" for entry in later)


def test_ingest_with_outlet_and_side_then_remove(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import write_articles

    folder = write_articles(tmp_path / "corpus")
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "ingest", str(folder), "--outlet", "Field Notes", "--side", "armenian"]) == 0
    capsys.readouterr()
    from bot.core.services import open_services
    from config.settings import load_settings

    with open_services(load_settings(data_dir=data)) as services:
        articles = [services.store.articles.article(i) for i in (1, 2, 3)]
        assert {a.outlet for a in articles} == {"Field Notes"}
        assert {services.side_of(a).value for a in articles} == {"armenian"}, "the stored side wins over the table"
    assert main(["--data-dir", str(data), "remove", "--outlet", "Field Notes", "--since", "2023-01-01",
                 "--dry-run", "--json"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert [a["source"] for a in dry["articles"]] == ["blatt--exodus.txt"]
    assert main(["--data-dir", str(data), "remove", "--source", "blatt--exodus.txt"]) == 0
    assert "1 article removed" in capsys.readouterr().out
    assert main(["--data-dir", str(data), "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["articles"] == 2 and status["index_ok"], "SQLite and the vector index agree after removal"
    assert any(line.startswith("daily digest: off") for line in status["schedule"])
    assert main(["--data-dir", str(data), "remove"]) == 2


def test_ask_with_a_writer_quoted_asks_no_model_and_written_posts_only_checked_text(
        data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.core.support_check import load_support_check
    from tests.chat_server import ChatServer, streamed

    question = "Hoeveel mensen vluchtten in september 2023 uit Karabach?"
    with ChatServer() as server:
        server.script(streamed("Na het offensief vluchtten ruim 100.000 Karabach-Armeniërs naar Armenië [1]. "
                               "Volgens Poetin waren het er 5.000 [2]."))
        monkeypatch.setenv("NEWSBOT_WRITER__URL", server.base_url)
        monkeypatch.setenv("NEWSBOT_WRITER__MODEL", "scripted")
        assert main(["--data-dir", str(data_dir), "ask", "--json", "--quoted", question]) == 0
        quoted = json.loads(capsys.readouterr().out)
        assert quoted["written"] is None and quoted["citations"] and server.requests == []
        assert main(["--data-dir", str(data_dir), "ask", "--json", question]) == 0
        answer = json.loads(capsys.readouterr().out)
        if load_support_check() is None:
            assert answer["written"] is None and server.requests == [], "no reader: nothing unchecked is written"
            return
        assert len(server.requests) == 1
        written = answer["written"]
        if written is not None:
            assert answer["answer"] == " ".join(f"{s['text']} " + " ".join(f"[{n}]" for n in s["citations"])
                                                for s in written["sentences"])
            assert {n for s in written["sentences"] for n in s["citations"]} == {c["n"] for c in answer["citations"]}
            assert any("Poetin" in d["text"] and d["why"] for d in written["dropped"])
