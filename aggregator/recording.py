"""Record a live run's responses as replayable fixtures (``aggregator record SOURCE_ID``).

What is saved must be safe to commit: no cookies, no authorisation headers, and no
token-like query parameters. Only the body and its content type are kept, in the format
``aggregator.replay`` reads; URLs are stored with secrets replaced by ``REDACTED``, and
replay redacts incoming URLs the same way before matching.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

SECRET_PARAM = re.compile(
    r"(?i)^(.*token.*|.*secret.*|.*passw.*|api[-_]?key|key|apikey|auth.*|sig|signature|session.*|sid|code|client_id)$"
)


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (k, "REDACTED" if SECRET_PARAM.match(k) else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def _file_name(method: str, url: str, content_type: str) -> str:
    parts = urlsplit(url)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", (parts.netloc + parts.path).strip("/"))[-60:] or "index"
    digest = hashlib.sha256(f"{method} {url}".encode()).hexdigest()[:8]
    ext = (
        ".json"
        if "json" in content_type
        else ".ics"
        if "calendar" in content_type
        else ".xml"
        if "xml" in content_type
        else ".html"
        if "html" in content_type
        else ".body"
    )
    if stem.endswith(ext):
        stem = stem[: -len(ext)]
    return f"{stem}-{digest}{ext}"


class RecordingTransport(httpx.BaseTransport):
    """Pass requests to the network and keep a redacted copy of every response."""

    def __init__(self, folder: Path, inner: httpx.BaseTransport | None = None) -> None:
        self.folder = folder
        self.inner = inner or httpx.HTTPTransport()
        self.index: list[dict[str, object]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = response.read()
        content_type = response.headers.get("content-type", "application/octet-stream")
        url = redact_url(str(request.url))
        name = _file_name(request.method, url, content_type)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / name).write_bytes(body)
        self.index = [e for e in self.index if not (e["method"] == request.method and e["url"] == url)]
        self.index.append(
            {
                "method": request.method,
                "url": url,
                "status": response.status_code,
                "content_type": content_type,
                "file": name,
            }
        )
        (self.folder / "index.json").write_text(
            json.dumps(self.index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        # Hand the caller a fresh response without the Set-Cookie and other transport state.
        return httpx.Response(
            response.status_code, content=body, headers={"content-type": content_type}, request=request
        )

    def close(self) -> None:
        self.inner.close()
