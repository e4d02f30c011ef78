"""Plain-text tables for the output pane, aligned like ``kubectl get`` prints them."""

from __future__ import annotations

from kubernetes.utils import parse_quantity

from collections.abc import Sequence


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell, three spaces apart; the last column is not padded."""
    if not rows:
        return "  ".join(headers)
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    lines = []
    for cells in (headers, *rows):
        parts = [str(c).ljust(w) if i < len(headers) - 1 else str(c) for i, (c, w) in enumerate(zip(cells, widths))]
        lines.append("   ".join(parts).rstrip())
    return "\n".join(lines)


def cpu_millicores(text: str | None) -> float | None:
    """``123456789n`` / ``250m`` / ``1`` (cores) as millicores, as metrics-server reports CPU."""
    if not text:
        return None
    try:
        return float(parse_quantity(text) * 1000)
    except (ValueError, ArithmeticError):
        return None
