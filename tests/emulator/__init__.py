"""A Discord API emulator for end-to-end tests of the real discord.py client (no internet needed).

    async with DiscordEmulator() as emu:
        guild = emu.add_guild("Test server")
        channel = emu.add_channel(guild, "general")
        alice = emu.add_user("alice")
        async with running_bot(MyBot(), emu):
            record = await emu.invoke_command(channel, alice, "ping")
            await emu.wait_for(lambda: record.followups)

See `server.DiscordEmulator` for the test-facing API and `patching` for how discord.py is pointed here.
"""

from .patching import patched_discord, running_bot
from .server import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    BOT_PERMISSIONS,
    EVERYONE_PERMISSIONS,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILD_PRESENCES,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
    MANAGE_GUILD,
    MANAGE_MESSAGES,
    SEND_MESSAGES,
    CallbackRecord,
    DiscordEmulator,
    GatewayEvent,
    InteractionRecord,
    LimitViolation,
    RecordedRequest,
    validate_commands,
    validate_message,
)

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
    "patched_discord",
    "running_bot",
    "validate_commands",
    "validate_message",
]
