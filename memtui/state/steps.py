"""Folds in steps: the step's size and taking every step at once, for the state's parts.

At 20,000 pods a fold is 0.3-1.6 s of the main thread.  The history, the OOM ledger and the
cockpit's rows each walk every pod; each walk yields after ``FOLD_STEP_PODS`` of them, and the
app answers keys between two steps (``ui/folding.py``).  A namespace below ``FOLD_STEP_PODS``
pods folds in one step, as it always did.
"""

from __future__ import annotations

from collections.abc import Iterator

FOLD_STEP_PODS = 1000
"""Pods (or events, or series) walked between two yields: 10-30 ms on one core."""

Steps = Iterator[None]
"""A fold in steps: each ``next`` takes one; what it folds is in once it is exhausted."""


def exhaust(steps: Steps) -> None:
    """Take every step at once (tests, replays, a caller with nothing else to do)."""
    for _ in steps:
        pass


def step_due(done: int) -> bool:
    """After ``done`` items of a walk: is it time to yield?"""
    return not done % FOLD_STEP_PODS
