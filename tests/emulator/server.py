"""An in-process emulator of Discord's REST API (v10) and gateway, for end-to-end tests of a discord.py bot.

The machine the tests run on has no internet, so the real, unmodified discord.py client talks to this
server on 127.0.0.1 instead (see `patching.patched_discord`, which only swaps base URLs). The emulator:

* keeps a small world (guilds, channels, users with or without Manage Server) that a test builds;
* speaks the gateway the way discord.py expects it (HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats,
  RESUME, zlib-stream transport compression with one compressor per connection);
* answers the REST routes a bot uses, records every request, and checks what the bot sends against
  Discord's limits, answering 400 / code 50035 exactly where Discord would;
* lets a test act as a user: post a message, run a slash command, click a button, submit a modal;
* offers bounded waits (`wait_for`) so a test never hangs.

Everything the emulator serves is shaped after what Discord sends (and what discord.py's parsers read);
comments say where a detail matters to discord.py.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import re
import secrets
import socket
import time
import traceback
import zlib
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

__all__ = [
    "ADMINISTRATOR",
    "ALL_PERMISSIONS",
    "BOT_PERMISSIONS",
    "EVERYONE_PERMISSIONS",
    "INTENT_GUILD_MEMBERS",
    "INTENT_GUILD_MESSAGES",
    "INTENT_GUILD_PRESENCES",
    "INTENT_GUILDS",
    "INTENT_MESSAGE_CONTENT",
    "MANAGE_GUILD",
    "MANAGE_MESSAGES",
    "SEND_MESSAGES",
    "CallbackRecord",
    "DiscordEmulator",
    "GatewayEvent",
    "InteractionRecord",
    "LimitViolation",
    "RecordedRequest",
    "validate_commands",
    "validate_message",
]

JSON = dict[str, Any]
T = TypeVar("T")

# --- Discord constants -------------------------------------------------------------------------------------

DISCORD_EPOCH_MS = 1_420_070_400_000

CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_EXTERNAL_EMOJIS = 1 << 18
CHANGE_NICKNAME = 1 << 26
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1

EVERYONE_PERMISSIONS = (
    CREATE_INSTANT_INVITE | ADD_REACTIONS | VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES
    | READ_MESSAGE_HISTORY | USE_EXTERNAL_EMOJIS | CHANGE_NICKNAME | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)
"""What @everyone may do in an emulated guild: an ordinary member's rights."""
BOT_PERMISSIONS = EVERYONE_PERMISSIONS
"""The bot's managed role: what a typical invite link grants (view, send, embed, attach, history, reactions)."""

INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# Application flags that say a privileged intent is switched on in the developer portal (unverified app).
_APP_FLAG_FOR_INTENT = {INTENT_GUILD_PRESENCES: 1 << 13, INTENT_GUILD_MEMBERS: 1 << 15, INTENT_MESSAGE_CONTENT: 1 << 19}

MESSAGE_FLAG_SUPPRESS_EMBEDS = 1 << 2
MESSAGE_FLAG_EPHEMERAL = 1 << 6
MESSAGE_FLAG_LOADING = 1 << 7
MESSAGE_FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
MESSAGE_FLAG_COMPONENTS_V2 = 1 << 15

OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE, OP_VOICE_STATE = 0, 1, 2, 3, 4
OP_RESUME, OP_RECONNECT, OP_REQUEST_MEMBERS, OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 6, 7, 8, 9, 10, 11

INTERACTION_COMMAND, INTERACTION_COMPONENT, INTERACTION_AUTOCOMPLETE, INTERACTION_MODAL = 2, 3, 4, 5
CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE, CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE_MESSAGE = 4, 5, 6, 7
CALLBACK_AUTOCOMPLETE, CALLBACK_MODAL = 8, 9
_CALLBACKS_ALLOWED = {
    INTERACTION_COMMAND: {CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE, CALLBACK_MODAL},
    INTERACTION_COMPONENT: {CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE, CALLBACK_DEFERRED_UPDATE,
                            CALLBACK_UPDATE_MESSAGE, CALLBACK_MODAL},
    INTERACTION_MODAL: {CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE, CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE_MESSAGE},
    INTERACTION_AUTOCOMPLETE: {CALLBACK_AUTOCOMPLETE},
}

# Option types of application commands.
OPT_SUB_COMMAND, OPT_SUB_COMMAND_GROUP, OPT_STRING, OPT_INTEGER, OPT_BOOLEAN = 1, 2, 3, 4, 5
OPT_USER, OPT_CHANNEL, OPT_ROLE, OPT_MENTIONABLE, OPT_NUMBER, OPT_ATTACHMENT = 6, 7, 8, 9, 10, 11

# Message limits (https://discord.com/developers/docs/resources/message#create-message and the embed limits).
CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
FILES_MAX = 10
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


# --- small helpers -----------------------------------------------------------------------------------------


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


class _Snowflakes:
    """Snowflakes built from the current time, as Discord's are.

    discord.py derives `created_at` from an id (e.g. `Interaction.is_expired()` compares it with now), so ids
    must carry a realistic timestamp rather than being arbitrary counters.
    """

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last


class _Signal:
    """Wakes every waiter whenever something changed; `notify()` is synchronous so any code path can call it."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait(self, timeout: float) -> None:
        """Return on the next notify, or after `timeout` seconds at the latest."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait([waiter], timeout=timeout)
        finally:
            self._waiters.discard(waiter)
            waiter.cancel()


def _json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    # discord.py parses a body as JSON only if Content-Type is exactly "application/json" (no charset), so
    # aiohttp's web.json_response ("application/json; charset=utf-8") would be read as plain text.
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=json.dumps(data).encode(), status=status, headers=all_headers)


def _error(status: int, code: int, message: str, errors: JSON | None = None) -> web.Response:
    body: JSON = {"message": message, "code": code}
    if errors:
        body["errors"] = errors
    return _json_response(body, status)


def _nest_errors(problems: Iterable[tuple[str, str, str]]) -> JSON:
    """Turn ("embeds.0.title", code, message) triples into Discord's nested `errors` object."""
    root: JSON = {}
    for path, code, message in problems:
        node = root
        for part in path.split("."):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return root


def _snowflake(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a snowflake, got {value!r}") from None


# --- records a test reads ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    """One REST request the bot made, with the emulator's answer."""

    method: str
    path: str  # relative to the API root, e.g. "/channels/123/messages"
    route: str | None  # the matched template, e.g. "/channels/{channel_id}/messages"; None for unknown routes
    query: dict[str, str]
    json: Any  # the JSON body, or `payload_json` of a multipart body
    files: list[JSON]  # multipart file parts: name, filename, content_type, size
    status: int
    response: Any
    injected: bool = False  # the answer came from `fail_next`

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status}"


@dataclass(frozen=True)
class LimitViolation:
    """Something the bot sent that Discord would reject (and the emulator did reject)."""

    method: str
    path: str
    field: str  # e.g. "embeds.0.fields.3.value"
    code: str  # Discord's error code, e.g. "BASE_TYPE_MAX_LENGTH"
    message: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}: {self.field}: {self.message} ({self.code})"


@dataclass(frozen=True)
class GatewayEvent:
    """A dispatch (op 0) the emulator queued for the bot."""

    name: str
    seq: int
    data: JSON


@dataclass(frozen=True)
class CallbackRecord:
    """One `POST /interactions/{id}/{token}/callback` the emulator accepted."""

    type: int  # 4 message, 5 deferred message, 6 deferred update, 7 update message, 8 autocomplete, 9 modal
    data: JSON

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & MESSAGE_FLAG_EPHEMERAL)


@dataclass(eq=False)
class _StoredMessage:
    """A message in the emulated world; `data` is exactly what Discord would serve for it."""

    data: JSON
    origin: str  # "user", "channel" (bot via REST), "interaction" (callback), "followup"
    allowed_mentions: JSON | None = None
    interaction_id: int | None = None
    files: list[JSON] = field(default_factory=list)
    deleted: bool = False
    edits: list[JSON] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.data["id"])

    @property
    def channel_id(self) -> int:
        return int(self.data["channel_id"])

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(int(self.data.get("flags") or 0) & MESSAGE_FLAG_LOADING)

    def payload(self) -> JSON:
        """A snapshot of what Discord serves (later edits must not change an event already queued)."""
        return copy.deepcopy(self.data)

    def view(self) -> JSON:
        """What a test reads: the served message plus what the bot asked for that Discord doesn't echo back."""
        view = self.payload()
        if self.allowed_mentions is not None:
            view["allowed_mentions"] = copy.deepcopy(self.allowed_mentions)
        if self.deleted:
            view["deleted"] = True
        return view


@dataclass(eq=False)
class InteractionRecord:
    """An interaction the emulator created, and everything the bot did to answer it.

    The record is live: the emulator updates it as requests arrive, so a test can hold it and wait on it.
    """

    id: int
    token: str
    type: int  # 2 command, 3 component, 4 autocomplete, 5 modal submit
    name: str  # command path ("sources add") or the component's / modal's custom_id
    guild_id: int
    channel_id: int
    user_id: int
    payload: JSON  # the INTERACTION_CREATE data as sent
    responses: list[CallbackRecord] = field(default_factory=list)
    edits: list[JSON] = field(default_factory=list)  # PATCH bodies for @original and followups, in order
    delivered_at: float | None = None  # loop time the bot received it (the 3-second clock starts here)
    _original: _StoredMessage | None = None
    _followups: list[_StoredMessage] = field(default_factory=list)
    _source: _StoredMessage | None = None  # the message a component / modal interaction came from

    @property
    def response(self) -> CallbackRecord | None:
        """The (single) callback, or None while unanswered."""
        return self.responses[0] if self.responses else None

    @property
    def deferred(self) -> bool:
        return any(r.type in (CALLBACK_DEFERRED_MESSAGE, CALLBACK_DEFERRED_UPDATE) for r in self.responses)

    @property
    def ephemeral(self) -> bool:
        return any(r.ephemeral for r in self.responses)

    @property
    def original(self) -> JSON | None:
        """The current @original message (after edits), or None if there is none or it was deleted."""
        if self._original is None or self._original.deleted:
            return None
        return self._original.view()

    @property
    def followups(self) -> list[JSON]:
        """Followup messages in order. After a deferral the first followup fills in the loading message,
        so it has the @original's id."""
        return [m.view() for m in self._followups]

    @property
    def messages(self) -> list[JSON]:
        """What the user ends up seeing for this interaction: @original then followups, no duplicates,
        deleted ones left out."""
        seen: set[int] = set()
        shown: list[JSON] = []
        for message in ([self._original] if self._original else []) + self._followups:
            if message.id not in seen and not message.deleted:
                seen.add(message.id)
                shown.append(message.view())
        return shown

    @property
    def modal(self) -> JSON | None:
        """The modal the bot opened (callback type 9), if any."""
        return next((r.data for r in reversed(self.responses) if r.type == CALLBACK_MODAL), None)

    @property
    def choices(self) -> list[JSON] | None:
        """The autocomplete choices the bot offered (callback type 8), if any."""
        response = next((r for r in self.responses if r.type == CALLBACK_AUTOCOMPLETE), None)
        return None if response is None else list(response.data.get("choices") or [])


# --- the world -----------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _User:
    id: int
    name: str
    bot: bool = False
    manage_guild: bool = False
    administrator: bool = False
    guild_ids: set[int] | None = None  # None: a member of every guild

    def payload(self) -> JSON:
        return {"id": str(self.id), "username": self.name, "discriminator": "0",
                "global_name": None if self.bot else self.name,
                "avatar": None, "bot": self.bot, "system": False, "public_flags": 0, "flags": 0, "banner": None,
                "accent_color": None, "avatar_decoration_data": None}


@dataclass(eq=False)
class _Channel:
    id: int
    guild_id: int
    name: str
    position: int
    topic: str | None = None
    bot_can_send: bool = True
    type: int = 0  # GUILD_TEXT


@dataclass(eq=False)
class _Guild:
    id: int
    name: str
    owner_id: int
    manager_role_id: int
    admin_role_id: int
    bot_role_id: int
    joined_at: str
    channel_ids: list[int] = field(default_factory=list)

    @property
    def everyone_role_id(self) -> int:
        return self.id  # @everyone's id is the guild's id


@dataclass(eq=False)
class _Session:
    """A gateway session: survives a dropped connection so the bot can RESUME and get what it missed."""

    id: str
    identify: JSON
    intents: int
    shard: tuple[int, int]
    log: list[JSON] = field(default_factory=list)  # every dispatch, seq = index + 1
    delivered_seq: int = 0
    ready_seq: int = 0  # the seq of the last GUILD_CREATE that follows READY
    resumes: int = 0
    invalidated: bool = False
    connection: _Connection | None = None

    def append(self, name: str, data: JSON) -> int:
        seq = len(self.log) + 1
        self.log.append({"op": OP_DISPATCH, "t": name, "s": seq, "d": copy.deepcopy(data)})
        return seq


@dataclass(eq=False)
class _Connection:
    ws: web.WebSocketResponse
    path: str
    query: dict[str, str]
    compression: str | None
    compressor: Any = None
    session: _Session | None = None
    next_index: int = 0  # index into session.log of the next dispatch to send
    closed: bool = False
    heartbeats: int = 0
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pump: asyncio.Task[None] | None = None


_Handler = Callable[[web.Request, JSON, Any, list[JSON]], Awaitable[web.StreamResponse]]
"""A REST handler: (request, path parameters, JSON body or payload_json, uploaded file parts) -> response."""


@dataclass(frozen=True)
class _Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: _Handler
    auth: bool  # webhook-token routes (interaction callbacks, followups) carry no bot token


