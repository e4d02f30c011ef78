"""A real TCP proxy that can refuse, stall or garble, to put genuine network faults between
memtui and a real backend (the simulator, Prometheus, Redis).  Nothing is mocked: the client
sees exactly what it would see from a dead, slow or broken server.
"""

from __future__ import annotations

import socket
import threading
import time


class FaultProxy:
    """Forward 127.0.0.1:<port> to ``target``; ``mode`` is ``pass``, ``refuse``, ``stall`` or ``garbage``."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.mode = "pass"
        self.garbage = b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nnot json!"
        """What ``garbage`` mode answers every connection with (a test may set a protocol's reply)."""
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self.port = self._server.getsockname()[1]
        self._closed = False
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.add(sock)

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            mode = self.mode
            if mode == "refuse":
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                client.close()  # RST: looks like a refused/reset connection
                continue
            if mode == "stall":
                self._track(client)  # accept and never answer
                continue
            if mode == "garbage":
                try:
                    client.sendall(self.garbage)
                finally:
                    client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            self._track(client)
            self._track(upstream)
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        """Forward until the mode changes.  Under ``stall`` an open connection hangs too (the
        data waits, nothing is closed), as it does when the server process is stopped: closing
        it instead let the client reconnect and fail at once, so a "hung" API never hung."""
        try:
            while True:
                data = source.recv(65536)
                while data and self.mode == "stall" and not self._closed:
                    time.sleep(0.05)
                if not data or self.mode != "pass":
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def set_mode(self, mode: str) -> None:
        """Switch behaviour; existing connections are cut so the client notices at once."""
        assert mode in ("pass", "refuse", "stall", "garbage")
        self.mode = mode
        if mode != "pass":
            with self._lock:
                sockets, self._open = list(self._open), set()
            if mode != "stall":
                for sock in sockets:
                    try:
                        # shutdown first: close() alone does not wake a thread blocked in recv on
                        # it, and the client's open connection (a watch) would just go silent
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    try:
                        sock.close()
                    except OSError:
                        pass

    def close(self) -> None:
        self._closed = True
        self._server.close()
        with self._lock:
            for sock in self._open:
                try:
                    sock.close()
                except OSError:
                    pass
