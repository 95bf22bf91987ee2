"""What people type into slash-command options, checked before any work starts."""

from __future__ import annotations

from datetime import date

from bot.errors import UserFacingError

__all__ = ["parse_day"]


def parse_day(value: str | None, name: str) -> date | None:
    """A `YYYY-MM-DD` option as a date (None when not given); anything else is a message for the user."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UserFacingError(f"`{name}` must be a date like 2020-09-27, not {value!r}.") from None
