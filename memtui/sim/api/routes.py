"""Which handler serves which (group, resource, subresource, verb)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from . import podmetrics, reads
from .paths import RequestInfo

if TYPE_CHECKING:
    from .context import SimState


async def route(st: "SimState", request: web.Request, info: RequestInfo, now: float) -> web.StreamResponse:
    res, sub, verb, group = info.resource, info.subresource, info.verb, info.group
    if group == "metrics.k8s.io":
        if res == "pods":
            return podmetrics.do_pod_metrics(st, request, info, now)
        return podmetrics.do_node_metrics(st, request, info, now)
    if group == "authorization.k8s.io":
        from . import authz
        return authz.handle(st, request, info)
    if sub == "log":
        from . import logs
        return await logs.handle(st, request, info, now)
    if sub == "exec":
        from . import exec_ws
        return await exec_ws.handle(st, request, info, now)
    if sub == "status" and verb == "get":  # the status subresource reads as the object itself
        from dataclasses import replace
        return reads.do_get(st, request, replace(info, subresource=None), now)
    if sub is None and verb in ("get", "list", "watch"):
        if verb == "watch":
            return await reads.do_watch(st, request, info, now)
        if verb == "list":
            return reads.do_list(st, request, info, now)
        return reads.do_get(st, request, info, now)
    from . import writes
    return await writes.handle(st, request, info, now)

