"""A real HTTP server on 127.0.0.1 for end-to-end and fault tests.

Routes map a path (with query) to a handler returning (status, headers, body); tests change
the routes between runs to script a source's history. Every request is logged so tests can
assert politeness (conditional headers, request counts).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Reply = tuple[int, dict[str, str], bytes]
Handler = Callable[["Hit"], Reply] | Reply


@dataclass(frozen=True)
class Hit:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Loopback:
    port: int = 0
    routes: dict[str, Handler] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(
        self,
        path: str,
        body: bytes,
        content_type: str,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.routes[path] = (status, {"Content-Type": content_type, **(headers or {})}, body)


@contextmanager
def loopback_server() -> Iterator[Loopback]:
    state = Loopback()

    class _Handler(BaseHTTPRequestHandler):
        def _reply(self, send_body: bool) -> None:
            hit = Hit(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
            state.hits.append(hit)
            route = state.routes.get(self.path)
            if route is None:
                status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
            else:
                status, headers, body = route(hit) if callable(route) else route
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def do_GET(self) -> None:
            self._reply(True)

        def do_HEAD(self) -> None:
            self._reply(False)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            self.rfile.read(length)
            self._reply(True)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
