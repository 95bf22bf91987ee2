"""A GGUF model run inside the process by xllamacpp (llama.cpp's server code, a prebuilt CPU wheel).

For people with a model file and no model server: `NEWSBOT_WRITER__GGUF=path`.
The reply is streamed token by token into a callback that stops generation at
the deadline or at the byte cap, so the time limit holds while tokens come;
the prompt itself is read before the first token and is kept short (a few
passages) for that reason. One question is written at a time (llama.cpp's
slot is single here); another waits for it only until its own deadline.

xllamacpp's server object also listens on a loopback port; it is given a
random key no one is told, so nothing else on the machine can use it.
"""

from __future__ import annotations

import importlib.util
import logging
import secrets
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.core.chat_model import REPLY_BYTE_CAP, ChatMessage, ChatModelError

__all__ = ["GGUFChat", "xllamacpp_available"]

log = logging.getLogger(__name__)

CONTEXT_TOKENS = 4096
"""Prompt plus reply: five passages of up to ~250 tokens each, the instructions and a short answer fit."""


def xllamacpp_available() -> bool:
    return importlib.util.find_spec("xllamacpp") is not None


class GGUFChat:
    def __init__(self, path: Path, *, threads: int = 0, byte_cap: int = REPLY_BYTE_CAP) -> None:
        """Load the model now (about a second for a small one): a broken file is reported at start."""
        import xllamacpp

        self.path = path
        self.byte_cap = byte_cap
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = CONTEXT_TOKENS
        params.warmup = False
        params.verbosity = 0  # llama.cpp's errors only, not a line per request on stderr
        params.api_keys = [secrets.token_urlsafe(24)]
        if threads > 0:
            params.cpuparams.n_threads = threads
            params.cpuparams_batch.n_threads = threads
        try:
            self._server = xllamacpp.Server(params)
        except Exception as exc:  # llama.cpp reports a bad file as a plain runtime error
            raise ChatModelError(f"cannot load {path.name}: {exc}") from None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.path.name

    def __repr__(self) -> str:
        return f"GGUFChat({self.path.name!r})"

    def complete(self, messages: Sequence[ChatMessage], *, max_tokens: int, deadline: float) -> str:
        if not self._lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise ChatModelError("the local model was busy until the deadline")
        try:
            return self._generate(messages, max_tokens, deadline)
        finally:
            self._lock.release()

    def _generate(self, messages: Sequence[ChatMessage], max_tokens: int, deadline: float) -> str:
        pieces: list[str] = []
        stopped: list[str] = []
        size = 0

        def on_chunk(chunk: Any) -> bool:
            """True stops generation."""
            nonlocal size
            if time.monotonic() > deadline:
                stopped.append("the deadline passed while the model was writing")
                return True
            if not isinstance(chunk, dict) or "error" in chunk:
                stopped.append(_refusal(chunk))
                return True
            choices = chunk.get("choices") or [{}]
            content = (choices[0].get("delta") or {}).get("content") if isinstance(choices[0], dict) else None
            if isinstance(content, str):
                pieces.append(content)
                size += len(content.encode())
                if size > self.byte_cap:
                    stopped.append(f"reply longer than {self.byte_cap} bytes")
                    return True
            return False

        request = {"messages": [m.to_dict() for m in messages], "max_tokens": max_tokens, "temperature": 0,
                   "stream": True}
        try:
            result = self._server.handle_chat_completions(request, on_chunk)
        except Exception as exc:
            raise ChatModelError(f"the local model failed: {type(exc).__name__}") from None
        if isinstance(result, dict) and "error" in result:
            raise ChatModelError(_refusal(result))
        if stopped:
            raise ChatModelError(stopped[0])
        return "".join(pieces)


def _refusal(reply: Any) -> str:
    """llama.cpp's error object in a few words: its type (`exceed_context_size_error`), never the prompt."""
    error = reply.get("error") if isinstance(reply, dict) else None
    kind = error.get("type", "error") if isinstance(error, dict) else "an unreadable reply"
    return f"the local model refused the request ({kind})"
