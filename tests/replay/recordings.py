"""Recordings made for real: snapshots the Kubernetes source fetched from the simulator, audit
entries a real ``AuditLog`` wrote, in a file ``RecordingWriter`` wrote, frame by frame as the
live cockpit records them (the sources' expectations first, then each refresh as it is folded)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from memtui.audit.log import AuditLog
from memtui.clients.kube.connection import connect
from memtui.config.settings import Settings
from memtui.recording.model import Frame, RecordingMeta
from memtui.recording.store import RecordingWriter
from memtui.sources.kube import KubeSource
from memtui.state.snapshots import KubeSnapshot

STEP_S = 20.0


@dataclass
class Recorded:
    """What went into the file, to compare the replay's screen with."""

    path: Path
    meta: RecordingMeta
    refreshes: list[tuple[int, datetime, KubeSnapshot]] = field(default_factory=list)
    """(seq, recorded time, snapshot) of each Kubernetes refresh."""
    intents: list[tuple[int, datetime, str]] = field(default_factory=list)
    """(seq, recorded time, action id) of each audit intent."""


class SessionRecorder:
    """Writes one session's frames: ``refresh()`` fetches and records, ``act()`` audits an action."""

    def __init__(self, sim, path: Path, audit_path: Path) -> None:
        self.sim = sim
        self.connection = connect(kubeconfig=str(sim.kubeconfig_path), context="memtui-sim", namespace="sap-llm")
        self.source = KubeSource(self.connection)
        settings = Settings(namespace="sap-llm")
        self.meta = RecordingMeta(context=self.connection.context, namespace="sap-llm", server=self.connection.server,
                                  started_at=sim.now(), user=self.connection.user,
                                  threshold_bytes=settings.threshold_bytes, demo_scenario="leak",
                                  audit_log=str(audit_path))
        self.writer = RecordingWriter(path, self.meta)
        self.audit = AuditLog(audit_path, context=self.connection.context, namespace="sap-llm",
                              user=self.connection.user, clock=sim.now)
        self.recorded = Recorded(path, self.meta)
        now = sim.now()
        self.writer.write([
            Frame(0, now, "expect", "kubernetes"),
            Frame(0, now, "expect", "metrics API"),
            Frame(0, now, "disable", "prometheus", "no --prometheus-url: history since start only"),
            Frame(0, now, "disable", "redis", "off (set --redis-url, or --redis-deployment)"),
            Frame(0, now, "disable", "gpu", "off (--gpu-source off)"),
        ])

    def refresh(self, advance: float = STEP_S) -> KubeSnapshot:
        if advance:
            self.sim.advance(advance)
        snapshot = self.source.fetch()
        at = self.sim.now()
        seq = self.writer.write([Frame(0, at, "apply", "kubernetes", snapshot)])
        self.recorded.refreshes.append((seq, at, snapshot))
        return snapshot

    def act(self, action: str = "fix.reduce-batch-size", *, advance: float = 5.0, effect: str | None = None) -> str:
        """An action's intent and result (and its effect, when given), as the executor audits them."""
        if advance:
            self.sim.advance(advance)
        intent = self.audit.intent(action=action, target={"configmap": "sap-llm-config"},
                                   parameters={"batch_size": 32}, reason="replay test")
        self.audit.result(intent, outcome="success", duration_s=0.2)
        if effect:
            self.audit.effect(intent, summary=effect)
        entries = [e for e in self.audit.entries() if e.id == intent or e.refers_to == intent]
        at = self.sim.now()
        first = self.writer.seq + 1
        self.writer.write([Frame(0, at, "audit", "", e.to_json()) for e in entries])
        self.recorded.intents.append((first, at, action))
        return intent

    def close(self) -> Recorded:
        self.source.stop()
        self.writer.close()
        return self.recorded


def record_session(sim, path: Path, *, refreshes: int = 6, actions_after: tuple[int, ...] = (2, 4)) -> Recorded:
    """``refreshes`` refreshes ``STEP_S`` apart, an action after each refresh numbered in ``actions_after``."""
    recorder = SessionRecorder(sim, path, path.with_suffix(".audit.jsonl"))
    for i in range(refreshes):
        recorder.refresh(advance=STEP_S if i else 0.0)
        if i + 1 in actions_after:
            recorder.act(effect="11.8 GiB → 7.1 GiB")
    return recorder.close()
