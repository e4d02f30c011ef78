"""Memory quantities: parse them as Kubernetes does, print them so nobody misreads a unit.

The runbook's "10GB" is 10**10 bytes (9.31 GiB), ``kubectl top`` prints Mi, metrics-server
reports Ki and DCGM MiB.  Every figure memtui shows carries its unit, and binary units are used
for memory throughout because that is what limits (``12Gi``) are written in.
"""

from __future__ import annotations

from decimal import Decimal

BINARY_UNITS = (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024))
_DECIMAL_UNITS = (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3))


class QuantityError(ValueError):
    """A memory quantity the user typed could not be read."""


def parse_bytes(text: str | int | float | Decimal, *, what: str = "quantity") -> int:
    """Read a Kubernetes quantity (``12Gi``, ``10G``, ``10GB``, ``8589934592``) as bytes.

    ``GB``/``MB`` are accepted as the decimal units the runbook writes ("10GB"), since an SRE
    pasting the alert threshold should not have to translate it.  Anything else that
    ``kubernetes.utils.parse_quantity`` refuses is rejected with a message naming the input.

    The client library is imported here, on the first parse, not at module level: every widget
    formats bytes through this module, and importing ``kubernetes`` costs most of a second.  The
    library stays the one definition of a Kubernetes quantity.
    """
    raw = str(text).strip()
    whole = _whole_binary(raw)
    if whole is not None:
        return whole
    from kubernetes.utils.quantity import parse_quantity

    if not raw or len(raw.split()) != 1:
        raise QuantityError(f"{what} {raw!r} is not a Kubernetes quantity (examples: 10G, 12Gi, 512Mi)")
    candidate = raw
    if len(candidate) > 2 and candidate[-1] in "Bb" and candidate[-2] in "kKMGTPE":
        candidate = candidate[:-1]  # "10GB" -> "10G" (decimal), as the runbook means it
    try:
        value = parse_quantity(candidate)
    except (ValueError, ArithmeticError):
        raise QuantityError(
            f"{what} {raw!r} is not a Kubernetes quantity (examples: 10G, 12Gi, 512Mi)"
        ) from None
    if value < 0:
        raise QuantityError(f"{what} {raw!r} must not be negative")
    return int(value)


_BINARY_SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}


def _whole_binary(raw: str) -> int | None:
    """``10485760Ki``, ``12Gi`` or ``8589934592`` read with integer arithmetic, the same figure
    ``parse_quantity`` gives through Decimal at 30× its cost: metrics-server writes every
    working set so, 20,000 of them per PodMetrics LIST.  None for anything else (decimals,
    exponents, decimal suffixes), which takes the library's path."""
    number, scale = raw, 1
    if raw[-2:] in _BINARY_SUFFIXES:
        number, scale = raw[:-2], _BINARY_SUFFIXES[raw[-2:]]
    if number.isascii() and number.isdigit():
        return int(number) * scale
    return None


def format_bytes(value: float | int | None, *, precision: int = 1) -> str:
    """Binary units with the unit spelt out: ``11.3 GiB``, ``512 MiB``, ``—`` when unknown."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    magnitude = abs(float(value))
    for unit, size in BINARY_UNITS:
        if magnitude >= size:
            scaled = magnitude / size
            digits = 0 if scaled >= 100 else precision
            return f"{sign}{scaled:.{digits}f} {unit}"
    return f"{sign}{magnitude:.0f} B"


def format_decimal_bytes(value: float | int) -> str:
    """Decimal units (``10 GB``) for figures the user gave in decimal units."""
    magnitude = float(value)
    for unit, size in _DECIMAL_UNITS:
        if magnitude >= size:
            scaled = magnitude / size
            text = f"{scaled:.2f}".rstrip("0").rstrip(".")
            return f"{text} {unit}"
    return f"{magnitude:.0f} B"


def describe_threshold(value: int) -> str:
    """Both readings of a threshold, because "10 GB" and "10 GiB" differ by 7 %.

    The reading the user most likely typed comes first: ``10 GB (9.31 GiB)``,
    ``12 GiB (12.88 GB)``.
    """
    binary = format_bytes(value, precision=2)
    decimal = format_decimal_bytes(value)
    display_unit = next((size for _, size in BINARY_UNITS if value >= size), 1)
    binary_exact = value % display_unit == 0
    if binary_exact:
        return f"{format_bytes(value, precision=0)} ({decimal})"
    return f"{decimal} ({binary})"


def format_rate(bytes_per_minute: float | None) -> str:
    """Signed growth per minute, e.g. ``+152 MiB/min``."""
    if bytes_per_minute is None:
        return "—"
    if abs(bytes_per_minute) < 1024**2 / 10:
        return "±0 MiB/min"
    sign = "+" if bytes_per_minute > 0 else "-"
    precision = 1 if abs(bytes_per_minute) >= 1024**3 else 0
    return f"{sign}{format_bytes(abs(bytes_per_minute), precision=precision)}/min"


def format_age(seconds: float | None) -> str:
    """Ages the way kubectl prints them (``45s``, ``12m``, ``3h12m``, ``2d4h``)."""
    if seconds is None or seconds < 0:
        return "—"
    s = int(seconds)
    if s < 120:
        return f"{s}s"
    minutes, s = divmod(s, 60)
    if minutes < 60:
        return f"{minutes}m" if minutes >= 10 or s == 0 else f"{minutes}m{s}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes}m" if minutes else f"{hours}h"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours}h" if hours else f"{days}d"


def format_duration(seconds: float) -> str:
    """A clock-style duration for the incident clock: ``00:12:34`` or ``1d 02:03:04``."""
    s = max(0, int(seconds))
    days, s = divmod(s, 86400)
    hours, s = divmod(s, 3600)
    minutes, s = divmod(s, 60)
    clock = f"{hours:02d}:{minutes:02d}:{s:02d}"
    return f"{days}d {clock}" if days else clock
