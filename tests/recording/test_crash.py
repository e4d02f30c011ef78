"""A recording is never lost to a crash: SIGKILL a writing process 50 times at random points.

The child (``crash_writer``) records the synthetic namespace (40 pods changing a little at each
refresh, in chains of deltas and keyframes) and prints each seq once its ``write`` returned.  The
parent follows the file while the child writes (as ``replay --follow`` does: a reader opened
early, reading on after what it read), kills the child after a random number of writes and a
random pause (mostly inside the next write), then reads the file: every frame the child said was
committed is there and equal to what it wrote, what is there is whole batches (a transaction is
in the file or it is not), and the follower read the same.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from memtui.recording.model import Frame
from memtui.recording.store import RecordingReader
from tests.recording import synthetic

ROOT = Path(__file__).resolve().parents[2]
PODS = 40
TRIALS = 50


class Expected:
    """What the child writes, frame by frame, and where its batches end (built as far as needed)."""

    def __init__(self) -> None:
        self.frames: list[Frame] = []
        self.ends = {0}
        self._refresh = 0

    def upto(self, count: int) -> list[Frame]:
        while len(self.frames) < count:
            for frame in synthetic.frames(self._refresh, PODS):
                self.frames.append(Frame(len(self.frames) + 1, frame.at, frame.kind, frame.source, frame.payload))
            self.ends.add(len(self.frames))
            self._refresh += 1
        return self.frames[:count]


def _trial(path: Path, rng: random.Random, expected: Expected) -> tuple[int, int]:
    child = subprocess.Popen([sys.executable, "-m", "tests.recording.crash_writer", str(path), str(PODS), "6"],
                             cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    committed = [int(child.stdout.readline())]  # 0: the file exists, with its header
    follower = RecordingReader(path)  # as replay --follow in another process: reads while the child writes
    followed: list[Frame] = []
    for _ in range(rng.randint(0, 25)):
        committed.append(int(child.stdout.readline()))
        if rng.random() < 0.3:
            followed += follower.frames(after=followed[-1].seq if followed else 0)
            assert len(followed) >= committed[-1]
    time.sleep(rng.uniform(0, 0.01))
    child.send_signal(signal.SIGKILL)
    rest, _ = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    committed += [int(line) for line in rest.split()]  # printed before the kill landed: committed too
    for left in path.parent.glob(path.name + "*"):  # the file and the -wal/-shm the kill left
        assert left.stat().st_mode & 0o777 == 0o600, left
    reader = RecordingReader(path)
    frames = list(reader.frames())
    reader.close()
    followed += follower.frames(after=followed[-1].seq if followed else 0)
    follower.close()
    assert followed == frames
    last = max(committed)
    assert len(frames) >= last, (len(frames), last)
    assert frames == expected.upto(len(frames))
    assert len(frames) in expected.ends, "a batch was half written"
    return last, len(frames)


def test_every_committed_frame_survives_sigkill(tmp_path):
    rng = random.Random(10)
    expected = Expected()
    results = [_trial(tmp_path / f"r{trial}.memtui", rng, expected) for trial in range(TRIALS)]
    assert len(results) == TRIALS
    # the kills landed at many points: in the first chains and well after a few keyframes
    assert len({read for _, read in results}) > 10
    assert any(read < 20 for _, read in results)
    assert any(read > 60 for _, read in results)
