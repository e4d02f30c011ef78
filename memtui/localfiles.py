"""memtui's own files on this machine: the platformdirs state dir and file-name-safe spellings.

The audit log, the flight recordings and the artifacts all live under the user state dir, in
files named after the kube context and namespace.  Both ``memtui.audit`` and ``memtui.recording``
need the same spelling, and the recording layer may not import the audit layer (it sits below
it), so the one definition lives here, under every layer that names files: it imports nothing
of memtui.  It is not ``memtui.state`` (the cockpit's in-memory state) nor ``memtui.config``
(what the user asked for): it is where memtui keeps what it writes.

Context names on EKS (``arn:aws:eks:eu-west-1:123456789012:cluster/prod``), GKE
(``gke_proj_zone_name``) and hand-written kubeconfigs (``alice@prod``) contain characters that are
path separators or awkward in file names; they are percent-encoded, which is reversible, so two
contexts never share a file by accident.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from platformdirs import user_state_path

APP = "memtui"
SEPARATOR = "__"
"""Between the context and the namespace in a file name (namespaces, DNS labels, have no ``_``)."""
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
_MAX_PART = 100


def state_dir() -> Path:
    """``~/.local/state/memtui`` on Linux (``$XDG_STATE_HOME`` honoured)."""
    return user_state_path(APP)


def sanitise(name: str) -> str:
    """A file-name-safe, reversible spelling of a context or namespace."""
    if not name:
        raise ValueError("a file per context and namespace needs a non-empty context and namespace")
    encoded = "".join(ch if ch in _SAFE else "".join(f"%{b:02X}" for b in ch.encode("utf-8")) for ch in name)
    if encoded.startswith("."):  # no hidden files, no ".."
        encoded = "%2E" + encoded[1:]
    if len(encoded) > _MAX_PART:  # file names stop at 255 bytes; keep the readable start, stay unique
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
        encoded = f"{encoded[:_MAX_PART - 13]}~{digest}"
    return encoded


def context_part(context: str, namespace: str) -> str:
    """``<context>__<namespace>``, both sanitised: the per-cluster part of a file or folder name."""
    return f"{sanitise(context)}{SEPARATOR}{sanitise(namespace)}"
