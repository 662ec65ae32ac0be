"""Turn a Request into bytes, safely and politely. The only module that talks to the network
(through the socket layer in guard.py).

Owns:
- a total deadline per request: httpx's timeouts are per phase, so every socket read, write
  and connect is clamped to the time left (a server that drips one byte every few seconds is
  cut at the deadline, not after it); the clamping itself is in the socket layer (guard.py),
  which reads the deadline fetch sets for each hop;
- a cap on the *decoded* body size: gzip/deflate are inflated here in bounded steps, so a gzip
  bomb stops after little more than the cap instead of inflating a whole chunk in memory;
- redirects, followed here hop by hop (at most MAX_REDIRECTS, http/https only), so that
  every hop is treated as a request of its own to its own host: robots.txt of that host, the
  host gate of that host, the address check; the deadline covers the whole chain;
- conditional requests (ETag / Last-Modified, kept per source and sent back by collect.py);
- retries within the run for 5xx and network errors (exponential back-off with jitter); for
  429/503 a short Retry-After is honoured and a missing one gets the same short back-off (a
  long one fails the run; health.py backs off across runs); the waits of one fetch together
  stay within one deadline;
- robots.txt per host (robots.py) with its Crawl-delay, unless the source has ignore_robots;
- one request at a time per host with a minimum interval (hostgate.py); time spent waiting for
  a host is ours, not the server's, and is not counted against the deadline;
- address safety: the network transport is guard.py's, which checks every address a host name
  resolves to (netsafety.py) at connect time, for the first request and every redirect, and
  connects to the checked IP; its DNS lookup is bounded by the deadline;
- the User-Agent; local ``file:`` sources; the mapping of every failure into the FetchError tree.

It must not parse documents. A ``transport`` given by the caller (replay, recording, tests)
replaces the network: no address check applies (no connection is made) and, unless asked
for, neither do robots.txt and the host interval.
"""

from __future__ import annotations

import random
import socket
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from aggregator import robots as robots_mod
from aggregator import telemetry
from aggregator.errors import FetchError, PermanentFetchError, TransientFetchError
from aggregator.guard import DEADLINE, AddressRefused, Resolver, guarded_transport
from aggregator.hostgate import HostGate
from aggregator.model import Request, Response

DEFAULT_DEADLINE = 30.0
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
#: retries within one run for 5xx and network errors
RETRIES = 2
RETRY_BASE = 1.0
#: a Retry-After up to this long is waited for within the run; a longer one fails the run
MAX_INLINE_RETRY_AFTER = 5.0
_INFLATE_STEP = 64 * 1024


class DeadlineExceeded(TransientFetchError):
    """The whole request took longer than the deadline; not retried within the run."""


class RobotsDisallowed(PermanentFetchError):
    """robots.txt forbids the URL (or is unreachable, which RFC 9309 reads as forbidding)."""


class TooLarge(PermanentFetchError):
    """The decoded body is larger than the cap."""


@dataclass(frozen=True)
class FetchResult:
    response: Response
    not_modified: bool = False
    attempts: int = 1


class _Inflater:
    """Content-Encoding decoding in bounded steps (at most _INFLATE_STEP bytes per step)."""

    def __init__(self, encoding: str, url: str) -> None:
        self.url = url
        self.encoding = encoding
        self.raw_deflate_tried = False
        if encoding in ("", "identity"):
            self.obj: Any = None
        elif encoding in ("gzip", "x-gzip"):
            self.obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.obj = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise PermanentFetchError(f"unsupported Content-Encoding {encoding!r}", url=url)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.obj is None:
            yield data
            return
        buf = data
        while buf and not self.obj.eof:
            try:
                out = self.obj.decompress(buf, _INFLATE_STEP)
            except zlib.error as err:
                if self.encoding == "deflate" and not self.raw_deflate_tried:
                    # Some servers (old IIS) send raw deflate without the zlib header.
                    self.raw_deflate_tried = True
                    self.obj = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise TransientFetchError(f"undecodable {self.encoding} body: {err}", url=self.url) from err
            self.raw_deflate_tried = True
            buf = self.obj.unconsumed_tail
            if out:
                yield out

    def flush(self) -> bytes:
        return b"" if self.obj is None else bytes(self.obj.flush())


