"""Server-side printing (meta.k8s.io/v1 Table), the columns `kubectl get` shows.

Cells follow the API server's printers (pkg/printers/internalversion): pods'
READY/STATUS/RESTARTS (with "(5m ago)"), deployments' READY "3/3", events'
"LAST SEEN" with "(x3 over 1h)"; ages are computed at the simulated now.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from collections.abc import Callable

from ..clock import SimClock, human_duration

Col = tuple[str, str, int, str]  # name, type, priority, format

_NAME: Col = ("Name", "string", 0, "name")
_AGE: Col = ("Age", "string", 0, "")


def _defs(cols: list[Col]) -> list[dict[str, Any]]:
    return [{"name": n, "type": t, "format": f, "description": "", "priority": p} for n, t, p, f in cols]


def _age(obj: dict[str, Any], clock: SimClock, now: float) -> str:
    ts = obj["metadata"].get("creationTimestamp")
    if not ts:
        return "<unknown>"
    return human_duration(now - _rel(ts, clock))


def _rel(ts: str, clock: SimClock) -> float:
    return clock.from_datetime(datetime.fromisoformat(ts))


def _pod_row(obj: dict[str, Any], clock: SimClock, now: float) -> list[Any]:
    st = obj.get("status", {})
    css = st.get("containerStatuses", [])
    total = len(obj["spec"].get("containers", []))
    ready = sum(1 for c in css if c.get("ready"))
    restarts = 0
    last_restart: float | None = None
    reason = st.get("reason") or st.get("phase", "Unknown")
    for c in css:
        restarts += int(c.get("restartCount", 0))
        term = c.get("lastState", {}).get("terminated")
        if term and term.get("finishedAt"):
            t = _rel(term["finishedAt"], clock)
            last_restart = t if last_restart is None else max(last_restart, t)
        state = c.get("state", {})
        if "waiting" in state and state["waiting"].get("reason"):
            reason = state["waiting"]["reason"]
        elif "terminated" in state:
            reason = state["terminated"].get("reason") or "Error"
    if obj["metadata"].get("deletionTimestamp"):
        reason = "Terminating"
    rs = str(restarts)
    if restarts and last_restart is not None:
        rs = f"{restarts} ({human_duration(now - last_restart)} ago)"
    return [obj["metadata"]["name"], f"{ready}/{total}", reason, rs, _age(obj, clock, now),
            st.get("podIP") or "<none>", obj["spec"].get("nodeName") or "<none>", "<none>", "<none>"]


POD_COLS: list[Col] = [_NAME, ("Ready", "string", 0, ""), ("Status", "string", 0, ""),
                       ("Restarts", "string", 0, ""), _AGE, ("IP", "string", 1, ""), ("Node", "string", 1, ""),
                       ("Nominated Node", "string", 1, ""), ("Readiness Gates", "string", 1, "")]


def _containers(tmpl: dict[str, Any]) -> tuple[str, str]:
    cs = tmpl.get("spec", {}).get("containers", [])
    return ",".join(c["name"] for c in cs), ",".join(c.get("image", "") for c in cs)


def _selector(sel: dict[str, Any]) -> str:
    ml = sel.get("matchLabels", {})
    return ",".join(f"{k}={v}" for k, v in sorted(ml.items())) or "<none>"


def _deploy_row(obj: dict[str, Any], clock: SimClock, now: float) -> list[Any]:
    st = obj.get("status", {})
    names, images = _containers(obj["spec"]["template"])
    return [obj["metadata"]["name"], f"{st.get('readyReplicas', 0)}/{obj['spec'].get('replicas', 1)}",
            st.get("updatedReplicas", 0), st.get("availableReplicas", 0), _age(obj, clock, now), names, images,
            _selector(obj["spec"]["selector"])]


DEPLOY_COLS: list[Col] = [_NAME, ("Ready", "string", 0, ""), ("Up-to-date", "integer", 0, ""),
                          ("Available", "integer", 0, ""), _AGE, ("Containers", "string", 1, ""),
                          ("Images", "string", 1, ""), ("Selector", "string", 1, "")]


def _rs_row(obj: dict[str, Any], clock: SimClock, now: float) -> list[Any]:
    st = obj.get("status", {})
    names, images = _containers(obj["spec"]["template"])
    return [obj["metadata"]["name"], obj["spec"].get("replicas", 0), st.get("replicas", 0),
            st.get("readyReplicas", 0), _age(obj, clock, now), names, images, _selector(obj["spec"]["selector"])]


RS_COLS: list[Col] = [_NAME, ("Desired", "integer", 0, ""), ("Current", "integer", 0, ""),
                      ("Ready", "integer", 0, ""), _AGE, ("Containers", "string", 1, ""),
                      ("Images", "string", 1, ""), ("Selector", "string", 1, "")]


def _cm_row(obj: dict[str, Any], clock: SimClock, now: float) -> list[Any]:
    return [obj["metadata"]["name"], len(obj.get("data", {}) or {}) + len(obj.get("binaryData", {}) or {}),
            _age(obj, clock, now)]


CM_COLS: list[Col] = [_NAME, ("Data", "integer", 0, ""), _AGE]


def _ns_row(obj: dict[str, Any], clock: SimClock, now: float) -> list[Any]:
    return [obj["metadata"]["name"], obj.get("status", {}).get("phase", "Active"), _age(obj, clock, now)]


NS_COLS: list[Col] = [_NAME, ("Status", "string", 0, ""), _AGE]


def _event_row(obj: dict[str, Any], clock: SimClock, now: float) -> list[Any]:
    first = obj.get("firstTimestamp") or obj["metadata"].get("creationTimestamp")
    last = obj.get("lastTimestamp") or first
    count = int(obj.get("count") or 1)
    last_seen = human_duration(now - _rel(last, clock))
    first_seen = human_duration(now - _rel(first, clock))
    if count > 1:
        last_seen = f"{last_seen} (x{count} over {first_seen})"
    io = obj.get("involvedObject", {})
    src = obj.get("source", {})
    source = src.get("component", "")
    if src.get("host"):
        source += ", " + src["host"]
    return [last_seen, obj.get("type", ""), obj.get("reason", ""), f"{io.get('kind', '').lower()}/{io.get('name', '')}",
            io.get("fieldPath", ""), source, obj.get("message", ""), first_seen, count, obj["metadata"]["name"]]


EVENT_COLS: list[Col] = [("Last Seen", "string", 0, ""), ("Type", "string", 0, ""), ("Reason", "string", 0, ""),
                         ("Object", "string", 0, ""), ("Subobject", "string", 1, ""), ("Source", "string", 1, ""),
                         ("Message", "string", 0, ""), ("First Seen", "string", 1, ""), ("Count", "integer", 1, ""),
                         ("Name", "string", 1, "")]

def _pdb_row(obj: dict[str, Any], clock: SimClock, now: float) -> list[Any]:
    spec = obj.get("spec", {})
    return [obj["metadata"]["name"], str(spec["minAvailable"]) if "minAvailable" in spec else "N/A",
            str(spec["maxUnavailable"]) if "maxUnavailable" in spec else "N/A",
            int(obj.get("status", {}).get("disruptionsAllowed", 0)), _age(obj, clock, now)]


PDB_COLS: list[Col] = [_NAME, ("Min Available", "string", 0, ""), ("Max Unavailable", "string", 0, ""),
                       ("Allowed Disruptions", "integer", 0, ""), _AGE]


def _hpa_metrics(obj: dict[str, Any]) -> str:
    """formatHPAMetrics for Resource metrics ("cpu: 79%/90%"); more than two end in " + N more...". """
    specs = obj.get("spec", {}).get("metrics") or []
    current = obj.get("status", {}).get("currentMetrics") or []
    if not specs:
        return "<none>"
    out = []
    for i, m in enumerate(specs):
        res = m.get("resource") or {}
        target = res.get("target") or {}
        now = "<unknown>"
        cur = (current[i].get("resource") or {}).get("current", {}) if i < len(current) else {}
        if "averageValue" in target:
            if cur.get("averageValue") is not None:
                now = str(cur["averageValue"])
            out.append(f"{res.get('name')}: {now}/{target['averageValue']}")
        else:
            if cur.get("averageUtilization") is not None:
                now = f"{cur['averageUtilization']}%"
            want = f"{target['averageUtilization']}%" if "averageUtilization" in target else "<auto>"
            out.append(f"{res.get('name')}: {now}/{want}")
    if len(out) > 2:
        return ", ".join(out[:2]) + f" + {len(out) - 2} more..."
    return ", ".join(out)


def _hpa_row(obj: dict[str, Any], clock: SimClock, now: float) -> list[Any]:
    spec = obj.get("spec", {})
    ref = spec.get("scaleTargetRef", {})
    mn = spec.get("minReplicas")
    return [obj["metadata"]["name"], f"{ref.get('kind')}/{ref.get('name')}", _hpa_metrics(obj),
            str(mn) if mn is not None else "<unset>", int(spec.get("maxReplicas", 0)),
            int(obj.get("status", {}).get("currentReplicas", 0)), _age(obj, clock, now)]


HPA_COLS: list[Col] = [_NAME, ("Reference", "string", 0, ""), ("Targets", "string", 0, ""),
                       ("MinPods", "string", 0, ""), ("MaxPods", "integer", 0, ""), ("Replicas", "integer", 0, ""),
                       _AGE]

def _node_row(obj: dict[str, Any], clock: SimClock, now: float) -> list[Any]:
    """printNode: STATUS is Ready/NotReady/Unknown (+ ",SchedulingDisabled"), ROLES from node-role labels."""
    st = obj.get("status", {})
    ready = next((c.get("status") for c in st.get("conditions", []) if c.get("type") == "Ready"), None)
    status = {"True": "Ready", "False": "NotReady"}.get(ready or "", "Unknown")
    if obj.get("spec", {}).get("unschedulable"):
        status += ",SchedulingDisabled"
    roles = sorted(k.split("/", 1)[1] for k in obj["metadata"].get("labels", {})
                   if k.startswith("node-role.kubernetes.io/"))
    info = st.get("nodeInfo", {})
    addrs = {a.get("type"): a.get("address") for a in st.get("addresses", [])}
    return [obj["metadata"]["name"], status, ",".join(roles) or "<none>", _age(obj, clock, now),
            info.get("kubeletVersion", ""), addrs.get("InternalIP", "<none>"), addrs.get("ExternalIP", "<none>"),
            info.get("osImage", "<unknown>"), info.get("kernelVersion", "<unknown>"),
            info.get("containerRuntimeVersion", "<unknown>")]


NODE_COLS: list[Col] = [_NAME, ("Status", "string", 0, ""), ("Roles", "string", 0, ""), _AGE,
                        ("Version", "string", 0, ""), ("Internal-IP", "string", 1, ""),
                        ("External-IP", "string", 1, ""), ("OS-Image", "string", 1, ""),
                        ("Kernel-Version", "string", 1, ""), ("Container-Runtime", "string", 1, "")]


def _quota_row(obj: dict[str, Any], clock: SimClock, now: float) -> list[Any]:
    """printResourceQuota: "used/hard" per resource, limits.* in LIMIT, the rest in REQUEST, sorted."""
    st = obj.get("status", {})
    hard, used = st.get("hard", {}), st.get("used", {})
    req: list[str] = []
    lim: list[str] = []
    for key in sorted(hard):
        text = f"{key}: {used.get(key, '0')}/{hard[key]}"
        (lim if key.startswith("limits.") else req).append(text)
    return [obj["metadata"]["name"], _age(obj, clock, now), ", ".join(req), ", ".join(lim)]


QUOTA_COLS: list[Col] = [_NAME, _AGE, ("Request", "string", 0, ""), ("Limit", "string", 0, "")]


def _limitrange_row(obj: dict[str, Any], clock: SimClock, now: float) -> list[Any]:
    return [obj["metadata"]["name"], obj["metadata"].get("creationTimestamp", "")]


LIMITRANGE_COLS: list[Col] = [_NAME, ("Created At", "date", 0, "")]

PRINTERS: dict[str, tuple[list[Col], Callable[[dict[str, Any], SimClock, float], list[Any]]]] = {
    "poddisruptionbudgets": (PDB_COLS, _pdb_row),
    "horizontalpodautoscalers": (HPA_COLS, _hpa_row),
    "pods": (POD_COLS, _pod_row),
    "deployments": (DEPLOY_COLS, _deploy_row),
    "replicasets": (RS_COLS, _rs_row),
    "configmaps": (CM_COLS, _cm_row),
    "namespaces": (NS_COLS, _ns_row),
    "events": (EVENT_COLS, _event_row),
    "nodes": (NODE_COLS, _node_row),
    "resourcequotas": (QUOTA_COLS, _quota_row),
    "limitranges": (LIMITRANGE_COLS, _limitrange_row),
}


def _default_row(obj: dict[str, Any], clock: SimClock, now: float) -> list[Any]:
    return [obj["metadata"]["name"], _age(obj, clock, now)]


def wants_table(accept: str | None) -> bool:
    return accept is not None and "as=Table" in accept


def table(resource: str, objs: list[dict[str, Any]], clock: SimClock, now: float, rv: str,
          include: str = "Metadata", cont: str | None = None, remaining: int | None = None) -> bytes:
    cols, row = PRINTERS.get(resource, ([_NAME, _AGE], _default_row))
    rows = []
    for o in objs:
        r: dict[str, Any] = {"cells": row(o, clock, now)}
        if include == "Object":
            r["object"] = o
        elif include != "None":
            r["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                           "metadata": {k: v for k, v in o["metadata"].items() if k != "managedFields"}}
        rows.append(r)
    meta: dict[str, Any] = {"resourceVersion": rv}
    if cont:
        meta["continue"] = cont
    if remaining is not None:
        meta["remainingItemCount"] = remaining
    return json.dumps({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
                       "columnDefinitions": _defs(cols), "rows": rows}, separators=(",", ":")).encode()
