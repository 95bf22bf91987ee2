"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1, for the writer's tests.

It serves `POST /v1/chat/completions` from `tests.http_server.LoopbackServer`
(a background thread, so it answers while the client under test blocks) with
whatever the test scripted: a streamed or whole completion, an error status,
a malformed stream, a stream that stalls or never ends, a reply of megabytes.
Every request is recorded with its JSON body. Slow replies are bounded on the
server side too: a stall waits on an event the fixture sets when the test
ends (at most `SAFETY_S`), then completes with a *valid* answer, so a client
that failed to give up in time would receive text the test can see.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

from tests.http_server import Handler, LoopbackServer, RecordedRequest, Reply

__all__ = ["ChatServer", "streamed", "whole", "failing", "malformed_stream", "stalled", "endless", "huge_reply",
           "SAFETY_S"]

SAFETY_S = 60.0
"""Longest any scripted reply runs on the server side, whatever the client does."""

_SSE = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}


def _event(content: str | None = None, finish: str | None = None) -> bytes:
    delta = {} if content is None else {"content": content}
    chunk = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "model": "scripted",
             "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"


def _tokens(text: str) -> Iterator[str]:
    """The text in word-sized pieces, as a model streams it."""
    word = ""
    for char in text:
        word += char
        if char == " ":
            yield word
            word = ""
    if word:
        yield word


def streamed(text: str) -> Handler:
    """A well-formed streamed completion of `text`, ending with `[DONE]`."""

    def chunks() -> Iterator[bytes]:
        yield _event("")
        for token in _tokens(text):
            yield _event(token)
        yield _event(finish="stop")
        yield b"data: [DONE]\n\n"

    return lambda _request: Reply(200, _SSE, chunks())


def whole(text: str) -> Handler:
    """A server that ignores `stream` and answers with one JSON object."""
    body = json.dumps({"id": "chatcmpl-test", "object": "chat.completion", "model": "scripted",
                       "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                    "finish_reason": "stop"}]}).encode()
    return lambda _request: Reply(200, {"Content-Type": "application/json", "Content-Length": str(len(body))}, body)


def failing(status: int, body: bytes = b'{"error": {"message": "boom"}}') -> Handler:
    return lambda _request: Reply(status, {"Content-Type": "application/json", "Content-Length": str(len(body))},
                                  body)


def malformed_stream() -> Handler:
    """A stream whose second event is not JSON."""

    def chunks() -> Iterator[bytes]:
        yield _event("Aliyev ")
        yield b"data: {\"choices\": [{\"delta\": {\"content\": \n\n"
        yield b"data: [DONE]\n\n"

    return lambda _request: Reply(200, _SSE, chunks())


def stalled(release: threading.Event, then: str) -> Handler:
    """One token, then nothing until `release` is set (or `SAFETY_S`), then the complete answer `then`."""

    def chunks() -> Iterator[bytes]:
        yield _event("")
        release.wait(SAFETY_S)
        for token in _tokens(then):
            yield _event(token)
        yield b"data: [DONE]\n\n"

    return lambda _request: Reply(200, _SSE, chunks())


def endless(sentence: str, release: threading.Event) -> Handler:
    """`sentence` streamed again and again, until `release` is set (or `SAFETY_S`), then `[DONE]`."""

    def chunks() -> Iterator[bytes]:
        end = time.monotonic() + SAFETY_S
        while not release.is_set() and time.monotonic() < end:
            for token in _tokens(sentence + " "):
                yield _event(token)
        yield b"data: [DONE]\n\n"

    return lambda _request: Reply(200, _SSE, chunks())


def huge_reply(total_bytes: int, sentence: str) -> Handler:
    """A whole JSON completion of `total_bytes`, its content `sentence` repeated, with an honest length."""
    content = (sentence + " ") * (total_bytes // (len(sentence) + 1) + 1)
    body = json.dumps({"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}).encode()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start:start + 64 * 1024]

    return lambda _request: Reply(200, {"Content-Type": "application/json", "Content-Length": str(len(body))},
                                  chunks())


class ChatServer:
    """`with ChatServer() as server:` then `server.script(handler)`; `server.base_url` is the `/v1` base."""

    def __init__(self) -> None:
        self._server = LoopbackServer()
        self.release = threading.Event()
        """Set when the test ends: stalled and endless replies stop."""

    @property
    def base_url(self) -> str:
        return self._server.url("/v1")

    def script(self, handler: Handler) -> None:
        self._server.route("/v1/chat/completions", handler)

    @property
    def requests(self) -> list[RecordedRequest]:
        return [r for r in self._server.requests if r.method == "POST"]

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.body) for r in self.requests]

    def __enter__(self) -> ChatServer:
        self._server.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release.set()
        self._server.__exit__(None, None, None)
