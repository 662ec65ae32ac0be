"""Turn a Request into bytes, safely. The only module that talks to the network.

Owns: a total deadline per request (httpx's timeouts are per phase, so a server that drips
one byte at a time is cut here), a cap on the *decoded* body size (a gzip bomb stops after
little more than the cap), a redirect limit, conditional requests (ETag / Last-Modified),
the User-Agent, local ``file:`` sources (staff-maintained files next to settings.toml), and
the mapping of every failure into the FetchError tree. It must not parse documents.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from aggregator.errors import PermanentFetchError, TransientFetchError
from aggregator.model import Request, Response

DEFAULT_DEADLINE = 30.0
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class FetchResult:
    response: Response
    not_modified: bool = False


class Fetcher:
    """One HTTP client for a whole collection; ``transport`` lets tests and replay answer."""

    def __init__(
        self,
        user_agent: str,
        *,
        deadline: float = DEFAULT_DEADLINE,
        max_bytes: int = DEFAULT_MAX_BYTES,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.client = httpx.Client(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            timeout=httpx.Timeout(min(10.0, deadline), connect=min(10.0, deadline)),
            transport=transport,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(
        self, request: Request, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        if request.url.startswith("file:"):
            return FetchResult(self._read_file(request))
        headers = dict(request.headers)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        started = time.monotonic()
        url = request.url
        try:
            with self.client.stream(request.method, url, headers=headers, content=request.body) as resp:
                if resp.status_code == 304:
                    return FetchResult(self._response(request, resp, b""), not_modified=True)
                self._check_status(resp)
                chunks: list[bytes] = []
                size = 0
                for chunk in resp.iter_bytes():  # decoded bytes: the cap applies after gunzip
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise PermanentFetchError(
                            f"response larger than {self.max_bytes} bytes (after decoding)", url=url
                        )
                    if time.monotonic() - started > self.deadline:
                        raise TransientFetchError(
                            f"no complete response within {self.deadline:.0f} s", url=url
                        )
                    chunks.append(chunk)
                return FetchResult(self._response(request, resp, b"".join(chunks)))
        except httpx.TooManyRedirects as err:
            raise PermanentFetchError(f"more than {MAX_REDIRECTS} redirects", url=url) from err
        except httpx.TimeoutException as err:
            raise TransientFetchError(f"timed out ({type(err).__name__})", url=url) from err
        except httpx.DecodingError as err:
            raise TransientFetchError(f"undecodable response body: {err}", url=url) from err
        except httpx.UnsupportedProtocol as err:
            raise PermanentFetchError(f"unsupported URL: {err}", url=url) from err
        except httpx.InvalidURL as err:
            raise PermanentFetchError(f"invalid URL: {err}", url=url) from err
        except httpx.TransportError as err:
            raise TransientFetchError(f"network error: {type(err).__name__}: {err}", url=url) from err

    def _response(self, request: Request, resp: httpx.Response, body: bytes) -> Response:
        headers = {k.lower(): v for k, v in resp.headers.items()}
        return Response(
            url=str(resp.url), status=resp.status_code, headers=headers, body=body, request=request
        )

    @staticmethod
    def _check_status(resp: httpx.Response) -> None:
        code = resp.status_code
        if code < 400:
            return
        url = str(resp.url)
        retry_after = _retry_after(resp.headers.get("retry-after"))
        if code in (429, 503):
            raise TransientFetchError(
                f"HTTP {code} (retry after {retry_after or '?'} s)",
                url=url,
                status=code,
                retry_after=retry_after,
            )
        if code >= 500:
            raise TransientFetchError(f"HTTP {code} from the server", url=url, status=code)
        if code in (404, 410):
            raise PermanentFetchError(f"HTTP {code}: the address no longer exists", url=url, status=code)
        raise PermanentFetchError(f"HTTP {code}", url=url, status=code)

    def _read_file(self, request: Request) -> Response:
        path = Path(unquote(urlsplit(request.url).path))
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                raise PermanentFetchError(f"file larger than {self.max_bytes} bytes", url=request.url)
            body = path.read_bytes()
        except FileNotFoundError as err:
            raise PermanentFetchError(f"file {path} does not exist", url=request.url) from err
        except OSError as err:
            raise PermanentFetchError(f"cannot read {path}: {err.strerror}", url=request.url) from err
        return Response(url=request.url, status=200, headers={}, body=body, request=request)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())
