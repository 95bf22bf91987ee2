"""One translator from exceptions to what a Discord user sees.

Users get a short, friendly sentence (ephemeral); the log gets the detail with
the interaction id so a report can be traced. Expected errors (bad input,
a refused URL) say what was wrong; anything else is a bug and says so plainly
without leaking internals. The token is never part of any message: settings
keep it as a SecretStr and no error here formats settings.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from index.errors import FetchError, InputError, ModelMismatchError, NewsbotError

__all__ = ["user_message", "report_interaction_error", "UserFacingError"]

log = logging.getLogger(__name__)


class UserFacingError(app_commands.AppCommandError):
    """A problem with what the user typed; its message is shown as it is."""


def user_message(error: BaseException) -> str:
    if isinstance(error, UserFacingError):
        return str(error)
    original = getattr(error, "original", None) or getattr(error, "__cause__", None) or error
    if isinstance(error, app_commands.MissingPermissions | app_commands.CheckFailure):
        return "You don't have permission to use this command here."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} s."
    if isinstance(original, ModelMismatchError):
        return "The search index is being rebuilt. Please try again in a few minutes."
    if isinstance(original, InputError | FetchError):
        return f"That didn't work: {original.reason}"
    if isinstance(original, NewsbotError):
        return f"That didn't work: {original}"
    return "Something went wrong while answering. The error has been logged; please try again later."


async def report_interaction_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Log with the interaction id, then tell the user in an ephemeral message."""
    command = interaction.command.qualified_name if interaction.command else "?"
    original = getattr(error, "original", error)
    if isinstance(original, NewsbotError):
        log.warning("interaction %s (/%s) failed: %s", interaction.id, command, original)
    else:
        log.error("interaction %s (/%s) failed", interaction.id, command, exc_info=original)
    text = user_message(error)
    try:
        if interaction.response.is_done():
            try:
                # A deferred "thinking…" message would turn the followup public: remove it first.
                await interaction.delete_original_response()
            except discord.HTTPException:
                pass
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell the user about the failure of interaction %s", interaction.id)
