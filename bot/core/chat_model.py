"""What the writer asks of a language model, whichever runs it: chat messages in, text out, by a deadline.

Two kinds exist: a server speaking the OpenAI chat-completions API
(`bot.core.openai_chat`: Ollama, llama.cpp's server, vLLM, LM Studio) and a
GGUF file run inside the process (`bot.core.gguf_chat`). Either may be slow,
down or talk nonsense; the writer treats every failure the same way (the
quoted answer stays), so both raise one error type with a short reason that
is safe to log (no key, no prompt).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from config.settings import WriterSettings
from index.errors import NewsbotError

__all__ = ["ChatMessage", "ChatModel", "ChatModelError", "REPLY_BYTE_CAP", "open_chat_model"]

log = logging.getLogger(__name__)

REPLY_BYTE_CAP = 64 * 1024
"""Most bytes read from a model's reply: four sentences are a few hundred; anything near this is runaway output."""


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["system", "user", "assistant"]
    content: str

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


class ChatModelError(NewsbotError):
    """The model gave no usable reply in time; the message says why in a few words (never the key)."""


class ChatModel(Protocol):
    """A model that continues a chat. `deadline` is a `time.monotonic()` value it must not run past."""

    @property
    def name(self) -> str: ...

    def complete(self, messages: Sequence[ChatMessage], *, max_tokens: int, deadline: float) -> str: ...


def open_chat_model(settings: WriterSettings) -> ChatModel | None:
    """The configured model, or None (quoted answers only) when none is configured or it cannot be used.

    A GGUF file that is missing, or xllamacpp not installed, is reported in one
    log line here, at start, rather than on every question.
    """
    if settings.url:
        from bot.core.openai_chat import OpenAIChat

        key = settings.api_key.get_secret_value() if settings.api_key else None
        return OpenAIChat(settings.url, settings.model, api_key=key)
    if settings.gguf is not None:
        from bot.core.gguf_chat import GGUFChat, xllamacpp_available

        if not settings.gguf.is_file():
            log.warning("writer.gguf %s is not a file: answers stay quoted", settings.gguf)
            return None
        if not xllamacpp_available():
            log.warning("writer.gguf is set but xllamacpp is not installed (pip install 'newsbot[local-model]'): "
                        "answers stay quoted")
            return None
        return GGUFChat(settings.gguf)
    return None
