"""How settings that are lists or ids are read from text: environment variables, TOML, JSON.

Environment variables are text, and people write lists both ways (`1,2` and
`[1, 2]`); an id must be what `config.identifiers` allows; a list of words
that is empty once trimmed (`",,,"`) reads like a setting but filters or marks
nothing, so it is refused rather than silently emptying every digest.
"""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import BeforeValidator
from pydantic_settings import NoDecode

from config.identifiers import parse_id

__all__ = ["list_from_text", "words_from_text", "DiscordId", "ListSetting", "WordsSetting"]


def list_from_text(value: object) -> object:
    """A list setting given as text: a JSON list (`[1, 2]`) or comma-separated values (`1,2`).

    Environment variables are text; people write lists both ways, and a
    comma list used to stop newsbot with a traceback.
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except ValueError:
            raise ValueError(f"not a JSON list: {text[:60]!r}") from None
    return [part.strip() for part in text.split(",") if part.strip()]


DiscordId = Annotated[int, BeforeValidator(lambda value: parse_id(value, "Discord id"))]
"""A server, channel or role id: ASCII digits, positive, below 2^63 (see `config.identifiers`)."""
ListSetting = Annotated[list[DiscordId], NoDecode, BeforeValidator(list_from_text)]
"""A list of ids, from TOML, JSON or comma-separated text (see `list_from_text`)."""


def words_from_text(value: object) -> object:
    """A list of words (see `list_from_text`) whose blank items are dropped; refused when it named words but
    every one was blank (`",,,"`, `[" "]`): that reads as a setting, but filters or marks nothing."""
    text = value.strip() if isinstance(value, str) else None
    if text == "":
        return []  # `NAME=` in an env file: the setting left empty on purpose
    items = text.split(",") if text is not None and not text.startswith("[") else list_from_text(value)
    if not isinstance(items, list):
        return items
    words = [item.strip() if isinstance(item, str) else item for item in items]
    kept = [word for word in words if word != ""]
    if items and not kept:
        raise ValueError("every word is empty once trimmed: give at least one word, or leave the setting out")
    for word in kept:
        if isinstance(word, str) and not any(c.isalnum() for c in word):
            raise ValueError(f"{word[:40]!r} has no letter or digit: it can never match a word of an article")
    return kept


WordsSetting = Annotated[list[str], NoDecode, BeforeValidator(words_from_text)]
"""A list of words, from TOML, JSON or comma-separated text; blanks dropped, all-blank refused."""
