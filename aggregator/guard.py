"""The socket layer under httpx: connect-time address checks and the per-request deadline.

Owns the httpcore network backend that ``fetch.py`` installs in httpx's transport
(``guarded_transport``): it resolves a host itself, with the lookup bounded by the deadline (in
a helper thread, because getaddrinfo takes no timeout), keeps only the addresses
``netsafety.AddressPolicy`` permits and connects to one of those, so the address checked is the
address used (redirects included: every hop connects through here). Every socket read, write
and connect is clamped to the time left before ``DEADLINE``, which ``fetch.py`` sets per hop.
It must not build or interpret requests and responses (``fetch.py``), nor decide which
addresses are internal (``netsafety.py``).
"""

from __future__ import annotations

import contextvars
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

from aggregator.errors import PermanentFetchError
from aggregator.netsafety import AddressPolicy

#: what a DNS lookup is: getaddrinfo's signature (tests pass their own to fake a slow resolver)
Resolver = Callable[..., list[Any]]

#: monotonic time at which the current thread's request must be finished (see _DeadlineStream);
#: set by fetch.py around each hop
DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("fetch_deadline", default=None)


class AddressRefused(PermanentFetchError):
    """The host resolves only to addresses we must not connect to."""


def _time_left(timeout: float | None) -> float | None:
    deadline = DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("deadline reached")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends by the request's total deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, _time_left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, _time_left(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self.inner.start_tls(ssl_context, server_hostname, _time_left(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves the host itself, keeps only permitted addresses and connects to one of them,
    so the address that was checked is the address that is used (no DNS rebinding window)."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver = socket.getaddrinfo) -> None:
        self.policy = policy
        self.resolver = resolver
        self.inner = httpcore.SyncBackend()

    def _resolve(self, host: str, port: int, timeout: float | None) -> list[Any]:
        """getaddrinfo bounded by ``timeout``: it takes no timeout of its own and a broken
        resolver can block for tens of seconds, so it runs in a daemon thread that is left
        behind (it ends when the system resolver gives up) if the deadline comes first."""
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            pass
        else:  # an address literal needs no lookup
            return list(self.resolver(host, port, type=socket.SOCK_STREAM))
        box: dict[str, Any] = {}
        done = threading.Event()

        def lookup() -> None:
            try:
                box["infos"] = list(self.resolver(host, port, type=socket.SOCK_STREAM))
            except BaseException as err:  # handed to the waiting thread below
                box["error"] = err
            finally:
                done.set()

        threading.Thread(target=lookup, name=f"resolve {host}", daemon=True).start()
        if not done.wait(timeout):
            raise httpcore.ConnectTimeout(f"DNS lookup of {host} not answered within {timeout:.1f} s")
        if "error" in box:
            raise box["error"]
        infos: list[Any] = box["infos"]
        return infos

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = self._resolve(host, port, _time_left(timeout))
        except (socket.gaierror, UnicodeError) as err:
            raise httpcore.ConnectError(f"cannot resolve {host}: {err}") from err
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        refusals = [r for r in (self.policy.refusal(a) for a in addresses) if r]
        permitted = [a for a in addresses if self.policy.refusal(a) is None]
        if not permitted:
            raise AddressRefused(f"refused to connect to {host}: {'; '.join(refusals)}", url=host)
        last: Exception | None = None
        for address in permitted:
            try:
                stream = self.inner.connect_tcp(
                    address, port, _time_left(timeout), local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as err:
                last = err
                continue
            return _DeadlineStream(stream)
        assert last is not None
        raise last

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise AddressRefused("unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def guarded_transport(
    allow_networks: Iterable[str] = (), resolver: Resolver = socket.getaddrinfo
) -> httpx.HTTPTransport:
    """httpx's own transport with the address check and the deadline in its socket layer."""
    transport = httpx.HTTPTransport()
    pool = transport._pool
    # httpx 0.28 offers no way to pass a network backend; httpcore 1.0's pool keeps it here.
    assert hasattr(pool, "_network_backend"), "httpcore changed: the address check cannot be installed"
    pool._network_backend = _GuardedBackend(AddressPolicy(allow_networks), resolver)
    return transport
