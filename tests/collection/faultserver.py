"""A loopback HTTP/1.1 server that misbehaves on purpose, one behaviour per path.

tests/loopback.py answers whole bodies with a Content-Length; faults need the socket itself:
a body dripped a byte at a time, a body that never ends, a connection reset mid-body.
Every request is logged with its arrival time so tests can check politeness.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Hit:
    path: str
    headers: dict[str, str]
    at: float


Behaviour = Callable[[socket.socket, Hit], None]


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join([*lines, "Connection: close", "", ""])).encode("latin-1")


def reply(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Behaviour:
    def run(sock: socket.socket, hit: Hit) -> None:
        sock.sendall(_head(status, {"Content-Length": str(len(body)), **(headers or {})}) + body)

    return run


def drip(every: float, content_type: str = "text/calendar") -> Behaviour:
    """Headers at once, then one byte every ``every`` seconds, for ever (until the client leaves)."""

    def run(sock: socket.socket, hit: Hit) -> None:
        sock.sendall(_head(200, {"Content-Type": content_type, "Content-Length": "100000"}))
        for byte in b"BEGIN:VCALENDAR\r\n" * 10_000:
            time.sleep(every)
            sock.sendall(bytes([byte]))

    return run


def endless(content_type: str = "text/calendar") -> Behaviour:
    """A chunked body that never ends."""

    def run(sock: socket.socket, hit: Hit) -> None:
        sock.sendall(_head(200, {"Content-Type": content_type, "Transfer-Encoding": "chunked"}))
        chunk = b"X-FILLER:" + b"a" * 8000 + b"\r\n"
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while True:
            sock.sendall(frame)

    return run


def reset_mid_body(body: bytes) -> Behaviour:
    """Promise the whole body, send a third of it, then reset the connection (RST)."""

    def run(sock: socket.socket, hit: Hit) -> None:
        sock.sendall(_head(200, {"Content-Type": "text/calendar", "Content-Length": str(len(body))}))
        sock.sendall(body[: len(body) // 3])
        time.sleep(0.05)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()

    return run


def reset_before_headers() -> Behaviour:
    """Accept the request and reset the connection without answering (a crashed backend)."""

    def run(sock: socket.socket, hit: Hit) -> None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()

    return run


def after(seconds: float, behaviour: Behaviour) -> Behaviour:
    """Think for ``seconds`` before answering (a slow application server)."""

    def run(sock: socket.socket, hit: Hit) -> None:
        time.sleep(seconds)
        behaviour(sock, hit)

    return run


def by_host(answers: dict[str, Behaviour], default: Behaviour | None = None) -> Behaviour:
    """Answer by the Host header's name (without port): 127.0.0.1 and localhost reach this
    one server, but to the client (robots.txt, host gate) they are two hosts."""

    def run(sock: socket.socket, hit: Hit) -> None:
        name = hit.headers.get("host", "").rsplit(":", 1)[0]
        behaviour = answers.get(name, default or reply(404, b"not found", {"Content-Type": "text/plain"}))
        behaviour(sock, hit)

    return run


def host_of(hit: Hit) -> str:
    return hit.headers.get("host", "").rsplit(":", 1)[0]


@dataclass
class FaultServer:
    port: int = 0
    routes: dict[str, Behaviour] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def paths(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]


@contextmanager
def fault_server() -> Iterator[FaultServer]:
    state = FaultServer()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            sock: socket.socket = self.request
            sock.settimeout(10)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    more = sock.recv(4096)
                    if not more:
                        return
                    data += more
            except OSError:
                return
            head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            path = head[0].split(" ")[1]
            headers = {}
            for line in head[1:]:
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
            hit = Hit(path, headers, time.monotonic())
            state.hits.append(hit)
            # An exact route (query included) wins; else the path alone, for adapters that
            # add their own query parameters (tribe's per_page, dnt's culture).
            behaviour = (
                state.routes.get(path)
                or state.routes.get(path.split("?", 1)[0])
                or reply(404, b"not found", {"Content-Type": "text/plain"})
            )
            with contextlib.suppress(OSError):  # the client gave up (deadline, cap): the point
                behaviour(sock, hit)

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
