"""Answer HTTP requests from recorded responses instead of the network (``--replay DIR``).

A recording folder holds ``index.json`` — a list of ``{"method", "url", "status",
"content_type", "file"}`` — and the body files it names. Requests are matched on method and
the full URL; an unrecorded request gets a 404 that names the URL, so a missing recording
shows up in the run error like any other fetch failure. Used by the offline demo and by
``aggregator record``; it is an httpx transport, so the whole normal pipeline runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import httpx

from aggregator.errors import ConfigError


@dataclass(frozen=True)
class Recording:
    method: str
    url: str
    status: int
    content_type: str
    file: str


def load_index(folder: Path) -> dict[tuple[str, str], Recording]:
    index = folder / "index.json"
    try:
        raw = json.loads(index.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"--replay: {index} does not exist"]) from None
    except json.JSONDecodeError as err:
        raise ConfigError([f"--replay: {index} is not valid JSON: {err}"]) from None
    recordings: dict[tuple[str, str], Recording] = {}
    for n, item in enumerate(raw):
        try:
            rec = Recording(
                method=item.get("method", "GET").upper(),
                url=item["url"],
                status=int(item.get("status", 200)),
                content_type=item.get("content_type", "application/octet-stream"),
                file=item["file"],
            )
        except (KeyError, TypeError, ValueError) as err:
            raise ConfigError([f"--replay: {index} entry {n}: {err}"]) from None
        recordings[(rec.method, rec.url)] = rec
    return recordings


class ReplayTransport(httpx.BaseTransport):
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.recordings = load_index(folder)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        from aggregator.recording import redact_url

        rec = self.recordings.get((request.method, str(request.url))) or self.recordings.get(
            (request.method, redact_url(str(request.url)))
        )
        if rec is None:
            return httpx.Response(404, text=f"no recording for {request.method} {request.url}")
        body = (self.folder / rec.file).read_bytes()
        return httpx.Response(rec.status, content=body, headers={"content-type": rec.content_type})
