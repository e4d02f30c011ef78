"""The one exception type callers of the audit log need to catch."""

from __future__ import annotations


class AuditError(Exception):
    """The audit log could not do what was asked; the message is one line for a human.

    Raised by ``AuditLog.intent`` when the intent could not be made durable: the executor must
    then *not* make the API call, because an action nobody can find in the log afterwards is
    exactly what the log exists to prevent.
    """


class PrometheusUnavailable(AuditError):
    """The memory chart's source could not be read; the timeline itself is still exportable."""
