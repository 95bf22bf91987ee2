"""What an id may be where one enters newsbot: a Discord id (server, channel, role) or an article id.

Ids arrive as text from environment variables, TOML files, command-line
options and the sources table. `int()` alone takes far more than digits
("²" raises deep inside, "١٢٣" is read as 123, "+5" and " 7 " pass) and no
upper bound: 2^70 passes until SQLite refuses to bind it, as a traceback in
`sources list` or `poll`. Here an id is ASCII digits only, positive, and below
2^63 (what SQLite and Discord both hold); anything else is a ValueError whose
message the caller puts after the field's name.
"""

from __future__ import annotations

__all__ = ["ID_LIMIT", "parse_id"]

ID_LIMIT = 2**63
"""Ids are below this: SQLite's INTEGER is signed 64-bit, and Discord's ids fit in it."""
_DIGITS = frozenset("0123456789")


def parse_id(value: object, kind: str = "id") -> int:
    """`value` as a positive id below 2^63, or a ValueError saying what was wrong with it.

    `kind` names what the id identifies ("Discord channel id", "article id") in the message.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a {kind} (digits), got {value!r}")
    if isinstance(value, str):
        text = value.strip()
        if not text or not set(text) <= _DIGITS:
            shown = text if len(text) <= 30 else text[:30] + "…"
            raise ValueError(f"expected a {kind} of the digits 0-9 only, got {shown!r}")
        number = int(text)
    elif isinstance(value, int):
        number = value
    else:
        raise ValueError(f"expected a {kind} (digits), got {type(value).__name__}")
    if not 0 < number < ID_LIMIT:
        shown = str(number) if len(str(number)) <= 30 else str(number)[:30] + "…"
        raise ValueError(f"a {kind} is a positive number below 2^63, got {shown}")
    return number
