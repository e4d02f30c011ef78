"""What the access tests run against: a real Prometheus behind its own ``--web.config.file`` (TLS
with a client certificate required, basic auth), two clusters' series in it, and a recording
reverse proxy standing in for a Mimir/Thanos gateway (bearer token, ``X-Scope-OrgID``)."""

from __future__ import annotations

import http.server
import ipaddress
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.servers import HistoryPrometheus, free_port, start_prometheus_with_history

GIB = 2**30
NS = "sap-llm"
CLUSTERS = {
    # the same Deployment in two regions: the same pod name, other figures
    "a": {"sap-llm-0": 3 * GIB},
    "b": {"sap-llm-0": 5 * GIB, "sap-llm-1": 7 * GIB},
}
LIMIT = 12 * GIB
USER, PASSWORD = "memtui", "s3cret-basic-pw"


@dataclass(frozen=True)
class Certs:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    other_ca: Path
    """A CA that signed nothing here: trusting it instead must fail verification."""


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _ca(cn: str, now: datetime) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn)).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def _leaf(ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate, cn: str, usage: x509.ObjectIdentifier,
          now: datetime, sans: list[x509.GeneralName]) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(ca.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now)
               .not_valid_after(now + timedelta(days=2))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage([usage]), critical=False))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return key, builder.sign(ca_key, hashes.SHA256())


def mint_certs(workdir: Path) -> Certs:
    """A CA, Prometheus's server certificate (127.0.0.1) and memtui's client certificate."""
    workdir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC) - timedelta(minutes=5)
    ca_key, ca = _ca("prom-test-ca", now)
    _, other = _ca("unrelated-ca", now)
    server_key, server = _leaf(ca_key, ca, "prometheus", ExtendedKeyUsageOID.SERVER_AUTH, now,
                               [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")])
    client_key, client = _leaf(ca_key, ca, "memtui", ExtendedKeyUsageOID.CLIENT_AUTH, now, [])
    pem = serialization.Encoding.PEM

    def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
        return key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())

    files = {"ca.crt": ca.public_bytes(pem), "server.crt": server.public_bytes(pem), "server.key": key_pem(server_key),
             "client.crt": client.public_bytes(pem), "client.key": key_pem(client_key),
             "other-ca.crt": other.public_bytes(pem)}
    for name, data in files.items():
        (workdir / name).write_bytes(data)
    return Certs(*(workdir / n for n in ("ca.crt", "server.crt", "server.key", "client.crt", "client.key",
                                          "other-ca.crt")))


def bcrypt_hash(password: str) -> str:
    """A bcrypt hash for ``basic_auth_users`` (Prometheus accepts no other): apache2-utils'
    htpasswd, which scripts/test installs."""
    htpasswd = shutil.which("htpasswd")
    if htpasswd is None:
        raise RuntimeError("htpasswd is not installed: scripts/test installs it (apt install apache2-utils)")
    out = subprocess.run([htpasswd, "-nbBC", "5", USER, password], capture_output=True, text=True, check=True)
    return out.stdout.strip().split(":", 1)[1]


def web_config(certs: Certs) -> str:
    """TLS with a client certificate required, and basic auth (Prometheus's exporter-toolkit format)."""
    return (f"tls_server_config:\n  cert_file: {certs.server_cert}\n  key_file: {certs.server_key}\n"
            f"  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: {certs.ca}\n"
            f"basic_auth_users:\n  {USER}: '{bcrypt_hash(PASSWORD)}'\n")


def two_clusters(end: int, clusters: dict[str, dict[str, int]] = CLUSTERS,
                 metrics: tuple[str, ...] = ("container_memory_working_set_bytes",)) -> str:
    """Ten minutes of ``metrics`` (flat, the figures of ``clusters``) and the memory limit of each
    cluster's pods, ``cluster`` labelled."""
    lines = []
    for metric in metrics:
        lines.append(f"# TYPE {metric} gauge")
        for cluster, pods in clusters.items():
            for pod, value in pods.items():
                for t in range(end - 600, end + 1, 30):
                    lines.append(f'{metric}{{cluster="{cluster}",namespace="{NS}",pod="{pod}",'
                                 f'container="app"}} {value} {t}')
    lines.append("# TYPE kube_pod_container_resource_limits gauge")
    for cluster, pods in clusters.items():
        for pod in pods:
            for t in range(end - 600, end + 1, 30):
                lines.append(f'kube_pod_container_resource_limits{{cluster="{cluster}",namespace="{NS}",pod="{pod}",'
                             f'container="app",resource="memory"}} {LIMIT} {t}')
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


@dataclass
class Secured:
    """A real Prometheus asking for TLS, memtui's client certificate and basic auth."""

    server: HistoryPrometheus
    certs: Certs
    password_file: Path


def start_secured(openmetrics: str, workdir: Path) -> Secured:
    certs = mint_certs(workdir / "certs")
    password_file = workdir / "password"
    password_file.write_text(PASSWORD + "\n")  # a trailing newline, as `echo` writes it

    def ready(url: str) -> bool:
        return requests.get(f"{url}/-/ready", verify=str(certs.ca), cert=(str(certs.client_cert), str(certs.client_key)),
                            auth=(USER, PASSWORD), timeout=2).status_code == 200

    server = start_prometheus_with_history(openmetrics, workdir / "prometheus", web_config=web_config(certs), ready=ready)
    return Secured(server, certs, password_file)


@dataclass
class RecordingGateway:
    """A reverse proxy in front of a plain Prometheus, as a Mimir/Thanos gateway would be: it asks
    for ``Authorization: Bearer <token>`` (401 otherwise) and records every request's headers."""

    upstream: str
    token: str
    port: int = 0
    seen: list[dict[str, str]] = field(default_factory=list)
    delay: float = 0.0
    """Seconds each answer is held back (a distant gateway)."""
    most_in_flight: int = 0
    """The most requests it was answering at once."""
    refuse: str | None = None
    """A query containing this text is answered 503, as a gateway whose querier for it is down
    (a real Prometheus cannot be made to fail one query and answer the others)."""
    _in_flight: int = 0

    def start(self) -> RecordingGateway:
        gateway = self
        lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def _forward(self) -> None:
                with lock:
                    gateway._in_flight += 1
                    gateway.most_in_flight = max(gateway.most_in_flight, gateway._in_flight)
                try:
                    time.sleep(gateway.delay)
                    self._answer()
                finally:
                    with lock:
                        gateway._in_flight -= 1

            def _answer(self) -> None:
                headers = {k: v for k, v in self.headers.items()}
                gateway.seen.append({"path": self.path, **headers})
                if headers.get("Authorization") != f"Bearer {gateway.token}":
                    self.send_response(401)
                    self.end_headers()
                    self.wfile.write(b"unauthorized\n")
                    return
                length = int(headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                query = " ".join(v for part in (urlsplit(self.path).query, (body or b"").decode())
                                 for v in parse_qs(part).get("query", []))
                if gateway.refuse is not None and gateway.refuse in query:
                    self.send_response(503)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"querier unavailable\n")
                    return
                answer = requests.request(self.command, gateway.upstream + self.path, data=body, timeout=10,
                                          headers={"Content-Type": headers.get("Content-Type", "")} if body else {})
                self.send_response(answer.status_code)
                self.send_header("Content-Type", answer.headers.get("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.port = free_port()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
