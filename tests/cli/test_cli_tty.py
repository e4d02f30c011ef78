"""The real command in a real pseudo-terminal: `memtui -n sap-llm` and `memtui --demo` start,
draw the incident, and quit on `q` with exit status 0."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path


def run_in_tty(args: list[str], *, home: Path, until: bytes, timeout: float = 40.0,
               module: str = "memtui") -> tuple[int, bytes]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEMTUI_", "KUBECONFIG", "XDG_"))}
    env.update(HOME=str(home), TERM="xterm-256color", XDG_CONFIG_HOME=str(home / ".config"))
    proc = subprocess.Popen(
        [sys.executable, "-m", module, *args], stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
    )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + timeout
    sent_quit = False
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
            if not sent_quit and until in seen:
                time.sleep(1.0)
                os.write(master, b"q")
                sent_quit = True
            if proc.poll() is not None:
                break
        if proc.poll() is None:
            proc.kill()
        code = proc.wait(timeout=10)
    finally:
        os.close(master)
    return code, seen


def test_memtui_dash_n_against_a_kubeconfig_for_the_simulator(sim, tmp_path):
    code, screen = run_in_tty(
        ["--kubeconfig", str(sim.kubeconfig_path), "-n", "sap-llm", "--redis-deployment", ""],
        home=tmp_path,
        until=b"OOMKilled",
    )
    assert b"OOMKilled" in screen
    assert b"Traceback" not in screen
    assert code == 0


def test_demo_starts_the_simulated_incident(tmp_path):
    code, screen = run_in_tty(["--demo", "--seed", "3"], home=tmp_path, until=b"OOMKilled", timeout=60)
    assert b"DEMO" in screen and b"sap-llm" in screen
    assert b"OOMKilled" in screen
    assert b"Traceback" not in screen
    assert code == 0
