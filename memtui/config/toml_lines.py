"""Where a key sits in a TOML file, so a message can say ``file:line`` (``tomllib`` keeps no positions)."""

from __future__ import annotations


def line_of(text: str, key: str, after: int = 0) -> int:
    """The 1-based line on which ``key`` (bare or quoted) is assigned, after line ``after`` (a
    table's header); 0 when it cannot be found."""
    for number, line in enumerate(text.splitlines(), start=1):
        if number <= after:
            continue
        stripped = line.strip()
        if stripped.startswith((f'"{key}"', f"'{key}'", f"{key} ", f"{key}=")):
            return number
    return 0


def table_line(text: str, parent: str, name: str) -> int:
    """The line of the header ``[parent.name]`` (name bare or quoted); 0 when there is none (the
    table was written inline or as dotted keys)."""
    spellings = {f"[{parent}.{name}]", f'[{parent}."{name}"]', f"[{parent}.'{name}']"}
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().replace(" ", "") in spellings:
            return number
    return 0
