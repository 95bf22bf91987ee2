"""README's configuration table, made from the settings' own descriptions (`python -m config.settings`).

A test compares the README's table with these rows, so a setting cannot be
added, renamed or given a new default without the README saying so.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from config.settings import Settings

__all__ = ["documented_settings", "settings_table"]


def documented_settings() -> list[tuple[str, str, str]]:
    """(environment variable, default, description) for every setting: the source of README's table."""
    rows: list[tuple[str, str, str]] = []
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            for sub_name, sub_field in annotation.model_fields.items():
                default = sub_field.get_default(call_default_factory=True)
                rows.append((f"NEWSBOT_{name.upper()}__{sub_name.upper()}", _show(default),
                             sub_field.description or ""))
        else:
            default = "per-user data folder" if name == "data_dir" else _show(field.get_default())
            rows.append((f"NEWSBOT_{name.upper()}", default, field.description or ""))
    return rows


def _show(value: object) -> str:
    if value is None:
        return "unset"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, list):
        return "[]" if not value else ",".join(map(str, value))
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def settings_table() -> str:
    """README's configuration table, regenerated with `python -m config.settings`."""
    return "\n".join(f"| `{name}` | `{default}` | {description} |" for name, default, description in
                     documented_settings())
