"""Names and identifiers the way Kubernetes makes them.

pod-template-hash is fnv32a over the template, printed in decimal, then
"safe-encoded" (apimachinery's rand.SafeEncodeString); pod name suffixes and
uids come from the simulator's seeded RNG so a seed replays exactly.
"""

from __future__ import annotations

import json
import random
import uuid

ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"


def fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def safe_encode(s: str) -> str:
    return "".join(ALPHANUMS[ord(c) % len(ALPHANUMS)] for c in s)


def template_hash(template: dict) -> str:
    return safe_encode(str(fnv32a(json.dumps(template, sort_keys=True, separators=(",", ":")).encode())))


class NameSource:
    """Seeded generator of uids, pod suffixes, container ids and image digests."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def uid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def suffix(self, n: int = 5) -> str:
        return "".join(self._rng.choice(ALPHANUMS) for _ in range(n))

    def hex(self, n: int) -> str:
        return "".join(self._rng.choice("0123456789abcdef") for _ in range(n))

    def random(self) -> float:
        return self._rng.random()
