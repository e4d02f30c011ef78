"""One home for the app's thread workers: Textual's ``@work`` with a fixed description.

Without a ``description``, ``@work`` builds one on the calling (main) thread from the ``repr`` of
every argument.  A worker handed an ``ActionContext`` of 5,000 pods spent about 150 ms of the
event loop per runbook key in that ``repr`` alone (py-spy, bench/app.py at 5,000 pods), and the
text was never shown.  The method's name is what a worker list needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from textual import work

Method = TypeVar("Method", bound=Callable[..., Any])


def thread_worker(group: str, *, exclusive: bool = False) -> Callable[[Method], Method]:
    """``@work(thread=True, exit_on_error=False)`` in ``group``, described by the method's name."""

    def decorator(method: Method) -> Method:
        return work(thread=True, group=group, exclusive=exclusive, exit_on_error=False,  # type: ignore[return-value]
                    description=method.__name__)(method)

    return decorator
