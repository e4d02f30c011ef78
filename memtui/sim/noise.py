"""Seeded, stateless noise.

Noise must be a pure function of (seed, key, time bucket) so that the present
and the past (``openmetrics_history``) agree and a seed replays exactly; a
stateful RNG would make every value depend on how often someone looked.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

_MASK = (1 << 64) - 1


def mix64(x: int) -> int:
    """splitmix64 finaliser: a cheap, well-spread integer hash."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def hkey(*parts: int | str) -> int:
    h = 0x243F6A8885A308D3
    for p in parts:
        if isinstance(p, str):
            p = int.from_bytes(hashlib.blake2b(p.encode(), digest_size=8).digest(), "little")
        h = mix64(h ^ (p & _MASK))
    return h


def unit(*parts: int | str) -> float:
    """Uniform in [0, 1)."""
    return (hkey(*parts) >> 11) / float(1 << 53)


def signed(*parts: int | str) -> float:
    """Uniform in [-1, 1)."""
    return unit(*parts) * 2.0 - 1.0


@lru_cache(maxsize=65536)
def _stream(seed: int, key: int) -> int:
    return hkey(seed, key, "noise")


def _at(base: int, i: int) -> float:
    return (mix64(base ^ (i & _MASK)) >> 11) / float(1 << 52) - 1.0


def bucket_noise(seed: int, key: int, t: float, bucket: float = 10.0) -> float:
    """Smooth-ish noise in [-1, 1]: linear interpolation between per-bucket values.

    Hot path (PodMetrics of 5,000 pods): one cached stream hash per (seed, key),
    one mix per bucket value.
    """
    b = t / bucket
    i = int(b // 1)
    f = b - i
    base = _stream(seed, key)
    a = _at(base, i)
    c = _at(base, i + 1)
    return a + (c - a) * f
