"""Kubernetes resource quantities (``12Gi``, ``500m``, ``1e3``) and byte formatting.

The simulator must parse what kubectl and memtui send (a JSON patch of a limit
to ``16Gi``) and print what the real components print (metrics-server reports
memory as a canonical BinarySI quantity, usually ``Ki``).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

_SUFFIX = {
    "Ki": Decimal(1024), "Mi": Decimal(1024**2), "Gi": Decimal(1024**3), "Ti": Decimal(1024**4),
    "Pi": Decimal(1024**5), "Ei": Decimal(1024**6),
    "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
    "k": Decimal(10**3), "M": Decimal(10**6), "G": Decimal(10**9), "T": Decimal(10**12),
    "P": Decimal(10**15), "E": Decimal(10**18),
}
_RE = re.compile(r"^([+-]?[0-9.]+)([eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|)$")


class QuantityError(ValueError):
    """Raised for a string the API server would reject as a quantity."""


def parse_quantity(value: str | int | float) -> Decimal:
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if not isinstance(value, str):
        raise QuantityError(f"quantities must match the regular expression '{_RE.pattern}'")
    m = _RE.match(value.strip())
    if not m or m.group(1) in ("", ".", "+", "-"):
        raise QuantityError("quantities must match the regular expression "
                            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    try:
        num = Decimal(m.group(1))
    except InvalidOperation as exc:  # pragma: no cover - regex already filters
        raise QuantityError(str(exc)) from exc
    suf = m.group(2)
    if suf[:1] in ("e", "E"):
        return num * (Decimal(10) ** int(suf[1:]))
    return num * _SUFFIX[suf]


def parse_bytes(value: str | int | float) -> int:
    return int(parse_quantity(value).to_integral_value(rounding="ROUND_CEILING"))


def format_binary(n: int) -> str:
    """Canonical BinarySI form as resource.Quantity.String() prints it (largest exact suffix)."""
    if n == 0:
        return "0"
    for suf, mult in (("Ei", 1024**6), ("Pi", 1024**5), ("Ti", 1024**4), ("Gi", 1024**3),
                      ("Mi", 1024**2), ("Ki", 1024)):
        if n % mult == 0:
            return f"{n // mult}{suf}"
    return str(n)


def format_ki(n: int) -> str:
    """metrics-server memory: bytes rounded to Ki, then canonical."""
    return format_binary((n // 1024) * 1024)


def human_iec(n: float, digits: int = 1) -> str:
    """du -h / ls -h style (1K = 1024): "26G", "512M", "4.0K"."""
    units = ["", "K", "M", "G", "T", "P"]
    x = float(n)
    i = 0
    while x >= 1024 and i < len(units) - 1:
        x /= 1024
        i += 1
    if i == 0:
        return f"{int(x)}"
    if x < 10:
        # du rounds up to one decimal below 10
        v = math.ceil(x * 10) / 10
        if v >= 10:
            return f"{math.ceil(v)}{units[i]}"
        return f"{v:.1f}{units[i]}"
    return f"{math.ceil(x)}{units[i]}"


GiB = 1024**3
MiB = 1024**2
KiB = 1024
