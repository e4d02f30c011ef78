"""Prometheus's HTTP API answers read straight into msgspec Structs, without a dict per sample.

At 5,000 pods a refresh reads some 20,000 samples.  ``prometheus_api_client.custom_query`` hands
back ``response.json()``: a dict per sample and another for its labels, and the value pair as a
list, all built and then thrown away.  Here the body is decoded by msgspec into Structs that keep
only what memtui reads (the ``pod`` label, ``__name__`` where one query returns several metrics,
the value), several times faster and with a fraction of the garbage.

The request goes through the connection's own ``requests`` session, with the same arguments
``custom_query`` gives it (headers, auth, verify, cert), so what ``connect`` set up (TLS, auth,
tenant headers) applies unchanged.  ``Accept-Encoding: gzip`` is asked for explicitly: Prometheus
gzips its API answers (about a tenth of the bytes for these vectors) and ``requests`` inflates them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

import msgspec

from memtui.clients.prometheus import AUTH_REFUSED

if TYPE_CHECKING:
    from prometheus_api_client import PrometheusConnect


class PodLabels(msgspec.Struct, frozen=True, gc=False):
    """The labels memtui groups by; the others are skipped while decoding."""

    pod: str = ""
    name: str = msgspec.field(default="", name="__name__")


class Value(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """Prometheus's ``[unix time, "value"]`` pair; the value stays text (``"NaN"``, ``"+Inf"``)."""

    time: float
    text: str


class PodSample(msgspec.Struct, frozen=True, gc=False):
    metric: PodLabels
    value: Value


class PodSeries(msgspec.Struct, frozen=True, gc=False):
    """A range query's series: its pod, and its ``[time, "value"]`` pairs oldest first, kept
    undecoded (``range_values`` reads them) so that a backfill of 5,000 series × 181 samples
    never holds more than one series' pairs as objects at once."""

    metric: PodLabels
    values: msgspec.Raw = msgspec.Raw(b"[]")


class LabelledSample(msgspec.Struct, frozen=True):
    """A sample with all its labels (the few firing alerts, whose labels are shown)."""

    metric: dict[str, str]
    value: Value


T = TypeVar("T")


class _Data(msgspec.Struct, Generic[T]):
    result: list[T] = []


class _Answer(msgspec.Struct, Generic[T]):
    """Prometheus's envelope: ``status``, then ``data.result`` or ``error``."""

    status: str
    data: _Data[T] | None = None
    error: str = ""


class _Error(msgspec.Struct):
    error: str = ""
    error_type: str = msgspec.field(default="", name="errorType")


_POD_DECODER = msgspec.json.Decoder(_Answer[PodSample])
_LABELLED_DECODER = msgspec.json.Decoder(_Answer[LabelledSample])
_MATRIX_DECODER = msgspec.json.Decoder(_Answer[PodSeries])
_ERROR_DECODER = msgspec.json.Decoder(_Error)
_VALUES_DECODER = msgspec.json.Decoder(list[Value])


class QueryRefused(Exception):
    """Prometheus answered, but not with a result: its own error text (a bad query, a limit hit),
    or a gateway's refusal of the credentials (``status`` 401, 403)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _get(client: PrometheusConnect, path: str, params: dict[str, str], timeout: float) -> bytes:
    """The raw body of an API read; requests' own exceptions go to the caller."""
    session = client._session
    headers = {**(client.headers or {}), "Accept-Encoding": "gzip"}
    response = session.get(f"{client.url}{path}", params=params, headers=headers,
                           auth=client.auth, verify=session.verify, cert=session.cert, timeout=timeout)
    if response.status_code != 200:
        try:
            error = _ERROR_DECODER.decode(response.content)
            reason = f"{error.error_type}: {error.error}" if error.error_type else error.error
        except msgspec.DecodeError:
            reason = ""
        reason = reason or AUTH_REFUSED.get(response.status_code, "")
        raise QueryRefused(f"HTTP {response.status_code}" + (f" ({reason})" if reason else ""), response.status_code)
    return response.content


def _result(decoder: msgspec.json.Decoder[_Answer[T]], body: bytes) -> list[T]:
    answer = decoder.decode(body)
    if answer.status != "success":
        raise QueryRefused(answer.error or answer.status)
    return answer.data.result if answer.data is not None else []


def pod_vector(client: PrometheusConnect, promql: str, *, timeout: float) -> list[PodSample]:
    """An instant query's samples with their ``pod`` (and ``__name__``) labels only.

    Raises ``QueryRefused`` (Prometheus said no), ``msgspec.DecodeError`` (not its answer) or
    requests' exceptions (no answer)."""
    return _result(_POD_DECODER, _get(client, "/api/v1/query", {"query": promql}, timeout))


def labelled_vector(client: PrometheusConnect, promql: str, *, timeout: float) -> list[LabelledSample]:
    """An instant query's samples with every label (for a handful of series)."""
    return _result(_LABELLED_DECODER, _get(client, "/api/v1/query", {"query": promql}, timeout))


def pod_matrix(client: PrometheusConnect, promql: str, *, start: float, end: float, step: float,
               timeout: float) -> list[PodSeries]:
    """A range query (``start``/``end`` in unix seconds, ``step`` seconds) by pod, as ``pod_vector``."""
    params = {"query": promql, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step:g}s"}
    return _result(_MATRIX_DECODER, _get(client, "/api/v1/query_range", params, timeout))


def range_values(series: PodSeries) -> list[Value]:
    """One range series' pairs, decoded now.  Raises ``msgspec.DecodeError`` as ``pod_matrix``."""
    return _VALUES_DECODER.decode(series.values)
