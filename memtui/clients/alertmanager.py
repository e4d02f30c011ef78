"""Alertmanager: the one place memtui talks to its API v2 (alerts read, silences created and expired).

Three calls, each with a timeout and no retry (a refresh or an action must answer now):

* ``GET /api/v2/alerts`` with ``filter=alertname="MemoryUsageHigh"`` and ``filter=namespace="<ns>"``,
  ``active=true``: the firing alerts for the namespace, silenced ones included (the header says
  which are silenced), so their ``startsAt`` can start the incident clock;
* ``POST /api/v2/silences``: a silence; the answer holds its ``silenceID``;
* ``DELETE /api/v2/silence/{id}``: expires it (undo).

Errors are ``SourceError("alertmanager", reason)`` with the reason ``describe_failure`` gives the
other clients' failures, or the API's own message for an HTTP error (a 400 names the bad field).
urllib3 (already under the Kubernetes and Prometheus clients) is the transport; it is imported
when a client is made, not with this module.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from memtui.clients.errors import SourceError, _one_line, describe_failure
from memtui.state.snapshots import FiringAlert

ALERTNAME = "MemoryUsageHigh"
"""The runbook's alert: the one memtui reads, and the one its silence covers."""
SOURCE = "alertmanager"
MAX_ALERTS = 1000
"""Alerts beyond this many in one answer are not parsed (a namespace has one per pod at most)."""


def matcher_text(name: str, value: str) -> str:
    """``name="value"`` as Alertmanager's filter syntax quotes it (a JSON string: ``"`` and ``\\`` escaped)."""
    return f"{name}={json.dumps(value, ensure_ascii=False)}"


def parse_time(text: Any) -> datetime | None:
    """An RFC 3339 time of the API (``2026-12-02T02:41:07.123456789Z``) as an aware datetime; None
    when it is absent or unreadable (nanoseconds are cut to what Python keeps)."""
    if not isinstance(text, str) or not text:
        return None
    value = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    head, dot, rest = value.partition(".")
    if dot:
        digits = "".join(ch for ch in rest if ch.isdigit())
        zone = rest[len(digits):]
        value = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def format_time(moment: datetime) -> str:
    """An aware datetime as the API's RFC 3339 UTC text, to the millisecond."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_alerts(answer: Any) -> tuple[FiringAlert, ...]:
    """The alerts of a ``GET /api/v2/alerts`` answer; entries that are not alerts are skipped."""
    if not isinstance(answer, list):
        raise ValueError("the answer is not a list of alerts")
    alerts = []
    for item in answer[:MAX_ALERTS]:
        if not isinstance(item, dict) or not isinstance(item.get("labels"), dict):
            continue
        labels = {str(k): str(v) for k, v in item["labels"].items()}
        status = item.get("status")
        status = status if isinstance(status, dict) else {}
        silenced = status.get("silencedBy")
        silenced = silenced if isinstance(silenced, list) else []
        alerts.append(FiringAlert(labels, parse_time(item.get("startsAt")), str(status.get("state") or "active"),
                            tuple(str(s) for s in silenced), str(item.get("fingerprint") or "")))
    return tuple(alerts)


@dataclass(frozen=True, slots=True)
class Matcher:
    """One equality matcher of a silence (memtui sends no regex and no negative matchers)."""

    name: str
    value: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "isRegex": False, "isEqual": True}


def silence_body(matchers: Sequence[Matcher], *, starts_at: datetime, ends_at: datetime, created_by: str,
                 comment: str) -> dict[str, Any]:
    """The ``POST /api/v2/silences`` body, exactly as it is sent (and shown in the confirmation modal)."""
    return {
        "matchers": [m.to_json() for m in matchers],
        "startsAt": format_time(starts_at),
        "endsAt": format_time(ends_at),
        "createdBy": created_by,
        "comment": comment,
    }


class AlertmanagerClient:
    """Blocking calls to one Alertmanager; run them in a worker."""

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        import urllib3

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SourceError(SOURCE, f"{url!r} is not an http(s) URL")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(total=timeout))

    def _call(self, method: str, path: str, *, query: Sequence[tuple[str, str]] = (), body: Any = None) -> Any:
        url = f"{self.url}{path}" + (f"?{urlencode(query)}" if query else "")
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = self._http.request(method, url, body=data, headers=headers, redirect=False)
        except Exception as exc:  # noqa: BLE001 - urllib3's errors, described as the other clients' are
            raise SourceError(SOURCE, f"{self.url}: {describe_failure(exc)}") from None
        text = response.data.decode("utf-8", "replace")
        if response.status >= 400:
            try:
                message = json.loads(text)
                message = message.get("message", text) if isinstance(message, dict) else message
            except ValueError:
                message = text
            detail = _one_line(str(message or ""))
            raise SourceError(SOURCE, f"{self.url}: HTTP {response.status}" + (f": {detail}" if detail else ""))
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise SourceError(SOURCE, f"{self.url}: unreadable answer (not JSON)") from None

    def firing(self, namespace: str, alertname: str = ALERTNAME) -> tuple[FiringAlert, ...]:
        """The active alerts named ``alertname`` for ``namespace`` (silenced and inhibited included)."""
        query = [("filter", matcher_text("alertname", alertname)), ("filter", matcher_text("namespace", namespace)),
                 ("active", "true"), ("silenced", "true"), ("inhibited", "true")]
        answer = self._call("GET", "/api/v2/alerts", query=query)
        try:
            return parse_alerts(answer)
        except ValueError as exc:
            raise SourceError(SOURCE, f"{self.url}: unreadable answer ({exc})") from None

    def create_silence(self, body: Mapping[str, Any]) -> str:
        """POST the silence ``body``; its id."""
        answer = self._call("POST", "/api/v2/silences", body=dict(body))
        silence_id = answer.get("silenceID") if isinstance(answer, dict) else None
        if not isinstance(silence_id, str) or not silence_id:
            raise SourceError(SOURCE, f"{self.url}: the answer names no silenceID")
        return silence_id

    def expire_silence(self, silence_id: str) -> None:
        """Expire silence ``silence_id`` now (``DELETE /api/v2/silence/{id}``)."""
        self._call("DELETE", f"/api/v2/silence/{quote(silence_id, safe='')}")

    def silence(self, silence_id: str) -> dict[str, Any]:
        """One silence as Alertmanager holds it (its ``status.state``: active, expired, pending)."""
        answer = self._call("GET", f"/api/v2/silence/{quote(silence_id, safe='')}")
        if not isinstance(answer, dict):
            raise SourceError(SOURCE, f"{self.url}: unreadable silence")
        return answer


def seconds_text(seconds: float) -> str:
    """``1h``, ``90m``, ``45s``: a duration as the modal and the audit show it."""
    if not math.isfinite(seconds):
        return "?"
    whole = int(seconds)
    if whole % 3600 == 0:
        return f"{whole // 3600}h"
    if whole % 60 == 0:
        return f"{whole // 60}m"
    return f"{whole}s"
