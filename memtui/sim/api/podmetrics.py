"""metrics.k8s.io/v1beta1, as metrics-server serves it.

metrics-server scrapes kubelets every 15 s, so usage is the working set at the
start of the current 15-second window (a drop after `rm -rf` shows up at the
next window, as in a real cluster), memory in canonical BinarySI (Ki).
Serialised lists are cached per window: the values cannot change within one.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import selectors
from ..sidecar import sidecar_usage
from ..quantity import format_ki
from ..store import dumps
from . import errors
from .paths import RequestInfo
from .reads import JSON

if TYPE_CHECKING:
    from ..records import PodRecord
    from .context import SimState

RESOLUTION = 15.0


def window_start(now: float) -> float:
    return math.floor(now / RESOLUTION) * RESOLUTION


def _item(state: "SimState", rec: "PodRecord", t: float, now: float) -> bytes | None:
    s = state.cluster.sample(rec, t)
    if s is None:
        return None
    clk = state.clock
    containers: list[dict[str, Any]] = [{"name": rec.container, "usage": {"cpu": f"{s.cpu_nanocores}n",
                                                                        "memory": format_ki(s.working_set)}}]
    side = sidecar_usage(rec, t)
    if side is not None:
        containers.append({"name": side[0], "usage": {"cpu": "4210000n", "memory": format_ki(side[1])}})
    obj = {"kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
           "metadata": {"name": rec.name, "namespace": rec.namespace, "creationTimestamp": clk.iso(now),
                        "labels": rec.labels},
           "timestamp": clk.iso(t), "window": "15.012s", "containers": containers}
    return dumps(obj)


def do_pod_metrics(state: "SimState", req: web.Request, info: RequestInfo, now: float) -> web.Response:
    t = window_start(now)
    q = req.query
    cl = state.cluster
    if info.name:
        rec = cl.pod_by_name(info.namespace or "", info.name)
        raw = _item(state, rec, t, now) if rec is not None and rec.created <= t else None
        if raw is None:
            raise errors.not_found("podmetrics", info.name, "metrics.k8s.io")
        return web.Response(body=raw, content_type=JSON)
    key = (t, info.namespace, q.get("labelSelector", ""), q.get("fieldSelector", ""), int(now))
    cached = state.metrics_cache.get(key[:4])
    if cached is not None:
        return web.Response(body=cached, content_type=JSON)
    try:
        labels = selectors.parse_labels(q.get("labelSelector"))
        fields = selectors.parse_fields(q.get("fieldSelector"))
    except selectors.SelectorError as exc:
        raise errors.bad_request(str(exc)) from None
    items: list[bytes] = []
    for st in cl.store.list("pods", info.namespace):
        meta = st.obj["metadata"]
        if labels and not selectors.match_labels(labels, meta.get("labels")):
            continue
        if fields and not selectors.match_fields("pods", fields, st.obj):
            continue
        rec = cl.pods.get(meta["uid"])
        if rec is None or rec.created > t:
            continue
        raw = _item(state, rec, t, now)
        if raw is not None:
            items.append(raw)
    body = b"".join((b'{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[',
                     b",".join(items), b"]}"))
    if len(state.metrics_cache) > 64:
        state.metrics_cache.clear()
    state.metrics_cache[key[:4]] = body
    return web.Response(body=body, content_type=JSON)


def do_node_metrics(state: "SimState", req: web.Request, info: RequestInfo, now: float) -> web.Response:
    t = window_start(now)
    nodes: dict[str, list[int]] = {}
    for rec in state.cluster.pods.values():
        s = state.cluster.sample(rec, t)
        if s is None:
            continue
        agg = nodes.setdefault(rec.node, [0, 0])
        agg[0] += s.cpu_nanocores
        agg[1] += s.working_set
    clk = state.clock

    def item(name: str, v: list[int]) -> dict[str, Any]:
        return {"kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
                "metadata": {"name": name, "creationTimestamp": clk.iso(now),
                             "labels": {"kubernetes.io/hostname": name}},
                "timestamp": clk.iso(t), "window": "20.05s",
                "usage": {"cpu": f"{v[0] + 350_000_000}n", "memory": format_ki(v[1] + 2 * 1024**3)}}
    if info.name:
        if info.name not in nodes:
            raise errors.not_found("nodemetrics", info.name, "metrics.k8s.io")
        return web.Response(body=dumps(item(info.name, nodes[info.name])), content_type=JSON)
    body = {"kind": "NodeMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {},
            "items": [item(n, v) for n, v in sorted(nodes.items())]}
    return web.Response(body=dumps(body), content_type=JSON)
