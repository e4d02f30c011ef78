"""`memtui --demo` takes what it started with it, however it ends: `q`, the terminal closing
(SIGHUP), SIGTERM, SIGKILL, a crash.  Nothing it started is left running (its Prometheus above
all, which treats SIGHUP as "reload" and outlived closed terminals by hours), and its
`memtui-demo-*` folder is gone: at exit, or for SIGKILL at the next start.

The demo runs in a real pty with TMPDIR pointing at the test's own folder, so the folders it makes
are the test's to count."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from memtui.demo.local_prometheus import binaries_available
from tests.cli.terminal import Terminal, memtui_env

pytestmark = pytest.mark.timeout(300)

ALT_SCREEN_OFF = b"\x1b[?1049l"
"""What Textual writes when it gives the terminal back."""


@dataclass(frozen=True)
class Proc:
    pid: int
    start: int
    """Start time in clock ticks since boot (/proc/PID/stat field 22): tells a reused pid apart."""
    name: str


def _stat(pid: int) -> tuple[str, str, int, int] | None:
    """(name, state, ppid, start time) of a process, None if there is none."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return name, fields[0], int(fields[1]), int(fields[19])


def _descendants(pid: int) -> set[Proc]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            children.setdefault(stat[2], []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if (stat := _stat(child)) is not None:
                found.add(Proc(child, stat[3], stat[0]))
                todo.append(child)
    return found


def _running(proc: Proc) -> bool:
    stat = _stat(proc.pid)
    return stat is not None and stat[3] == proc.start and stat[1] not in ("Z", "X")


def _processes_naming(text: str) -> list[int]:
    """Processes whose command line mentions ``text`` (Prometheus names its folder in its flags)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            stat = _stat(int(entry.name))
            if text.encode() in cmdline and stat is not None and stat[1] not in ("Z", "X"):
                found.append(int(entry.name))
    return found


def _gone_within(procs: set[Proc], seconds: float) -> set[Proc]:
    """The processes still running after waiting up to ``seconds`` for them to end."""
    deadline = time.monotonic() + seconds
    while (left := {p for p in procs if _running(p)}) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@pytest.fixture(autouse=True)
def _leave_no_process_behind(tmp_path):
    """Whatever a failing test left running (its command line names the test's folder) is killed."""
    yield
    for pid in _processes_naming(str(tmp_path)):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@dataclass
class RunningDemo:
    terminal: Terminal
    folder: Path
    started: set[Proc]


def _start_demo(tmp_path: Path, seed: int = 11) -> RunningDemo:
    assert binaries_available(), "prometheus/promtool missing: scripts/test installs the Debian package `prometheus`"
    tmp = tmp_path / "tmp"
    tmp.mkdir(exist_ok=True)
    before = set(tmp.glob("memtui-demo-*"))
    env = memtui_env(tmp_path / "home", TMPDIR=str(tmp))
    terminal = Terminal([sys.executable, "-m", "memtui", "--demo", "--seed", str(seed)], env=env)
    drawn = terminal.read_until(b"OOMKilled", timeout=120)
    assert drawn, terminal.seen[-3000:].decode(errors="replace")
    started = _descendants(terminal.pid)
    assert "prometheus" in {p.name for p in started}, started
    (folder,) = set(tmp.glob("memtui-demo-*")) - before
    return RunningDemo(terminal, folder, started)


def _assert_nothing_left(demo: RunningDemo) -> None:
    left = _gone_within(demo.started, 30)
    assert not left, f"still running after memtui ended: {left}"
    assert _processes_naming(str(demo.folder)) == []


def test_q_ends_the_demo_and_everything_it_started(tmp_path):
    demo = _start_demo(tmp_path)
    with demo.terminal:
        demo.terminal.send(b"q")
        code = demo.terminal.wait(timeout=60)
    assert code == 0
    _assert_nothing_left(demo)
    assert not demo.folder.exists()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_termination_signal_shuts_the_app_down_cleanly(tmp_path, signum):
    """Sent by hand (`kill`), with the terminal still open: it is given back as after `q`."""
    demo = _start_demo(tmp_path)
    with demo.terminal:
        os.kill(demo.terminal.pid, signum)
        code = demo.terminal.wait(timeout=60)
    assert code == 128 + signum, demo.terminal.seen[-2000:]
    assert ALT_SCREEN_OFF in demo.terminal.seen.rsplit(b"OOMKilled", 1)[1], "terminal not restored"
    assert b"Traceback" not in demo.terminal.seen
    _assert_nothing_left(demo)
    assert not demo.folder.exists()


def test_closing_the_terminal_ends_the_demo_and_everything_it_started(tmp_path):
    """The pty's master closes: the kernel hangs up memtui's controlling terminal (SIGHUP)."""
    demo = _start_demo(tmp_path)
    with demo.terminal:
        demo.terminal.hang_up()
        code = demo.terminal.wait(timeout=60)
    assert code == 128 + signal.SIGHUP
    _assert_nothing_left(demo)
    assert not demo.folder.exists()


def test_sigkill_takes_the_children_along_and_the_next_start_removes_the_folder(tmp_path):
    demo = _start_demo(tmp_path)
    with demo.terminal:
        os.kill(demo.terminal.pid, signal.SIGKILL)
        assert demo.terminal.wait(timeout=30) == -signal.SIGKILL
    _assert_nothing_left(demo)
    assert demo.folder.exists()  # nothing of memtui ran after SIGKILL

    following = _start_demo(tmp_path, seed=12)
    with following.terminal:
        assert not demo.folder.exists(), "the next start leaves the dead demo's folder"
        assert following.folder.exists()
        following.terminal.send(b"q")
        assert following.terminal.wait(timeout=60) == 0
    _assert_nothing_left(following)
    assert not following.folder.exists()


def test_the_next_start_keeps_the_folder_of_a_demo_still_running(tmp_path):
    first = _start_demo(tmp_path)
    with first.terminal:
        second = _start_demo(tmp_path, seed=12)
        with second.terminal:
            assert first.folder.exists() and second.folder.exists()
            for demo in (second, first):
                demo.terminal.send(b"q")
                assert demo.terminal.wait(timeout=60) == 0
    for demo in (first, second):
        _assert_nothing_left(demo)
        assert not demo.folder.exists()


APP_CRASH = """
import sys
import memtui.ui.app
from memtui.cli import main


def crash() -> None:
    raise RuntimeError("a crash inside the running app")


assert not hasattr(memtui.ui.app.MemtuiApp, "on_ready")
memtui.ui.app.MemtuiApp.on_ready = lambda self: self.set_timer(1.0, crash)
sys.exit(main(sys.argv[1:]))
"""


def test_a_crash_in_the_running_app_takes_the_children_and_the_folder_along(tmp_path):
    """An exception the app does not handle, injected into the real app a second after it is up."""
    assert binaries_available(), "prometheus/promtool missing: scripts/test installs the Debian package `prometheus`"
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = memtui_env(tmp_path / "home", TMPDIR=str(tmp))
    with Terminal([sys.executable, "-c", APP_CRASH, "--demo"], env=env) as terminal:
        assert terminal.read_until(b"OOMKilled", timeout=120), terminal.seen[-3000:]
        started = _descendants(terminal.pid)
        (folder,) = tmp.glob("memtui-demo-*")
        assert "prometheus" in {p.name for p in started}, started
        code = terminal.wait(timeout=60)
    assert code not in (None, 0)  # a crash exits non-zero
    assert ALT_SCREEN_OFF in terminal.seen
    assert not _gone_within(started, 30)
    assert _processes_naming(str(folder)) == []
    assert not folder.exists()


CRASH = """
import sys
from memtui.demo.session import start_demo
session = start_demo(scenario="leak", seed=3)
print("started", flush=True)
sys.stdin.readline()
raise RuntimeError("a crash after the demo started")
"""


def test_a_crash_takes_the_children_and_the_folder_along(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-c", CRASH], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=memtui_env(tmp_path / "home", TMPDIR=str(tmp)), text=True,
    )
    assert proc.stdout.readline().strip() == "started"
    (folder,) = tmp.glob("memtui-demo-*")
    started = _descendants(proc.pid)
    assert "prometheus" in {p.name for p in started}, started
    _, err = proc.communicate("go\n", timeout=60)
    assert proc.returncode == 1 and "a crash after the demo started" in err
    left = _gone_within(started, 30)
    assert not left
    assert _processes_naming(str(folder)) == []
    assert not folder.exists()
