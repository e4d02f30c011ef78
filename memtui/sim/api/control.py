"""/_sim/*: the control API for a simulator running in another process (benchmarks).

No auth (loopback, test tooling); the /_sim prefix cannot collide with any
Kubernetes path, which all start with /api, /apis, /openapi, /version or a
health endpoint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from .. import truth
from ..store import dumps
from . import errors

if TYPE_CHECKING:
    from .context import SimState


def _json(obj) -> web.Response:
    return web.Response(body=dumps(obj), content_type="application/json")


async def handle(st: "SimState", request: web.Request) -> web.Response:
    path = request.path.rstrip("/")
    m = request.method
    if m == "GET" and path == "/_sim/journal":
        return _json([e.to_json() for e in st.journal])
    if m == "GET" and path == "/_sim/requests":
        return _json([r.to_json() for r in st.requests])
    if m == "POST" and path == "/_sim/requests/clear":
        n = len(st.requests)
        st.requests.clear()
        return _json({"cleared": n})
    if m == "POST" and path == "/_sim/advance":
        try:
            seconds = float(request.query.get("seconds", "0"))
        except ValueError:
            raise errors.bad_request("seconds must be a number") from None
        if seconds < 0:
            raise errors.bad_request("seconds must be >= 0")
        st.clock.advance(seconds)
        now = st.now()
        return _json({"now": st.clock.to_datetime(now).isoformat()})
    if m == "GET" and path == "/_sim/truth":
        now = st.now()
        return _json({k: v.to_json() for k, v in truth.compute(st.cluster, now).items()})
    if m == "GET" and path == "/_sim/now":
        now = st.now()
        return _json({"now": st.clock.to_datetime(now).isoformat()})
    raise errors.path_not_found()
