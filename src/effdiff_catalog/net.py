"""HTTP plumbing shared by the link checker and the metadata importers.

One `requests.Session` per tool, with a connection pool sized for its concurrency and a
User-Agent naming the project. A `Deadline` bounds one request as a whole (a server that trickles
its headers or body a byte at a time never resets it, as it resets a socket timeout), and
`read_capped` reads a body up to a size, streaming. The link checker adds an `AddressGuard`: every connection is made
to an address the guard resolved and approved, so a host that resolves (or a redirect that leads)
to a private, loopback, link-local or reserved address is refused, and a second DNS answer cannot
swap in another address between the check and the connection.
"""

from __future__ import annotations

import email.utils
import heapq
import ipaddress
import itertools
import socket
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as _u3conn

from . import PROJECT_URL, __version__
from .errors import EnvironmentProblem

if TYPE_CHECKING:
    from urllib3.util.connection import _TYPE_SOCKET_OPTIONS
    from urllib3.util.timeout import _TYPE_TIMEOUT

    # The mixin below is only ever combined with urllib3's HTTPConnection (see GuardedAdapter).
    _ConnectionBase = HTTPConnection
else:
    _ConnectionBase = object

USER_AGENT = f"effdiff-catalog/{__version__} (+{PROJECT_URL})"

Resolver = Callable[[str, int], Sequence[str]]
Dialer = Callable[..., socket.socket]


def make_session(pool_hosts: int = 100, pool_per_host: int = 10, adapter: Optional[HTTPAdapter] = None,
                 user_agent: str = USER_AGENT) -> requests.Session:
    """A session that never retries on its own (callers retry with backoff) and ignores proxy and
    .netrc settings from the environment (connections must go where the caller decided). Its
    connections obey the `Deadline` of the thread that uses them."""
    session = requests.Session()
    session.trust_env = False
    adapter = adapter or DeadlineAdapter(pool_connections=pool_hosts, pool_maxsize=pool_per_host, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent
    return session


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


# -- a total time limit per request, and a size limit per body -------------------------------


class Deadline:
    """A total time limit on the requests made in a `with Deadline(seconds):` block, in this
    thread: when it passes, the connections they use are shut down, which ends any read under way
    (the request then fails, and `expired` tells why). Socket timeouts alone bound each read, not
    the whole: a server that sends a byte a second holds a request for ever.

    Works for the sessions of make_session (their connections register with the thread's deadline)."""

    _local = threading.local()

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._connections: list[Any] = []
        self._lock = threading.Lock()

    @classmethod
    def current(cls) -> "Deadline | None":
        return getattr(cls._local, "deadline", None)

    def remaining(self) -> float:
        return max(0.0, self._at - time.monotonic())

    def __enter__(self) -> "Deadline":
        self._at = time.monotonic() + self.seconds
        self._outer = Deadline.current()
        Deadline._local.deadline = self
        _WATCHDOG.add(self._at, self)
        return self

    def __exit__(self, *exc: object) -> None:
        Deadline._local.deadline = self._outer
        _WATCHDOG.remove(self)
        with self._lock:
            self._connections.clear()

    def watch(self, connection: Any) -> None:
        """Shut connection down when the deadline passes (at once if it has)."""
        with self._lock:
            self._connections.append(connection)
            expired = self.expired
        if expired:
            _shut(connection)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)


def _shut(connection: Any) -> None:
    """End the reads on a connection: the one under way (shutdown wakes it) and the next ones (a
    socket shut for reading still returns what the server goes on sending, so they time out at once)."""
    sock = getattr(connection, "sock", None) or getattr(connection, "_deadline_sock", None)
    if sock is not None:
        try:
            sock.settimeout(0.001)
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:  # already closed
            pass


class _Watchdog:
    """One thread that expires deadlines when their time comes."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._live: set[int] = set()
        self._cond = threading.Condition()
        self._count = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, at: float, deadline: Deadline) -> None:
        with self._cond:
            heapq.heappush(self._heap, (at, next(self._count), deadline))
            self._live.add(id(deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="effdiff-deadlines", daemon=True)
                self._thread.start()
            self._cond.notify()

    def remove(self, deadline: Deadline) -> None:
        with self._cond:
            self._live.discard(id(deadline))

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._heap and id(self._heap[0][2]) not in self._live:
                    heapq.heappop(self._heap)  # left its block in time
                if not self._heap:
                    self._cond.wait(timeout=30)
                    if not self._heap:
                        self._thread = None
                        return
                    continue
                at, _, deadline = self._heap[0]
                wait = at - time.monotonic()
                if wait > 0:
                    self._cond.wait(timeout=wait)
                    continue
                heapq.heappop(self._heap)
                self._live.discard(id(deadline))
            deadline.expire()


_WATCHDOG = _Watchdog()


class _DeadlineConnectionMixin:
    """A connection that registers with the thread's Deadline whenever it is used."""

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        # the connection lets go of its socket when the server closes after the answer, whose body
        # is still to read from that socket
        self._deadline_sock = self.sock  # type: ignore[attr-defined]
        deadline = Deadline.current()
        if deadline is not None:
            deadline.watch(self)

    def request(self, *args: Any, **kwargs: Any) -> Any:
        deadline = Deadline.current()
        if deadline is not None:
            deadline.watch(self)  # a connection from the pool, already connected
        return super().request(*args, **kwargs)  # type: ignore[misc]


