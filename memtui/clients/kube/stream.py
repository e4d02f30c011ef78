"""The ApiClient that exec (and only exec) goes through: WebSocket streams, never shared with polls.

``kubernetes.stream.stream()`` swaps an ApiClient's transport for a WebSocket one while it runs.
That swap is not thread-safe: a LIST or WATCH sent from another thread on the same client
meanwhile goes out as a WebSocket handshake (``HTTP 0 Handshake status 200 OK``), and two
overlapping execs can leave the client swapped for good.  ``ExecApiClient`` is a client whose
transport *is* the WebSocket, permanently: the generated ``connect_*_exec`` methods still build
the URL, query and credentials, nothing is swapped, so concurrent execs are safe, and the
pollers' client never sees a WebSocket.

It also sends what kubernetes' own ``create_websocket`` drops: the User-Agent (every memtui
request carries it, exec included), and a connect timeout (a hung API server cannot hang an
exec's handshake).  Blocking: call from a worker.
"""

from __future__ import annotations

import codecs
import ssl
from dataclasses import dataclass

import certifi
import websocket
from kubernetes import client
from kubernetes.client.rest import ApiException
from kubernetes.stream.ws_client import get_websocket_url, websocket_proxycare

CHANNEL_PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
"""What kubectl offers (v5 first); both carry the exit status as a Status on channel 3."""

FORWARDED_HEADERS = ("authorization", "user-agent", "impersonate-user", "impersonate-group")
"""The request headers that mean something on a WebSocket upgrade; Accept and the like do not."""


class ExecStreamClosed(Exception):
    """The server closed the exec stream (the command finished, or the connection dropped)."""


class ExecStreamTimeout(Exception):
    """Nothing arrived within the receive timeout; the stream is still open."""


class ExecChannels:
    """One exec's multiplexed stream: each binary frame starts with its channel number."""

    def __init__(self, sock: websocket.WebSocket) -> None:
        self._sock = sock
        self.open = True

    def receive(self, timeout: float) -> tuple[int, bytes]:
        """The next frame as (channel, payload); ``ExecStreamTimeout`` or ``ExecStreamClosed``."""
        if not self.open:
            raise ExecStreamClosed()
        self._sock.settimeout(max(0.001, timeout))
        while True:
            try:
                opcode, data = self._sock.recv_data()
            except websocket.WebSocketTimeoutException:
                raise ExecStreamTimeout() from None
            except (websocket.WebSocketConnectionClosedException, OSError):
                self.open = False
                raise ExecStreamClosed() from None
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                self.open = False
                raise ExecStreamClosed()
            if isinstance(data, str):
                data = data.encode("utf-8")
            if data:
                return data[0], bytes(data[1:])

    def close(self) -> None:
        self.open = False
        try:
            self._sock.close(timeout=1.0)
        except Exception:  # noqa: BLE001 - closing a dead socket is not an error worth reporting
            pass


@dataclass(frozen=True)
class _Opened:
    """What ``call_api`` hands the generated code: it reads ``status`` and returns ``response``."""

    response: ExecChannels
    status: int = 200


class ExecApiClient(client.ApiClient):
    """An ApiClient whose every call is a WebSocket upgrade (exec), with the pollers' credentials."""

    def __init__(self, configuration: client.Configuration, *, user_agent: str) -> None:
        super().__init__(configuration)
        self.user_agent = user_agent

    @classmethod
    def sharing_credentials_of(cls, api: client.ApiClient) -> "ExecApiClient":
        """A dedicated exec client built from ``api``'s Configuration: same server, credentials
        (token refresh included) and User-Agent, its own transport."""
        return cls(api.configuration, user_agent=api.user_agent)

    def call_api(self, method, url, header_params=None, body=None, post_params=None, _request_timeout=None):
        """Open the WebSocket instead of sending an HTTP request (called by the generated code)."""
        timeout = _connect_timeout(_request_timeout)
        ws_url = get_websocket_url(url)
        sent = {k.lower(): v for k, v in (header_params or {}).items() if k.lower() in FORWARDED_HEADERS}
        header = [f"{name}: {value}" for name, value in sent.items()]
        sock = websocket.WebSocket(sslopt=_ssl_options(self.configuration, ws_url), skip_utf8_validation=True)
        options = {"header": header, "subprotocols": list(CHANNEL_PROTOCOLS), "timeout": timeout}
        if self.configuration.proxy or self.configuration.proxy_headers:
            options = websocket_proxycare(options, self.configuration, ws_url, header_params)
        try:
            sock.connect(ws_url, **options)
        except websocket.WebSocketBadStatusException as exc:
            body_bytes = exc.resp_body or b""
            raise ApiException(
                status=exc.status_code,
                reason=exc.status_message or "",
                body=body_bytes.decode("utf-8", "replace") if isinstance(body_bytes, bytes) else str(body_bytes),
            ) from None
        return _Opened(ExecChannels(sock))


def _connect_timeout(request_timeout) -> float | None:
    if isinstance(request_timeout, (tuple, list)):
        return float(request_timeout[0])
    return float(request_timeout) if request_timeout is not None else None


def _ssl_options(configuration: client.Configuration, url: str) -> dict:
    """The TLS settings kubernetes' own ``create_websocket`` derives from the Configuration."""
    if url.startswith("wss://") and configuration.verify_ssl:
        options: dict = {"cert_reqs": ssl.CERT_REQUIRED, "ca_certs": configuration.ssl_ca_cert or certifi.where()}
        if configuration.assert_hostname is not None:
            options["check_hostname"] = configuration.assert_hostname
    else:
        options = {"cert_reqs": ssl.CERT_NONE}
    if configuration.cert_file:
        options["certfile"] = configuration.cert_file
    if configuration.key_file:
        options["keyfile"] = configuration.key_file
    if configuration.tls_server_name:
        options["server_hostname"] = configuration.tls_server_name
    return options


def text_decoder() -> codecs.IncrementalDecoder:
    """UTF-8 across frame boundaries (a character split over two frames stays one character)."""
    return codecs.getincrementaldecoder("utf-8")(errors="replace")
