"""The crash test's child: records the synthetic namespace until it is killed.

``python -m tests.recording.crash_writer PATH PODS KEYFRAME_DELTAS``: prints ``0`` once the file is
created, then after each ``write`` has returned (committed) the last seq it wrote, flushed, so the
parent knows what must be readable whenever it sends SIGKILL.
"""

from __future__ import annotations

import sys

from memtui.recording.model import RecordingMeta
from memtui.recording.store import RecordingWriter
from tests.recording import synthetic


def main() -> None:
    path, pods, keyframe_deltas = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    writer = RecordingWriter(path, RecordingMeta("ctx", "sap-llm", "https://sim", synthetic.EPOCH),
                             keyframe_deltas=keyframe_deltas)
    print(0, flush=True)
    seq = 0
    while True:
        last = writer.write(synthetic.frames(seq, pods))
        print(last, flush=True)
        seq += 1


if __name__ == "__main__":
    main()
