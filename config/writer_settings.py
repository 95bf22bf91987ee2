"""The `[writer]` settings section (`NEWSBOT_WRITER__*`): which model writes answers, and within what limits.

A section of `config.settings.Settings` like the others, kept in its own module
because it carries its own validation (a URL or a file, never both).
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

__all__ = ["WriterSettings"]


class WriterSettings(BaseModel):
    """A model that writes the answer in the asker's language; every sentence is checked before it is posted."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    url: str | None = Field(
        None,
        description="OpenAI-compatible base URL ending in /v1 (Ollama, llama.cpp's server, vLLM, LM Studio) that "
        "writes answers in the question's language; unset (with gguf unset too) keeps quoted answers only.",
    )
    model: str = Field("", description="The model the server at writer.url should use (required with url).")
    api_key: SecretStr | None = Field(
        None, description="Bearer key for writer.url, if the server wants one. Never logged or shown."
    )
    gguf: Path | None = Field(
        None,
        description="A local GGUF model file run inside newsbot with xllamacpp (pip install 'newsbot[local-model]') "
        "instead of a server.",
    )
    timeout_s: float = Field(
        20.0, gt=0, le=120,
        description="Longest wait for a written answer; past it the quoted answer, already posted, stays.",
    )
    max_chars: int = Field(
        600, ge=80, le=1500, description="Longest written answer in characters; sentences past it are left out."
    )

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        url = value.strip().rstrip("/")
        if not re.fullmatch(r"https?://[^\s/?#]+(?:/[^\s?#]*)?", url):
            raise ValueError(f"expected an http(s) base URL such as http://localhost:11434/v1, got {value!r}")
        return url

    @model_validator(mode="after")
    def _one_model(self) -> WriterSettings:
        if self.url and self.gguf:
            raise ValueError("set writer.url or writer.gguf, not both")
        if self.url and not self.model.strip():
            raise ValueError("writer.url needs writer.model (the model name the server knows)")
        return self

    @property
    def enabled(self) -> bool:
        return bool(self.url or self.gguf)
