"""Tests of the Discord emulator (tests/emulator) with a tiny discord.py bot defined here.

The bot is the real, unmodified discord.py client; only its base URLs point at the emulator. Every wait is
bounded (the emulator's `wait_for`, `asyncio.timeout`), and every bot is closed by its fixture.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.emulator import DiscordEmulator, InteractionRecord, running_bot

TOKEN = "test-token"


# --- the bot under test --------------------------------------------------------------------------------------


class VoteView(discord.ui.View):
    """A button only the user who ran /vote may press."""

    def __init__(self, owner_id: int) -> None:
        super().__init__(timeout=60)
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message("This vote is not yours.", ephemeral=True)
            return False
        return True

    @discord.ui.button(label="Yes", style=discord.ButtonStyle.success, custom_id="vote:yes")
    async def yes(self, interaction: discord.Interaction, button: discord.ui.Button[VoteView]) -> None:
        await interaction.response.edit_message(content="You voted yes.", view=None)
        self.stop()


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    text: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(label="Your feedback",
                                                                      custom_id="feedback:text", max_length=200)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"Thanks for: {self.text.value}", ephemeral=True)


class ProbeBot(commands.Bot):
    """Slash commands covering defer+followup, defer+edit, ephemeral, a button view, a modal, a subcommand with
    typed options and an over-long message; `on_message` answers mentions with a reply."""

    def __init__(self, *, message_content: bool = False) -> None:
        intents = discord.Intents.default()
        intents.message_content = message_content
        super().__init__(command_prefix="\x00never\x00", intents=intents, help_command=None,
                         allowed_mentions=discord.AllowedMentions.none(), guild_ready_timeout=0.1)
        self.seen: list[discord.Message] = []
        self._register_commands()

    def _register_commands(self) -> None:
        tree = self.tree

        @tree.command(description="Answers after thinking")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send(embed=discord.Embed(title="Pong", description="All systems go."))

        @tree.command(description="Thinks privately, then edits its answer and adds a note")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.edit_original_response(content="Here is the answer.")
            await interaction.followup.send("A private note.", ephemeral=True)

        @tree.command(description="Opens a form")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(FeedbackModal())

        @tree.command(description="Only you can see the answer")
        async def secret(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("Just between us.", ephemeral=True)

        @tree.command(description="Vote with a button")
        async def vote(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("Do you agree?", view=VoteView(interaction.user.id))

        @tree.command(description="Tries to post a message that is too long")
        async def long(interaction: discord.Interaction) -> None:
            assert isinstance(interaction.channel, discord.TextChannel)
            try:
                await interaction.channel.send("x" * 2001)
            except discord.HTTPException as error:
                await interaction.response.send_message(f"failed: {error.status} {error.code}")
            else:
                await interaction.response.send_message("sent")

        sources = app_commands.Group(name="sources", description="Manage news sources",
                                     default_permissions=discord.Permissions(manage_guild=True), guild_only=True)

        @sources.command(description="Add a source")
        @app_commands.describe(url="Feed URL", weight="How much it counts", announce="Say so in the channel")
        async def add(interaction: discord.Interaction, url: str, weight: app_commands.Range[int, 1, 5] = 1,
                      announce: bool = False, channel: discord.TextChannel | None = None) -> None:
            where = channel.mention if channel else "-"
            await interaction.response.send_message(f"added {url} weight={weight} announce={announce} "
                                                    f"channel={where} by={interaction.user.name}")

        tree.add_command(sources)

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def on_message(self, message: discord.Message) -> None:
        if message.author.id == self.user.id:  # type: ignore[union-attr]
            return  # Discord echoes the bot's own messages back; answering them would loop
        self.seen.append(message)
        if self.user in message.mentions:
            await message.reply("pong")


# --- fixtures ------------------------------------------------------------------------------------------------


@dataclass
class World:
    emu: DiscordEmulator
    guild: int
    channel: int
    other_channel: int
    alice: int  # an ordinary member
    bob: int  # another ordinary member
    manager: int  # has Manage Server


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with DiscordEmulator(token=TOKEN) as emu:
        guild = emu.add_guild("Test server")
        channel = emu.add_channel(guild, "news")
        other = emu.add_channel(guild, "off-topic")
        yield World(emu, guild, channel, other, emu.add_user("alice"), emu.add_user("bob"),
                    emu.add_user("mod", manage_guild=True))


@pytest.fixture
async def bot(world: World) -> AsyncIterator[ProbeBot]:
    probe = ProbeBot()
    async with running_bot(probe, world.emu):
        yield probe


async def respond(emu: DiscordEmulator, record: InteractionRecord) -> InteractionRecord:
    await emu.wait_for_response(record, timeout=5)
    return record


# --- login, READY, sync ----------------------------------------------------------------------------------------


async def test_login_ready_and_command_sync_are_recorded(world: World, bot: ProbeBot) -> None:
    emu = world.emu
    async with asyncio.timeout(5):
        await bot.wait_until_ready()
    assert [r.route for r in emu.requests[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    assert emu.intents == discord.Intents.default().value
    assert len(emu.identifies) == 1 and emu.identifies[0]["token"] == TOKEN
    synced = emu.synced_commands()
    assert set(synced) == {"ping", "slow", "feedback", "secret", "vote", "long", "sources"}
    assert all(c["id"].isdigit() and c["application_id"] == str(emu.application_id) for c in synced.values())
    assert emu.command_syncs[0][0] is None  # a global sync
    # discord.py's cache is complete: guild, channels, its own member with the bot role's permissions.
    guild = bot.get_guild(world.guild)
    assert guild is not None and guild.get_channel(world.channel) is not None
    assert guild.me.guild_permissions.send_messages and not guild.me.guild_permissions.manage_guild
    assert emu.gateway_connections[0].startswith("/gateway?") and "compress=zlib-stream" in emu.gateway_connections[0]
    assert emu.heartbeats >= 1  # discord.py beats as soon as it gets HELLO
    assert not emu.errors and not emu.limit_violations and not emu.unknown_routes


async def test_wrong_token_raises_login_failure(world: World) -> None:
    probe = ProbeBot()
    with pytest.raises(discord.LoginFailure):
        async with running_bot(probe, world.emu, token="not-the-token"):
            pass  # pragma: no cover
    assert probe.is_closed()
    assert world.emu.requests[-1].status == 401
    assert world.emu.requests[-1].response == {"message": "401: Unauthorized", "code": 0}


# --- slash commands ---------------------------------------------------------------------------------------------


async def test_ping_defers_then_followup_fills_in_the_embed(world: World, bot: ProbeBot) -> None:
    emu = world.emu
    record = await emu.invoke_command(world.channel, world.alice, "ping")
    followups = await emu.wait_for(lambda: record.followups, timeout=5)
    assert [r.type for r in record.responses] == [5]
    assert record.deferred and not record.ephemeral
    assert followups[0]["embeds"][0]["title"] == "Pong"
    # The first followup after a deferral replaces the "thinking…" message: same id, no longer loading.
    assert followups[0]["id"] == record.original["id"]  # type: ignore[index]
    assert not followups[0]["flags"] & 128
    assert emu.requests_to("POST", "/webhooks/{application_id}/{token}")[0].query["wait"] == "1"
    assert not emu.limit_violations and not emu.errors


async def test_defer_then_edit_original_then_ephemeral_followup(world: World, bot: ProbeBot) -> None:
    emu = world.emu
    record = await emu.invoke_command(world.channel, world.alice, "slow")
    await emu.wait_for(lambda: len(record.followups) == 1, timeout=5)
    assert record.response is not None and record.response.type == 5 and record.response.flags == 64
    assert record.original is not None and record.original["content"] == "Here is the answer."
    assert record.original["flags"] == 64  # still ephemeral, no longer loading
    assert [e["content"] for e in record.edits] == ["Here is the answer."]
    [note] = record.followups
    assert note["content"] == "A private note." and note["flags"] & 64 and note["id"] != record.original["id"]
    assert [m["content"] for m in record.messages] == ["Here is the answer.", "A private note."]
    assert emu.channel_history(world.channel) == []  # ephemeral: nobody else sees anything


async def test_modal_is_opened_and_submitted(world: World, bot: ProbeBot) -> None:
    emu = world.emu
    opened = await respond(emu, await emu.invoke_command(world.channel, world.alice, "feedback"))
    assert opened.response is not None and opened.response.type == 9
    assert opened.modal is not None and opened.modal["title"] == "Feedback"
    submitted = await respond(emu, await emu.submit_modal(opened, {"feedback:text": "nice bot"}))
    assert submitted.type == 5 and submitted.ephemeral
    assert submitted.original is not None and submitted.original["content"] == "Thanks for: nice bot"


async def test_guild_commands_autocomplete_and_missing_permissions(world: World) -> None:
    """A plain Client with a guild-scoped tree: the interaction carries data.guild_id, which discord.py uses
    to find guild commands; a channel where the bot may not send answers 403 / 50013."""
    emu = world.emu
    readonly = emu.add_channel(world.guild, "announcements", bot_can_send=False)
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1)
    tree = app_commands.CommandTree(client)
    guild = discord.Object(world.guild)

    @tree.command(description="Post a fruit somewhere", guild=guild)
    async def fruit(interaction: discord.Interaction, name: str, where: discord.TextChannel) -> None:
        try:
            await where.send(name)
        except discord.Forbidden as error:
            await interaction.response.send_message(f"cannot post: {error.code}")
        else:
            await interaction.response.send_message("posted")

    @fruit.autocomplete("name")
    async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f, value=f) for f in ("apple", "apricot", "banana") if f.startswith(current)]

    async def sync_guild_commands() -> None:
        await tree.sync(guild=guild)

    client.setup_hook = sync_guild_commands  # type: ignore[method-assign]
    async with running_bot(client, emu):
        assert list(emu.synced_commands(world.guild)) == ["fruit"] and emu.synced_commands() == {}
        typing = await respond(emu, await emu.autocomplete(world.channel, world.alice, "fruit", {"name": "ap"},
                                                           focused="name"))
        assert typing.choices == [{"name": "apple", "value": "apple"}, {"name": "apricot", "value": "apricot"}]
        posted = await respond(emu, await emu.invoke_command(world.channel, world.alice, "fruit",
                                                             name="apple", where=world.other_channel))
        assert posted.payload["data"]["guild_id"] == str(world.guild)
        assert posted.original is not None and posted.original["content"] == "posted"
        assert [m["content"] for m in emu.channel_messages(world.other_channel)] == ["apple"]
        refused = await respond(emu, await emu.invoke_command(world.channel, world.alice, "fruit",
                                                              name="apple", where=readonly))
        assert refused.original is not None and refused.original["content"] == "cannot post: 50013"


async def test_ephemeral_response_is_flagged(world: World, bot: ProbeBot) -> None:
    record = await respond(world.emu, await world.emu.invoke_command(world.channel, world.alice, "secret"))
    assert record.response is not None and record.response.type == 4 and record.response.flags & 64
    assert record.ephemeral
    assert record.original is not None and record.original["content"] == "Just between us."
    assert world.emu.channel_messages(world.channel) == []  # nothing posted in the channel itself


async def test_subcommand_with_typed_options(world: World, bot: ProbeBot) -> None:
    emu = world.emu
    record = await emu.invoke_command(world.channel, world.manager, "sources add",
                                      {"url": "https://example.org/feed", "weight": 3, "announce": True,
                                       "channel": world.other_channel})
    await respond(emu, record)
    assert record.original is not None
    assert record.original["content"] == (f"added https://example.org/feed weight=3 announce=True "
                                          f"channel=<#{world.other_channel}> by=mod")
    sent = record.payload["data"]
    assert sent["name"] == "sources" and sent["options"][0]["name"] == "add"
    assert {o["name"]: o["type"] for o in sent["options"][0]["options"]} == {
        "url": 3, "weight": 4, "announce": 5, "channel": 7}


async def test_command_options_are_checked_against_the_synced_schema(world: World, bot: ProbeBot) -> None:
    emu = world.emu
    with pytest.raises(PermissionError):  # default_member_permissions: Discord hides it from plain members
        await emu.invoke_command(world.channel, world.alice, "sources add", url="https://example.org")
    with pytest.raises(ValueError):
        await emu.invoke_command(world.channel, world.manager, "sources add", url="https://x.org", weight=9)
    with pytest.raises(LookupError):
        await emu.invoke_command(world.channel, world.manager, "sources remove")
    with pytest.raises(LookupError):
        await emu.invoke_command(world.channel, world.alice, "nope")
    assert emu.interactions == []


async def test_overlong_content_gets_400_and_a_recorded_violation(world: World, bot: ProbeBot) -> None:
    emu = world.emu
    record = await respond(emu, await emu.invoke_command(world.channel, world.alice, "long"))
    assert record.original is not None and record.original["content"] == "failed: 400 50035"
    [violation] = emu.limit_violations
    assert (violation.field, violation.code) == ("content", "BASE_TYPE_MAX_LENGTH")
    assert violation.path == f"/channels/{world.channel}/messages"
    assert emu.channel_messages(world.channel) == []


# --- components ---------------------------------------------------------------------------------------------


async def test_button_click_respects_interaction_check(world: World, bot: ProbeBot) -> None:
    emu = world.emu
    vote = await respond(emu, await emu.invoke_command(world.channel, world.alice, "vote"))
    assert vote.original is not None
    assert vote.original["components"][0]["components"][0]["custom_id"] == "vote:yes"

    intruder = await respond(emu, await emu.click_button(vote, "vote:yes", world.bob))
    assert intruder.type == 3 and intruder.payload["message"]["id"] == vote.original["id"]
    assert intruder.response is not None and intruder.response.type == 4 and intruder.ephemeral
    assert intruder.original is not None and intruder.original["content"] == "This vote is not yours."
    assert vote.original["content"] == "Do you agree?"  # untouched

    click = await respond(emu, await emu.click_button(vote, "vote:yes", world.alice))
    assert click.response is not None and click.response.type == 7
    assert vote.original["content"] == "You voted yes." and vote.original["components"] == []
    assert vote.original["edited_timestamp"] is not None
    with pytest.raises(LookupError):  # the button is gone now
        await emu.click_button(vote, "vote:yes", world.alice)


# --- messages -------------------------------------------------------------------------------------------------


async def test_mention_gets_a_reply_with_reference_and_no_pings(world: World, bot: ProbeBot) -> None:
    emu = world.emu
    sent = await emu.send_message(world.channel, world.alice, "hello there", mentions=[emu.bot_id])
    [reply] = await emu.wait_for(lambda: emu.channel_messages(world.channel), timeout=5)
    assert reply["content"] == "pong"
    assert reply["message_reference"]["message_id"] == sent["id"]
    assert reply["type"] == 19 and reply["referenced_message"]["id"] == sent["id"]
    assert reply["allowed_mentions"] == {"parse": []}
    assert reply["mentions"] == []  # AllowedMentions.none(): the reply pings nobody
    assert bot.seen[0].content == f"<@{emu.bot_id}> hello there"  # mentioned: content arrives without the intent
    # Discord echoed the reply back over the gateway; the bot ignored its own message.
    assert [e.data["id"] for e in emu.dispatched("MESSAGE_CREATE")][-1] == reply["id"]
    assert len(bot.seen) == 1


async def test_content_is_empty_without_the_message_content_intent(world: World, bot: ProbeBot) -> None:
    emu = world.emu
    await emu.send_message(world.channel, world.alice, "no mention here")
    await emu.wait_for(lambda: bot.seen, timeout=5)
    assert bot.seen[0].content == "" and bot.seen[0].author.id == world.alice
    assert emu.channel_messages(world.channel) == []  # no mention, no reply


async def test_content_arrives_with_the_message_content_intent(world: World) -> None:
    emu = world.emu
    probe = ProbeBot(message_content=True)
    async with running_bot(probe, emu):
        assert emu.intents is not None and emu.intents & discord.Intents.message_content.flag
        await emu.send_message(world.channel, world.alice, "no mention here")
        await emu.wait_for(lambda: probe.seen, timeout=5)
        assert probe.seen[0].content == "no mention here"


async def test_disallowed_privileged_intent_closes_the_gateway() -> None:
    async with DiscordEmulator(token=TOKEN, enabled_privileged_intents=0) as emu:
        emu.add_guild()
        # Close code 4014. discord.py turns it into PrivilegedIntentsRequired only when reconnect=True;
        # with reconnect=False connect() re-raises the ConnectionClosed as is.
        with pytest.raises(discord.ConnectionClosed) as closed:
            async with running_bot(ProbeBot(message_content=True), emu, ready_timeout=5):
                pass  # pragma: no cover
        assert closed.value.code == 4014
        assert emu.intents is None


# --- gateway --------------------------------------------------------------------------------------------------


async def test_resume_after_reconnect_request_delivers_later_events(world: World, bot: ProbeBot) -> None:
    emu = world.emu
    await emu.request_reconnect(timeout=10)
    assert emu.resumes == 1
    assert emu.gateway_connections[-1].startswith("/gateway-resume?")  # READY's resume_gateway_url
    assert len(emu.identifies) == 1  # resumed, not re-identified
    await emu.send_message(world.channel, world.alice, "still there?", mentions=[emu.bot_id])
    await emu.wait_for(lambda: emu.channel_messages(world.channel), timeout=5)


async def test_events_missed_while_disconnected_are_replayed_on_resume(world: World, bot: ProbeBot) -> None:
    emu = world.emu
    await emu.drop_connection(code=4000, timeout=10)
    assert emu.resumes == 1 and emu.connected
    await emu.send_message(world.channel, world.bob, "hi", mentions=[emu.bot_id])
    await emu.wait_for(lambda: emu.channel_messages(world.channel), timeout=5)


async def test_gateway_wire_format_is_zlib_stream(world: World) -> None:
    """Raw client: every frame is one Z_SYNC_FLUSH-terminated piece of one zlib stream per connection."""
    emu = world.emu
    inflater = zlib.decompressobj()

    async def receive(ws: aiohttp.ClientWebSocketResponse) -> dict:
        message = await ws.receive(timeout=5)
        assert message.type is aiohttp.WSMsgType.BINARY
        assert message.data.endswith(b"\x00\x00\xff\xff")
        return json.loads(inflater.decompress(message.data))

    async with aiohttp.ClientSession() as session:
        url = f"{emu.gateway_url}?v=10&encoding=json&compress=zlib-stream"
        async with session.ws_connect(url) as ws:
            hello = await receive(ws)
            assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] > 0
            await ws.send_json({"op": 1, "d": None})
            assert (await receive(ws))["op"] == 11
            await ws.send_json({"op": 2, "d": {"token": TOKEN, "intents": 513, "properties": {}}})
            ready = await receive(ws)
            assert (ready["op"], ready["t"], ready["s"]) == (0, "READY", 1)
            assert ready["d"]["guilds"] == [{"id": str(world.guild), "unavailable": True}]
            assert ready["d"]["resume_gateway_url"] == emu.resume_gateway_url
            assert ready["d"]["application"]["id"] == str(emu.application_id)
            guild = await receive(ws)
            assert (guild["t"], guild["s"]) == ("GUILD_CREATE", 2)
            assert [m["user"]["id"] for m in guild["d"]["members"]] == [str(emu.bot_id)]  # no members intent
            assert {c["name"] for c in guild["d"]["channels"]} == {"news", "off-topic"}
        async with session.ws_connect(url) as ws:
            inflater = zlib.decompressobj()  # a new connection starts a new stream
            await receive(ws)
            await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 513, "properties": {}}})
            closing = await ws.receive(timeout=5)
            assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 4004


# --- REST details -------------------------------------------------------------------------------------------


async def test_rest_details(world: World) -> None:
    emu = world.emu
    headers = {"Authorization": f"Bot {TOKEN}"}
    messages_url = f"{emu.api_url}/channels/{world.channel}/messages"
    async with aiohttp.ClientSession(headers=headers) as session:
        # JSON answers carry exactly "application/json" (discord.py compares it verbatim) and rate-limit headers.
        async with session.get(f"{emu.api_url}/users/@me") as response:
            assert response.headers["Content-Type"] == "application/json"
            assert int(response.headers["X-RateLimit-Remaining"]) > 0
            assert (await response.json())["id"] == str(emu.bot_id)

        # enforce_nonce: a repeated nonce returns the first message and records nothing new.
        body = {"content": "once", "nonce": "12345", "enforce_nonce": True}
        async with session.post(messages_url, json=body) as first, session.post(messages_url, json=body) as second:
            assert (await first.json())["id"] == (await second.json())["id"]
        assert [m["content"] for m in emu.channel_messages(world.channel)] == ["once"]

        # multipart/form-data with payload_json and a file.
        form = aiohttp.FormData(quote_fields=False)
        form.add_field("payload_json", json.dumps({"content": "with file",
                                                   "attachments": [{"id": 0, "filename": "a.txt"}]}))
        form.add_field("files[0]", b"hello", filename="a.txt", content_type="text/plain")
        async with session.post(messages_url, data=form) as response:
            message = await response.json()
        assert message["content"] == "with file" and message["attachments"][0]["filename"] == "a.txt"
        async with session.get(message["attachments"][0]["url"]) as response:
            assert await response.read() == b"hello"

        # Embed limits: 26 fields and more than 6000 characters in all.
        fields = [{"name": f"f{i}", "value": "v" * 300} for i in range(26)]
        async with session.post(messages_url, json={"embeds": [{"title": "t", "fields": fields}]}) as response:
            error = await response.json()
        assert response.status == 400 and error["code"] == 50035
        assert "fields" in error["errors"]["embeds"]["0"] and "_errors" in error["errors"]["embeds"]
        assert {v.code for v in emu.limit_violations} == {"BASE_TYPE_MAX_LENGTH", "MAX_EMBED_SIZE_EXCEEDED"}

        # An empty message is refused with 50006.
        async with session.post(messages_url, json={"content": "   "}) as response:
            assert response.status == 400 and (await response.json())["code"] == 50006

        # Unknown routes: 404 JSON, recorded as such; other API versions are accepted.
        async with session.get(f"{emu.base_url}/api/v9/no/such/route") as response:
            assert response.status == 404 and (await response.json())["code"] == 0
        assert [r.path for r in emu.unknown_routes] == ["/no/such/route"]

        # A missing or wrong token gets Discord's 401.
        async with session.get(f"{emu.api_url}/users/@me", headers={"Authorization": "Bot nope"}) as response:
            assert response.status == 401 and await response.json() == {"message": "401: Unauthorized", "code": 0}


async def test_injected_failure_and_bot_retry(world: World, bot: ProbeBot) -> None:
    emu = world.emu
    emu.fail_next("POST", r"^/channels/\d+/messages$", status=429, retry_after=0.05)
    await emu.send_message(world.channel, world.alice, "hey", mentions=[emu.bot_id])
    await emu.wait_for(lambda: emu.channel_messages(world.channel), timeout=5)  # discord.py waited and retried
    statuses = [r.status for r in emu.requests_to("POST", "/channels/{channel_id}/messages")]
    assert statuses == [429, 200]


async def test_wait_for_times_out_with_a_report(world: World) -> None:
    with pytest.raises(TimeoutError, match="(?s)waiting for nothing.*last requests"):
        await world.emu.wait_for(lambda: False, timeout=0.1, what="nothing")
