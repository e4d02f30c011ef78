"""Small readers for TOML values, shared by actions and operations.

Each reader either returns the value in the type the dataclass holds, or raises ``FieldError``
saying what was expected; unknown keys get a "did you mean" hint, because most bad runbook
files are typos.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from memtui.runbook.errors import FieldError

DNS_LABEL_RE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
"""Deployment, container and ConfigMap names: what Kubernetes accepts, and shell-safe."""
CONFIGMAP_KEY_RE = re.compile(r"[-._a-zA-Z0-9]+")
ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def suggest(key: str, allowed: Iterable[str]) -> str:
    """`` (did you mean 'title'?)`` for a near miss, else the list of allowed keys."""
    allowed = list(allowed)
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (fields: {', '.join(allowed)})"


def check_keys(table: Mapping[str, Any], allowed: Iterable[str], what: str) -> None:
    allowed = list(allowed)
    for key in table:
        if key not in allowed:
            raise FieldError(key, f"is not a field of {what}{suggest(key, allowed)}")


def as_str(value: Any, field: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise FieldError(field, f"must be a string, not {_toml_type(value)}")
    if not allow_empty and not value.strip():
        raise FieldError(field, "must not be empty")
    return value


def as_int(value: Any, field: str, *, low: int | None = None, high: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise FieldError(field, f"must be an integer, not {_toml_type(value)}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise FieldError(field, f"{value} is out of range ({low}–{high})")
    return value


def as_bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise FieldError(field, f"must be true or false, not {_toml_type(value)}")
    return value


def as_choice(value: Any, field: str, choices: Iterable[str]) -> str:
    choices = tuple(choices)
    if value not in choices:
        raise FieldError(field, f"{value!r} is not one of {', '.join(choices)}")
    return value


def as_str_list(value: Any, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise FieldError(field, "must be a non-empty list of strings")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise FieldError(f"{field}[{index}]", f"must be a string, not {_toml_type(item)}")
    return tuple(value)


def as_name(value: Any, field: str) -> str:
    text = as_str(value, field)
    if len(text) > 63 or not DNS_LABEL_RE.fullmatch(text):
        raise FieldError(field, f"{text!r} is not a Kubernetes name (lowercase letters, digits and -)")
    return text


def _toml_type(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a float", str: "a string", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


class Table(Mapping[str, str]):
    """An immutable, hashable string table (ConfigMap data, env), so actions stay frozen values."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        self._items = tuple((str(k), str(v)) for k, v in pairs)

    def __getitem__(self, key: str) -> str:
        for k, v in self._items:
            if k == key:
                return v
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self) == dict(other)

    def __repr__(self) -> str:
        return repr(dict(self._items))
