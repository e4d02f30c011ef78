"""GET, LIST and WATCH of stored objects, with selectors, chunking and Table output."""

from __future__ import annotations

import asyncio
import base64
import json
import random
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import selectors
from ..store import Stored, Subscriber, WatchEvent, dumps
from . import discovery, errors, tables
from .paths import RequestInfo

if TYPE_CHECKING:
    from .context import SimState

JSON = "application/json"


def json_response(body: bytes | dict[str, Any], status: int = 200) -> web.Response:
    if isinstance(body, dict):
        body = dumps(body)
    return web.Response(body=body, status=status, content_type=JSON)


def list_kind(info: RequestInfo) -> tuple[str, str]:
    kind = discovery.kind_of(info.group, info.version, info.resource or "")
    return f"{kind}List", info.group_version


def _parse_selectors(info: RequestInfo, q) -> tuple[list, list]:
    try:
        labels = selectors.parse_labels(q.get("labelSelector"))
        fields = selectors.parse_fields(q.get("fieldSelector"))
        selectors.validate_fields(info.resource or "", fields)
    except selectors.SelectorError as exc:
        raise errors.bad_request(str(exc)) from None
    return labels, fields


def filtered(state: "SimState", info: RequestInfo, q, after: str | None = None) -> list[Stored]:
    labels, fields = _parse_selectors(info, q)
    items = state.cluster.store.list(info.resource or "", info.namespace, after)
    if not labels and not fields:
        return items
    res = info.resource or ""
    return [s for s in items if selectors.match_labels(labels, s.obj["metadata"].get("labels"))
            and selectors.match_fields(res, fields, s.obj)]


def _encode_continue(ns: str | None, name: str, rv: int) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": f"{ns or ''}/{name}\x00"}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_continue(tok: str) -> str:
    try:
        pad = "=" * (-len(tok) % 4)
        return str(json.loads(base64.urlsafe_b64decode(tok + pad))["start"])
    except Exception:  # noqa: BLE001 - any garbage is the same 400 to the client
        raise errors.bad_request("continue key is not valid: illegal base64 data") from None


def do_list(state: "SimState", req: web.Request, info: RequestInfo, now: float) -> web.Response:
    q = req.query
    items = filtered(state, info, q, _decode_continue(q["continue"]) if q.get("continue") else None)
    rv = state.cluster.store.rv
    cont = None
    remaining = None
    limit = int(q.get("limit") or 0)
    if limit > 0 and len(items) > limit:
        last = items[limit - 1].obj["metadata"]
        remaining = len(items) - limit
        items = items[:limit]
        cont = _encode_continue(last.get("namespace"), last["name"], rv)
    if tables.wants_table(req.headers.get("Accept")):
        body = tables.table(info.resource or "", [s.obj for s in items], state.clock, now, str(rv),
                            include=q.get("includeObject", "Metadata"), cont=cont, remaining=remaining)
        return web.Response(body=body, content_type=JSON)
    kind, api = list_kind(info)
    meta: dict[str, Any] = {"resourceVersion": str(rv)}
    if cont:
        meta["continue"] = cont
        meta["remainingItemCount"] = remaining
    head = dumps({"kind": kind, "apiVersion": api, "metadata": meta})[:-1]
    body = b"".join((head, b',"items":[', b",".join(s.raw for s in items), b"]}"))
    return web.Response(body=body, content_type=JSON)


def do_get(state: "SimState", req: web.Request, info: RequestInfo, now: float) -> web.Response:
    st = state.cluster.store.get(info.resource or "", info.namespace, info.name or "")
    if st is None:
        raise errors.not_found(info.resource or "", info.name or "", info.group)
    if tables.wants_table(req.headers.get("Accept")):
        body = tables.table(info.resource or "", [st.obj], state.clock, now, str(st.rv),
                            include=req.query.get("includeObject", "Metadata"))
        return web.Response(body=body, content_type=JSON)
    return web.Response(body=st.raw, content_type=JSON)


