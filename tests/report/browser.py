"""A real headless Chromium, driven over the DevTools protocol (websocket-client), for the report tests.

``open_page(path)`` loads a local file with the Runtime, Log and Network domains on, so the test
sees every console message, uncaught exception and network request the page makes; it can then
evaluate expressions in the page and take a full-page PNG.  The DevTools port is the one Chromium
chose (``--remote-debugging-port=0``), read from ``DevToolsActivePort`` in the profile directory.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

CHROMIUM = "/usr/bin/chromium"
START_TIMEOUT = 60.0


def chromium_binary() -> str | None:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Page:
    """One page over its DevTools WebSocket: ``events`` holds every event received so far."""

    ws: websocket.WebSocket
    events: list[dict[str, Any]] = field(default_factory=list)
    _next_id: int = 0

    def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30.0) -> dict[str, Any]:
        self._next_id += 1
        call_id = self._next_id
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            if message.get("id") == call_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)
        raise AssertionError(f"{method}: no answer within {timeout:.0f} s")

    def wait_for(self, method: str, timeout: float = 30.0) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + timeout
        self.ws.settimeout(timeout)
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            self.events.append(message)
            if message.get("method") == method:
                return message
        raise AssertionError(f"no {method} within {timeout:.0f} s")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def drain(self, seconds: float = 0.3) -> None:
        """Collect the events that arrive within ``seconds`` (late console messages, requests)."""
        self.ws.settimeout(seconds)
        try:
            while True:
                self.events.append(json.loads(self.ws.recv()))
        except websocket.WebSocketTimeoutException:
            pass
        finally:
            self.ws.settimeout(30)

    def of(self, method: str) -> list[dict[str, Any]]:
        return [e["params"] for e in self.events if e.get("method") == method]

    def screenshot(self, png: Path, width: int = 1280) -> Path:
        """The whole page at ``width`` CSS pixels, as PNG."""
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": False})
        height = int(self.evaluate("Math.ceil(document.documentElement.scrollHeight)"))
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        shot = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        png.write_bytes(base64.b64decode(shot["data"]))
        return png


@contextmanager
def open_page(path: Path, *, dark: bool = False) -> Iterator[Page]:
    """``path`` loaded in a fresh headless Chromium (its own profile, no network services)."""
    binary = chromium_binary()
    if binary is None:
        raise FileNotFoundError("chromium is not installed (Debian: apt install chromium)")
    with tempfile.TemporaryDirectory(prefix="memtui-chromium-") as profile, \
            tempfile.TemporaryFile(prefix="memtui-chromium-stderr-") as stderr:
        process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
             "--disable-component-update", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
             f"--user-data-dir={profile}", "--remote-debugging-port=0", "--window-size=1280,800", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=stderr,  # a file: a pipe nobody reads can fill and stall it
        )
        try:
            port = _devtools_port(Path(profile) / "DevToolsActivePort", process, stderr)
            targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
            target = next(t for t in targets if t.get("type") == "page")
            page = Page(websocket.create_connection(target["webSocketDebuggerUrl"], timeout=30, suppress_origin=True))
            try:
                for domain in ("Page", "Runtime", "Log", "Network"):
                    page.send(f"{domain}.enable")
                if dark:
                    page.send("Emulation.setEmulatedMedia",
                              {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
                page.events.clear()  # about:blank's own events are not the report's
                page.send("Page.navigate", {"url": path.resolve().as_uri()})
                page.wait_for("Page.loadEventFired")
                page.drain()
                yield page
            finally:
                try:
                    page.send("Browser.close", timeout=5)
                except (AssertionError, websocket.WebSocketException, OSError):
                    pass
                page.ws.close()
        finally:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _devtools_port(active: Path, process: subprocess.Popen, stderr) -> int:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr.seek(0)
            err = stderr.read().decode(errors="replace")[-2000:]
            raise AssertionError(f"chromium exited with {process.returncode} before DevTools was up: {err}")
        if active.exists():
            lines = active.read_text().splitlines()
            if lines and lines[0].strip().isdigit():
                return int(lines[0])
        time.sleep(0.05)
    raise AssertionError(f"chromium wrote no {active.name} within {START_TIMEOUT:.0f} s")
