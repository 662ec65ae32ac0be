"""Serving feed files: content types, strong ETag, Last-Modified, 304, HEAD, CORS."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from aggregator.settings import from_dict
from aggregator.web import create_app


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    settings = from_dict({"feeds": {"borgen": {"title": "Borgen"}}}, tmp_path / "settings.toml")
    feeds = settings.feeds_dir
    feeds.mkdir()
    (feeds / "borgen.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    (feeds / "borgen.rss").write_bytes(b"<rss/>")
    (feeds / "borgen.atom").write_bytes(b"<feed/>")
    (feeds / "borgen.json").write_bytes(b"{}")
    return TestClient(create_app(settings))


@pytest.mark.parametrize(
    ("name", "ctype"),
    [
        ("borgen.ics", "text/calendar; charset=utf-8"),
        ("borgen.rss", "application/rss+xml; charset=utf-8"),
        ("borgen.atom", "application/atom+xml; charset=utf-8"),
        ("borgen.json", "application/feed+json; charset=utf-8"),
    ],
)
def test_content_types_and_headers(client: TestClient, name: str, ctype: str) -> None:
    resp = client.get(f"/feeds/{name}")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == ctype
    assert resp.headers["access-control-allow-origin"] == "*"
    assert resp.headers["etag"].startswith('"') and not resp.headers["etag"].startswith("W/")
    assert resp.headers["last-modified"].endswith("GMT")
    assert "max-age" in resp.headers["cache-control"]


def test_conditional_requests(client: TestClient) -> None:
    first = client.get("/feeds/borgen.ics")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = client.get("/feeds/borgen.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get("/feeds/borgen.ics", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/feeds/borgen.ics", headers={"If-None-Match": '"other"'}).status_code == 200
    assert (
        client.get(
            "/feeds/borgen.ics", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
        ).status_code
        == 200
    )


def test_head_has_length_and_no_body(client: TestClient) -> None:
    resp = client.head("/feeds/borgen.ics")
    assert resp.status_code == 200 and resp.content == b""
    assert resp.headers["content-length"] == str(len(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"))


def test_unknown_and_hostile_names(client: TestClient) -> None:
    assert client.get("/feeds/nope.ics").status_code == 404
    assert client.get("/feeds/borgen.exe").status_code == 404
    assert client.get("/feeds/..%2Fsettings.toml").status_code == 404


def test_healthz(client: TestClient) -> None:
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.json()["status"] == "ok"