def _event_line(etype: str, raw: bytes) -> bytes:
    return b'{"type":"' + etype.encode() + b'","object":' + raw + b"}\n"


async def do_watch(state: "SimState", req: web.Request, info: RequestInfo, now: float) -> web.StreamResponse:
    q = req.query
    labels, fields = _parse_selectors(info, q)
    if info.name:  # GET .../pods/NAME?watch=1 is a watch on one object
        fields = fields + [selectors.FieldReq("metadata.name", False, info.name)]
    store = state.cluster.store
    rv_s = q.get("resourceVersion", "")
    as_table = tables.wants_table(req.headers.get("Accept"))
    send_initial = q.get("sendInitialEvents") == "true"
    bookmarks = q.get("allowWatchBookmarks") == "true"
    timeout = float(q.get("timeoutSeconds") or (1800 + random.random() * 1800))
    resource = info.resource or ""

    def render(ev_type: str, obj: dict[str, Any], raw: bytes) -> bytes:
        if as_table:
            raw = tables.table(resource, [obj], state.clock, state.cluster.t, obj["metadata"].get(
                "resourceVersion", ""), include=q.get("includeObject", "Object"))
        return _event_line(ev_type, raw)

    sub = Subscriber(resource, info.namespace, labels, fields)
    initial: list[bytes] = []
    if rv_s in ("", "0") or send_initial:
        for st in store.list(resource, info.namespace):
            ev = WatchEvent(st.rv, "ADDED", resource, info.namespace, st.obj["metadata"]["name"], st.obj, st.raw)
            if sub.wants(ev):
                initial.append(render("ADDED", st.obj, st.raw))
        if send_initial and bookmarks:
            bm = {"kind": discovery.kind_of(info.group, info.version, resource), "apiVersion": info.group_version,
                  "metadata": {"resourceVersion": str(store.rv),
                               "annotations": {"k8s.io/initial-events-end": "true"}}}
            initial.append(_event_line("BOOKMARK", dumps(bm)))
    else:
        try:
            rv = int(rv_s)
        except ValueError:
            raise errors.bad_request(f"invalid resource version: {rv_s}") from None
        if rv < store.oldest_rv() - 1 and rv < store.rv:
            resp = web.StreamResponse(status=200, headers={"Content-Type": JSON})
            await resp.prepare(req)
            status = errors.gone(f"too old resource version: {rv} ({store.oldest_rv() - 1})").body()
            await resp.write(_event_line("ERROR", dumps(status)))
            await resp.write_eof()
            return resp
        for ev in store.events_since(rv):
            if sub.wants(ev):
                initial.append(render(ev.type, ev.obj, ev.raw))
    store.subscribers.add(sub)
    resp = web.StreamResponse(status=200, headers={"Content-Type": JSON, "Cache-Control": "no-cache, private"})
    resp.enable_chunked_encoding()
    try:
        await resp.prepare(req)
        if initial:
            await resp.write(b"".join(initial))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            left = deadline - loop.time()
            if left <= 0:
                break
            try:
                ev = await asyncio.wait_for(sub.queue.get(), timeout=min(left, 60.0))
            except TimeoutError:
                if bookmarks:
                    bm = {"kind": discovery.kind_of(info.group, info.version, resource),
                          "apiVersion": info.group_version, "metadata": {"resourceVersion": str(store.rv)}}
                    await resp.write(_event_line("BOOKMARK", dumps(bm)))
                continue
            chunk = [render(ev.type, ev.obj, ev.raw)]
            while not sub.queue.empty():
                e2 = sub.queue.get_nowait()
                chunk.append(render(e2.type, e2.obj, e2.raw))
            await resp.write(b"".join(chunk))
        await resp.write_eof()
    except (ConnectionResetError, asyncio.CancelledError):
        raise
    finally:
        store.subscribers.discard(sub)
    return resp
