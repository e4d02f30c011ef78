"""What every API handler is given: the simulator's state, and the keys the server stores a request's
user and body under.

It lives here, below both the server and the handlers, so that the handlers need nothing from
``memtui.sim.server`` (which imports them to route requests): the dependency runs one way, server →
handlers → context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from ..clock import SimClock
from ..cluster import Cluster
from ..config import SimConfig
from ..journal import JournalEntry, RequestRecord
from .auth import Authenticator, Authorizer

USER_KEY = web.RequestKey("user", object)
"""The authenticated ``auth.User`` (set by the server before routing)."""
RAW_BODY_KEY = web.RequestKey("raw_body", bytes)
"""A mutating request's body as sent."""
BODY_KEY = web.RequestKey("parsed_body", object)
"""That body parsed: JSON, protobuf decoded to a dict, or the text when it parses as neither."""


@dataclass
class SimState:
    config: SimConfig
    clock: SimClock
    cluster: Cluster
    authn: Authenticator
    authz: Authorizer
    address: str = ""
    journal: list[JournalEntry] = field(default_factory=list)
    requests: list[RequestRecord] = field(default_factory=list)
    metrics_cache: dict[Any, bytes] = field(default_factory=dict)
    request_hooks: list[Any] = field(default_factory=list)
    """Callables ``(method, path, query)`` run as each API request arrives (SimulatorHandle.on_request);
    one may return an awaitable, which that request waits for before it is served."""

    def now(self) -> float:
        return self.cluster.sync(self.clock.now())
