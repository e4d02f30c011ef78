"""The client layer loads a backend library when it first talks to that backend, not on import:
the cockpit without --redis-url never loads redis-py, without NVML never touches pynvml."""

from __future__ import annotations

import subprocess
import sys

BACKEND_LIBRARIES = ("redis", "prometheus_api_client", "requests", "pynvml")


def test_importing_the_clients_and_their_sources_loads_no_backend_library():
    code = (
        "import sys\n"
        "import memtui.clients.prometheus, memtui.clients.redis, memtui.clients.nvml\n"
        "import memtui.sources.prometheus, memtui.sources.redis_source, memtui.sources.gpu_nvml\n"
        f"print(sorted(m for m in {BACKEND_LIBRARIES!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_connecting_loads_the_library_it_needs():
    code = (
        "import sys\n"
        "from memtui.clients import prometheus, redis\n"
        "prometheus.connect('http://127.0.0.1:9', timeout=1)\n"
        "redis.connect('redis://127.0.0.1:9/0', timeout=1)\n"
        f"print(sorted(m for m in {BACKEND_LIBRARIES!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['prometheus_api_client', 'redis', 'requests']"