@dataclass
class _InjectedFailure:
    method: str
    path: re.Pattern[str]
    status: int
    body: JSON
    headers: dict[str, str]
    times: int


# --- validation of what the bot sends ------------------------------------------------------------------------

Problems = list[tuple[str, str, str]]


def _check_length(problems: Problems, path: str, value: Any, maximum: int, *, minimum: int = 0) -> int:
    """Append a problem if `value` is not a string within bounds; return its length (0 if absent)."""
    if value is None:
        if minimum:
            problems.append((path, "BASE_TYPE_REQUIRED", "This field is required"))
        return 0
    if not isinstance(value, str):
        problems.append((path, "BASE_TYPE_STRING", "Value must be a string."))
        return 0
    if len(value) > maximum:
        problems.append((path, "BASE_TYPE_MAX_LENGTH", f"Must be {maximum} or fewer in length."))
    elif len(value) < minimum:
        code = "BASE_TYPE_REQUIRED" if not value else "BASE_TYPE_MIN_LENGTH"
        message = "This field is required" if not value else f"Must be {minimum} or more in length."
        problems.append((path, code, message))
    return len(value)


def _check_url(problems: Problems, path: str, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not re.match(r"^(https?|attachment)://\S+$", value):
        problems.append((path, "URL_TYPE_INVALID_URL", "Not a well formed URL."))


def _check_embeds(problems: Problems, embeds: Any) -> None:
    if not isinstance(embeds, list):
        problems.append(("embeds", "BASE_TYPE_ARRAY", "Must be an array."))
        return
    if len(embeds) > EMBEDS_MAX:
        problems.append(("embeds", "BASE_TYPE_MAX_LENGTH", f"Must be {EMBEDS_MAX} or fewer in length."))
    total = 0
    for index, embed in enumerate(embeds):
        at = f"embeds.{index}"
        if not isinstance(embed, dict):
            problems.append((at, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"))
            continue
        total += _check_length(problems, f"{at}.title", embed.get("title"), EMBED_TITLE_MAX)
        total += _check_length(problems, f"{at}.description", embed.get("description"), EMBED_DESCRIPTION_MAX)
        _check_url(problems, f"{at}.url", embed.get("url"))
        color = embed.get("color")
        if color is not None and not (isinstance(color, int) and 0 <= color <= 0xFFFFFF):
            problems.append((f"{at}.color", "NUMBER_TYPE_MAX", "int value should be <= 16777215 and >= 0."))
        if embed.get("timestamp") is not None:
            try:
                datetime.fromisoformat(str(embed["timestamp"]))
            except ValueError:
                problems.append((f"{at}.timestamp", "DATE_TYPE_PARSE", "Could not parse timestamp."))
        footer = embed.get("footer")
        if footer is not None:
            total += _check_length(problems, f"{at}.footer.text", footer.get("text"), EMBED_FOOTER_MAX, minimum=1)
            _check_url(problems, f"{at}.footer.icon_url", footer.get("icon_url"))
        author = embed.get("author")
        if author is not None:
            total += _check_length(problems, f"{at}.author.name", author.get("name"), EMBED_AUTHOR_MAX, minimum=1)
            _check_url(problems, f"{at}.author.url", author.get("url"))
            _check_url(problems, f"{at}.author.icon_url", author.get("icon_url"))
        for key in ("image", "thumbnail"):
            if embed.get(key) is not None:
                _check_url(problems, f"{at}.{key}.url", embed[key].get("url"))
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_MAX:
            problems.append((f"{at}.fields", "BASE_TYPE_MAX_LENGTH", f"Must be {EMBED_FIELDS_MAX} or fewer in length."))
        for number, embed_field in enumerate(fields):
            where = f"{at}.fields.{number}"
            total += _check_length(problems, f"{where}.name", embed_field.get("name"), EMBED_FIELD_NAME_MAX, minimum=1)
            total += _check_length(problems, f"{where}.value", embed_field.get("value"), EMBED_FIELD_VALUE_MAX,
                                   minimum=1)
    if total > EMBED_TOTAL_MAX:
        problems.append(("embeds", "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}"))


def _walk_components(components: Iterable[JSON]) -> Iterator[JSON]:
    """Every component, at any depth (action rows, containers, sections' accessories, labels)."""
    for component in components or []:
        yield component
        yield from _walk_components(component.get("components") or [])
        for key in ("accessory", "component"):
            if isinstance(component.get(key), dict):
                yield from _walk_components([component[key]])


def _check_components(problems: Problems, components: Any, *, v2: bool) -> None:
    if not isinstance(components, list):
        problems.append(("components", "BASE_TYPE_ARRAY", "Must be an array."))
        return
    if not v2:
        if len(components) > 5:
            problems.append(("components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."))
        for row_index, row in enumerate(components):
            if row.get("type") != 1:
                problems.append((f"components.{row_index}.type", "UNION_TYPE_CHOICES",
                                 "Top-level components must be action rows unless the message uses components v2."))
                continue
            children = row.get("components") or []
            buttons = [c for c in children if c.get("type") == 2]
            if not children or len(children) > 5 or (len(buttons) != len(children) and len(children) != 1):
                problems.append((f"components.{row_index}.components", "BASE_TYPE_BAD_LENGTH",
                                 "Must be between 1 and 5 buttons, or one select menu."))
    elif len(list(_walk_components(components))) > 40:
        problems.append(("components", "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in length."))
    seen: set[str] = set()
    for component in _walk_components(components):
        custom_id = component.get("custom_id")
        kind = component.get("type")
        if kind == 2:
            _check_length(problems, "components.label", component.get("label"), 80)
            if component.get("style") == 5:
                _check_url(problems, "components.url", component.get("url"))
            elif component.get("style") != 6 and custom_id is None:
                problems.append(("components.custom_id", "BASE_TYPE_REQUIRED", "This field is required"))
        if kind in (3, 5, 6, 7, 8):
            options = component.get("options")
            if kind == 3 and not (isinstance(options, list) and 1 <= len(options) <= 25):
                problems.append(("components.options", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length."))
            _check_length(problems, "components.placeholder", component.get("placeholder"), 150)
        if custom_id is not None:
            _check_length(problems, "components.custom_id", custom_id, 100, minimum=1)
            if custom_id in seen:
                problems.append(("components.custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED",
                                 "Component custom id cannot be duplicated"))
            seen.add(custom_id)


def _check_allowed_mentions(problems: Problems, allowed: Any) -> None:
    if allowed is None:
        return
    parse = allowed.get("parse") or []
    for kind in ("users", "roles"):
        if kind in parse and allowed.get(kind):
            problems.append((f"allowed_mentions.{kind}", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                             f"parse:[\"{kind}\"] and {kind}: [ids...] are mutually exclusive."))
        if len(allowed.get(kind) or []) > 100:
            problems.append((f"allowed_mentions.{kind}", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length."))


def validate_message(body: JSON, *, file_count: int = 0) -> Problems:
    """Problems Discord would report (as 50035 Invalid Form Body) for a message body, created or edited
    (an edit's absent fields keep their values, so the same field rules apply). The "empty message" rule
    (code 50006) applies to creates only and is checked separately by `_is_empty`."""
    problems: Problems = []
    flags = int(body.get("flags") or 0)
    v2 = bool(flags & MESSAGE_FLAG_COMPONENTS_V2)
    content = body.get("content")
    if content is not None:
        _check_length(problems, "content", content, CONTENT_MAX)
        if v2 and content:
            problems.append(("content", "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                             "The 'content' field cannot be used when using MessageFlags.IS_COMPONENTS_V2"))
    if body.get("embeds") is not None:
        _check_embeds(problems, body["embeds"])
        if v2 and body["embeds"]:
            problems.append(("embeds", "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                             "The 'embeds' field cannot be used when using MessageFlags.IS_COMPONENTS_V2"))
    if body.get("components") is not None:
        _check_components(problems, body["components"], v2=v2)
    _check_allowed_mentions(problems, body.get("allowed_mentions"))
    if body.get("nonce") is not None and len(str(body["nonce"])) > 25:
        problems.append(("nonce", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    if file_count > FILES_MAX:
        problems.append(("files", "BASE_TYPE_MAX_LENGTH", f"Must be {FILES_MAX} or fewer in length."))
    return problems


def _is_empty(body: JSON, file_count: int) -> bool:
    """Discord refuses (50006) a message with nothing to show; whitespace-only content counts as nothing."""
    return not (str(body.get("content") or "").strip() or body.get("embeds") or body.get("components")
                or body.get("sticker_ids") or body.get("poll") or body.get("attachments") or file_count)


def validate_modal(data: JSON) -> Problems:
    problems: Problems = []
    _check_length(problems, "data.title", data.get("title"), 45, minimum=1)
    _check_length(problems, "data.custom_id", data.get("custom_id"), 100, minimum=1)
    components = data.get("components") or []
    if not 1 <= len(components) <= 5:
        problems.append(("data.components", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."))
    for component in _walk_components(components):
        if component.get("type") == 4:
            _check_length(problems, "data.components.custom_id", component.get("custom_id"), 100, minimum=1)
            _check_length(problems, "data.components.placeholder", component.get("placeholder"), 100)
            _check_length(problems, "data.components.value", component.get("value"), 4000)
        if component.get("type") == 18:
            _check_length(problems, "data.components.label", component.get("label"), 45, minimum=1)
    return problems


def validate_choices(data: JSON) -> Problems:
    problems: Problems = []
    choices = data.get("choices") or []
    if len(choices) > 25:
        problems.append(("data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    for index, choice in enumerate(choices):
        _check_length(problems, f"data.choices.{index}.name", choice.get("name"), 100, minimum=1)
        if isinstance(choice.get("value"), str):
            _check_length(problems, f"data.choices.{index}.value", choice["value"], 100)
    return problems


def _command_text_size(node: JSON) -> int:
    size = len(node.get("name") or "") + len(node.get("description") or "")
    for choice in node.get("choices") or []:
        size += len(str(choice.get("name") or "")) + len(str(choice.get("value") or ""))
    return size + sum(_command_text_size(option) for option in node.get("options") or [])


def _check_command_name(problems: Problems, path: str, name: Any) -> None:
    if not isinstance(name, str) or not _COMMAND_NAME.match(name) or name != name.lower():
        problems.append((path, "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}"))


def _check_options(problems: Problems, path: str, options: list[JSON], depth: int) -> None:
    if len(options) > 25:
        problems.append((path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    names: set[Any] = set()
    optional_seen = False
    for index, option in enumerate(options):
        at = f"{path}.{index}"
        _check_command_name(problems, f"{at}.name", option.get("name"))
        _check_length(problems, f"{at}.description", option.get("description"), 100, minimum=1)
        if option.get("name") in names:
            problems.append((f"{at}.name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                             "Option names must be unique"))
        names.add(option.get("name"))
        kind = option.get("type")
        if kind in (OPT_SUB_COMMAND, OPT_SUB_COMMAND_GROUP):
            if depth >= 2 or (kind == OPT_SUB_COMMAND_GROUP and depth >= 1):
                problems.append((f"{at}.type", "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                                 "Sub-command groups can only be nested one level deep"))
            _check_options(problems, f"{at}.options", option.get("options") or [], depth + 1)
            continue
        if option.get("required"):
            if optional_seen:
                problems.append((f"{at}.required", "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                                 "Required options must be placed before non-required options"))
        else:
            optional_seen = True
        choices = option.get("choices") or []
        if len(choices) > 25:
            problems.append((f"{at}.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
        for number, choice in enumerate(choices):
            _check_length(problems, f"{at}.choices.{number}.name", choice.get("name"), 100, minimum=1)


def validate_commands(commands: Any) -> Problems:
    """What Discord checks on a bulk overwrite (discord.py turns the 50035 into `CommandSyncFailure`)."""
    if not isinstance(commands, list):
        return [("_", "BASE_TYPE_ARRAY", "Must be an array.")]
    problems: Problems = []
    seen: set[tuple[int, str]] = set()
    chat_inputs = 0
    for index, command in enumerate(commands):
        kind = int(command.get("type") or 1)
        name = command.get("name")
        if kind == 1:
            chat_inputs += 1
            _check_command_name(problems, f"{index}.name", name)
            _check_length(problems, f"{index}.description", command.get("description"), 100, minimum=1)
            _check_options(problems, f"{index}.options", command.get("options") or [], 0)
            if _command_text_size(command) > 4000:
                problems.append((f"{index}", "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (4000)"))
        else:
            _check_length(problems, f"{index}.name", name, 32, minimum=1)
        if (kind, name) in seen:
            problems.append((f"{index}.name", "APPLICATION_COMMANDS_DUPLICATE_NAME",
                             f"Application command names must be unique: {name!r}"))
        seen.add((kind, name))
    if chat_inputs > 100:
        problems.append(("_", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer chat input commands."))
    return problems


# --- the emulator --------------------------------------------------------------------------------------------


class DiscordEmulator:
    """Discord for one bot, on 127.0.0.1 with an OS-assigned port.

    Typical use::

        async with DiscordEmulator(token="t") as emu:
            guild = emu.add_guild("Test server")
            channel = emu.add_channel(guild, "general")
            alice = emu.add_user("alice", manage_guild=True)
            with patched_discord(emu):
                ...  # run the bot, then act through `send_message`, `invoke_command`, `click_button`

    Parameters:
        token: the one bot token accepted on REST and IDENTIFY.
        bot_name: the bot user's name (its id is the application id, as for modern Discord apps).
        enabled_privileged_intents: the privileged intents switched on in the "developer portal"; IDENTIFY asking
            for others is closed with 4014 (discord.py raises PrivilegedIntentsRequired).
        interaction_deadline: seconds the bot has to answer an interaction's callback, as on Discord (3 s);
            later callbacks get 404 "Unknown interaction" and a recorded violation. None turns it off.
        echo_bot_messages: send MESSAGE_CREATE/UPDATE/DELETE for the bot's own messages back over the gateway,
            as Discord does (so a bot that answers its own messages misbehaves here too).
        heartbeat_interval_ms: sent in HELLO.
        nonce_window: seconds during which an `enforce_nonce` message with a repeated nonce returns the first one.
    """

    def __init__(
        self,
        *,
        token: str = "emulator-token",
        bot_name: str = "testbot",
        enabled_privileged_intents: int = PRIVILEGED_INTENTS,
        interaction_deadline: float | None = 3.0,
        echo_bot_messages: bool = True,
        heartbeat_interval_ms: int = 41_250,
        nonce_window: float = 300.0,
    ) -> None:
        self.token = token
        self.enabled_privileged_intents = enabled_privileged_intents
        self.interaction_deadline = interaction_deadline
        self.echo_bot_messages = echo_bot_messages
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.nonce_window = nonce_window

        self._ids = _Snowflakes()
        self.application_id = self._ids.next()
        self._bot = _User(self.application_id, bot_name, bot=True)
        self._owner = _User(self._ids.next(), "server-owner")
        self._users: dict[int, _User] = {self._bot.id: self._bot, self._owner.id: self._owner}
        self._guilds: dict[int, _Guild] = {}
        self._channels: dict[int, _Channel] = {}
        self._messages: dict[int, _StoredMessage] = {}
        self._channel_log: dict[int, list[_StoredMessage]] = {}  # every message per channel, in order
        self._nonces: dict[str, tuple[float, _StoredMessage]] = {}
        self._commands: dict[int | None, dict[str, JSON]] = {}  # scope (None = global) -> name -> command
        self._interactions: dict[int, InteractionRecord] = {}
        self._failures: list[_InjectedFailure] = []

        self.requests: list[RecordedRequest] = []
        self.limit_violations: list[LimitViolation] = []
        self.command_syncs: list[tuple[int | None, list[JSON]]] = []  # (guild id or None, payload) per PUT
        self.identifies: list[JSON] = []  # every IDENTIFY payload (token included, as sent)
        self.heartbeats = 0
        self.gateway_connections: list[str] = []  # path?query of every gateway connection, in order
        self.internal_errors: list[str] = []  # emulator bugs hit while handling a request (tracebacks)

        self._sessions: dict[str, _Session] = {}
        self._session: _Session | None = None  # the latest identified session
        self._connections: list[_Connection] = []
        self._signal = _Signal()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._routes = self._build_routes()

    # ---- lifecycle -----------------------------------------------------------------------------------------

    async def __aenter__(self) -> DiscordEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a port the OS picks."""
        if self._runner is not None:
            return
        app = web.Application(client_max_size=64 * 1024 * 1024)
        for path in ("/gateway", "/gateway-resume"):
            app.router.add_get(path, self._gateway)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._attachment)
        app.router.add_route("*", "/api/{path:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Close every gateway connection and the server. Safe to call twice."""
        for connection in list(self._connections):
            await self._close_connection(connection, 1001, "emulator stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._signal.notify()

    @property
    def base_url(self) -> str:
        """e.g. "http://127.0.0.1:41234"; the REST API is under /api/v10."""
        if self._port is None:
            raise RuntimeError("the emulator is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        """A different path than `gateway_url`, so a test can see that a RESUME used READY's resume URL."""
        return f"ws://127.0.0.1:{self._port}/gateway-resume"

    # ---- building the world ---------------------------------------------------------------------------------

    @property
    def bot_id(self) -> int:
        """The bot user's id (equal to the application id)."""
        return self._bot.id

    @property
    def owner_id(self) -> int:
        """The owner of every emulated guild (has every permission)."""
        return self._owner.id

    def add_guild(self, name: str = "Test server") -> int:
        """A guild the bot is in, with @everyone, a "Managers" role (Manage Server), an "Admins" role
        (Administrator) and the bot's managed role. If the bot is connected it gets GUILD_CREATE now."""
        guild = _Guild(id=self._ids.next(), name=name, owner_id=self._owner.id, manager_role_id=self._ids.next(),
                       admin_role_id=self._ids.next(), bot_role_id=self._ids.next(), joined_at=_now_iso())
        self._guilds[guild.id] = guild
        session = self._live_session()
        if session is not None and self._on_shard(session, guild.id):
            session.append("GUILD_CREATE", self._guild_create_payload(guild, session.intents))
            self._signal.notify()
        return guild.id

    def add_channel(self, guild_id: int, name: str, *, topic: str | None = None, bot_can_send: bool = True) -> int:
        """A text channel. `bot_can_send=False` adds an overwrite denying the bot's role Send Messages, so a
        post there gets 403 / 50013 Missing Permissions."""
        guild = self._guild(guild_id)
        channel = _Channel(id=self._ids.next(), guild_id=guild.id, name=name, position=len(guild.channel_ids),
                           topic=topic, bot_can_send=bot_can_send)
        self._channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
        self._channel_log[channel.id] = []
        session = self._live_session()
        if session is not None and self._on_shard(session, guild.id):
            session.append("CHANNEL_CREATE", self._channel_payload(channel))
            self._signal.notify()
        return channel.id

    def add_user(self, name: str, *, manage_guild: bool = False, administrator: bool = False,
                 guilds: Iterable[int] | None = None) -> int:
        """A human member of `guilds` (default: every guild, including later ones). `manage_guild` gives the
        "Managers" role (Manage Server, not Administrator); `administrator` gives the "Admins" role."""
        user = _User(self._ids.next(), name, manage_guild=manage_guild, administrator=administrator,
                     guild_ids=None if guilds is None else {self._guild(g).id for g in guilds})
        self._users[user.id] = user
        session = self._live_session()
        if session is not None and session.intents & INTENT_GUILD_MEMBERS:
            for guild in self._guilds.values():
                if self._is_member(user, guild) and self._on_shard(session, guild.id):
                    session.append("GUILD_MEMBER_ADD", {**self._member_payload(user, guild), "guild_id": str(guild.id)})
            self._signal.notify()
        return user.id

    def _guild(self, guild_id: int) -> _Guild:
        try:
            return self._guilds[int(guild_id)]
        except KeyError:
            raise LookupError(f"no guild {guild_id}; guilds: {list(self._guilds)}") from None

    def _channel(self, channel_id: int) -> _Channel:
        try:
            return self._channels[int(channel_id)]
        except KeyError:
            raise LookupError(f"no channel {channel_id}; channels: {list(self._channels)}") from None

    def _user(self, user_id: int) -> _User:
        try:
            return self._users[int(user_id)]
        except KeyError:
            raise LookupError(f"no user {user_id}; add one with add_user()") from None

    def _is_member(self, user: _User, guild: _Guild) -> bool:
        return user.guild_ids is None or guild.id in user.guild_ids

    def _members(self, guild: _Guild) -> list[_User]:
        return [user for user in self._users.values() if self._is_member(user, guild)]

    def _roles_of(self, user: _User, guild: _Guild) -> list[int]:
        if user.bot:
            return [guild.bot_role_id]
        return ([guild.manager_role_id] if user.manage_guild else []) + ([guild.admin_role_id] if user.administrator
                                                                          else [])

    def permissions(self, user_id: int, channel_id: int) -> int:
        """A member's permission bits in a channel (roles, then channel overwrites), as Discord computes them."""
        user, channel = self._user(user_id), self._channel(channel_id)
        guild = self._guilds[channel.guild_id]
        if user.id == guild.owner_id or user.administrator:
            return ALL_PERMISSIONS
        bits = EVERYONE_PERMISSIONS | (MANAGE_GUILD if user.manage_guild else 0)
        if user.bot:
            bits |= BOT_PERMISSIONS
            if not channel.bot_can_send:
                bits &= ~(SEND_MESSAGES | SEND_MESSAGES_IN_THREADS)
        return bits

    def _guild_permissions(self, user: _User, guild: _Guild) -> int:
        if user.id == guild.owner_id or user.administrator:
            return ALL_PERMISSIONS
        return EVERYONE_PERMISSIONS | (MANAGE_GUILD if user.manage_guild else 0) | (BOT_PERMISSIONS if user.bot else 0)

    # ---- payloads (shaped after Discord's, down to the keys discord.py indexes directly) -----------------------

    def _bot_user_payload(self) -> JSON:
        """The bot as /users/@me and READY describe it (the private user object); elsewhere it is public."""
        return {**self._bot.payload(), "verified": True, "mfa_enabled": False, "email": None, "locale": "en-US",
                "premium_type": 0}

    def _role_payloads(self, guild: _Guild) -> list[JSON]:
        def role(role_id: int, name: str, permissions: int, position: int, **extra: Any) -> JSON:
            return {"id": str(role_id), "name": name, "permissions": str(permissions), "position": position,
                    "color": 0, "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
                    "hoist": False, "icon": None, "unicode_emoji": None, "managed": False, "mentionable": False,
                    "flags": 0, **extra}

        return [
            role(guild.everyone_role_id, "@everyone", EVERYONE_PERMISSIONS, 0),
            role(guild.manager_role_id, "Managers", MANAGE_GUILD, 1),
            role(guild.admin_role_id, "Admins", ADMINISTRATOR, 2),
            role(guild.bot_role_id, self._bot.name, BOT_PERMISSIONS, 3, managed=True,
                 tags={"bot_id": str(self._bot.id)}),
        ]

    def _channel_payload(self, channel: _Channel) -> JSON:
        guild = self._guilds[channel.guild_id]
        overwrites = [] if channel.bot_can_send else [
            {"id": str(guild.bot_role_id), "type": 0, "allow": "0",
             "deny": str(SEND_MESSAGES | SEND_MESSAGES_IN_THREADS)}]
        log = self._channel_log.get(channel.id) or []
        return {"id": str(channel.id), "type": channel.type, "guild_id": str(channel.guild_id), "name": channel.name,
                "position": channel.position, "permission_overwrites": overwrites, "nsfw": False, "parent_id": None,
                "topic": channel.topic, "last_message_id": str(log[-1].id) if log else None,
                "rate_limit_per_user": 0, "flags": 0}

    def _member_payload(self, user: _User, guild: _Guild, *, with_user: bool = True) -> JSON:
        member: JSON = {"roles": [str(r) for r in self._roles_of(user, guild)], "joined_at": guild.joined_at,
                        "nick": None, "avatar": None, "banner": None, "premium_since": None, "deaf": False,
                        "mute": False, "pending": False, "flags": 0, "communication_disabled_until": None}
        if with_user:
            member["user"] = user.payload()
        return member

    def _guild_create_payload(self, guild: _Guild, intents: int) -> JSON:
        # Without the GUILD_MEMBERS intent Discord sends only the bot's own member (and voice members).
        members = [u for u in self._members(guild) if u.bot or intents & INTENT_GUILD_MEMBERS]
        return {
            "id": str(guild.id), "name": guild.name, "icon": None, "splash": None, "discovery_splash": None,
            "banner": None, "description": None, "owner_id": str(guild.owner_id), "afk_channel_id": None,
            "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0,
            "premium_subscription_count": 0, "premium_progress_bar_enabled": False, "preferred_locale": "en-US",
            "system_channel_id": None, "system_channel_flags": 0, "rules_channel_id": None,
            "public_updates_channel_id": None, "safety_alerts_channel_id": None, "vanity_url_code": None,
            "max_members": 500_000, "max_video_channel_users": 25, "application_id": None, "features": [],
            "roles": self._role_payloads(guild), "emojis": [], "stickers": [], "unavailable": False, "large": False,
            "lazy": True, "joined_at": guild.joined_at, "member_count": len(self._members(guild)),
            "members": [self._member_payload(u, guild) for u in members], "voice_states": [], "presences": [],
            "channels": [self._channel_payload(self._channels[c]) for c in guild.channel_ids], "threads": [],
            "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [], "embedded_activities": [],
        }

    def _app_flags(self) -> int:
        return sum(flag for intent, flag in _APP_FLAG_FOR_INTENT.items() if self.enabled_privileged_intents & intent)

    def _application_payload(self) -> JSON:
        return {
            "id": str(self.application_id), "name": self._bot.name, "icon": None, "description": "",
            "summary": "", "rpc_origins": [], "bot_public": True, "bot_require_code_grant": False,
            "bot": self._bot_user_payload(), "owner": self._owner.payload(), "team": None,
            "verify_key": "0" * 64, "flags": self._app_flags(), "tags": [], "redirect_uris": [],
            "interactions_endpoint_url": None,  # non-None makes discord.py warn that it gets no interactions
            "terms_of_service_url": None, "privacy_policy_url": None, "custom_install_url": None,
            "approximate_guild_count": len(self._guilds), "integration_types_config": {"0": {}},
        }

    # ---- waiting ------------------------------------------------------------------------------------------

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float = 10.0, what: str | None = None) -> T:
        """Wait until `predicate()` returns something truthy and return it.

        The predicate is re-checked whenever the emulator records something (a request, a delivered event,
        a connection change) and at least every 50 ms, so it may also look at the bot's own state.
        On timeout raises TimeoutError saying what was awaited and what the bot did last.
        """
        try:
            async with asyncio.timeout(timeout):
                while True:
                    value = predicate()
                    if value:
                        return value
                    await self._signal.wait(0.05)
        except TimeoutError:
            raise TimeoutError(self._timeout_report(what or str(getattr(predicate, "__name__", "condition")),
                                                    timeout)) from None

    def _timeout_report(self, what: str, timeout: float) -> str:
        lines = [f"timed out after {timeout} s waiting for {what}", "last requests:"]
        lines += [f"  {r}" for r in self.requests[-15:]] or ["  (none)"]
        session = self._session
        if session is not None:
            lines.append(f"gateway: session {session.id}, {len(session.log)} dispatches, "
                         f"{session.delivered_seq} delivered, connected={session.connection is not None}")
            lines += [f"  s={e['s']} {e['t']}" for e in session.log[-8:]]
        else:
            lines.append("gateway: the bot has not identified")
        if self.internal_errors:
            lines.append(f"emulator errors: {len(self.internal_errors)} (see internal_errors); last:")
            lines.append(self.internal_errors[-1])
        if self.limit_violations:
            lines.append("limit violations:")
            lines += [f"  {v}" for v in self.limit_violations[-5:]]
        return "\n".join(lines)

    async def wait_ready(self, timeout: float = 10.0) -> None:
        """Wait until the bot identified and READY plus every GUILD_CREATE reached it.

        discord.py fires `on_ready` only `guild_ready_timeout` (default 2 s) after the last GUILD_CREATE, but it
        handles events in order, so anything the test dispatches after this returns sees a complete guild cache.
        """

        def ready() -> bool:
            session = self._session
            return bool(session and session.ready_seq and session.delivered_seq >= session.ready_seq)

        await self.wait_for(ready, timeout, "READY and GUILD_CREATE to reach the bot")

    async def wait_for_response(self, record: InteractionRecord, timeout: float = 10.0) -> CallbackRecord:
        """Wait for the bot's interaction callback."""
        return await self.wait_for(lambda: record.response, timeout, f"a callback for interaction {record.name!r}")

    # ---- what a test reads ----------------------------------------------------------------------------------

    def channel_messages(self, channel_id: int, *, include_deleted: bool = False) -> list[JSON]:
        """Messages the bot posted with POST /channels/{id}/messages, in order, as served plus the
        `allowed_mentions` it asked for (and `deleted: True` if asked to include deleted ones)."""
        return [m.view() for m in self._channel_log.get(int(channel_id), [])
                if m.origin == "channel" and (include_deleted or not m.deleted)]

    def channel_history(self, channel_id: int) -> list[JSON]:
        """Everything everyone sees in a channel, oldest first: users' messages, the bot's posts and its
        non-ephemeral interaction responses and followups (deleted ones left out)."""
        return [m.view() for m in self._channel_log.get(int(channel_id), []) if not m.deleted and not m.ephemeral]

    def message(self, message_id: int | str) -> JSON:
        """Any message in the emulated world, by id."""
        return self._messages[int(message_id)].view()

    def interaction(self, interaction_id: int | str) -> InteractionRecord:
        return self._interactions[int(interaction_id)]

    @property
    def interactions(self) -> list[InteractionRecord]:
        return list(self._interactions.values())

    def synced_commands(self, guild_id: int | None = None) -> dict[str, JSON]:
        """The commands as last synced (with ids), by name; `guild_id=None` for global commands."""
        return copy.deepcopy(self._commands.get(guild_id, {}))

    @property
    def errors(self) -> list[RecordedRequest]:
        """Every request the emulator answered with a 4xx or 5xx."""
        return [r for r in self.requests if r.status >= 400]

    @property
    def unknown_routes(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.route is None]

    @property
    def intents(self) -> int | None:
        """The intents of the current session's IDENTIFY, or None before the bot identified."""
        return None if self._session is None else self._session.intents

    @property
    def resumes(self) -> int:
        """How many times the current session was resumed."""
        return 0 if self._session is None else self._session.resumes

    @property
    def connected(self) -> bool:
        session = self._session
        return session is not None and session.connection is not None and not session.connection.closed

    def dispatched(self, name: str | None = None) -> list[GatewayEvent]:
        """Dispatches queued on the current session (optionally one event name), in order."""
        if self._session is None:
            return []
        return [GatewayEvent(e["t"], e["s"], copy.deepcopy(e["d"])) for e in self._session.log
                if name is None or e["t"] == name]

    def requests_to(self, method: str, route: str) -> list[RecordedRequest]:
        """Requests that matched a route template, e.g. requests_to("POST", "/channels/{channel_id}/messages")."""
        return [r for r in self.requests if r.method == method and r.route == route]

    # ---- fault injection ----------------------------------------------------------------------------------

    def fail_next(self, method: str, path_pattern: str, *, status: int = 500, code: int = 0,
                  message: str | None = None, retry_after: float | None = None, times: int = 1) -> None:
        """Answer the next `times` requests whose method matches and whose API path matches the regex
        `path_pattern` (re.search) with an error instead of handling them.

        A 429 carries `retry_after` and the `Via` header (without it discord.py takes a 429 for a Cloudflare
        ban and raises at once). discord.py retries 500/502/504 itself, up to 5 times, after 1 + 2n seconds.
        """
        headers: dict[str, str] = {}
        if status == 429:
            body: JSON = {"message": message or "You are being rate limited.",
                          "retry_after": retry_after if retry_after is not None else 0.1, "global": False}
            headers = {"Via": "1.1 google", "Retry-After": str(body["retry_after"])}
        else:
            body = {"message": message or f"{status}: emulated failure", "code": code}
        self._failures.append(_InjectedFailure(method.upper(), re.compile(path_pattern), status, body, headers, times))

    # ---- gateway ---------------------------------------------------------------------------------------------

    def _live_session(self) -> _Session | None:
        session = self._session
        return None if session is None or session.invalidated else session

    def _require_session(self) -> _Session:
        session = self._live_session()
        if session is None:
            raise RuntimeError("the bot has not identified on the gateway; start it and await emu.wait_ready()")
        return session

    @staticmethod
    def _on_shard(session: _Session, guild_id: int) -> bool:
        shard_id, shard_count = session.shard
        return (guild_id >> 22) % shard_count == shard_id

    async def dispatch(self, name: str, data: JSON, timeout: float = 10.0) -> int:
        """Queue a dispatch for the bot and wait until it was sent; returns its sequence number.

        Events are kept per session, so if the bot is reconnecting it gets them on RESUME.
        """
        session = self._require_session()
        seq = session.append(name, data)
        self._signal.notify()
        await self.wait_for(lambda: session.delivered_seq >= seq, timeout, f"{name} (s={seq}) to reach the bot")
        return seq

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        """One gateway connection: HELLO, then the bot's payloads until it closes."""
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        compression = request.query.get("compress")
        connection = _Connection(ws=ws, path=request.path, query=dict(request.query), compression=compression)
        self.gateway_connections.append(str(request.rel_url))
        if compression == "zlib-stream":
            # One compressor for the connection's lifetime; discord.py keeps one decompressor and only decodes
            # when a frame ends with the Z_SYNC_FLUSH marker 00 00 ff ff.
            connection.compressor = zlib.compressobj()
        # Anything else (no compression, or zstd-stream, which discord.py requests only when `zstandard` is
        # importable) is answered with uncompressed text frames, which discord.py never decompresses.
        self._connections.append(connection)
        connection.pump = asyncio.create_task(self._pump(connection), name="emulator-gateway-pump")
        try:
            await self._send(connection, {"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                                          "s": None, "t": None})
            async for message in ws:
                if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    break
                try:
                    payload = json.loads(message.data)
                except ValueError:
                    await self._close_connection(connection, 4002, "Error while decoding payload.")
                    break
                await self._on_client_payload(connection, payload)
        finally:
            connection.closed = True
            if connection.session is not None and connection.session.connection is connection:
                connection.session.connection = None
            self._connections.remove(connection)
            connection.pump.cancel()
            try:
                await connection.pump
            except asyncio.CancelledError:
                pass
            self._signal.notify()
        return ws

    async def _send(self, connection: _Connection, payload: JSON) -> None:
        data = json.dumps(payload, separators=(",", ":"))
        async with connection.send_lock:  # compress and send atomically: the zlib stream is order-sensitive
            if connection.compressor is not None:
                frame = connection.compressor.compress(data.encode()) + connection.compressor.flush(zlib.Z_SYNC_FLUSH)
                await connection.ws.send_bytes(frame)
            else:
                await connection.ws.send_str(data)

    async def _pump(self, connection: _Connection) -> None:
        """Send the session's dispatches to this connection in order, as they are queued."""
        try:
            while not connection.closed:
                session = connection.session
                if session is None or session.connection is not connection or connection.next_index >= len(session.log):
                    await self._signal.wait(1.0)
                    continue
                event = session.log[connection.next_index]
                connection.next_index += 1
                await self._send(connection, event)
                session.delivered_seq = max(session.delivered_seq, event["s"])
                if event["t"] == "INTERACTION_CREATE":
                    record = self._interactions.get(int(event["d"]["id"]))
                    if record is not None and record.delivered_at is None:
                        record.delivered_at = asyncio.get_running_loop().time()
                self._signal.notify()
        except (ConnectionError, RuntimeError):
            pass  # the socket went away mid-send; the session keeps the events for a RESUME

    async def _close_connection(self, connection: _Connection, code: int, reason: str) -> None:
        connection.closed = True
        self._signal.notify()
        if not connection.ws.closed:
            await connection.ws.close(code=code, message=reason.encode())

    async def _on_client_payload(self, connection: _Connection, payload: JSON) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == OP_HEARTBEAT:
            connection.heartbeats += 1
            self.heartbeats += 1
            await self._send(connection, {"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == OP_IDENTIFY:
            await self._on_identify(connection, data or {})
        elif op == OP_RESUME:
            await self._on_resume(connection, data or {})
        elif connection.session is None:
            await self._close_connection(connection, 4003, "Not authenticated.")
        elif op == OP_REQUEST_MEMBERS:
            self._on_request_members(connection.session, data or {})
        elif op in (OP_PRESENCE, OP_VOICE_STATE):
            pass  # accepted and ignored
        else:
            await self._close_connection(connection, 4001, "Unknown opcode.")
        self._signal.notify()

    def _token_ok(self, token: Any) -> bool:
        return isinstance(token, str) and token.removeprefix("Bot ") == self.token

    async def _on_identify(self, connection: _Connection, data: JSON) -> None:
        if connection.session is not None:
            await self._close_connection(connection, 4005, "Already authenticated.")
            return
        if not self._token_ok(data.get("token")):
            await self._close_connection(connection, 4004, "Authentication failed.")
            return
        intents = int(data.get("intents") or 0)
        if intents & PRIVILEGED_INTENTS & ~self.enabled_privileged_intents:
            await self._close_connection(connection, 4014, "Disallowed intent(s).")
            return
        shard = tuple(data.get("shard") or (0, 1))
        if self._session is not None:
            self._session.invalidated = True
        session = _Session(id=secrets.token_hex(16), identify=copy.deepcopy(data), intents=intents,
                           shard=(int(shard[0]), int(shard[1])))
        self._sessions[session.id] = session
        self._session = session
        self.identifies.append(copy.deepcopy(data))
        connection.session, session.connection, connection.next_index = session, connection, 0
        guilds = [g for g in self._guilds.values() if self._on_shard(session, g.id)]
        ready = {
            "v": 10, "user": self._bot_user_payload(), "session_id": session.id, "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url, "shard": list(session.shard),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "application": {"id": str(self.application_id), "flags": self._app_flags()},
            "private_channels": [], "relationships": [], "presences": [], "guild_join_requests": [],
            "geo_ordered_rtc_regions": [], "user_settings": {}, "auth": {}, "_trace": ["emulator"],
        }
        session.ready_seq = session.append("READY", ready)
        for guild in guilds:
            session.ready_seq = session.append("GUILD_CREATE", self._guild_create_payload(guild, session.intents))

    async def _on_resume(self, connection: _Connection, data: JSON) -> None:
        if not self._token_ok(data.get("token")):
            await self._close_connection(connection, 4004, "Authentication failed.")
            return
        session = self._sessions.get(str(data.get("session_id")))
        seq = data.get("seq")
        if session is None or session.invalidated or not isinstance(seq, int) or seq > len(session.log):
            # discord.py answers d=false by closing and identifying afresh (after a 5 s before_identify wait).
            await self._send(connection, {"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        previous = session.connection
        connection.session, session.connection, connection.next_index = session, connection, seq
        if previous is not None and previous is not connection:
            await self._close_connection(previous, 4000, "Session resumed elsewhere.")
        session.resumes += 1
        session.append("RESUMED", {"_trace": ["emulator"]})  # sent after the missed events are replayed

    def _on_request_members(self, session: _Session, data: JSON) -> None:
        """op 8 (discord.py sends it at startup when the members intent is on): one GUILD_MEMBERS_CHUNK."""
        guild = self._guilds.get(int(data.get("guild_id") or 0))
        if guild is None:
            return
        members = self._members(guild)
        query, user_ids = data.get("query"), data.get("user_ids")
        if user_ids:
            members = [u for u in members if u.id in {int(i) for i in user_ids}]
        elif query:
            members = [u for u in members if u.name.lower().startswith(str(query).lower())]
        if data.get("limit"):
            members = members[: int(data["limit"])]
        chunk: JSON = {"guild_id": str(guild.id), "members": [self._member_payload(u, guild) for u in members],
                       "chunk_index": 0, "chunk_count": 1, "not_found": []}
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        session.append("GUILD_MEMBERS_CHUNK", chunk)

    async def request_reconnect(self, timeout: float = 10.0) -> None:
        """Send op 7 RECONNECT, as Discord does before moving a session; waits until the bot resumed."""
        session = self._require_session()
        connection, resumes = session.connection, session.resumes
        if connection is None:
            raise RuntimeError("the bot is not connected")
        await self._send(connection, {"op": OP_RECONNECT, "d": None, "s": None, "t": None})
        await self.wait_for(lambda: session.resumes > resumes and session.delivered_seq >= len(session.log),
                            timeout, "the bot to RESUME after op 7")

    async def drop_connection(self, code: int = 4000, timeout: float = 10.0) -> None:
        """Close the bot's socket with `code` (4000 "unknown error" is resumable); waits for the RESUME."""
        session = self._require_session()
        connection, resumes = session.connection, session.resumes
        if connection is None:
            raise RuntimeError("the bot is not connected")
        await self._close_connection(connection, code, "dropped by the emulator")
        await self.wait_for(lambda: session.resumes > resumes and session.delivered_seq >= len(session.log),
                            timeout, f"the bot to RESUME after close code {code}")

    async def invalidate_session(self, timeout: float = 15.0) -> None:
        """Send op 9 INVALID_SESSION (d=false): the bot must identify again. discord.py waits 5 s before a
        non-initial IDENTIFY, so this takes a little over 5 s."""
        session = self._require_session()
        connection = session.connection
        if connection is None:
            raise RuntimeError("the bot is not connected")
        session.invalidated = True
        await self._send(connection, {"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
        await self.wait_for(lambda: self._session is not session, timeout, "a new IDENTIFY after op 9")
        await self.wait_ready(timeout)

    # ---- acting as users ------------------------------------------------------------------------------------

    def _mention_payloads(self, user_ids: Iterable[int], guild: _Guild) -> list[JSON]:
        """Mentioned users as Discord sends them in a guild: user objects with a partial `member`."""
        payloads = []
        for user_id in dict.fromkeys(user_ids):
            user = self._users.get(user_id)
            if user is None:
                continue
            payload = user.payload()
            if self._is_member(user, guild):
                payload["member"] = self._member_payload(user, guild, with_user=False)
            payloads.append(payload)
        return payloads

    def _bot_can_read(self, message: _StoredMessage, *, via_gateway: bool) -> bool:
        """Whether the bot sees a message's content (MESSAGE_CONTENT rules).

        Without the intent a bot still gets the content of its own messages and of messages that mention it.
        On the gateway the identified intents count; on REST the intents enabled for the application.
        """
        if via_gateway:
            granted = bool(self._session and self._session.intents & INTENT_MESSAGE_CONTENT)
        else:
            granted = bool(self.enabled_privileged_intents & INTENT_MESSAGE_CONTENT)
        data = message.data
        mentioned = any(int(m["id"]) == self._bot.id for m in data.get("mentions") or [])
        return granted or int(data["author"]["id"]) == self._bot.id or mentioned

    def _as_seen_by_bot(self, message: _StoredMessage, *, via_gateway: bool) -> JSON:
        payload = message.payload()
        if not self._bot_can_read(message, via_gateway=via_gateway):
            payload.update(content="", embeds=[], attachments=[], components=[])
            payload.pop("poll", None)
        return payload

    def _store(self, message: _StoredMessage) -> _StoredMessage:
        self._messages[message.id] = message
        self._channel_log.setdefault(message.channel_id, []).append(message)
        return message

    async def send_message(self, channel_id: int, author_id: int, content: str, *,
                           mentions: Iterable[int] = (), reply_to: int | str | None = None,
                           ping_reply: bool = True, embeds: list[JSON] | None = None) -> JSON:
        """A user posts in a channel; the bot gets MESSAGE_CREATE as Discord would send it.

        `mentions` are user ids; a mention missing from `content` is prepended as <@id>, since Discord derives
        mentions from the text (ids written as <@id> in `content` count too). `reply_to` makes it a reply
        (type 19 with message_reference and referenced_message), pinging the replied-to author if `ping_reply`.

        Content rules: a bot without the MESSAGE_CONTENT intent gets content "" (and no embeds, attachments or
        components) unless the message mentions it; without GUILD_MESSAGES it gets no event at all. Returns
        the full message as stored (with its real content).
        """
        session = self._require_session()
        channel = self._channel(channel_id)
        guild = self._guilds[channel.guild_id]
        author = self._user(author_id)
        if not self._is_member(author, guild):
            raise ValueError(f"{author.name} is not a member of {guild.name}")
        mention_ids = [int(u) for u in mentions]
        missing = [u for u in mention_ids if not re.search(rf"<@!?{u}>", content)]
        if missing:
            content = " ".join(f"<@{u}>" for u in missing) + (" " + content if content else "")
        mention_ids = [int(u) for u in _USER_MENTION.findall(content)]
        data: JSON = {
            "id": str(self._ids.next()), "channel_id": str(channel.id), "guild_id": str(guild.id),
            "author": author.payload(), "member": self._member_payload(author, guild, with_user=False),
            "content": content, "timestamp": _now_iso(), "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
            "embeds": list(embeds or []), "reactions": [], "pinned": False, "type": 0, "flags": 0,
            "components": [], "nonce": str(self._ids.next()),
        }
        if reply_to is not None:
            referenced = self._messages.get(int(reply_to))
            if referenced is None:
                raise LookupError(f"no message {reply_to} to reply to")
            data["type"] = 19
            data["message_reference"] = {"type": 0, "message_id": str(referenced.id),
                                         "channel_id": str(referenced.channel_id), "guild_id": str(guild.id)}
            data["referenced_message"] = referenced.payload()
            if ping_reply:
                mention_ids.append(int(referenced.data["author"]["id"]))
        data["mentions"] = self._mention_payloads(mention_ids, guild)
        data["mention_roles"] = [r for r in _ROLE_MENTION.findall(content)
                                 if int(r) in {guild.manager_role_id, guild.admin_role_id, guild.bot_role_id}]
        message = self._store(_StoredMessage(data=data, origin="user"))
        if session.intents & INTENT_GUILD_MESSAGES:
            await self.dispatch("MESSAGE_CREATE", self._as_seen_by_bot(message, via_gateway=True))
        return message.view()

    def _new_interaction(self, kind: int, name: str, channel: _Channel, user: _User, data: JSON,
                         *, source: _StoredMessage | None = None) -> InteractionRecord:
        guild = self._guilds[channel.guild_id]
        if not self._is_member(user, guild):
            raise ValueError(f"{user.name} is not a member of {guild.name}")
        interaction_id = self._ids.next()
        token = secrets.token_urlsafe(48)
        member = self._member_payload(user, guild)
        member["permissions"] = str(self.permissions(user.id, channel.id))
        app_permissions = str(self.permissions(self._bot.id, channel.id))
        payload: JSON = {
            "id": str(interaction_id), "application_id": str(self.application_id), "type": kind, "data": data,
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []}, "guild_id": str(guild.id),
            "channel": {**self._channel_payload(channel), "permissions": app_permissions},
            "channel_id": str(channel.id), "member": member, "token": token, "version": 1,
            "app_permissions": app_permissions, "locale": "en-US", "guild_locale": "en-US", "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)}, "context": 0,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,  # discord.py reads this key unconditionally
        }
        if source is not None:
            payload["message"] = source.payload()
        record = InteractionRecord(id=interaction_id, token=token, type=kind, name=name, guild_id=guild.id,
                                   channel_id=channel.id, user_id=user.id, payload=payload, _source=source)
        self._interactions[interaction_id] = record
        return record

    def _find_command(self, guild_id: int, root: str) -> tuple[JSON, int | None]:
        for scope in (guild_id, None):
            command = self._commands.get(scope, {}).get(root)
            if command is not None and int(command.get("type") or 1) == 1:
                return command, scope
        synced = sorted(set(self._commands.get(guild_id, {})) | set(self._commands.get(None, {})))
        raise LookupError(f"/{root} was not synced (synced: {synced or 'nothing'}); the bot must sync its tree "
                          "(e.g. in setup_hook) before a test can invoke a command")

    def _option_value(self, schema: JSON, value: Any, guild: _Guild, resolved: JSON, *, focused: bool) -> Any:
        """Check and convert one option value the way Discord's client would send it."""
        kind, name = schema["type"], schema["name"]
        if focused:
            return str(value)
        if kind == OPT_STRING:
            if not isinstance(value, str):
                raise TypeError(f"option {name!r} is a string, got {value!r}")
            if len(value) < int(schema.get("min_length") or 0) or len(value) > int(schema.get("max_length") or 6000):
                raise ValueError(f"option {name!r}: length {len(value)} is outside the command's bounds")
        elif kind in (OPT_INTEGER, OPT_NUMBER):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                    kind == OPT_INTEGER and not isinstance(value, int)):
                raise TypeError(f"option {name!r} is {'an integer' if kind == OPT_INTEGER else 'a number'}, "
                                f"got {value!r}")
            if schema.get("min_value") is not None and value < schema["min_value"] or (
                    schema.get("max_value") is not None and value > schema["max_value"]):
                raise ValueError(f"option {name!r}: {value} is outside [{schema.get('min_value')}, "
                                 f"{schema.get('max_value')}]")
        elif kind == OPT_BOOLEAN:
            if not isinstance(value, bool):
                raise TypeError(f"option {name!r} is a boolean, got {value!r}")
        elif kind in (OPT_USER, OPT_MENTIONABLE) and _snowflake(value, name) in self._users:
            user = self._users[int(value)]
            resolved.setdefault("users", {})[str(user.id)] = user.payload()
            if self._is_member(user, guild):
                member = self._member_payload(user, guild, with_user=False)
                member["permissions"] = str(self._guild_permissions(user, guild))
                resolved.setdefault("members", {})[str(user.id)] = member
            return str(user.id)
        elif kind == OPT_CHANNEL:
            channel = self._channel(_snowflake(value, name))
            if schema.get("channel_types") and channel.type not in schema["channel_types"]:
                raise ValueError(f"option {name!r} accepts channel types {schema['channel_types']}")
            resolved.setdefault("channels", {})[str(channel.id)] = {
                "id": str(channel.id), "name": channel.name, "type": channel.type, "guild_id": str(guild.id),
                "parent_id": None, "nsfw": False, "topic": channel.topic, "position": channel.position,
                "last_message_id": None, "rate_limit_per_user": 0, "flags": 0,
                "permissions": str(self.permissions(self._bot.id, channel.id))}
            return str(channel.id)
        elif kind in (OPT_ROLE, OPT_MENTIONABLE):
            role = next((r for r in self._role_payloads(guild) if int(r["id"]) == _snowflake(value, name)), None)
            if role is None:
                raise LookupError(f"option {name!r}: no role {value} in {guild.name}")
            resolved.setdefault("roles", {})[role["id"]] = role
            return role["id"]
        elif kind in (OPT_USER, OPT_MENTIONABLE):
            raise LookupError(f"option {name!r}: no user {value}")
        else:
            raise NotImplementedError(f"option {name!r} has type {kind}, which the emulator cannot fill in")
        choices = schema.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise ValueError(f"option {name!r}: {value!r} is not one of the choices "
                             f"{[c['value'] for c in choices]}")
        return value

    def _command_data(self, channel: _Channel, user: _User, path: str, options: Mapping[str, Any],
                      focused: str | None) -> JSON:
        """The `data` of an APPLICATION_COMMAND(_AUTOCOMPLETE) interaction for "root [group] [sub]"."""
        guild = self._guilds[channel.guild_id]
        parts = path.strip().lstrip("/").split()
        if not parts:
            raise ValueError("empty command name")
        command, scope = self._find_command(guild.id, parts[0])
        required = command.get("default_member_permissions")
        granted = self.permissions(user.id, channel.id)
        if required not in (None, "") and int(required) & ~granted and not granted & ADMINISTRATOR:
            raise PermissionError(f"Discord would not let {user.name} use /{parts[0]}: it requires permissions "
                                  f"{int(required):#x} (default_member_permissions)")
        if command.get("contexts") is not None and 0 not in command["contexts"]:
            raise PermissionError(f"/{parts[0]} is not available in guilds (contexts={command['contexts']})")
        schema_options: list[JSON] = command.get("options") or []
        chain: list[JSON] = []  # the subcommand (group) options we walk through
        for part in parts[1:]:
            sub = next((o for o in schema_options if o["name"] == part and o["type"] in (1, 2)), None)
            if sub is None:
                subs = [o["name"] for o in schema_options if o["type"] in (1, 2)]
                raise LookupError(f"/{' '.join(parts)}: no subcommand {part!r}; available: {subs}")
            chain.append(sub)
            schema_options = sub.get("options") or []
        if any(o["type"] in (1, 2) for o in schema_options):
            subs = [o["name"] for o in schema_options if o["type"] in (1, 2)]
            raise ValueError(f"/{' '.join(parts)} needs a subcommand, one of {subs}")
        known = {o["name"]: o for o in schema_options}
        unknown = set(options) - set(known)
        if unknown:
            raise LookupError(f"/{' '.join(parts)} has no option(s) {sorted(unknown)}; options: {list(known)}")
        missing = [o["name"] for o in schema_options if o.get("required") and o["name"] not in options]
        if missing and focused is None:  # while typing (autocomplete) other options may still be empty
            raise ValueError(f"/{' '.join(parts)}: required option(s) {missing} missing")
        resolved: JSON = {}
        leaf: list[JSON] = []
        for schema in schema_options:  # Discord sends options in the command's order
            if schema["name"] not in options:
                continue
            is_focused = schema["name"] == focused
            entry: JSON = {"name": schema["name"], "type": schema["type"],
                           "value": self._option_value(schema, options[schema["name"]], guild, resolved,
                                                       focused=is_focused)}
            if is_focused:
                entry["focused"] = True
            leaf.append(entry)
        nested = leaf
        for sub in reversed(chain):
            nested = [{"name": sub["name"], "type": sub["type"], "options": nested}]
        data: JSON = {"id": command["id"], "name": command["name"], "type": 1, "options": nested}
        if resolved:
            data["resolved"] = resolved
        if scope is not None:
            data["guild_id"] = str(scope)  # only guild commands carry it; discord.py looks them up by it
        return data

    async def invoke_command(self, channel_id: int, user_id: int, name: str,
                             options: Mapping[str, Any] | None = None, /, **kw_options: Any) -> InteractionRecord:
        """The user runs a slash command the bot synced: `invoke_command(ch, alice, "ask", {"question": "…"})`,
        or a subcommand by path: `invoke_command(ch, alice, "sources add", url="https://…")`.

        Options are checked against the synced schema (names, types, required, choices, bounds) and typed as
        Discord types them; user/channel/role options take ids and get `resolved` data. A command whose
        `default_member_permissions` the user lacks raises PermissionError, since Discord would not offer it.
        Returns once the bot received INTERACTION_CREATE; the record fills in as the bot answers.
        """
        channel, user = self._channel(channel_id), self._user(user_id)
        all_options = {**(options or {}), **kw_options}
        data = self._command_data(channel, user, name, all_options, focused=None)
        record = self._new_interaction(INTERACTION_COMMAND, " ".join(name.strip().lstrip("/").split()), channel,
                                       user, data)
        await self.dispatch("INTERACTION_CREATE", record.payload)
        return record

    async def autocomplete(self, channel_id: int, user_id: int, name: str, options: Mapping[str, Any],
                           focused: str) -> InteractionRecord:
        """The user types in option `focused`: APPLICATION_COMMAND_AUTOCOMPLETE with what was typed so far.
        The bot's choices end up in `record.choices`."""
        channel, user = self._channel(channel_id), self._user(user_id)
        if focused not in options:
            raise ValueError(f"focused option {focused!r} needs a (partial) value in options")
        data = self._command_data(channel, user, name, options, focused=focused)
        record = self._new_interaction(INTERACTION_AUTOCOMPLETE, " ".join(name.split()), channel, user, data)
        await self.dispatch("INTERACTION_CREATE", record.payload)
        return record

    def _target_message(self, target: InteractionRecord | JSON | int | str, custom_id: str) -> _StoredMessage:
        """The message a component sits on: given directly, by id, or as the newest message of an interaction
        (its @original or followups, or the message it was triggered from) that has `custom_id`."""
        if isinstance(target, InteractionRecord):
            candidates = [*reversed(target._followups), *([target._original] if target._original else []),
                          *([target._source] if target._source else [])]
            for message in candidates:
                if not message.deleted and any(c.get("custom_id") == custom_id
                                               for c in _walk_components(message.data.get("components") or [])):
                    return message
            raise LookupError(f"no message of interaction {target.name!r} has a component {custom_id!r}; "
                              f"messages: {[m.get('components') for m in target.messages]}")
        message_id = int(target["id"]) if isinstance(target, dict) else int(target)
        found = self._messages.get(message_id)
        if found is None or found.deleted:
            raise LookupError(f"no message {message_id}")
        return found

    async def _component_interaction(self, target: InteractionRecord | JSON | int | str, custom_id: str,
                                     user_id: int, kinds: tuple[int, ...],
                                     values: list[str] | None) -> InteractionRecord:
        message = self._target_message(target, custom_id)
        component = next((c for c in _walk_components(message.data.get("components") or [])
                          if c.get("custom_id") == custom_id), None)
        available = [c.get("custom_id") for c in _walk_components(message.data.get("components") or [])
                     if c.get("custom_id")]
        if component is None:
            raise LookupError(f"message {message.id} has no component {custom_id!r}; it has {available}")
        if component.get("type") not in kinds:
            raise TypeError(f"component {custom_id!r} has type {component.get('type')}, expected one of {kinds}")
        if component.get("disabled"):
            raise PermissionError(f"component {custom_id!r} is disabled; Discord would not send the interaction")
        user = self._user(user_id)
        if message.ephemeral and message.interaction_id is not None:
            owner = self._interactions[message.interaction_id].user_id
            if owner != user.id:
                raise PermissionError("an ephemeral message is only visible to the user who triggered it")
        data: JSON = {"custom_id": custom_id, "component_type": component["type"]}
        if values is not None:
            if component["type"] == 3:
                offered = [o["value"] for o in component.get("options") or []]
                bad = [v for v in values if v not in offered]
                if bad:
                    raise ValueError(f"select {custom_id!r} has no option(s) {bad}; options: {offered}")
            low, high = int(component.get("min_values", 1)), int(component.get("max_values", 1))
            if not low <= len(values) <= high:
                raise ValueError(f"select {custom_id!r} takes between {low} and {high} values")
            data["values"] = list(values)
        record = self._new_interaction(INTERACTION_COMPONENT, custom_id, self._channels[message.channel_id], user,
                                       data, source=message)
        await self.dispatch("INTERACTION_CREATE", record.payload)
        return record

    async def click_button(self, target: InteractionRecord | JSON | int | str, custom_id: str,
                           user_id: int) -> InteractionRecord:
        """The user clicks the button `custom_id` on a message the bot sent: pass the interaction whose
        response/followup carries it, the message dict, or the message id. Returns the component interaction."""
        return await self._component_interaction(target, custom_id, user_id, (2,), None)

    async def select(self, target: InteractionRecord | JSON | int | str, custom_id: str, user_id: int,
                     values: list[str]) -> InteractionRecord:
        """The user picks `values` in a select menu (string selects are checked against their options)."""
        return await self._component_interaction(target, custom_id, user_id, (3, 5, 6, 7, 8), list(values))

    async def submit_modal(self, record: InteractionRecord, values: Mapping[str, str],
                           user_id: int | None = None) -> InteractionRecord:
        """The user fills in the modal the bot opened for `record` (text inputs by custom_id) and submits it."""
        modal = record.modal
        if modal is None:
            raise LookupError(f"interaction {record.name!r} did not open a modal")
        inputs = {c["custom_id"]: c for c in _walk_components(modal.get("components") or []) if c.get("type") == 4}
        unknown = set(values) - set(inputs)
        if unknown:
            raise LookupError(f"modal {modal.get('custom_id')!r} has no text input(s) {sorted(unknown)}; "
                              f"it has {list(inputs)}")
        missing = [c for c, i in inputs.items() if i.get("required", True) and not values.get(c)]
        if missing:
            raise ValueError(f"modal {modal.get('custom_id')!r}: required input(s) {missing} are empty")

        def answer(component: JSON) -> JSON:
            kind = component.get("type")
            if kind == 1:
                return {"type": 1, "components": [answer(c) for c in component.get("components") or []]}
            if kind == 18:
                return {"type": 18, "id": component.get("id"), "component": answer(component["component"])}
            if kind == 4:
                return {"type": 4, "custom_id": component["custom_id"], "value": values.get(component["custom_id"], "")}
            return {"type": kind, "custom_id": component.get("custom_id"), "values": []}

        data = {"custom_id": modal["custom_id"], "components": [answer(c) for c in modal.get("components") or []]}
        user = self._user(record.user_id if user_id is None else user_id)
        submitted = self._new_interaction(INTERACTION_MODAL, modal["custom_id"], self._channels[record.channel_id],
                                          user, data, source=record._source)
        await self.dispatch("INTERACTION_CREATE", submitted.payload)
        return submitted

    # ---- REST plumbing ------------------------------------------------------------------------------------

    def _build_routes(self) -> list[_Route]:
        table: list[tuple[str, str, _Handler, bool]] = [
            ("GET", "/gateway", self._get_gateway, False),
            ("GET", "/gateway/bot", self._get_gateway, True),
            ("GET", "/users/@me", self._get_me, True),
            ("GET", "/users/{user_id}", self._get_user, True),
            ("GET", "/oauth2/applications/@me", self._get_application, True),
            ("GET", "/applications/@me", self._get_application, True),
            ("GET", "/applications/{application_id}/commands", self._get_commands, True),
            ("PUT", "/applications/{application_id}/commands", self._put_commands, True),
            ("POST", "/applications/{application_id}/commands", self._post_command, True),
            ("GET", "/applications/{application_id}/commands/{command_id}", self._get_command, True),
            ("PATCH", "/applications/{application_id}/commands/{command_id}", self._patch_command, True),
            ("DELETE", "/applications/{application_id}/commands/{command_id}", self._delete_command, True),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self._get_commands, True),
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self._put_commands, True),
            ("POST", "/applications/{application_id}/guilds/{guild_id}/commands", self._post_command, True),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}", self._get_command, True),
            ("PATCH", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}", self._patch_command,
             True),
            ("DELETE", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
             self._delete_command, True),
            ("GET", "/guilds/{guild_id}", self._get_guild, True),
            ("GET", "/guilds/{guild_id}/channels", self._get_guild_channels, True),
            ("GET", "/guilds/{guild_id}/roles", self._get_guild_roles, True),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member, True),
            ("GET", "/channels/{channel_id}", self._get_channel, True),
            ("GET", "/channels/{channel_id}/messages", self._get_messages, True),
            ("POST", "/channels/{channel_id}/messages", self._create_message, True),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self._get_message, True),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self._edit_message, True),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self._delete_message, True),
            ("POST", "/channels/{channel_id}/typing", self._typing, True),
            ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", self._react, True),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", self._react, True),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._interaction_callback, False),
            ("POST", "/webhooks/{application_id}/{token}", self._execute_webhook, False),
            ("GET", "/webhooks/{application_id}/{token}/messages/{message_id}", self._get_webhook_message, False),
            ("PATCH", "/webhooks/{application_id}/{token}/messages/{message_id}", self._edit_webhook_message, False),
            ("DELETE", "/webhooks/{application_id}/{token}/messages/{message_id}", self._delete_webhook_message,
             False),
        ]
        routes = []
        for method, template, handler, auth in table:
            regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
            routes.append(_Route(method, template, re.compile(f"^{regex}$"), handler, auth))
        return routes

    async def _read_body(self, request: web.Request) -> tuple[Any, list[JSON]]:
        """The JSON body, or `payload_json` plus file parts of a multipart/form-data body."""
        if request.content_type.startswith("multipart/"):
            body: Any = {}
            files: list[JSON] = []
            reader = await request.multipart()
            async for part in reader:
                if part is None:
                    break
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    content = await part.read()  # type: ignore[union-attr]
                    files.append({"name": part.name, "filename": part.filename,  # type: ignore[union-attr]
                                  "content_type": part.headers.get("Content-Type"), "size": len(content),
                                  "content": bytes(content)})
            return body, files
        raw = await request.read()
        return (json.loads(raw) if raw.strip() else None), []

    def _ratelimit_headers(self, route: str) -> dict[str, str]:
        """Generous limits: discord.py reads these per bucket and would pre-emptively sleep at Remaining 0."""
        return {"X-RateLimit-Limit": "10000", "X-RateLimit-Remaining": "9999",
                "X-RateLimit-Reset": f"{time.time() + 1:.3f}", "X-RateLimit-Reset-After": "1.000",
                "X-RateLimit-Bucket": hashlib.sha1(route.encode()).hexdigest()[:16], "X-RateLimit-Scope": "user"}

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        """Entry point of every /api request: version prefix, body, auth, routing, recording, headers."""
        path = "/" + request.match_info["path"]
        path = re.sub(r"^/v\d+(?=/)", "", path)  # /api/v10/... and /api/... alike
        try:
            body, files = await self._read_body(request)
        except ValueError:
            body, files = None, []
            response: web.StreamResponse = _error(400, 50109, "The request body contains invalid JSON.")
            return self._finish(request, path, None, body, files, response)
        route, params = None, {}
        allowed_elsewhere = False
        for candidate in self._routes:
            match = candidate.pattern.match(path)
            if match is None:
                continue
            if candidate.method != request.method:
                allowed_elsewhere = True
                continue
            route, params = candidate, match.groupdict()
            break
        failure = next((f for f in self._failures if f.method == request.method and f.path.search(path)), None)
        if failure is not None:
            failure.times -= 1
            if failure.times <= 0:
                self._failures.remove(failure)
            response = _json_response(failure.body, failure.status, failure.headers)
            return self._finish(request, path, route, body, files, response, injected=True)
        if route is None:
            response = (_error(405, 0, "405: Method Not Allowed") if allowed_elsewhere
                        else _error(404, 0, "404: Not Found"))
        elif route.auth and request.headers.get("Authorization") != f"Bot {self.token}":
            response = _error(401, 0, "401: Unauthorized")  # discord.py's static_login turns this into LoginFailure
        else:
            try:
                response = await route.handler(request, params, body, files)
            except Exception:  # an emulator bug: fail the request loudly but without discord.py's 500 retries
                self.internal_errors.append(traceback.format_exc())
                response = _error(400, 0, f"emulator error while handling {request.method} {path}; "
                                          "see DiscordEmulator.internal_errors")
        return self._finish(request, path, route, body, files, response)

    def _finish(self, request: web.Request, path: str, route: _Route | None, body: Any, files: list[JSON],
                response: web.StreamResponse, *, injected: bool = False) -> web.StreamResponse:
        for key, value in self._ratelimit_headers(route.template if route else path).items():
            response.headers.setdefault(key, value)
        answer: Any = None
        if isinstance(response, web.Response) and response.body and response.content_type == "application/json":
            answer = json.loads(response.body)  # type: ignore[arg-type]
        self.requests.append(RecordedRequest(
            method=request.method, path=path, route=route.template if route else None, query=dict(request.query),
            json=body, files=[{k: v for k, v in f.items() if k != "content"} for f in files],
            status=response.status, response=answer, injected=injected))
        self._signal.notify()
        return response

    def _reject(self, request: web.Request, path: str, problems: Problems) -> web.Response:
        """Record each problem as a limit violation and answer like Discord: 400, 50035 Invalid Form Body."""
        for field_path, code, message in problems:
            self.limit_violations.append(LimitViolation(request.method, path, field_path, code, message))
        return _error(400, 50035, "Invalid Form Body", _nest_errors(problems))

    def _api_path(self, request: web.Request) -> str:
        return re.sub(r"^/v\d+(?=/)", "", "/" + request.match_info["path"])

    # ---- REST: session, users, application ------------------------------------------------------------------

    async def _get_gateway(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        data: JSON = {"url": self.gateway_url}
        if self._api_path(request) == "/gateway/bot":
            data.update(shards=1, session_start_limit={"total": 1000, "remaining": 999, "reset_after": 86_400_000,
                                                       "max_concurrency": 1})
        return _json_response(data)

    async def _get_me(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        return _json_response(self._bot_user_payload())

    async def _get_user(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        user = self._users.get(int(params["user_id"])) if params["user_id"].isdigit() else None
        if user is None:
            return _error(404, 10013, "Unknown User")
        return _json_response(user.payload())

    async def _get_application(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        return _json_response(self._application_payload())

    # ---- REST: application commands ---------------------------------------------------------------------------

    def _command_scope(self, params: JSON) -> tuple[int | None, web.Response | None]:
        if params["application_id"] != str(self.application_id):
            return None, _error(403, 50001, "Missing Access")
        if "guild_id" not in params:
            return None, None
        guild_id = int(params["guild_id"]) if params["guild_id"].isdigit() else 0
        if guild_id not in self._guilds:
            return None, _error(403, 50001, "Missing Access")  # not in the guild / no applications.commands scope
        return guild_id, None

    def _with_ids(self, scope: int | None, command: JSON, existing: JSON | None) -> JSON:
        """A command as Discord returns it; a re-synced command keeps its id, as on Discord."""
        stored = {"description": "", "options": [], "default_member_permissions": None, "nsfw": False,
                  "type": 1, **copy.deepcopy(command)}
        stored.update(id=existing["id"] if existing else str(self._ids.next()),
                      application_id=str(self.application_id), version=str(self._ids.next()))
        if scope is not None:
            stored["guild_id"] = str(scope)
        return stored

    async def _get_commands(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        scope, error = self._command_scope(params)
        return error or _json_response(list(self._commands.get(scope, {}).values()))

    async def _put_commands(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        """Bulk overwrite (what `CommandTree.sync` sends): the scope's command set becomes exactly `body`."""
        scope, error = self._command_scope(params)
        if error:
            return error
        problems = validate_commands(body)
        if problems:
            return self._reject(request, self._api_path(request), problems)
        old = self._commands.get(scope, {})
        self._commands[scope] = {c["name"]: self._with_ids(scope, c, old.get(c["name"])) for c in body}
        self.command_syncs.append((scope, copy.deepcopy(body)))
        return _json_response(list(self._commands[scope].values()))

    async def _post_command(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        scope, error = self._command_scope(params)
        if error:
            return error
        problems = validate_commands([body])
        if problems:
            return self._reject(request, self._api_path(request), problems)
        commands = self._commands.setdefault(scope, {})
        commands[body["name"]] = self._with_ids(scope, body, commands.get(body["name"]))
        return _json_response(commands[body["name"]], 201)

    def _command_by_id(self, scope: int | None, command_id: str) -> JSON | None:
        return next((c for c in self._commands.get(scope, {}).values() if c["id"] == command_id), None)

    async def _get_command(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        scope, error = self._command_scope(params)
        command = None if error else self._command_by_id(scope, params["command_id"])
        return error or (_json_response(command) if command else _error(404, 10063, "Unknown application command"))

    async def _patch_command(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        scope, error = self._command_scope(params)
        if error:
            return error
        command = self._command_by_id(scope, params["command_id"])
        if command is None:
            return _error(404, 10063, "Unknown application command")
        updated = {**command, **(body or {})}
        problems = validate_commands([updated])
        if problems:
            return self._reject(request, self._api_path(request), problems)
        del self._commands[scope][command["name"]]
        self._commands[scope][updated["name"]] = updated
        return _json_response(updated)

    async def _delete_command(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        scope, error = self._command_scope(params)
        if error:
            return error
        command = self._command_by_id(scope, params["command_id"])
        if command is None:
            return _error(404, 10063, "Unknown application command")
        del self._commands[scope][command["name"]]
        return web.Response(status=204)

    # ---- REST: guilds and channels ---------------------------------------------------------------------------

    def _known_guild(self, params: JSON) -> _Guild | None:
        return self._guilds.get(int(params["guild_id"])) if params["guild_id"].isdigit() else None

    def _known_channel(self, params: JSON) -> _Channel | None:
        return self._channels.get(int(params["channel_id"])) if params["channel_id"].isdigit() else None

    async def _get_guild(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        guild = self._known_guild(params)
        if guild is None:
            return _error(404, 10004, "Unknown Guild")
        payload = self._guild_create_payload(guild, 0)
        for key in ("members", "channels", "threads", "voice_states", "presences", "joined_at", "member_count",
                    "large", "lazy", "unavailable", "stage_instances", "guild_scheduled_events",
                    "soundboard_sounds", "embedded_activities"):
            payload.pop(key, None)
        return _json_response(payload)

    async def _get_guild_channels(
        self, request: web.Request, params: JSON, body: Any, files: list[JSON]
    ) -> web.Response:
        guild = self._known_guild(params)
        if guild is None:
            return _error(404, 10004, "Unknown Guild")
        return _json_response([self._channel_payload(self._channels[c]) for c in guild.channel_ids])

    async def _get_guild_roles(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        guild = self._known_guild(params)
        return _json_response(self._role_payloads(guild)) if guild else _error(404, 10004, "Unknown Guild")

    async def _get_member(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        guild = self._known_guild(params)
        if guild is None:
            return _error(404, 10004, "Unknown Guild")
        user = self._users.get(int(params["user_id"])) if params["user_id"].isdigit() else None
        if user is None or not self._is_member(user, guild):
            return _error(404, 10007, "Unknown Member")
        return _json_response(self._member_payload(user, guild))

    async def _get_channel(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        channel = self._known_channel(params)
        return _json_response(self._channel_payload(channel)) if channel else _error(404, 10003, "Unknown Channel")

    async def _typing(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        if self._known_channel(params) is None:
            return _error(404, 10003, "Unknown Channel")
        return web.Response(status=204)

    async def _get_messages(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        """Channel history, newest first, with `limit`, `before` and `after` (discord.py's `history()`)."""
        channel = self._known_channel(params)
        if channel is None:
            return _error(404, 10003, "Unknown Channel")
        messages = [m for m in self._channel_log[channel.id] if not m.deleted and not m.ephemeral]
        if "before" in request.query:
            messages = [m for m in messages if m.id < int(request.query["before"])]
        if "after" in request.query:
            messages = [m for m in messages if m.id > int(request.query["after"])]
        limit = max(1, min(100, int(request.query.get("limit", 50))))
        newest_first = list(reversed(messages))[:limit]
        return _json_response([self._as_seen_by_bot(m, via_gateway=False) for m in newest_first])

    def _channel_message(self, params: JSON) -> tuple[_Channel | None, _StoredMessage | None, web.Response | None]:
        channel = self._known_channel(params)
        if channel is None:
            return None, None, _error(404, 10003, "Unknown Channel")
        message = self._messages.get(int(params["message_id"])) if params["message_id"].isdigit() else None
        if message is None or message.deleted or message.channel_id != channel.id or message.ephemeral:
            return channel, None, _error(404, 10008, "Unknown Message")
        return channel, message, None

    async def _get_message(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        _, message, error = self._channel_message(params)
        return error or _json_response(self._as_seen_by_bot(message, via_gateway=False))  # type: ignore[arg-type]

    async def _react(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        _, _, error = self._channel_message(params)
        return error or web.Response(status=204)

    # ---- REST: messages the bot sends -------------------------------------------------------------------------

    def _compute_mentions(self, content: str, allowed: JSON | None, guild: _Guild,
                          replied_author: int | None) -> tuple[list[JSON], list[str], bool]:
        """Who a message actually mentions, honouring allowed_mentions as Discord does.

        With no allowed_mentions every mention in the content counts (and a reply pings its author); with one,
        only the parsed kinds / listed ids count, and the replied-to author only if `replied_user` is true.
        """
        user_ids = [int(u) for u in _USER_MENTION.findall(content)]
        role_ids = [r for r in _ROLE_MENTION.findall(content)]
        everyone = "@everyone" in content or "@here" in content
        if allowed is None:
            users, roles, ping_everyone, ping_reply = user_ids, role_ids, everyone, True
        else:
            parse = allowed.get("parse") or []
            listed_users = {int(u) for u in allowed.get("users") or []}
            listed_roles = {str(r) for r in allowed.get("roles") or []}
            users = [u for u in user_ids if "users" in parse or u in listed_users]
            roles = [r for r in role_ids if "roles" in parse or r in listed_roles]
            ping_everyone = everyone and "everyone" in parse
            ping_reply = bool(allowed.get("replied_user"))
        if replied_author is not None and ping_reply:
            users.append(replied_author)
        return self._mention_payloads(users, guild), roles, ping_everyone

    def _attachments(self, body: JSON, files: list[JSON], channel_id: int) -> list[JSON]:
        """Attachment objects for uploaded `files[n]` parts, described by the body's `attachments` list."""
        described = {str(a.get("id")): a for a in body.get("attachments") or []}
        attachments = []
        for index, part in enumerate(f for f in files if str(f["name"]).startswith("files[")):
            info = described.get(str(index), {})
            attachment_id = self._ids.next()
            filename = info.get("filename") or part["filename"] or f"file{index}"
            url = f"{self.base_url}/attachments/{channel_id}/{attachment_id}/{filename}"
            part["url"] = url
            attachments.append({"id": str(attachment_id), "filename": filename, "size": part["size"], "url": url,
                                "proxy_url": url, "content_type": part.get("content_type"),
                                "description": info.get("description"), "ephemeral": False})
        return attachments

    def _new_bot_message(self, channel: _Channel, body: JSON, files: list[JSON], *, origin: str, flags: int,
                         record: InteractionRecord | None = None, msg_type: int = 0) -> _StoredMessage:
        guild = self._guilds[channel.guild_id]
        content = str(body.get("content") or "")
        data: JSON = {
            "id": str(self._ids.next()), "channel_id": str(channel.id), "guild_id": str(guild.id),
            "author": self._bot.payload(), "member": self._member_payload(self._bot, guild, with_user=False),
            "content": content, "timestamp": _now_iso(), "edited_timestamp": None, "tts": bool(body.get("tts")),
            "mention_everyone": False, "mentions": [], "mention_roles": [],
            "attachments": self._attachments(body, files, channel.id),
            "embeds": [{"type": "rich", **e} for e in body.get("embeds") or []], "reactions": [], "pinned": False,
            "type": msg_type, "flags": flags, "components": copy.deepcopy(body.get("components") or []),
        }
        replied_author = None
        reference = body.get("message_reference")
        if reference:
            referenced = self._messages.get(int(reference.get("message_id") or 0))
            data["message_reference"] = {"type": int(reference.get("type") or 0),
                                         "message_id": str(reference.get("message_id")),
                                         "channel_id": str(reference.get("channel_id") or channel.id),
                                         "guild_id": str(reference.get("guild_id") or guild.id)}
            if referenced is not None:
                data["type"] = 19
                data["referenced_message"] = referenced.payload()
                data["referenced_message"].pop("referenced_message", None)
                replied_author = int(referenced.data["author"]["id"])
        mentions, roles, everyone = self._compute_mentions(content, body.get("allowed_mentions"), guild,
                                                           replied_author)
        data.update(mentions=mentions, mention_roles=roles, mention_everyone=everyone)
        if body.get("nonce") is not None:
            data["nonce"] = body["nonce"]
        if record is not None:
            data.update(webhook_id=str(self.application_id), application_id=str(self.application_id))
            data["interaction_metadata"] = {
                "id": str(record.id), "type": record.type, "user": self._users[record.user_id].payload(),
                "authorizing_integration_owners": {"0": str(record.guild_id)}}
            if record.type == INTERACTION_COMMAND:
                data["interaction_metadata"]["name"] = record.name
            if record._source is not None:
                data["interaction_metadata"]["interacted_message_id"] = str(record._source.id)
        message = _StoredMessage(data=data, origin=origin, allowed_mentions=copy.deepcopy(body.get("allowed_mentions")),
                                 interaction_id=record.id if record else None, files=files)
        return self._store(message)

    def _apply_edit(self, message: _StoredMessage, body: JSON, files: list[JSON]) -> None:
        """Merge an edit into a message: present fields replace, absent ones stay (Discord's PATCH semantics)."""
        data = message.data
        if "content" in body:
            data["content"] = str(body["content"] or "")
        if "embeds" in body:
            data["embeds"] = [{"type": "rich", **e} for e in body["embeds"] or []]
        if "components" in body:
            data["components"] = copy.deepcopy(body["components"] or [])
        if "attachments" in body or files:
            kept = {str(a.get("id")) for a in body.get("attachments") or []}
            data["attachments"] = [a for a in data["attachments"] if a["id"] in kept]
            data["attachments"] += self._attachments(body, files, message.channel_id)
        if "allowed_mentions" in body:
            message.allowed_mentions = copy.deepcopy(body["allowed_mentions"])
        if "flags" in body and body["flags"] is not None:
            keep = MESSAGE_FLAG_EPHEMERAL
            changeable = MESSAGE_FLAG_SUPPRESS_EMBEDS | MESSAGE_FLAG_COMPONENTS_V2
            data["flags"] = (int(data.get("flags") or 0) & keep) | (int(body["flags"]) & changeable)
        data["flags"] = int(data.get("flags") or 0) & ~MESSAGE_FLAG_LOADING  # an edit completes a deferral
        guild = self._guilds[self._channels[message.channel_id].guild_id]
        replied = message.data.get("referenced_message")
        mentions, roles, everyone = self._compute_mentions(
            data["content"], message.allowed_mentions, guild, int(replied["author"]["id"]) if replied else None)
        data.update(mentions=mentions, mention_roles=roles, mention_everyone=everyone,
                    edited_timestamp=_now_iso())
        message.edits.append(copy.deepcopy(body))

    def _echo(self, event: str, message: _StoredMessage) -> None:
        """MESSAGE_CREATE/UPDATE/DELETE for the bot's own (non-ephemeral) messages, as Discord sends them."""
        session = self._live_session()
        if not self.echo_bot_messages or session is None or message.ephemeral \
                or not session.intents & INTENT_GUILD_MESSAGES:
            return
        if event == "MESSAGE_DELETE":
            data: JSON = {"id": str(message.id), "channel_id": str(message.channel_id),
                          "guild_id": message.data["guild_id"]}
        else:
            data = self._as_seen_by_bot(message, via_gateway=True)
        session.append(event, data)
        self._signal.notify()

    def _check_send(self, request: web.Request, body: Any, files: list[JSON], *, partial: bool,
                    editing: _StoredMessage | None = None) -> web.Response | None:
        """Discord's checks on a message body: form errors (50035, recorded) and empty messages (50006).

        `partial` is for edits and UPDATE_MESSAGE callbacks; `editing` is the message an edit would change,
        which must not end up empty either."""
        path = self._api_path(request)
        if not isinstance(body, dict):
            return self._reject(request, path, [("_", "DICT_TYPE_CONVERT", "Only dictionaries may be used")])
        uploads = sum(1 for f in files if str(f["name"]).startswith("files["))
        problems = validate_message(body, file_count=uploads)
        too_big = [f["filename"] for f in files if f["size"] > ATTACHMENT_SIZE_LIMIT]
        if too_big:
            self.limit_violations.append(LimitViolation(request.method, path, "files", "ENTITY_TOO_LARGE",
                                                        f"Request entity too large: {too_big}"))
            return _error(413, 40005, "Request entity too large")
        if problems:
            return self._reject(request, path, problems)
        result = body
        if partial and editing is not None:
            result = {k: body[k] if k in body else editing.data.get(k) for k in ("content", "embeds", "components",
                                                                                 "attachments", "poll")}
        if (not partial or editing is not None) and _is_empty(result, uploads):
            self.limit_violations.append(LimitViolation(request.method, path, "_", "EMPTY_MESSAGE",
                                                        "Cannot send an empty message"))
            return _error(400, 50006, "Cannot send an empty message")
        return None

    async def _create_message(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        """POST /channels/{id}/messages: validate, de-duplicate by nonce, store, echo, answer the message."""
        channel = self._known_channel(params)
        if channel is None:
            return _error(404, 10003, "Unknown Channel")
        error = self._check_send(request, body, files, partial=False)
        if error:
            return error
        if not self.permissions(self._bot.id, channel.id) & SEND_MESSAGES:
            return _error(403, 50013, "Missing Permissions")
        reference = body.get("message_reference")
        if reference and reference.get("fail_if_not_exists", True):
            referenced = self._messages.get(int(reference.get("message_id") or 0))
            if referenced is None or referenced.deleted:
                return self._reject(request, self._api_path(request), [
                    ("message_reference", "REPLIES_UNKNOWN_MESSAGE", "Unknown message")])
        nonce = body.get("nonce")
        now = asyncio.get_running_loop().time()
        if nonce is not None and body.get("enforce_nonce"):
            previous = self._nonces.get(str(nonce))
            if previous is not None and now - previous[0] < self.nonce_window:
                return _json_response(previous[1].payload())  # same nonce: the first message, nothing new
        flags = int(body.get("flags") or 0) & (MESSAGE_FLAG_SUPPRESS_EMBEDS | MESSAGE_FLAG_SUPPRESS_NOTIFICATIONS
                                               | MESSAGE_FLAG_COMPONENTS_V2)
        message = self._new_bot_message(channel, body, files, origin="channel", flags=flags)
        if nonce is not None:
            self._nonces[str(nonce)] = (now, message)
        self._echo("MESSAGE_CREATE", message)
        return _json_response(message.payload())

    async def _edit_message(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        _, message, error = self._channel_message(params)
        if error:
            return error
        assert message is not None
        if int(message.data["author"]["id"]) != self._bot.id:
            return _error(403, 50005, "Cannot edit a message authored by another user")
        error = self._check_send(request, body, files, partial=True, editing=message)
        if error:
            return error
        self._apply_edit(message, body, files)
        self._echo("MESSAGE_UPDATE", message)
        return _json_response(message.payload())

    async def _delete_message(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        channel, message, error = self._channel_message(params)
        if error:
            return error
        assert message is not None and channel is not None
        own = int(message.data["author"]["id"]) == self._bot.id
        if not own and not self.permissions(self._bot.id, channel.id) & MANAGE_MESSAGES:
            return _error(403, 50013, "Missing Permissions")
        message.deleted = True
        self._echo("MESSAGE_DELETE", message)
        return web.Response(status=204)

    async def _attachment(self, request: web.Request) -> web.StreamResponse:
        """Serves uploaded files back at their attachment URL."""
        wanted = f"/attachments/{request.match_info['channel_id']}/{request.match_info['attachment_id']}/"
        for message in self._messages.values():
            for part in message.files:
                if str(part.get("url", "")).startswith(f"{self.base_url}{wanted}"):
                    return web.Response(body=part["content"], content_type=part.get("content_type")
                                        or "application/octet-stream")
        return web.Response(status=404)

    # ---- REST: interactions -----------------------------------------------------------------------------------

    async def _interaction_callback(
        self, request: web.Request, params: JSON, body: Any, files: list[JSON]
    ) -> web.Response:
        """POST /interactions/{id}/{token}/callback: the bot's one response to an interaction."""
        path = self._api_path(request)
        record = self._interactions.get(int(params["interaction_id"])) if params["interaction_id"].isdigit() else None
        if record is None or record.token != params["token"]:
            return _error(404, 10062, "Unknown interaction")
        if record.responses:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        loop_time = asyncio.get_running_loop().time()
        if self.interaction_deadline is not None and record.delivered_at is not None \
                and loop_time - record.delivered_at > self.interaction_deadline:
            late = loop_time - record.delivered_at
            self.limit_violations.append(LimitViolation(
                request.method, path, "_", "INTERACTION_TIMEOUT",
                f"callback for {record.name!r} came {late:.2f} s after delivery (limit {self.interaction_deadline} s)"))
            return _error(404, 10062, "Unknown interaction")
        if not isinstance(body, dict) or "type" not in body:
            return self._reject(request, path, [("type", "BASE_TYPE_REQUIRED", "This field is required")])
        kind = int(body["type"])
        data: JSON = body.get("data") or {}
        if kind not in _CALLBACKS_ALLOWED.get(record.type, set()):
            return self._reject(request, path, [("type", "INTERACTION_RESPONSE_TYPE_INVALID",
                                                 f"Interaction response type {kind} is invalid for this interaction")])
        if kind == CALLBACK_MESSAGE or kind == CALLBACK_UPDATE_MESSAGE:
            error = self._check_send(request, data, files, partial=kind == CALLBACK_UPDATE_MESSAGE,
                                     editing=record._source if kind == CALLBACK_UPDATE_MESSAGE else None)
            if error:
                return error
        elif kind == CALLBACK_MODAL:
            problems = validate_modal(data)
            if problems:
                return self._reject(request, path, problems)
        elif kind == CALLBACK_AUTOCOMPLETE:
            problems = validate_choices(data)
            if problems:
                return self._reject(request, path, problems)
        record.responses.append(CallbackRecord(kind, copy.deepcopy(data)))
        channel = self._channels[record.channel_id]
        message: _StoredMessage | None = None
        if kind == CALLBACK_MESSAGE:
            flags = int(data.get("flags") or 0) & (MESSAGE_FLAG_EPHEMERAL | MESSAGE_FLAG_SUPPRESS_EMBEDS
                                                   | MESSAGE_FLAG_SUPPRESS_NOTIFICATIONS | MESSAGE_FLAG_COMPONENTS_V2)
            message = self._new_bot_message(channel, data, files, origin="interaction", flags=flags, record=record,
                                            msg_type=20 if record.type == INTERACTION_COMMAND else 0)
            record._original = message
            self._echo("MESSAGE_CREATE", message)
        elif kind == CALLBACK_DEFERRED_MESSAGE:
            flags = (int(data.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL) | MESSAGE_FLAG_LOADING
            message = self._new_bot_message(channel, {}, [], origin="interaction", flags=flags, record=record,
                                            msg_type=20 if record.type == INTERACTION_COMMAND else 0)
            record._original = message
            self._echo("MESSAGE_CREATE", message)
        elif kind in (CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE_MESSAGE):
            # For component interactions @original *is* the message the component is on.
            record._original = message = record._source
            if kind == CALLBACK_UPDATE_MESSAGE and message is not None:
                self._apply_edit(message, data, files)
                record.edits.append({"message_id": str(message.id), **copy.deepcopy(data)})
                self._echo("MESSAGE_UPDATE", message)
        if "with_response" not in request.query:
            return web.Response(status=204)
        interaction: JSON = {"id": str(record.id), "type": record.type}
        resource: JSON | None = None
        if message is not None:
            interaction.update(response_message_id=str(message.id), response_message_loading=message.loading,
                               response_message_ephemeral=message.ephemeral)
            if kind != CALLBACK_DEFERRED_UPDATE:
                resource = {"type": kind, "message": message.payload()}
        # discord.py stores a view sent with the response under `response_message_id`; clicks are routed by it.
        answer: JSON = {"interaction": interaction}
        if resource is not None:
            answer["resource"] = resource
        return _json_response(answer)

    def _webhook_record(self, params: JSON) -> tuple[InteractionRecord | None, web.Response | None]:
        """Interaction webhooks: /webhooks/{application_id}/{interaction token}."""
        record = next((r for r in self._interactions.values() if r.token == params["token"]), None)
        if params["application_id"] != str(self.application_id) or record is None:
            return None, _error(404, 10015, "Unknown Webhook")
        if not record.responses:
            return None, _error(404, 10015, "Unknown Webhook")  # followups need an acknowledged interaction
        return record, None

    async def _execute_webhook(self, request: web.Request, params: JSON, body: Any, files: list[JSON]) -> web.Response:
        """A followup. The first followup after a deferral (type 5) fills in the loading message instead of
        posting a new one, and keeps the deferral's ephemerality, as on Discord."""
        record, error = self._webhook_record(params)
        if error:
            return error
        assert record is not None
        error = self._check_send(request, body, files, partial=False)
        if error:
            return error
        original = record._original
        if original is not None and original.loading and record.response is not None \
                and record.response.type == CALLBACK_DEFERRED_MESSAGE:
            fill = {k: v for k, v in body.items() if k in ("content", "embeds", "components", "attachments",
                                                            "allowed_mentions")}
            self._apply_edit(original, fill, files)
            message = original
            self._echo("MESSAGE_UPDATE", message)
        else:
            flags = int(body.get("flags") or 0) & (MESSAGE_FLAG_EPHEMERAL | MESSAGE_FLAG_SUPPRESS_EMBEDS
                                                   | MESSAGE_FLAG_SUPPRESS_NOTIFICATIONS | MESSAGE_FLAG_COMPONENTS_V2)
            message = self._new_bot_message(self._channels[record.channel_id], body, files, origin="followup",
                                            flags=flags, record=record)
            self._echo("MESSAGE_CREATE", message)
        record._followups.append(message)
        if request.query.get("wait", "").lower() in ("1", "true"):
            return _json_response(message.payload())
        return web.Response(status=204)

    def _webhook_message(self, record: InteractionRecord, message_id: str) -> _StoredMessage | None:
        if message_id == "@original":
            message = record._original
        else:
            message = next((m for m in [record._original, *record._followups]
                            if m is not None and str(m.id) == message_id), None)
        return None if message is None or message.deleted else message

    async def _get_webhook_message(
        self, request: web.Request, params: JSON, body: Any, files: list[JSON]
    ) -> web.Response:
        record, error = self._webhook_record(params)
        if error:
            return error
        assert record is not None
        message = self._webhook_message(record, params["message_id"])
        return _json_response(message.payload()) if message else _error(404, 10008, "Unknown Message")

    async def _edit_webhook_message(
        self, request: web.Request, params: JSON, body: Any, files: list[JSON]
    ) -> web.Response:
        """Edit @original (e.g. after a deferral, `interaction.edit_original_response`) or a followup."""
        record, error = self._webhook_record(params)
        if error:
            return error
        assert record is not None
        message = self._webhook_message(record, params["message_id"])
        if message is None:
            return _error(404, 10008, "Unknown Message")
        error = self._check_send(request, body, files, partial=True, editing=message)
        if error:
            return error
        self._apply_edit(message, body, files)
        record.edits.append({"message_id": str(message.id), **copy.deepcopy(body)})
        self._echo("MESSAGE_UPDATE", message)
        return _json_response(message.payload())

    async def _delete_webhook_message(
        self, request: web.Request, params: JSON, body: Any, files: list[JSON]
    ) -> web.Response:
        record, error = self._webhook_record(params)
        if error:
            return error
        assert record is not None
        message = self._webhook_message(record, params["message_id"])
        if message is None:
            return _error(404, 10008, "Unknown Message")
        message.deleted = True
        self._echo("MESSAGE_DELETE", message)
        return web.Response(status=204)
