"""What `kubectl exec` finds inside a simulated container: a few files, processes and tools,
all answering from the memory model, and a tiny shell for `sh -c '...'` only."""

from .context import ExecContext, ExecResult
from .run import execute

__all__ = ["ExecContext", "ExecResult", "execute"]
