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
    if m == "POST" and path in KILLS:
        return _json(_kill(st, path, request.query))
    if m == "GET" and path == "/_sim/now":
        now = st.now()
        return _json({"now": st.clock.to_datetime(now).isoformat()})
    raise errors.path_not_found()


KILLS = ("/_sim/kill/liveness", "/_sim/kill/node-pressure", "/_sim/kill/relieve-node", "/_sim/kill/sidecar-oom")
"""The kills that are not a container's own memory model (memtui/sim/kills.py), for a drill against
``memtui sim`` in another process: ``POST /_sim/kill/liveness?pod=NAME``,
``/_sim/kill/node-pressure?node=N[&evict=POD|&system_oom=POD]``, ``/_sim/kill/relieve-node?node=N``,
``/_sim/kill/sidecar-oom?pod=NAME[&ramp=SECONDS]`` (pods in sap-llm)."""


def _kill(st: "SimState", path: str, q) -> dict:
    cl = st.cluster
    now = st.now()

    def pod(key: str):
        name = q.get(key, "")
        rec = cl.pod_by_name("sap-llm", name)
        if rec is None:
            raise errors.bad_request(f"{key}: no live pod sap-llm/{name}")
        return rec

    try:
        if path.endswith("/liveness"):
            cl.fail_liveness(pod("pod"), now)
        elif path.endswith("/sidecar-oom"):
            try:
                ramp = float(q.get("ramp", "60"))
            except ValueError:
                raise errors.bad_request("ramp must be a number of seconds") from None
            return {"killed_at": st.clock.to_datetime(cl.sidecar_oom(pod("pod"), now, ramp)).isoformat()}
        else:
            node = q.get("node", "")
            if node not in cl.nodes:
                raise errors.bad_request(f"node: no node {node!r}")
            if path.endswith("/relieve-node"):
                cl.relieve_node(node, now)
            else:
                cl.node_pressure(node, now, evict=pod("evict") if q.get("evict") else None,
                                 system_oom=pod("system_oom") if q.get("system_oom") else None)
    except ValueError as exc:  # the container is not running, the pod has no sidecar
        raise errors.bad_request(str(exc)) from None
    return {"now": st.clock.to_datetime(now).isoformat()}

