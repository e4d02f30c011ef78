"""The HTTPS server: one aiohttp application in its own event loop thread.

Every request first brings the cluster up to the simulated now (``sync``),
then is authenticated, authorised, routed, journaled and logged. All cluster
state is touched only on this loop's thread.
"""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

from aiohttp import web

from . import kubeconfig, tls
from .api import control, discovery, errors, reads, routes
from .api.auth import Authenticator, Authorizer, User
from .api.context import BODY_KEY, RAW_BODY_KEY, USER_KEY, SimState
from .api.paths import RequestInfo, parse
from .bootstrap import build_cluster
from .clock import SimClock
from .config import SimConfig
from .journal import JournalEntry, RequestRecord, flatten_query
from .store import dumps

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
PUBLIC = {"/version", "/healthz", "/livez", "/readyz"}


class SimServer:
    def __init__(self, config: SimConfig, workdir: Path) -> None:
        self.config = config
        self.workdir = workdir
        self.clock = SimClock(config.speed, config.epoch)
        self.authn = Authenticator()
        self.material = tls.generate([config.host])
        self.ca_path, self.cert_path, self.key_path = self.material.write(workdir)
        self.state: SimState | None = None
        self._runner: web.AppRunner | None = None
        self._tick: asyncio.Task | None = None
        self.port = 0

    async def start(self) -> str:
        cluster = build_cluster(self.config, self.clock)
        self.state = SimState(self.config, self.clock, cluster, self.authn, Authorizer(self.config.operator_denied))
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024**2)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        family = socket.AF_INET6 if ":" in self.config.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.config.host, self.config.port))
        sock.listen(512)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        ctx = self.material.server_context(self.cert_path, self.key_path)
        site = web.SockSite(self._runner, sock, ssl_context=ctx)
        await site.start()
        # a wildcard bind is reached through loopback (the certificate names 127.0.0.1 and ::1)
        h = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(self.config.host, self.config.host)
        host = f"[{h}]" if ":" in h else h
        self.state.address = f"{host}:{self.port}"
        self._tick = asyncio.get_running_loop().create_task(self._ticker())
        return f"https://{host}:{self.port}"

    async def stop(self) -> None:
        if self._tick:
            self._tick.cancel()
        if self._runner:
            await self._runner.cleanup()

    async def _ticker(self) -> None:
        """Process transitions about once a wall second so watchers see OOM kills as they happen."""
        while True:
            await asyncio.sleep(1.0)
            if self.state is not None:
                try:
                    self.state.now()
                except Exception:  # noqa: BLE001 - a bug in one tick must not stop the clock
                    import traceback
                    traceback.print_exc()

    def write_kubeconfig(self, path: Path, url: str) -> Path:
        return kubeconfig.write(path, url, self.material.ca_pem, self.authn.operator_token,
                                self.authn.readonly_token)

    # -- middleware: request log, journal, Status errors ------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler):
        st = self.state
        assert st is not None
        status = 500
        try:
            if st.request_hooks and not request.path.startswith("/_sim/"):
                query = flatten_query(list(request.query.items()))
                for hook in list(st.request_hooks):
                    delay = hook(request.method, request.path, query)
                    if delay is not None:  # an awaitable: this request waits, the server does not
                        await delay
            resp = await handler(request)
            status = resp.status
            return resp
        except errors.ApiError as exc:
            status = exc.code
            return web.Response(body=dumps(exc.body()), status=exc.code,
                                content_type="application/json")
        except web.HTTPException as exc:
            status = exc.status
            raise
        except (ConnectionResetError, asyncio.CancelledError):
            raise
        except Exception as exc:  # noqa: BLE001 - a simulator bug answers like an apiserver panic would
            import traceback
            traceback.print_exc()
            status = 500
            err = errors.ApiError(500, "InternalError", f"an error on the server ({type(exc).__name__}: {exc}) "
                                  "has prevented the request from succeeding")
            return web.Response(body=dumps(err.body()), status=500, content_type="application/json")
        finally:
            if not request.path.startswith("/_sim/"):
                self._record(request, status)

    def _record(self, request: web.Request, status: int) -> None:
        st = self.state
        assert st is not None
        when = st.clock.to_datetime(st.cluster.t)
        query = flatten_query(list(request.query.items()))
        user: User | None = request.get(USER_KEY)
        token = user.token_name if user else None
        st.requests.append(RequestRecord(when, request.method, request.path, query, token, status))
        is_exec = request.path.rstrip("/").endswith("/exec") and request.path.startswith("/api/")
        if request.method in MUTATING or is_exec:
            body: Any = request.get(BODY_KEY)
            if is_exec and body is None:
                body = {"command": request.query.getall("command", [])}
            dry = request.query.get("dryRun") == "All" or (
                isinstance(body, dict) and (body.get("deleteOptions") or {}).get("dryRun") == ["All"])
            st.journal.append(JournalEntry(when, request.method, request.path, query,
                                           request.headers.get("Content-Type"), body, token,
                                           request.headers.get("User-Agent"), status, dry))

    # -- dispatch ------------------------------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        st = self.state
        assert st is not None
        path = request.path
        if len(path) > 1:
            path = path.rstrip("/")
        if request.method in MUTATING and request.can_read_body:
            raw = await request.read()
            request[RAW_BODY_KEY] = raw
            try:
                if raw.startswith(b"k8s\x00"):
                    from .api import protobuf
                    request[BODY_KEY] = protobuf.decode(raw)
                else:
                    request[BODY_KEY] = json.loads(raw) if raw else None
            except (ValueError, UnicodeDecodeError, IndexError):
                request[BODY_KEY] = raw.decode("utf-8", "replace")
        if path.startswith("/_sim/"):
            return await control.handle(st, request)
        now = st.now()
        if path == "/metrics":
            from . import metrics
            return web.Response(body=metrics.exposition(st.cluster, now).encode(),
                                headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})
        if path == "/version":
            return reads.json_response(discovery.VERSION)
        if path in PUBLIC:
            return web.Response(text="ok")
        user = st.authn.authenticate(request.headers.get("Authorization"))
        if user is None:
            raise errors.unauthorized()
        request[USER_KEY] = user
        if path.rstrip("/") == "/api":
            return reads.json_response(discovery.api_versions(st.address))
        if path.rstrip("/") == "/apis":
            return reads.json_response(discovery.api_group_list())
        parts = [p for p in path.split("/") if p]
        if len(parts) == 2 and parts[0] == "apis":
            g = discovery.api_group(parts[1])
            if g is None:
                raise errors.path_not_found()
            return reads.json_response(g)
        info = parse(path, request.method, request.query.get("watch") in ("1", "true"))
        if info is None:
            raise errors.path_not_found()
        if info.verb == "discover":
            rl = discovery.resource_list(info.group_version)
            if rl is None:
                raise errors.path_not_found()
            return reads.json_response(rl)
        if not discovery.known(info.group, info.version, info.resource or "", info.subresource):
            raise errors.path_not_found()
        self._authorize(st, user, info)
        return await routes.route(st, request, info, now)

    @staticmethod
    def _authorize(st: SimState, user: User, info: RequestInfo) -> None:
        ns = info.namespace if discovery.is_namespaced(info.group, info.version, info.resource or "") else None
        ok, _ = st.authz.allowed(user, info.verb, info.group, info.resource or "", info.subresource, ns)
        if not ok:
            raise errors.forbidden(user.username, info.verb, info.resource or "", info.group, ns, info.name,
                                   info.subresource)


__all__ = ["SimServer", "SimState"]