class Fetcher:
    """One HTTP client for a whole collection, shared by the threads of a cycle."""

    def __init__(
        self,
        user_agent: str,
        *,
        deadline: float = DEFAULT_DEADLINE,
        max_bytes: int = DEFAULT_MAX_BYTES,
        transport: httpx.BaseTransport | None = None,
        allow_networks: Iterable[str] = (),
        host_interval: float | None = None,
        robots: bool | None = None,
        retries: int = RETRIES,
        retry_base: float = RETRY_BASE,
        sleep: Callable[[float], None] = time.sleep,
        resolver: Resolver = socket.getaddrinfo,
    ) -> None:
        self.deadline = deadline
        self.max_bytes = max_bytes
        network = transport is None
        self.robots_enabled = network if robots is None else robots
        self.gate = HostGate(host_interval if host_interval is not None else (2.0 if network else 0.0))
        self.robots = robots_mod.RobotsCache()
        self.retries = retries
        self.retry_base = retry_base
        self.sleep = sleep
        self.client = httpx.Client(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            # Redirects are followed in _exchange, one hop at a time, so each hop gets its
            # host's robots.txt and host gate (httpx would follow them all in one go).
            follow_redirects=False,
            max_redirects=MAX_REDIRECTS,
            timeout=httpx.Timeout(deadline),
            transport=transport if transport is not None else guarded_transport(allow_networks, resolver),
            # Proxies from the environment would make the address check judge the proxy.
            trust_env=False,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(
        self,
        request: Request,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        ignore_robots: bool = False,
    ) -> FetchResult:
        if request.url.startswith("file:"):
            return FetchResult(self._read_file(request))
        headers = dict(request.headers)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        robots = self.robots_enabled and not ignore_robots
        attempt = 0
        waited = 0.0
        while True:
            attempt += 1
            try:
                response = self._exchange(request, headers, check=True, robots=robots)
                return FetchResult(response, not_modified=response.status == 304, attempts=attempt)
            except TransientFetchError as err:
                wait = self._retry_wait(err, attempt, waited)
                if wait is None:
                    raise
                waited += wait
                if err.status in (429, 503):
                    # The whole host is asked to slow down, not only this URL: other sources
                    # on it wait in the host gate too.
                    self.gate.defer(_host(err.url or request.url), wait)
                else:
                    self.sleep(wait)

    def _retry_wait(self, err: TransientFetchError, attempt: int, waited: float) -> float | None:
        """How long to wait before the next attempt, or None to give up for this run."""
        if attempt > self.retries or isinstance(err, DeadlineExceeded):
            return None
        if err.status in (429, 503) and err.retry_after is not None:
            # Retry-After is the server's own word; a long one fails the run and health.py
            # keeps the source away across runs until it has passed.
            if err.retry_after > MAX_INLINE_RETRY_AFTER:
                return None
            wait = err.retry_after
        else:
            # 5xx, network errors, and 429/503 without Retry-After (RFC 6585 leaves the wait
            # to the client): exponential back-off with jitter, 1 s then 2 s by default.
            wait = float(self.retry_base * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))
        # All waits of one fetch together stay within one deadline: a source that needs
        # more patience than that is retried in a later run, not by holding its worker.
        if waited + wait > self.deadline:
            return None
        return wait

    def _check_robots(self, url: str, host: str) -> None:
        rules = self.robots.get(url)
        if rules is None:
            robots_url = robots_mod.robots_url(url)
            try:
                resp = self._exchange(Request(robots_url), {}, check=False, robots=False)
                rules = robots_mod.from_response(resp.status, resp.body, time.monotonic())
            except AddressRefused:
                raise
            except FetchError as err:
                rules = robots_mod.unreachable(str(err), time.monotonic())
            self.robots.put(url, rules)
            self.gate.set_crawl_delay(host, rules.crawl_delay())
        if not rules.allows(url):
            # The URL is named: after a redirect it is not the one in the settings.
            reason = f"{rules.disallow_all}; {url}" if rules.disallow_all else f"robots.txt disallows {url}"
            raise RobotsDisallowed(
                f"{reason} not fetched (set ignore_robots = true only if the site agreed)", url=url
            )

    def _exchange(self, request: Request, headers: dict[str, str], *, check: bool, robots: bool) -> Response:
        """One request with its redirects. Every hop asks its own host's robots.txt (when
        ``robots``) and waits for its own host's slot in the gate; the deadline counts the time
        spent on the hops' connections, not the time spent waiting for a host (that is ours)."""
        spent = 0.0
        http_request = self.client.build_request(
            request.method, request.url, headers=headers, content=request.body
        )
        for hop in range(MAX_REDIRECTS + 1):
            url = str(http_request.url)
            host = _host(url)
            if robots:
                self._check_robots(url, host)
            with self.gate.slot(host):
                started = time.monotonic()
                try:
                    outcome = self._hop(request, http_request, check, self.deadline - spent, hop)
                finally:
                    spent += time.monotonic() - started
            if isinstance(outcome, Response):
                return outcome
            http_request = outcome
        raise PermanentFetchError(f"more than {MAX_REDIRECTS} redirects", url=request.url)

    def _hop(
        self, request: Request, http_request: httpx.Request, check: bool, budget: float, hop: int
    ) -> Response | httpx.Request:
        """Send one hop: the final Response, or the request of the next hop of a redirect."""
        url = str(http_request.url)
        host = _host(url)
        conditional = "If-None-Match" in http_request.headers or "If-Modified-Since" in http_request.headers
        started = time.monotonic()
        deadline_at = started + budget
        token = DEADLINE.set(deadline_at)
        size = 0
        result = "network_error"
        try:
            if budget <= 0:
                raise DeadlineExceeded(
                    f"no complete response within the {self.deadline:g} s deadline (redirects)", url=url
                )
            resp = self.client.send(http_request, stream=True)
            try:
                if resp.next_request is not None:
                    result = "redirect"
                    return self._next_hop(resp.next_request, url, hop)
                if resp.status_code == 304:
                    result = "not_modified"
                    return self._response(request, resp, b"")
                if check:
                    result = "http_error"
                    self._check_status(resp)
                if resp.is_stream_consumed:
                    # An in-process transport (replay, MockTransport) hands over a response
                    # already read, and so already decoded, by httpx.
                    inflater, raws = _Inflater("identity", url), iter([resp.content])
                else:
                    inflater = _Inflater(resp.headers.get("content-encoding", "").strip().lower(), url)
                    raws = resp.iter_raw()
                chunks: list[bytes] = []
                for raw in raws:
                    for chunk in inflater.feed(raw):
                        size += len(chunk)
                        self._within_bounds(size, deadline_at, url)
                        chunks.append(chunk)
                    self._within_bounds(size, deadline_at, url)
                tail = inflater.flush()
                size += len(tail)
                self._within_bounds(size, deadline_at, url)
                chunks.append(tail)
                result = "ok" if resp.status_code < 400 else "http_error"
                return self._response(request, resp, b"".join(chunks))
            finally:
                resp.close()
        except httpx.TimeoutException as err:
            if time.monotonic() >= deadline_at - 0.05:
                raise DeadlineExceeded(
                    f"no complete response within the {self.deadline:g} s deadline ({err})", url=url
                ) from err
            raise TransientFetchError(f"timed out ({type(err).__name__}: {err})", url=url) from err
        except httpx.DecodingError as err:
            raise TransientFetchError(f"undecodable response body: {err}", url=url) from err
        except httpx.UnsupportedProtocol as err:
            raise PermanentFetchError(f"unsupported URL: {err}", url=url) from err
        except httpx.InvalidURL as err:
            raise PermanentFetchError(f"invalid URL: {err}", url=url) from err
        except httpx.RemoteProtocolError as err:
            if "location header" in str(err):
                # httpx reports an unusable Location as a protocol error; it is the site's
                # configuration, not a broken connection, and retrying will not mend it.
                raise PermanentFetchError(f"unusable redirect: {err}", url=url) from err
            raise TransientFetchError(f"connection broken mid-response: {err}", url=url) from err
        except httpx.TransportError as err:
            raise TransientFetchError(f"network error: {type(err).__name__}: {err}", url=url) from err
        except AddressRefused as err:
            result = "refused"
            err.url = url
            raise
        finally:
            DEADLINE.reset(token)
            telemetry.record(host, time.monotonic() - started, size, result, conditional)

    @staticmethod
    def _next_hop(target: httpx.Request, url: str, hop: int) -> httpx.Request:
        if hop >= MAX_REDIRECTS:
            raise PermanentFetchError(f"more than {MAX_REDIRECTS} redirects", url=url)
        if target.url.scheme not in ("http", "https"):
            # A Location such as file:///etc/passwd must never be followed: only the
            # operator's own settings may name local files.
            raise PermanentFetchError(
                f"redirect to {target.url} refused: only http and https redirects are followed", url=url
            )
        return target

    def _within_bounds(self, size: int, deadline_at: float, url: str) -> None:
        if size > self.max_bytes:
            raise TooLarge(f"response larger than {self.max_bytes} bytes (after decoding)", url=url)
        if time.monotonic() > deadline_at:
            raise DeadlineExceeded(f"no complete response within the {self.deadline:g} s deadline", url=url)

    def _response(self, request: Request, resp: httpx.Response, body: bytes) -> Response:
        headers = {k.lower(): v for k, v in resp.headers.items()}
        headers.pop("content-encoding", None)  # the body handed on is decoded
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
                f"HTTP {code} (retry after {retry_after if retry_after is not None else '?'} s)",
                url=url,
                status=code,
                retry_after=retry_after,
            )
        if code >= 500:
            raise TransientFetchError(f"HTTP {code} from the server", url=url, status=code)
        if code == 410:
            raise PermanentFetchError("HTTP 410: the address is gone for good", url=url, status=code)
        if code == 404:
            raise PermanentFetchError("HTTP 404: the address no longer exists", url=url, status=code)
        raise PermanentFetchError(f"HTTP {code}", url=url, status=code)

    def _read_file(self, request: Request) -> Response:
        path = Path(unquote(urlsplit(request.url).path))
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                raise TooLarge(f"file larger than {self.max_bytes} bytes", url=request.url)
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


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
