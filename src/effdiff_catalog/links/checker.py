"""Checking URLs: HEAD first, a streamed GET when HEAD is refused, redirects one hop at a time
(each hop's host resolved and refused if private), retries with backoff on timeouts, connection
errors, 429 and 5xx (honouring Retry-After up to a cap), a global and a per-host limit."""

from __future__ import annotations

import http
import queue
import random
import re
import socket
import threading
import time
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass
from typing import Callable, Iterable
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import NameResolutionError

from ..net import AddressGuard, AddressRefused, Deadline, Dialer, GuardedAdapter, Resolver, make_session, retry_after
from .collect import LinkResult, url_problem

HEAD_REFUSED = frozenset({403, 405, 501})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
# Hosts that answer automated requests with 403/429 whatever the link: their answer says nothing
# about the link, so it is reported as blocked at once, without retries.
BOT_BLOCKING_HOSTS = frozenset({
    "doi.org", "dx.doi.org", "dl.acm.org", "ieeexplore.ieee.org", "www.sciencedirect.com", "sciencedirect.com",
    "link.springer.com", "onlinelibrary.wiley.com", "www.researchgate.net", "www.jstor.org", "academic.oup.com",
    "www.tandfonline.com", "journals.sagepub.com", "www.science.org", "pubs.acs.org", "www.nature.com",
    "openreview.net", "twitter.com", "x.com", "www.linkedin.com", "medium.com",
})


@dataclass
class CheckOptions:
    concurrency: int = 32
    per_host: int = 4
    timeout: float = 20.0
    retries: int = 2
    backoff: float = 1.0  # the first retry waits this long, each next one twice as long
    retry_after_cap: float = 30.0
    max_redirects: int = 10
    allow_private: bool = False
    drain_limit: int = 64 * 1024  # a GET body up to this size is read so the connection can be reused


def host_key(url: str) -> str:
    """What the per-host limit counts: host and port."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


class HostLimiter:
    """At most `per_host` requests under way per host; `take` hands out queued URLs whose host has room."""

    def __init__(self, per_host: int):
        self.per_host = max(1, per_host)
        self._active: Counter[str] = Counter()
        self._cond = threading.Condition()
        self._queues: OrderedDict[str, deque[str]] = OrderedDict()

    def acquire(self, key: str) -> None:
        with self._cond:
            while self._active[key] >= self.per_host:
                self._cond.wait()
            self._active[key] += 1

    def release(self, key: str) -> None:
        with self._cond:
            self._active[key] -= 1
            if self._active[key] <= 0:
                del self._active[key]
            self._cond.notify_all()

    def enqueue(self, urls: Iterable[str]) -> None:
        with self._cond:
            for url in urls:
                self._queues.setdefault(host_key(url), deque()).append(url)
            self._cond.notify_all()

    def take(self) -> tuple[str, str] | None:
        """The next URL whose host has room, with that host's slot taken; None when the queue is empty.
        Hosts take turns, so one slow host never holds up the others."""
        with self._cond:
            while self._queues:
                for key in list(self._queues):
                    if self._active[key] < self.per_host:
                        queue = self._queues[key]
                        url = queue.popleft()
                        if queue:
                            self._queues.move_to_end(key)
                        else:
                            del self._queues[key]
                        self._active[key] += 1
                        return url, key
                self._cond.wait()
            return None


class _Slot:
    """The one per-host slot a check holds at a time (released while it sleeps or moves host)."""

    def __init__(self, limiter: HostLimiter, key: str | None = None):
        self.limiter, self.key = limiter, key

    def hold(self, key: str) -> None:
        if self.key != key:
            self.release()
            self.limiter.acquire(key)
            self.key = key

    def release(self) -> None:
        if self.key is not None:
            self.limiter.release(self.key)
            self.key = None


def _phrase(status: int) -> str:
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _find(exc: BaseException, kind: type | tuple[type, ...]) -> BaseException | None:
    """The first exception of `kind` among exc and what it wraps (requests wraps urllib3's errors several deep)."""
    seen = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, kind):
            return e
        stack += [e.__cause__, e.__context__, getattr(e, "reason", None)]
        stack += [a for a in e.args if isinstance(a, BaseException)]
    return None


class _Final(Exception):
    """A hop ended the check: carries the result."""

    def __init__(self, status: str, detail: str, http_status: int | None = None):
        self.status, self.detail, self.http_status = status, detail, http_status


