"""The kubectl commands memtui shows name the cluster they are meant for.

The modal's Equivalent, its Copy command and the audit log's ``kubectl`` field are what an SRE
pastes into a terminal, where kubectl goes to its current-context.  When memtui watches another
context (``--context``, or several at once), a command without ``--context`` would run against the
wrong cluster: the context is put right after ``kubectl``, where kubectl's global flags go.
"""

from __future__ import annotations

import shlex

KUBECTL = "kubectl "


def with_kube_context(commands: str, context: str | None) -> str:
    """``commands`` (one per line) with ``--context CONTEXT`` after each line's leading ``kubectl``;
    unchanged when ``context`` is None (kubectl's current-context is the cluster memtui watches)."""
    if not context:
        return commands
    flag = f"{KUBECTL}--context {shlex.quote(context)} "
    return "\n".join(flag + line[len(KUBECTL):] if line.startswith(KUBECTL) else line
                     for line in commands.split("\n"))
