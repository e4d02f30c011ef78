"""One string object per distinct name or repeated text decoded from an answer.

msgspec makes a new ``str`` for every string of every answer.  At 20,000 pods a pod's name is held
by its listing, its metrics, its events, its Prometheus trends and its GPU figures, a copy each,
and "Normal", "Pulled" or "spec.containers{sap-llm}" once per event (61,000 events there).
Interned, each is one object, and a lookup of one pod's name in another source's figures finds
the very same key.  ``sys.intern`` frees a string once nothing else holds it.
"""

from __future__ import annotations

from sys import intern


def shared(text: str) -> str:
    return intern(text)


def shared_or_none(text: str | None) -> str | None:
    """``shared``, None and the empty string as they are."""
    return intern(text) if text else text
