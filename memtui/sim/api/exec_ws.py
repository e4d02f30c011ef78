"""pods/{name}/exec over WebSocket: channel.k8s.io v5 and v4 (kubectl 1.32, kubernetes.stream).

Frames are binary, first byte the channel (0 stdin, 1 stdout, 2 stderr, 3 error
/ status, 4 resize; 255 is v5's close signal). The command's metav1.Status goes
on channel 3: Success, or Failure/NonZeroExitCode with the exit code in
details.causes, then the server closes the socket.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from aiohttp import web

from ..execsim import ExecContext, execute
from . import errors
from .paths import RequestInfo

if TYPE_CHECKING:
    from .context import SimState

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io")
CHUNK = 32 * 1024


def status_for(code: int, argv: list[str]) -> dict:
    if code == 0:
        return {"metadata": {}, "status": "Success"}
    return {"metadata": {}, "status": "Failure",
            "message": f"command terminated with non-zero exit code: error executing command "
                       f"[{' '.join(argv)}], exit code {code}",
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}


def _env(st: "SimState", rec) -> dict[str, str]:
    env = {"PATH": "/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME": rec.name,
           "HOME": "/home/app" if rec.container != "redis" else "/data"}
    c = rec.spec["containers"][0]
    for e in c.get("env", []):
        if "value" in e:
            env[e["name"]] = e["value"]
        elif e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "metadata.name":
            env[e["name"]] = rec.name
    for ef in c.get("envFrom", []):
        name = ef.get("configMapRef", {}).get("name")
        cm = st.cluster.store.get("configmaps", rec.namespace, name) if name else None
        if cm is not None:
            life = rec.lives[-1] if rec.lives else None
            # envFrom is resolved when the container starts: show that snapshot
            data = dict(cm.obj.get("data") or {})
            if life is not None:
                from dataclasses import asdict
                for k, v in asdict(life.config).items():
                    if k in data:
                        data[k] = str(v).lower() if isinstance(v, bool) else str(v)
            env.update(data)
    return env


async def handle(st: "SimState", request: web.Request, info: RequestInfo, now: float) -> web.StreamResponse:
    rec = st.cluster.pod_by_name(info.namespace or "", info.name or "")
    if rec is None:
        raise errors.not_found("pods", info.name or "")
    q = request.query
    argv = q.getall("command", [])
    if not argv:
        raise errors.bad_request("you must specify at least 1 command")
    container = q.get("container") or rec.container
    if container != rec.container:
        raise errors.bad_request(f"container {container} is not valid for pod {rec.name}")
    life = rec.life_at(now)
    if life is None:
        raise errors.bad_request(f'unable to upgrade connection: container not found ("{container}")')
    if request.headers.get("Upgrade", "").lower() != "websocket":
        raise errors.bad_request("Upgrade request required")
    tty = q.get("tty") in ("true", "1")
    ws = web.WebSocketResponse(protocols=PROTOCOLS, autoping=True, max_msg_size=0)
    await ws.prepare(request)
    ctx = ExecContext(st.cluster, rec, life, now, tty=tty, env=_env(st, rec))
    res = execute(ctx, list(argv))
    try:
        if q.get("stdout") in ("true", "1") or tty:
            for i in range(0, len(res.stdout), CHUNK):
                await ws.send_bytes(b"\x01" + res.stdout[i:i + CHUNK])
        if res.stderr and q.get("stderr") in ("true", "1"):
            for i in range(0, len(res.stderr), CHUNK):
                await ws.send_bytes(b"\x02" + res.stderr[i:i + CHUNK])
        await ws.send_bytes(b"\x03" + json.dumps(status_for(res.code, list(argv)), separators=(",", ":")).encode())
        await ws.close()
    except ConnectionResetError:
        pass
    return ws
