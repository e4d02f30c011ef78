"""pods/{name}/log: container, previous, tailLines, timestamps, sinceSeconds/sinceTime, limitBytes, follow."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING

from aiohttp import web

from .. import applog
from ..records import PodRecord
from ..sidecar import sidecar_of
from . import errors
from .paths import RequestInfo

if TYPE_CHECKING:
    from ..models import Life
    from .context import SimState


def _rfc3339nano(st: "SimState", t: float) -> str:
    return st.clock.to_datetime(t).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def _render(st: "SimState", items: list[tuple[float, str]], timestamps: bool) -> bytes:
    if timestamps:
        return "".join(f"{_rfc3339nano(st, t)} {s}\n" for t, s in items).encode()
    return "".join(f"{s}\n" for _, s in items).encode()


def _pick(st: "SimState", rec: PodRecord, info: RequestInfo, container: str | None, previous: bool) -> "Life":
    if container and container != rec.container:
        raise errors.bad_request(f"container {container} is not valid for pod {rec.name}")
    if previous:
        cur = rec.current()
        prev = None
        if cur is not None:
            if cur.end is not None:
                prev = cur  # waiting in back-off: the previous instance is the one that just died
            elif cur.index > 0:
                prev = rec.lives[cur.index - 1]
        if prev is None:
            raise errors.bad_request(f'previous terminated container "{rec.container}" in pod "{rec.name}" not found')
        return prev
    if not rec.lives:
        raise errors.bad_request(f'container "{rec.container}" in pod "{rec.name}" is waiting to start: '
                                 "ContainerCreating")
    return rec.lives[-1]


async def handle(st: "SimState", request: web.Request, info: RequestInfo, now: float) -> web.StreamResponse:
    if info.verb != "get":
        raise errors.method_not_allowed()
    rec = st.cluster.pod_by_name(info.namespace or "", info.name or "")
    if rec is None:
        raise errors.not_found("pods", info.name or "")
    q = request.query
    previous = q.get("previous") in ("true", "1")
    side = sidecar_of(rec)
    if side is not None and q.get("container") == side.name:
        return web.Response(body=b"", content_type="text/plain")  # the log shipper writes nothing of note
    life = _pick(st, rec, info, q.get("container"), previous)
    timestamps = q.get("timestamps") in ("true", "1")
    since = life.start - 1
    if q.get("sinceSeconds"):
        try:
            since = max(since, now - int(q["sinceSeconds"]))
        except ValueError:
            raise errors.bad_request("sinceSeconds must be an integer") from None
    if q.get("sinceTime"):
        try:
            since = max(since, st.clock.from_datetime(datetime.fromisoformat(q["sinceTime"])))
        except ValueError:
            raise errors.bad_request("sinceTime must be RFC3339") from None
    seed = st.config.seed
    ep = st.clock.epoch_ts
    items = applog.lines(rec, life, since, now + 1e-6, seed, ep)
    if rec.extra_log:  # lines a test wrote (SimulatorHandle.write_log), in the life they were written in
        end = life.end if life.end is not None else now + 1e-6
        items = sorted(items + [(t, s) for t, s in rec.extra_log if max(since, life.start) <= t <= end],
                       key=lambda item: item[0])
    if q.get("tailLines"):
        try:
            n = int(q["tailLines"])
        except ValueError:
            raise errors.bad_request("tailLines must be an integer") from None
        items = items[-n:] if n > 0 else []
    body = _render(st, items, timestamps)
    if q.get("limitBytes"):
        body = body[: max(0, int(q["limitBytes"]))]
    follow = q.get("follow") in ("true", "1") and not previous and life.end is None
    if not follow:
        return web.Response(body=body, content_type="text/plain")
    resp = web.StreamResponse(headers={"Content-Type": "text/plain"})
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    await resp.write(body)
    last = now + 1e-6
    while life.end is None or life.end > last:
        await asyncio.sleep(1.0)
        t = st.now()
        chunk = applog.lines(rec, life, last, t + 1e-6, seed, ep)
        last = t + 1e-6
        if chunk:
            await resp.write(_render(st, chunk, timestamps))
        if rec.deleted_at is not None:
            break
    await resp.write_eof()
    return resp
