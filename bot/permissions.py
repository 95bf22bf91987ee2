"""Who may change what the bot does on a server: Manage Server, Administrator, or a configured manager role.

Permissions given when a command is registered can be overridden by server
admins, so every handler that changes shared state checks again here.
"""

from __future__ import annotations

from collections.abc import Collection

import discord

from bot.errors import UserFacingError

__all__ = ["is_manager", "require_manager"]


def is_manager(interaction: discord.Interaction, role_ids: Collection[int] = ()) -> bool:
    permissions = getattr(interaction, "permissions", None)
    if permissions is not None and (permissions.manage_guild or permissions.administrator):
        return True
    roles = getattr(interaction.user, "roles", ())
    return any(role.id in role_ids for role in roles)


def require_manager(interaction: discord.Interaction, role_ids: Collection[int], what: str) -> None:
    """Raise a user-facing refusal unless the member may `what` ("change sources")."""
    if not is_manager(interaction, role_ids):
        raise UserFacingError(f"Only members with the Manage Server permission or a manager role can {what}.")