def _pool_classes(mixins: tuple[type, ...], attrs: dict[str, Any]) -> dict[str, type]:
    http_conn = type("EffdiffHTTPConnection", (*mixins, _DeadlineConnectionMixin, HTTPConnection), attrs)
    https_conn = type("EffdiffHTTPSConnection", (*mixins, _DeadlineConnectionMixin, HTTPSConnection), attrs)
    return {
        "http": type("EffdiffHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
        "https": type("EffdiffHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
    }


class DeadlineAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections obey the thread's Deadline."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _pool_classes((), {})


class ResponseTooLarge(EnvironmentProblem):
    """A body larger than the reader accepts."""

    def __init__(self, url: str, limit: int):
        self.url, self.limit = url, limit
        super().__init__(f"{url}: the answer is larger than {limit:,} bytes")


def read_capped(response: requests.Response, limit: int, chunk: int = 64 * 1024) -> bytes:
    """The (decoded) body of a streamed response, read a chunk at a time; raises ResponseTooLarge,
    and closes the response, as soon as it passes `limit` bytes (or says it will). The response
    then reads as if it had been read whole (.content, .text, .json())."""
    length = response.headers.get("Content-Length", "")
    encoded = response.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
    if length.isdigit() and int(length) > limit and not encoded:
        response.close()
        raise ResponseTooLarge(response.url, limit)
    parts: list[bytes] = []
    size = 0
    for part in response.iter_content(chunk):
        size += len(part)
        if size > limit:
            response.close()
            raise ResponseTooLarge(response.url, limit)
        parts.append(part)
    body = b"".join(parts)
    response._content = body  # what requests keeps once it has read a body
    response._content_consumed = True  # type: ignore[attr-defined]  # requests' own flag, not in its stubs
    return body


# -- refusing private addresses -------------------------------------------------------------


class AddressRefused(EnvironmentProblem):
    """The host resolves to an address the checker must not reach."""

    def __init__(self, host: str, address: str, kind: str):
        self.host, self.address, self.kind = host, address, kind
        super().__init__(f"{host} is a {kind} address" if host == address else f"{host} resolves to {kind} address {address}")


def address_kind(address: str) -> str | None:
    """Why an address is off limits ('loopback', 'private', ...), or None for a public address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "link_local", "unspecified", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    if not ip.is_global:
        return "non-public"
    return None


def system_resolve(host: str, port: int) -> list[str]:
    """Addresses of a host through the system resolver (getaddrinfo), in its order, without repeats."""
    seen: list[str] = []
    for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = str(sockaddr[0])  # an IPv4 or IPv6 address: getaddrinfo gives it as text
        if address not in seen:
            seen.append(address)
    return seen


def system_dial(address: str, port: int, timeout: _TYPE_TIMEOUT, source_address: tuple[str, int] | None = None,
                socket_options: _TYPE_SOCKET_OPTIONS | None = None) -> socket.socket:
    return _u3conn.create_connection((address, port), timeout, source_address=source_address, socket_options=socket_options)


class AddressGuard:
    """Resolves each host once per run and hands out only addresses that are allowed.

    `resolve` and `dial` default to the system's; tests and sandboxes pass their own (a resolver
    that maps a made-up public name, a dialer that reaches it on the loopback)."""

    def __init__(self, allow_private: bool = False, resolve: Resolver | None = None, dial: Dialer | None = None):
        self.allow_private = allow_private
        self._resolve = resolve or system_resolve
        self._dial = dial or system_dial
        self._cache: dict[str, list[str] | BaseException] = {}
        self._lock = threading.Lock()

    def addresses(self, host: str, port: int) -> list[str]:
        """The approved addresses of host. Raises socket.gaierror when it does not resolve and
        AddressRefused when any of its addresses is private (unless allow_private)."""
        key = host.lower().strip("[]")
        with self._lock:
            cached = self._cache.get(key)
        if cached is None:
            try:
                cached = list(self._resolve(key, port))
                if not cached:
                    raise socket.gaierror(socket.EAI_NONAME, "no address")
                if not self.allow_private:
                    for address in cached:
                        kind = address_kind(address)
                        if kind:
                            raise AddressRefused(key, address, kind)
            except socket.gaierror as exc:
                if exc.errno == socket.EAI_AGAIN:  # a temporary failure: let a retry resolve again
                    raise
                cached = exc
            except AddressRefused as exc:
                cached = exc
            with self._lock:
                self._cache[key] = cached
        if isinstance(cached, BaseException):
            raise cached
        return cached

    def connect(self, host: str, port: int, timeout: _TYPE_TIMEOUT, source_address: tuple[str, int] | None = None,
                socket_options: _TYPE_SOCKET_OPTIONS | None = None) -> socket.socket:
        error: OSError | None = None
        for address in self.addresses(host, port):
            try:
                return self._dial(address, port, timeout, source_address=source_address, socket_options=socket_options)
            except OSError as exc:
                error = exc
        raise error or OSError(f"cannot connect to {host}")


class _GuardedConnectionMixin(_ConnectionBase):
    guard: AddressGuard

    def _new_conn(self) -> socket.socket:
        try:
            return self.guard.connect(self._dns_host, self.port, self.timeout,
                                      source_address=self.source_address, socket_options=self.socket_options)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        except socket.timeout as exc:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})") from exc
        except AddressRefused:
            raise
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc


class GuardedAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections are opened through an AddressGuard (and obey the thread's Deadline)."""

    def __init__(self, guard: AddressGuard, **kwargs: Any):
        self.guard = guard
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _pool_classes((_GuardedConnectionMixin,), {"guard": self.guard})
