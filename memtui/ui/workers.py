"""One home for the app's thread workers: Textual's ``@work`` with a fixed description.

Without a ``description``, ``@work`` builds one on the calling (main) thread from the ``repr`` of
every argument.  A worker handed an ``ActionContext`` of 5,000 pods spent about 150 ms of the
event loop per runbook key in that ``repr`` alone (py-spy, bench/app.py at 5,000 pods), and the
text was never shown.  The method's name is what a worker list needs.

Textual runs every thread worker on the event loop's default executor, which asyncio sizes by the
CPUs (``min(32, CPUs + 4)``: 6 threads on a 2-vCPU VM, 12 on an 8-core laptop).  Each poller has
at most one poll in flight, but when sources hang (a network partition, a SIGSTOPped Redis, a
slow Prometheus at 20,000 pods) those polls hold their threads for their whole timeout, and a fix's
plan, typed meanwhile, waited in the executor's queue behind them; with several clusters the polls
alone outnumber the threads.  ``install_worker_pool`` sizes the pool to the pollers plus room for
what a key starts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from textual import work

Method = TypeVar("Method", bound=Callable[..., Any])


def thread_worker(group: str, *, exclusive: bool = False) -> Callable[[Method], Method]:
    """``@work(thread=True, exit_on_error=False)`` in ``group``, described by the method's name."""

    def decorator(method: Method) -> Method:
        return work(thread=True, group=group, exclusive=exclusive, exit_on_error=False,  # type: ignore[return-value]
                    description=method.__name__)(method)

    return decorator


KEY_WORKERS = 16
"""Threads beyond one per poller: what keys start (a plan, a diagnose read, an effect check, an
export, a replan, a pod's logs) and the app's own one-shot workers (RBAC, audit history)."""


def install_worker_pool(pollers: int) -> ThreadPoolExecutor:
    """The running loop's default executor, where Textual runs thread workers: a thread for each
    poller and ``KEY_WORKERS`` more, so a key's worker never queues behind polls.  Threads start
    only when work comes and idle ones are reused, so the size costs nothing until it is needed."""
    pool = ThreadPoolExecutor(max_workers=pollers + KEY_WORKERS, thread_name_prefix="memtui-worker")
    asyncio.get_running_loop().set_default_executor(pool)
    return pool
