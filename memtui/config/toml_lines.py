"""Where a key sits in a TOML file, so a message can say ``file:line`` (``tomllib`` keeps no positions)."""

from __future__ import annotations


def line_of(text: str, key: str) -> int:
    """The 1-based line on which ``key`` (bare or quoted) is assigned; 0 when it cannot be found."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith((f'"{key}"', f"'{key}'", f"{key} ", f"{key}=")):
            return number
    return 0
