"""Another process recording the simulator: for tests/replay/test_follow.py.

    python -m tests.replay._writer_process KUBECONFIG RECORDING

Writes the header and the sources' expectations, then one Kubernetes refresh (the source's real
snapshot) each time a line arrives on stdin, printing the seq it committed; exits at EOF.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone

from memtui.clients.kube.connection import connect
from memtui.recording.model import Frame, RecordingMeta
from memtui.recording.store import RecordingWriter
from memtui.sources.kube import KubeSource


def main(kubeconfig: str, path: str) -> int:
    connection = connect(kubeconfig=kubeconfig, context="memtui-sim", namespace="sap-llm")
    source = KubeSource(connection)
    now = datetime.now(timezone.utc)
    writer = RecordingWriter(path, RecordingMeta(connection.context, "sap-llm", connection.server, now,
                                                 threshold_bytes=10**10))
    print(writer.write([Frame(0, now, "expect", "kubernetes"), Frame(0, now, "expect", "metrics API")]), flush=True)
    for _ in sys.stdin:
        snapshot = source.fetch()
        print(writer.write([Frame(0, snapshot.taken_at, "apply", "kubernetes", snapshot)]), flush=True)
    source.stop()
    writer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
