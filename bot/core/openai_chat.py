"""A chat model behind the OpenAI chat-completions API (Ollama, llama.cpp's server, vLLM, LM Studio).

One POST to `{base}/chat/completions` with `stream: true`. The whole exchange,
connecting included, runs under one asyncio deadline, so a server that
accepts and then stalls, trickles or streams forever is cut off on time; the
reply is read in chunks and refused past a byte cap, so a 5 MB answer is never
held in memory. A server that ignores `stream` and answers with one JSON
object is read the same way. Every failure becomes a `ChatModelError` whose
message names the status or the problem, never the key.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.core.chat_model import REPLY_BYTE_CAP, ChatMessage, ChatModelError

__all__ = ["OpenAIChat"]


class OpenAIChat:
    def __init__(self, base_url: str, model: str, *, api_key: str | None = None,
                 byte_cap: int = REPLY_BYTE_CAP) -> None:
        self.endpoint = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self._api_key = api_key
        self.byte_cap = byte_cap
        parts = urlsplit(base_url)
        self._where = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")

    @property
    def name(self) -> str:
        """The model and the server's address, without any credentials a URL might carry."""
        return f"{self.model} at {self._where}"

    def __repr__(self) -> str:
        return f"OpenAIChat({self.name!r})"

    def complete(self, messages: Sequence[ChatMessage], *, max_tokens: int, deadline: float) -> str:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ChatModelError("no time left to ask the model")
        body = {"model": self.model, "messages": [m.to_dict() for m in messages], "max_tokens": max_tokens,
                "temperature": 0, "stream": True}
        try:
            return asyncio.run(self._exchange(body, remaining))
        except TimeoutError:
            raise ChatModelError(f"no complete reply within {remaining:.1f} s") from None
        except httpx.HTTPError as exc:
            raise ChatModelError(f"{type(exc).__name__} talking to {self._where}") from None

    async def _exchange(self, body: dict[str, Any], seconds: float) -> str:
        headers = {"Accept": "text/event-stream, application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        async with asyncio.timeout(seconds):
            async with httpx.AsyncClient(timeout=httpx.Timeout(seconds), follow_redirects=False) as client:
                async with client.stream("POST", self.endpoint, json=body, headers=headers) as response:
                    if response.status_code != 200:
                        raise ChatModelError(f"HTTP {response.status_code} from {self._where}")
                    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                    if kind == "text/event-stream":
                        return await self._read_events(response)
                    return _content_of_reply(await self._read_all(response))

    async def _capped(self, response: httpx.Response) -> AsyncIterator[bytes]:
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.byte_cap:
                raise ChatModelError(f"reply longer than {self.byte_cap} bytes")
            yield chunk

    async def _read_all(self, response: httpx.Response) -> bytes:
        return b"".join([chunk async for chunk in self._capped(response)])

    async def _read_events(self, response: httpx.Response) -> str:
        """Server-sent events: `data: {json}` lines with a content delta each, until `data: [DONE]` or the end."""
        pieces: list[str] = []
        pending = b""
        async for chunk in self._capped(response):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if _event_data(line, pieces) is _DONE:
                    return "".join(pieces)
        _event_data(pending, pieces)
        return "".join(pieces)


_DONE = object()


def _event_data(line: bytes, pieces: list[str]) -> object:
    """Add the content of one event line to `pieces`; `_DONE` at the end marker."""
    line = line.strip()
    if not line.startswith(b"data:"):
        return None  # blank separators, comments (": ping"), event names
    payload = line[5:].strip()
    if payload == b"[DONE]":
        return _DONE
    try:
        event = json.loads(payload)
    except ValueError:
        raise ChatModelError("malformed event in the reply stream") from None
    if isinstance(event, dict) and "error" in event:
        raise ChatModelError("the server reported an error in the stream")
    try:
        delta = event["choices"][0].get("delta") or {}
    except (KeyError, IndexError, TypeError, AttributeError):
        raise ChatModelError("stream event without choices") from None
    content = delta.get("content") if isinstance(delta, dict) else None
    if content is not None and not isinstance(content, str):
        raise ChatModelError("stream event whose content is not text")
    if content:
        pieces.append(content)
    return None


def _content_of_reply(raw: bytes) -> str:
    """`choices[0].message.content` of a whole (non-streamed) reply."""
    try:
        reply = json.loads(raw)
        content = reply["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise ChatModelError("malformed JSON reply") from None
    if not isinstance(content, str):
        raise ChatModelError("reply whose content is not text")
    return content