class LinkChecker:
    """Checks URLs over one pooled session. `resolve` and `dial` replace the system's DNS and
    connect (tests use them to give a loopback server a public-looking name)."""

    def __init__(self, options: CheckOptions | None = None, resolve: Resolver | None = None, dial: Dialer | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.options = options or CheckOptions()
        self.guard = AddressGuard(self.options.allow_private, resolve, dial)
        adapter = GuardedAdapter(self.guard, pool_connections=max(256, self.options.concurrency),
                                 pool_maxsize=self.options.per_host, max_retries=0)
        self.session = make_session(adapter=adapter)
        self.limiter = HostLimiter(self.options.per_host)
        self._sleep = sleep

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "LinkChecker":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # one URL

    def check_url(self, url: str) -> LinkResult:
        slot = _Slot(self.limiter)
        try:
            return self._check(url, slot)
        finally:
            slot.release()

    def _check(self, url: str, slot: _Slot) -> LinkResult:
        now = time.time()
        problem = url_problem(url)
        if problem:
            return LinkResult(url, "invalid", problem, checked=now)
        chain = [url]
        current, method = url, "HEAD"
        moved_to: str | None = None  # where the leading permanent redirects lead
        permanent_run = True
        try:
            for _ in range(self.options.max_redirects + 1):
                status, location, method = self._hop(current, method, slot)
                if status in REDIRECTS and location:
                    target = urljoin(current, location)
                    if urlsplit(target).scheme.lower() not in ("http", "https"):
                        raise _Final("invalid", f"redirects to a non-http URL: {target}", status)
                    if permanent_run and status in PERMANENT:
                        moved_to = target
                    else:
                        permanent_run = False
                    if target in chain:
                        raise _Final("broken", "redirect loop: " + " → ".join(chain + [target]), status)
                    chain.append(target)
                    current = target
                    continue
                return self._classify(url, status, chain, moved_to, now)
            raise _Final("broken", f"more than {self.options.max_redirects} redirects: {' → '.join(chain[:3])} → ...")
        except _Final as final:
            detail = final.detail
            if len(chain) > 1 and "→" not in detail:
                detail += f" (after redirects to {chain[-1]})"
            return LinkResult(url, final.status, detail, final.http_status, checked=now)

    def _classify(self, url: str, status: int, chain: list[str], moved_to: str | None, now: float) -> LinkResult:
        host = (urlsplit(chain[-1]).hostname or "").lower()
        via = f" (after redirects to {chain[-1]})" if len(chain) > 1 else ""
        if 200 <= status < 300:
            if moved_to and moved_to != url:
                return LinkResult(url, "redirected", f"moved permanently: use {moved_to}", status, moved_to, now)
            return LinkResult(url, "ok", _phrase(status) + via, status, checked=now)
        if status in (401, 403, 429):
            why = f"{host} turns away automated checks; check it in a browser" if host in BOT_BLOCKING_HOSTS else "check it in a browser"
            return LinkResult(url, "blocked", f"{_phrase(status)}{via}: {why}", status, checked=now)
        if 300 <= status < 400:
            return LinkResult(url, "broken", f"{_phrase(status)} without a Location to follow{via}", status, checked=now)
        return LinkResult(url, "broken", _phrase(status) + via, status, checked=now)

    def _hop(self, url: str, method: str, slot: _Slot) -> tuple[int, str | None, str]:
        """One request with retries (and a GET when HEAD is refused). Returns (status, Location,
        method used); raises _Final when the check ends here without an answer worth classifying."""
        opts = self.options
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        key = host_key(url)
        blocking = host in BOT_BLOCKING_HOSTS
        attempt = 0
        while True:
            failure: tuple[str, str] | None = None
            deadline = Deadline(opts.timeout)  # the whole request: a server that trickles bytes never resets it
            try:
                self.guard.addresses(host, parts.port or (443 if parts.scheme == "https" else 80))
                slot.hold(key)
                with deadline:
                    try:
                        response = self.session.request(method, url, allow_redirects=False, stream=True,
                                                        timeout=(opts.timeout, opts.timeout))
                    except requests.exceptions.RequestException as exc:
                        if deadline.expired:  # the connection was cut at the deadline
                            raise requests.exceptions.Timeout(str(exc)) from exc
                        raise
                    status = response.status_code
                    headers = response.headers
                    self._discard(response, method)
                if deadline.expired:  # cut mid-answer: what was read may look whole, but is not
                    raise requests.exceptions.Timeout()
            except AddressRefused as exc:
                raise _Final("invalid", f"refused: {exc} (only public addresses are checked; --allow-private lifts this)")
            except socket.gaierror as exc:
                if exc.errno != socket.EAI_AGAIN:
                    raise _Final("broken", f"DNS: {host} not found")
                failure = ("broken", f"DNS: {host}: temporary failure")
            except requests.exceptions.Timeout:
                failure = ("timeout", f"no answer within {opts.timeout:g} s")
            except requests.exceptions.SSLError as exc:
                raise _Final("broken", f"TLS: {_reason(exc)}")
            except requests.exceptions.ConnectionError as exc:
                refused = _find(exc, AddressRefused)
                if refused is not None:
                    raise _Final("invalid", f"refused: {refused} (only public addresses are checked; --allow-private lifts this)")
                if _find(exc, (socket.gaierror, NameResolutionError)) is not None:
                    raise _Final("broken", f"DNS: {host} not found")
                failure = ("broken", f"connection failed: {_reason(exc)}")
            except requests.exceptions.RequestException as exc:
                raise _Final("invalid", f"cannot request: {_reason(exc)}")
            else:
                if method == "HEAD" and status in HEAD_REFUSED and not (blocking and status == 403):
                    method = "GET"
                    continue
                retryable = status == 429 or status >= 500
                if retryable and not (blocking and status == 429) and attempt < opts.retries:
                    wait = retry_after(headers.get("Retry-After"))
                    wait = min(wait, opts.retry_after_cap) if wait is not None else self._backoff(attempt)
                    attempt += 1
                    slot.release()
                    self._sleep(wait)
                    continue
                if retryable and attempt:
                    raise _Final("blocked" if status == 429 else "broken",
                                 f"{_phrase(status)} after {attempt + 1} tries" + (": check it in a browser" if status == 429 else ""), status)
                return status, headers.get("Location"), method
            if attempt >= opts.retries:
                tries = f" ({attempt + 1} tries)" if attempt else ""
                raise _Final(failure[0], failure[1] + tries)
            attempt += 1
            slot.release()
            self._sleep(self._backoff(attempt - 1))

    def _backoff(self, attempt: int) -> float:
        base = self.options.backoff * (2 ** attempt)
        return base * random.uniform(0.75, 1.0)

    def _discard(self, response: requests.Response, method: str) -> None:
        """Give the connection back without downloading a body: a short body is read so the
        connection can be reused; a long or unknown one closes the connection instead."""
        raw = response.raw
        length = response.headers.get("Content-Length", "")
        chunked = "chunked" in response.headers.get("Transfer-Encoding", "").lower()
        small = method == "HEAD" or response.status_code in (204, 304) or (
            length.isdigit() and int(length) <= self.options.drain_limit and not chunked)
        if small:
            try:
                raw.read(self.options.drain_limit + 1, decode_content=False)
                if raw.length_remaining == 0:
                    raw.release_conn()
                    return
            except Exception:  # whatever went wrong, closing the connection below is the way out
                pass
        response.close()

    # many URLs

    def check(self, urls: Iterable[str], on_result: Callable[[LinkResult], None] | None = None) -> dict[str, LinkResult]:
        """Check every URL once (repeats are checked once), `concurrency` at a time and at most
        `per_host` per host. `on_result` is called in the calling thread as results come in."""
        todo = list(dict.fromkeys(urls))
        results: dict[str, LinkResult] = {}
        if not todo:
            return results
        done: "queue.SimpleQueue[LinkResult]" = queue.SimpleQueue()
        self.limiter.enqueue(todo)

        def worker() -> None:
            while True:
                job = self.limiter.take()
                if job is None:
                    return
                url, key = job
                slot = _Slot(self.limiter, key)
                try:
                    result = self._check(url, slot)
                except Exception as exc:  # a bug must show in the report, not kill the run
                    result = LinkResult(url, "broken", f"internal error: {exc!r}", checked=time.time())
                finally:
                    slot.release()
                done.put(result)

        threads = [threading.Thread(target=worker, name=f"check-links-{i}", daemon=True)
                   for i in range(max(1, min(self.options.concurrency, len(todo))))]
        for t in threads:
            t.start()
        for _ in todo:
            result = done.get()
            results[result.url] = result
            if on_result:
                on_result(result)
        for t in threads:
            t.join()
        return results


def _reason(exc: BaseException) -> str:
    text = str(exc)
    m = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    if m:
        return m.group(1).strip()
    m = re.search(r"Caused by \w+\((?:'[^']*'|[^,]*), ?['\"]?(.+?)['\"]?\)\)?$", text)
    return (m.group(1) if m else text)[:200]


