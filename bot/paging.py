"""Prev/next buttons over a fixed list of pages (embeds); only the person who asked can turn them."""

from __future__ import annotations

from collections.abc import Sequence

import discord

__all__ = ["EmbedPager"]


class EmbedPager(discord.ui.View):
    def __init__(
        self,
        owner_id: int,
        pages: Sequence[discord.Embed],
        name: str,
        timeout: float = 600,
        *,
        refusal: str = "Only the person who asked can turn these pages.",
    ) -> None:
        """`name` makes the buttons' custom ids; `refusal` is what anyone else who clicks is told."""
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.refusal = refusal
        self.pages = list(pages)
        self.page = 0
        self.previous.custom_id = f"newsbot:{name}:prev"
        self.next.custom_id = f"newsbot:{name}:next"
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= len(self.pages) - 1

    @property
    def current(self) -> discord.Embed:
        return self.pages[self.page]

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(self.refusal, ephemeral=True)
            return False
        return True

    @discord.ui.button(label="◀ Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[EmbedPager]) -> None:
        self.page = max(0, self.page - 1)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.current, view=self)

    @discord.ui.button(label="Next ▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[EmbedPager]) -> None:
        self.page = min(len(self.pages) - 1, self.page + 1)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.current, view=self)
