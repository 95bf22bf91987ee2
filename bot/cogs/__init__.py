"""Thin adapters, one per thing a user does: acknowledge, call the core off the loop, render, send.

Each is built with its collaborators by `bot.assembly`; import from the modules.
"""

__all__ = [
    "ask",
    "briefing",
    "digest",
    "follows",
    "mentions",
    "sources",
    "status",
]
