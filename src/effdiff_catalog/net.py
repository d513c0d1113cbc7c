"""HTTP plumbing shared by the link checker and the metadata importers.

One `requests.Session` per tool, with a connection pool sized for its concurrency and a
User-Agent naming the project. The link checker adds an `AddressGuard`: every connection is made
to an address the guard resolved and approved, so a host that resolves (or a redirect that leads)
to a private, loopback, link-local or reserved address is refused, and a second DNS answer cannot
swap in another address between the check and the connection.
"""

from __future__ import annotations

import email.utils
import ipaddress
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
    .netrc settings from the environment (connections must go where the caller decided)."""
    session = requests.Session()
    session.trust_env = False
    adapter = adapter or HTTPAdapter(pool_connections=pool_hosts, pool_maxsize=pool_per_host, max_retries=0)
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
    """An HTTPAdapter whose connections are opened through an AddressGuard."""

    def __init__(self, guard: AddressGuard, **kwargs: Any):
        self.guard = guard
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        attrs = {"guard": self.guard}
        http_conn = type("GuardedHTTPConnection", (_GuardedConnectionMixin, HTTPConnection), attrs)
        https_conn = type("GuardedHTTPSConnection", (_GuardedConnectionMixin, HTTPSConnection), attrs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("GuardedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("GuardedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }
