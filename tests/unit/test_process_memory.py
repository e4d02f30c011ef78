"""The cockpit's process limits glibc's malloc arenas before its threads start (``memtui.process_memory``)."""

from __future__ import annotations

import os
import subprocess
import sys

_PROBE = "from memtui.process_memory import limit_malloc_arenas; print(limit_malloc_arenas())"


def _probe(env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_glibc_takes_the_limit():
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    assert _probe(env) == ("True" if sys.platform.startswith("linux") else "False")


def test_the_operators_own_setting_wins():
    env = {**os.environ, "MALLOC_ARENA_MAX": "4"}
    assert _probe(env) == "False"


def test_the_free_heap_can_be_handed_back():
    from memtui.process_memory import release_free_heap

    blocks = [bytearray(4096) for _ in range(20_000)]  # 80 MB in small blocks, freed: the heap keeps them
    del blocks
    assert release_free_heap() is sys.platform.startswith("linux")
