"""A Discord API emulator on 127.0.0.1 for end-to-end tests of the real discord.py client.

It speaks enough of Discord's REST API (v10) and gateway (zlib-stream
compressed JSON over a websocket) for a bot to log in, sync its commands,
receive messages and interactions, and answer them. Everything the bot sends
is recorded, checked against Discord's size limits, and can be awaited with a
bounded wait. The client is pointed here by changing only its base URLs
(`patched_discord`), so discord.py runs unmodified otherwise.

Sharding: `shards` is the count GET /gateway/bot recommends. Each shard is one
gateway connection (in one process or several); the guild belongs to shard
`(guild_id >> 22) % shards` as on Discord, which alone receives its events.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import yarl
from aiohttp import WSMsgType, web

__all__ = ["DiscordEmulator", "Recorded", "InteractionRecord", "patched_discord", "connected", "MANAGE_GUILD",
           "ADMINISTRATOR"]

MANAGE_GUILD = 1 << 5
ADMINISTRATOR = 1 << 3
_MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 31)  # view, send, embed, history, use apps
_BOT_PERMISSIONS = _MEMBER_PERMISSIONS | (1 << 38)

LIMITS = {"content": 2000, "embeds": 10, "title": 256, "description": 4096, "fields": 25, "field_name": 256,
          "field_value": 1024, "footer": 2048, "author": 256, "total": 6000}


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    body: Any
    query: dict[str, str]


@dataclass
class _Shard:
    """One gateway connection: its websocket, its zlib stream and its sequence numbers."""

    ws: web.WebSocketResponse
    compressor: Any = field(default_factory=zlib.compressobj)
    sequence: int = 0
    shard_id: int | None = None


@dataclass
class InteractionRecord:
    id: int
    token: str
    channel_id: int
    user_id: int
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    original: dict[str, Any] | None = None
    original_deleted: bool = False

    @property
    def deferred(self) -> bool:
        return any(c["type"] == 5 for c in self.callbacks)

    def messages(self) -> list[dict[str, Any]]:
        """What the user ended up seeing: the original response (if any) then followups."""
        shown = [] if self.original is None or self.original_deleted else [self.original]
        return shown + self.followups


def _json(data: Any, status: int = 200) -> web.Response:
    """JSON with exactly `application/json`, the content type discord.py checks for."""
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


def _timestamp() -> str:
    return datetime.now(UTC).isoformat()


class DiscordEmulator:
    def __init__(self, token: str = "emulator-token", *, shards: int = 1) -> None:
        self.token = token
        self.shards = shards
        self._ids = itertools.count(1_100_000_000_000_000_000)
        self.application_id = self.new_id()
        self.bot_user = {"id": str(self.application_id), "username": "newsbot", "discriminator": "0",
                         "global_name": "newsbot", "avatar": None, "bot": True, "flags": 0}
        self.guild_id = self.new_id()
        self.channels: dict[int, str] = {}
        self.threads: dict[int, dict[str, Any]] = {}
        """Threads created through the API: id -> the channel payload Discord returns."""
        self.users: dict[int, dict[str, Any]] = {}
        self.user_permissions: dict[int, int] = {}
        self.requests: list[Recorded] = []
        self.sent: dict[int, list[dict[str, Any]]] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.commands: dict[str, dict[str, Any]] = {}
        self.violations: list[str] = []
        self.edits: list[tuple[int, dict[str, Any]]] = []
        """Every accepted message edit, in order: (message id, what the PATCH sent)."""
        self.identify: dict[str, Any] | None = None
        """The IDENTIFY of the connection that carries the guild's shard."""
        self.identifies: list[dict[str, Any]] = []
        self._nonces: dict[tuple[int, str], dict[str, Any]] = {}
        self._messages: dict[int, dict[str, Any]] = {}
        self._connections: dict[int, _Shard] = {}
        """Identified gateway connections by shard id."""
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- setup ----------------------------------------------------------------------

    def new_id(self) -> int:
        return next(self._ids)

    def add_channel(self, name: str) -> int:
        channel_id = self.new_id()
        self.channels[channel_id] = name
        return channel_id

    def add_user(self, name: str, *, manage_guild: bool = False) -> int:
        user_id = self.new_id()
        self.users[user_id] = {"id": str(user_id), "username": name, "discriminator": "0", "global_name": name,
                               "avatar": None, "bot": False, "flags": 0}
        self.user_permissions[user_id] = _MEMBER_PERMISSIONS | (MANAGE_GUILD if manage_guild else 0)
        return user_id

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def __aenter__(self) -> DiscordEmulator:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v{version}/{path:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for connection in list(self._connections.values()):
            if not connection.ws.closed:
                await connection.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- waiting -----------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
        """Wait (bounded) until `predicate()` is truthy; the error lists the last requests seen."""
        async def waiter() -> Any:
            async with self._changed:
                while True:
                    value = predicate()
                    if value:
                        return value
                    await self._changed.wait()
        try:
            return await asyncio.wait_for(waiter(), timeout)
        except TimeoutError:
            recent = "\n".join(f"  {r.method} {r.path}" for r in self.requests[-15:])
            raise AssertionError(f"timed out after {timeout} s waiting for {what}; last requests:\n{recent}") from None

    async def wait_ready(self, timeout: float = 30.0) -> None:
        await self.wait_for(lambda: self.identify is not None, timeout, "IDENTIFY")

    # -- gateway ----------------------------------------------------------------------------

    @property
    def guild_shard(self) -> int:
        return (self.guild_id >> 22) % self.shards

    async def _send(self, payload: dict[str, Any], connection: _Shard | None = None) -> None:
        connection = connection or self._connections.get(self.guild_shard)
        assert connection is not None
        data = connection.compressor.compress(json.dumps(payload).encode()) + connection.compressor.flush(
            zlib.Z_SYNC_FLUSH)
        await connection.ws.send_bytes(data)

    async def dispatch(self, event: str, data: dict[str, Any], connection: _Shard | None = None) -> None:
        connection = connection or self._connections.get(self.guild_shard)
        if connection is None or connection.ws.closed:
            raise AssertionError("the bot is not connected to the gateway")
        connection.sequence += 1
        await self._send({"op": 0, "t": event, "s": connection.sequence, "d": data}, connection)

    def _guild_payload(self) -> dict[str, Any]:
        everyone = {"id": str(self.guild_id), "name": "@everyone", "permissions": str(_MEMBER_PERMISSIONS),
                    "position": 0, "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}
        bot_member = {"user": self.bot_user, "roles": [], "joined_at": _timestamp(), "deaf": False, "mute": False,
                      "flags": 0}
        return {
            "id": str(self.guild_id), "name": "Test server", "unavailable": False, "owner_id": str(self.new_id()),
            "roles": [everyone], "emojis": [], "stickers": [], "features": [], "member_count": 2, "large": False,
            "members": [bot_member], "voice_states": [], "presences": [], "threads": list(self.threads.values()),
            "stage_instances": [],
            "guild_scheduled_events": [], "joined_at": _timestamp(), "premium_tier": 0, "mfa_level": 0,
            "verification_level": 0, "explicit_content_filter": 0, "default_message_notifications": 0,
            "nsfw_level": 0, "preferred_locale": "en-US", "afk_timeout": 300, "system_channel_flags": 0,
            "channels": [self._channel_payload(cid, n) for n, cid in enumerate(self.channels) if cid not in self.threads],
        }

    def _channel_payload(self, channel_id: int, position: int = 0) -> dict[str, Any]:
        if channel_id in self.threads:
            return self.threads[channel_id]
        return {"id": str(channel_id), "type": 0, "name": self.channels[channel_id], "position": position,
                "permission_overwrites": [], "guild_id": str(self.guild_id), "nsfw": False, "parent_id": None,
                "rate_limit_per_user": 0}

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        connection = _Shard(ws)
        await self._send({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None}, connection)
        async for message in ws:
            if message.type != WSMsgType.TEXT and message.type != WSMsgType.BINARY:
                break
            payload = json.loads(message.data)
            op = payload.get("op")
            if op == 1:
                await self._send({"op": 11, "d": None, "s": None, "t": None}, connection)
            elif op == 2:
                await self._on_identify(payload["d"], connection)
            elif op == 6:
                await self._send({"op": 9, "d": False, "s": None, "t": None}, connection)
        if connection.shard_id is not None and self._connections.get(connection.shard_id) is connection:
            del self._connections[connection.shard_id]
        return ws

    async def _on_identify(self, data: dict[str, Any], connection: _Shard) -> None:
        if data.get("token", "").removeprefix("Bot ") != self.token:
            await connection.ws.close(code=4004, message=b"Authentication failed.")
            return
        shard_id, count = data.get("shard") or [0, 1]
        if count != self.shards:
            self.violations.append(f"IDENTIFY with {count} shards, Discord recommended {self.shards}")
        connection.shard_id = shard_id
        self._connections[shard_id] = connection
        self.identifies.append(data)
        carries_guild = shard_id == self.guild_shard
        if carries_guild:
            self.identify = data
        await self.dispatch("READY", {
            "v": 10, "user": self.bot_user,
            "guilds": [{"id": str(self.guild_id), "unavailable": True}] if carries_guild else [],
            "session_id": f"emulated-session-{shard_id}", "resume_gateway_url": self.gateway_url,
            "shard": [shard_id, count],
            "application": {"id": str(self.application_id), "flags": 0}, "private_channels": [], "relationships": [],
        }, connection)
        if carries_guild:
            await self.dispatch("GUILD_CREATE", self._guild_payload(), connection)
        await self._notify()

    # -- what a test does --------------------------------------------------------------------

    def _member(self, user_id: int) -> dict[str, Any]:
        return {"user": self.users[user_id], "roles": [], "joined_at": _timestamp(), "deaf": False, "mute": False,
                "flags": 0, "permissions": str(self.user_permissions[user_id])}

    async def send_message(self, channel_id: int, author_id: int, content: str, *, mention_bot: bool = False,
                           reply_to: dict[str, Any] | None = None, ping_reply: bool = True) -> dict:
        """A user posts in a channel or thread. As on Discord, a bot without the message-content intent only
        gets the text of messages that mention it. A reply (`reply_to`) to one of the bot's messages mentions
        the bot unless the user switched the reply ping off (`ping_reply=False`), and then its text is hidden
        too; the message it answers travels along as `referenced_message` either way."""
        pinged_by_reply = reply_to is not None and ping_reply and reply_to["author"]["id"] == self.bot_user["id"]
        mentions = [self.bot_user] if mention_bot or pinged_by_reply else []
        if mention_bot and f"<@{self.application_id}>" not in content:
            content = f"<@{self.application_id}> {content}"
        intents = int((self.identify or {}).get("intents", 0))
        visible = content if (intents & (1 << 15)) or mentions else ""
        member = self._member(author_id)
        member.pop("user")
        message = {
            "id": str(self.new_id()), "channel_id": str(channel_id), "guild_id": str(self.guild_id),
            "author": self.users[author_id], "member": member, "content": visible, "timestamp": _timestamp(),
            "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": mentions,
            "mention_roles": [], "attachments": [], "embeds": [], "pinned": False, "type": 19 if reply_to else 0,
            "flags": 0, "components": [],
        }
        if reply_to is not None:
            message["message_reference"] = {"message_id": reply_to["id"], "channel_id": reply_to["channel_id"],
                                            "guild_id": str(self.guild_id)}
            message["referenced_message"] = reply_to
        self._messages[int(message["id"])] = message
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    def _thread(self, parent_id: int, name: str, owner_id: int) -> dict[str, Any]:
        thread_id = self.new_id()
        thread = {
            "id": str(thread_id), "guild_id": str(self.guild_id), "parent_id": str(parent_id), "owner_id": str(owner_id),
            "name": name[:100], "type": 11, "last_message_id": None, "rate_limit_per_user": 0, "message_count": 0,
            "member_count": 1, "flags": 0, "thread_metadata": {
                "archived": False, "auto_archive_duration": 1440, "archive_timestamp": _timestamp(), "locked": False},
        }
        self.threads[thread_id] = thread
        self.channels[thread_id] = name
        return thread

    def _interaction_base(self, kind: int, channel_id: int, user_id: int, data: dict[str, Any]) -> dict[str, Any]:
        interaction_id = self.new_id()
        token = f"interaction-token-{interaction_id}"
        self.interactions[interaction_id] = InteractionRecord(interaction_id, token, channel_id, user_id)
        return {
            "id": str(interaction_id), "application_id": str(self.application_id), "type": kind, "data": data,
            "guild_id": str(self.guild_id), "channel_id": str(channel_id),
            "channel": self.threads.get(channel_id) or {
                "id": str(channel_id), "type": 0, "guild_id": str(self.guild_id), "name": self.channels[channel_id],
                "position": 0, "permission_overwrites": [], "nsfw": False, "parent_id": None,
                "rate_limit_per_user": 0},
            "member": self._member(user_id), "token": token, "version": 1,
            "app_permissions": str(_BOT_PERMISSIONS), "locale": "en-US", "guild_locale": "en-US",
            "entitlements": [], "authorizing_integration_owners": {"0": str(self.guild_id)}, "context": 0,
            "attachment_size_limit": 10_000_000,
        }

    async def invoke(self, channel_id: int, user_id: int, command: str, **options: Any) -> InteractionRecord:
        """Run a slash command the bot synced: `invoke(ch, user, "ask", question="…")`, or a subcommand
        with a space: `invoke(ch, user, "sources add", url="…", name="…")`."""
        name, _, sub = command.partition(" ")
        schema = self.commands.get(name)
        if schema is None:
            raise AssertionError(f"/{name} was not synced; synced: {sorted(self.commands)}")
        option_schema = schema.get("options", [])
        if sub:
            sub_schema = next(o for o in option_schema if o["name"] == sub)
            option_schema = sub_schema.get("options", [])
        typed = [{"name": k, "type": next(o["type"] for o in option_schema if o["name"] == k), "value": v}
                 for k, v in options.items()]
        if sub:
            typed = [{"name": sub, "type": 1, "options": typed}]
        data = {"id": schema["id"], "name": name, "type": 1, "options": typed, "guild_id": str(self.guild_id)}
        payload = self._interaction_base(2, channel_id, user_id, data)
        await self.dispatch("INTERACTION_CREATE", payload)
        return self.interactions[int(payload["id"])]

    async def click(self, message: dict[str, Any], custom_id: str, user_id: int) -> InteractionRecord:
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self._interaction_base(3, int(message["channel_id"]), user_id, data)
        payload["message"] = message
        await self.dispatch("INTERACTION_CREATE", payload)
        return self.interactions[int(payload["id"])]

    def channel_messages(self, channel_id: int) -> list[dict[str, Any]]:
        return self.sent.get(channel_id, [])

    def message(self, message_id: int | str) -> dict[str, Any]:
        return self._messages[int(message_id)]

    # -- REST ------------------------------------------------------------------------------

    def _check_limits(self, body: dict[str, Any], where: str) -> list[str]:
        problems = []
        if len(body.get("content") or "") > LIMITS["content"]:
            problems.append(f"{where}: content of {len(body['content'])} characters")
        embeds = body.get("embeds") or []
        if len(embeds) > LIMITS["embeds"]:
            problems.append(f"{where}: {len(embeds)} embeds")
        total = 0
        for embed in embeds:
            sizes = {"title": len(embed.get("title") or ""), "description": len(embed.get("description") or ""),
                     "footer": len((embed.get("footer") or {}).get("text") or ""),
                     "author": len((embed.get("author") or {}).get("name") or "")}
            for key, size in sizes.items():
                if size > LIMITS[key]:
                    problems.append(f"{where}: embed {key} of {size} characters")
            fields = embed.get("fields") or []
            if len(fields) > LIMITS["fields"]:
                problems.append(f"{where}: {len(fields)} fields")
            for f in fields:
                if len(f.get("name") or "") > LIMITS["field_name"] or len(f.get("value") or "") > LIMITS["field_value"]:
                    problems.append(f"{where}: field {f.get('name', '')[:30]!r} too long")
                total += len(f.get("name") or "") + len(f.get("value") or "")
            total += sum(sizes.values())
        if total > LIMITS["total"]:
            problems.append(f"{where}: embeds total {total} characters")
        return problems

    async def _body(self, request: web.Request) -> Any:
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":  # type: ignore[union-attr]
                    return json.loads(await part.text())  # type: ignore[union-attr]
            return {}
        if request.can_read_body:
            text = await request.text()
            return json.loads(text) if text else None
        return None

    def _message(self, channel_id: int, body: dict[str, Any], *, flags: int = 0,
                 interaction_id: int | None = None) -> dict[str, Any]:
        message_id = self.new_id()
        message = {
            "id": str(message_id), "channel_id": str(channel_id), "guild_id": str(self.guild_id),
            "author": self.bot_user, "content": body.get("content") or "", "timestamp": _timestamp(),
            "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [], "mention_roles": [],
            "attachments": [], "embeds": body.get("embeds") or [], "pinned": False, "type": 0,
            "flags": flags | int(body.get("flags") or 0), "components": body.get("components") or [],
            "allowed_mentions": body.get("allowed_mentions"), "message_reference": body.get("message_reference"),
            "nonce": body.get("nonce"), "webhook_id": str(self.application_id) if interaction_id else None,
        }
        for optional in ("message_reference", "nonce", "webhook_id"):
            if message[optional] is None:
                del message[optional]
        self._messages[message_id] = message
        return message

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        body = await self._body(request)
        self.requests.append(Recorded(request.method, path, body, dict(request.query)))
        try:
            is_webhook = path.startswith(("/webhooks/", "/interactions/"))
            if not is_webhook and request.headers.get("Authorization") != f"Bot {self.token}":
                return _json({"message": "401: Unauthorized", "code": 0}, status=401)
            return await self._route(request.method, path, body or {}, request)
        finally:
            await self._notify()

    async def _route(self, method: str, path: str, body: Any, request: web.Request) -> web.Response:
        if path in ("/gateway/bot", "/gateway"):
            return _json({"url": self.gateway_url, "shards": self.shards, "session_start_limit": {
                "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}})
        if path == "/users/@me":
            return _json(self.bot_user)
        if path in ("/oauth2/applications/@me", "/applications/@me"):
            return _json({"id": str(self.application_id), "name": "newsbot", "icon": None,
                                  "description": "", "bot_public": True, "bot_require_code_grant": False,
                                  "verify_key": "0" * 64, "flags": 0, "owner": self.users.get(0) or self.bot_user})
        if m := re.fullmatch(r"/applications/\d+(?:/guilds/(\d+))?/commands", path):
            if m.group(1) is not None and int(m.group(1)) != self.guild_id:
                return _json({"message": "Missing Access", "code": 50001}, status=403)  # a server the bot is not in
            if method == "PUT":
                self.commands = {}
                for command in body:
                    command = {**command, "id": str(self.new_id()), "application_id": str(self.application_id),
                               "version": "1"}
                    self.commands[command["name"]] = command
            return _json(list(self.commands.values()))
        if (m := re.fullmatch(r"/channels/(\d+)", path)) and method == "GET":
            # A process whose shard does not carry the guild knows its channels only by asking.
            if int(m.group(1)) not in self.channels:
                return _json({"message": "Unknown Channel", "code": 10003}, status=404)
            return _json(self._channel_payload(int(m.group(1))))
        if m := re.fullmatch(r"/channels/(\d+)/typing", path):
            return web.Response(status=204)
        if m := re.fullmatch(r"/channels/(\d+)/messages", path):
            channel_id = int(m.group(1))
            if channel_id not in self.channels:
                return _json({"message": "Unknown Channel", "code": 10003}, status=404)
            problems = self._check_limits(body, f"POST {path}")
            if problems:
                self.violations.extend(problems)
                return _json({"message": "Invalid Form Body", "code": 50035, "errors": problems}, status=400)
            nonce = body.get("nonce")
            if nonce is not None and body.get("enforce_nonce") and (channel_id, str(nonce)) in self._nonces:
                return _json(self._nonces[(channel_id, str(nonce))])
            message = self._message(channel_id, body)
            self.sent.setdefault(channel_id, []).append(message)
            if nonce is not None:
                self._nonces[(channel_id, str(nonce))] = message
            return _json(message)
        if m := re.fullmatch(r"/channels/(\d+)/messages/(\d+)/threads", path):
            parent_id, message_id = int(m.group(1)), int(m.group(2))
            if parent_id not in self.channels or int(message_id) not in self._messages:
                return _json({"message": "Unknown Message", "code": 10008}, status=404)
            name = str(body.get("name") or "")
            if not 1 <= len(name) <= 100:
                self.violations.append(f"POST {path}: thread name must be 1-100 characters, got {len(name)}")
                return _json({"message": "Invalid Form Body", "code": 50035}, status=400)
            thread = self._thread(parent_id, name, self.application_id)
            self._messages[message_id]["thread"] = thread
            await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
            return _json(thread, status=201)
        if m := re.fullmatch(r"/channels/(\d+)/messages/(\d+)", path):
            message = self._messages.get(int(m.group(2)))
            if message is None:
                return _json({"message": "Unknown Message", "code": 10008}, status=404)
            if method == "PATCH":
                problems = self._check_limits(body, f"PATCH {path}")
                if problems:
                    self.violations.extend(problems)
                    return _json({"message": "Invalid Form Body", "code": 50035, "errors": problems}, status=400)
                self._edit(message, body)
            if method == "DELETE":
                return web.Response(status=204)
            return _json(message)
        if m := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path):
            return self._callback(int(m.group(1)), body)
        if m := re.fullmatch(r"/webhooks/\d+/([^/]+)(?:/messages/(@original|\d+))?", path):
            return self._webhook(method, m.group(1), m.group(2), body)
        return _json({"message": f"404: Not Found ({method} {path})", "code": 0}, status=404)

    def _record_for_token(self, token: str) -> InteractionRecord:
        return next(r for r in self.interactions.values() if r.token == token)

    def _callback(self, interaction_id: int, body: dict[str, Any]) -> web.Response:
        record = self.interactions[interaction_id]
        if record.callbacks:
            return _json({"message": "Interaction has already been acknowledged.", "code": 40060},
                                     status=400)
        kind = int(body.get("type", 0))
        data = body.get("data") or {}
        problems = self._check_limits(data, f"callback {interaction_id}")
        if problems:
            self.violations.extend(problems)
            return _json({"message": "Invalid Form Body", "code": 50035}, status=400)
        record.callbacks.append({"type": kind, "data": data, "flags": int(data.get("flags") or 0)})
        resource: dict[str, Any] = {"type": kind}
        if kind in (4, 5):
            record.original = self._message(record.channel_id, data if kind == 4 else {"flags": data.get("flags")},
                                             interaction_id=interaction_id)
            resource["message"] = record.original
        elif kind == 7:
            resource["message"] = {"id": str(self.new_id()), **data}
        return _json({
            "interaction": {"id": str(interaction_id), "type": 2, "response_message_id":
                            record.original["id"] if record.original else None,
                            "response_message_loading": kind == 5,
                            "response_message_ephemeral": bool(int(data.get("flags") or 0) & 64)},
            "resource": resource,
        })

    def _webhook(self, method: str, token: str, which: str | None, body: dict[str, Any]) -> web.Response:
        record = self._record_for_token(token)
        if which is None and method == "POST":
            problems = self._check_limits(body, f"followup {record.id}")
            if problems:
                self.violations.extend(problems)
                return _json({"message": "Invalid Form Body", "code": 50035}, status=400)
            if record.original is not None and not record.original_deleted and not record.followups and \
                    record.deferred and record.original.get("content") == "" and not record.original.get("embeds"):
                # The first followup after a deferral replaces the "thinking…" message, as on Discord.
                record.original.update({k: v for k, v in body.items() if k in ("content", "embeds", "components", "allowed_mentions")})
                record.followups.append(record.original)
                return _json(record.original)
            message = self._message(record.channel_id, body, interaction_id=record.id)
            record.followups.append(message)
            return _json(message)
        if which == "@original":
            if record.original is None:
                return _json({"message": "Unknown Message", "code": 10008}, status=404)
            if method == "DELETE":
                record.original_deleted = True
                return web.Response(status=204)
            if method == "PATCH":
                problems = self._check_limits(body, f"edit {record.id}")
                if problems:
                    self.violations.extend(problems)
                    return _json({"message": "Invalid Form Body", "code": 50035}, status=400)
                self._edit(record.original, body)
            return _json(record.original)
        message = self._messages.get(int(which)) if which else None
        if message is None:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        if method == "PATCH":
            problems = self._check_limits(body, f"edit {which}")
            if problems:
                self.violations.extend(problems)
                return _json({"message": "Invalid Form Body", "code": 50035}, status=400)
            self._edit(message, body)
        return _json(message)

    def _edit(self, message: dict[str, Any], body: dict[str, Any]) -> None:
        """Apply an edit as Discord does: the fields sent replace the message's, and it is marked edited."""
        message.update({k: v for k, v in body.items() if k in ("content", "embeds", "components", "allowed_mentions")})
        message["edited_timestamp"] = _timestamp()
        self.edits.append((int(message["id"]), body))


@contextmanager
def patched_discord(emulator: DiscordEmulator) -> Iterator[None]:
    """Point discord.py's REST base and default gateway at the emulator for the duration."""
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = f"{emulator.base_url}/api/v10"
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emulator.gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway



@asynccontextmanager
async def connected(emulator: DiscordEmulator, bot: Any) -> AsyncIterator[None]:
    """`bot` (a discord.py client) logged in to the emulator and connected for the duration, closed afterwards."""
    with patched_discord(emulator):
        task: asyncio.Task[None] | None = None
        try:
            await bot.login(emulator.token)
            task = asyncio.create_task(bot.connect(reconnect=False))
            await asyncio.wait_for(bot.wait_until_ready(), 30)
            yield
        finally:
            await bot.close()
            if task is not None:
                await asyncio.wait_for(task, 30)
