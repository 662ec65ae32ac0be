"""A loopback HTTP server for the benchmark: serves workload documents with ETags.

Owns answering GET on 127.0.0.1 the way a well-behaved calendar host does: a strong ETag per
body, ``If-None-Match`` answered with 304 and no body, keep-alive (HTTP/1.1 with
Content-Length), and a count of 200s and 304s (``GET /_bench/counts``) so the benchmark can
prove the warm run really was conditional.

The server runs in its own process (``python -m bench.server FOLDER``) so that its CPU time
and its GIL are not billed to the core's fetch, as they would not be with a real remote host.
Must not generate content (``workload.py`` does) or measure anything (``spine.py`` does).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.workload import Document

MANIFEST = "manifest.json"
ROOT = Path(__file__).resolve().parents[1]


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@dataclass(frozen=True)
class Served:
    """The running server as the benchmark sees it: where it listens, what it has answered."""

    port: int

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _control(self, what: str) -> dict[str, int]:
        with urllib.request.urlopen(self.url(f"/_bench/{what}"), timeout=10) as reply:
            data: dict[str, int] = json.loads(reply.read())
        return data

    def answers(self) -> Counter[int]:
        """How many responses of each status the documents got since the last reset."""
        return Counter({int(k): v for k, v in self._control("counts").items()})

    def reset_counts(self) -> None:
        self._control("reset")


@contextmanager
def serve(documents: tuple[Document, ...], folder: Path) -> Iterator[Served]:
    """Serve ``documents`` from a child process until the block ends; files go in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for n, doc in enumerate(documents):
        name = f"{n:04d}.body"
        (folder / name).write_bytes(doc.body)
        manifest[doc.path] = {"file": name, "content_type": doc.content_type}
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.server", str(folder)], stdout=subprocess.PIPE, env=env, cwd=ROOT
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().decode("ascii").strip()
        if not line.isdigit():
            raise RuntimeError(f"the benchmark server did not start (said {line!r})")
        yield Served(port=int(line))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def _routes(folder: Path) -> dict[str, tuple[str, bytes, str]]:
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    routes = {}
    for path, entry in manifest.items():
        body = (folder / entry["file"]).read_bytes()
        routes[path] = (entry["content_type"], body, etag_of(body))
    return routes


def main(folder: Path) -> None:
    routes = _routes(folder)
    answers: Counter[int] = Counter()
    lock = threading.Lock()

    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real hosts offer it
        # Headers and body are two writes; with Nagle on, keep-alive replies wait for the
        # delayed ACK (~40 ms each), which would be billed to the core's fetch.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            if self.path.startswith("/_bench/"):
                with lock:
                    counts = dict(answers)
                    if self.path == "/_bench/reset":
                        answers.clear()
                self._send(200, {"Content-Type": "application/json"}, json.dumps(counts).encode(), False)
                return
            route = routes.get(self.path)
            if route is None:
                self._send(404, {"Content-Type": "text/plain"}, b"not found")
                return
            content_type, body, etag = route
            if self.headers.get("If-None-Match") == etag:
                self._send(304, {"ETag": etag}, b"")
                return
            self._send(200, {"Content-Type": content_type, "ETag": etag}, body)

        def _send(self, status: int, headers: dict[str, str], body: bytes, count: bool = True) -> None:
            if count:
                with lock:
                    answers[status] += 1
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the benchmark's output is its table, not an access log

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
