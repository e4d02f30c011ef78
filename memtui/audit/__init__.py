"""The audit log: what memtui did, when, as whom, and with what effect.

Every runbook action is written down: mutating actions as an *intent* (fsynced before the API
call), a *result* after it and an *effect* once the cluster has had time to react; read-only
diagnose steps as one *read*.  The file is append-only JSON Lines with a hash chain, secrets are
redacted before anything is written, and ``export_timeline`` turns it into the postmortem
timeline.  The property everything else serves: if memtui dies after announcing an action and
before recording its outcome, the export says "outcome unknown", never "nothing happened".

Module map: ``log`` (AuditLog) → ``writer`` (locked, durable appends) with ``redact``,
``canonical`` (hashing) and ``head`` (the chain's end, kept beside the file); ``reader``/``verify``
read it back, ``cluster`` compares it with the ``MemtuiAction`` Events; ``timeline`` → ``export``
renders it (``report_data``: the charts' data for Markdown and HTML; ``svg_chart``, ``chart`` (text),
``html_report``; ``prometheus`` and ``recording_export`` feed them, from Prometheus or a
recording); ``paths`` says where it lives, ``current`` which one the cockpit would use now;
``cli`` is ``memtui audit``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from memtui import lazy_names

if TYPE_CHECKING:  # what type checkers and editors see; at run time, _HOMES and __getattr__
    from memtui.audit.entry import AuditEntry
    from memtui.audit.errors import AuditError, PrometheusUnavailable
    from memtui.audit.export import export_timeline
    from memtui.audit.log import AuditLog
    from memtui.audit.paths import audit_dir, default_audit_path
    from memtui.audit.prometheus import memory_series_from_prometheus
    from memtui.audit.reader import LineProblem, LoadedLog, load_entries
    from memtui.audit.verify import VerifyReport, verify_log

# Where each public name lives. Imported lazily: ``memtui audit verify`` needs no Prometheus
# client or chart renderer, and the executor needs only the log.
_HOMES = {
    "AuditEntry": "memtui.audit.entry",
    "AuditError": "memtui.audit.errors",
    "AuditLog": "memtui.audit.log",
    "LineProblem": "memtui.audit.reader",
    "LoadedLog": "memtui.audit.reader",
    "PrometheusUnavailable": "memtui.audit.errors",
    "VerifyReport": "memtui.audit.verify",
    "audit_dir": "memtui.audit.paths",
    "default_audit_path": "memtui.audit.paths",
    "export_timeline": "memtui.audit.export",
    "load_entries": "memtui.audit.reader",
    "memory_series_from_prometheus": "memtui.audit.prometheus",
    "verify_log": "memtui.audit.verify",
}

__all__ = [
    "AuditEntry",
    "AuditError",
    "AuditLog",
    "LineProblem",
    "LoadedLog",
    "PrometheusUnavailable",
    "VerifyReport",
    "audit_dir",
    "default_audit_path",
    "export_timeline",
    "load_entries",
    "memory_series_from_prometheus",
    "verify_log",
]
__getattr__, __dir__ = lazy_names(__name__, _HOMES)
