"""Serve published feed files with strong ETags, Last-Modified, 304s, HEAD and CORS.

Calendar clients and feed readers poll often; answering 304 when nothing changed saves
everybody bandwidth. The ETag is a hash of the bytes, so it is stable across restarts and
identical for identical files (publishing is deterministic).
"""

from __future__ import annotations

import hashlib
import re
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

CONTENT_TYPES = {
    "ics": "text/calendar; charset=utf-8",
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
CACHE_CONTROL = "public, max-age=300"
_NAME = re.compile(r"^([a-z0-9][a-z0-9_-]*)\.(ics|rss|atom|json)$")


def _not_modified(request: Request, etag: str, mtime: float) -> bool:
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return etag in tags or "*" in tags
    ims = request.headers.get("if-modified-since")
    if ims:
        try:
            return int(mtime) <= parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError):
            return False
    return False


def feed_response(request: Request, body: bytes, ext: str, mtime: float) -> Response:
    """A feed body with every caching header; 304 or HEAD when asked."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        "Last-Modified": formatdate(int(mtime), usegmt=True),
        "Cache-Control": CACHE_CONTROL,
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "ETag, Last-Modified",
    }
    if _not_modified(request, etag, mtime):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(b"", headers=headers, media_type=CONTENT_TYPES[ext])
    return Response(body, headers=headers, media_type=CONTENT_TYPES[ext])


def serve_file(request: Request, feeds_dir: Path) -> Response:
    name = request.path_params["name"]
    match = _NAME.match(name)
    if not match:
        return PlainTextResponse("Not found", status_code=404)
    path = feeds_dir / name
    try:
        stat = path.stat()
        body = path.read_bytes()
    except FileNotFoundError:
        return PlainTextResponse(f"No feed {name} has been published yet", status_code=404)
    return feed_response(request, body, match.group(2), stat.st_mtime)
