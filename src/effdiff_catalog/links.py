"""Checking the links of the catalog: which URLs still answer, which moved, which rotted.

`check_links(root, ...)` is what `effdiff check-links` runs: it collects the links of the records
(and frameworks.yaml), runs the offline checks, takes what it can from the result cache, checks
the rest with a `LinkChecker`, and returns a `Report` that formats itself as text, JSON or
markdown. Each step can be used alone.

How a URL is checked: HEAD first, GET (streamed, body left unread) when HEAD is refused;
redirects followed one hop at a time (each hop's host resolved and refused if private); retries
with exponential backoff on timeouts, connection errors, 429 and 5xx, honouring Retry-After up to
a cap; a global limit on requests under way and a limit per host.
"""

from __future__ import annotations

import http
import json
import queue
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, OrderedDict, defaultdict, deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence, TextIO
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import NameResolutionError

from .ids import arxiv_from_url
from .model import RAW_TEXT_FIELDS, check_url
from .net import AddressGuard, AddressRefused, Dialer, GuardedAdapter, Resolver, make_session, retry_after
from .store import display_path, record_files, write_text_atomic
from .yamlsrc import read_yaml

FRAMEWORKS_FILE = "frameworks.yaml"
DEFAULT_CACHE = Path(".effdiff-cache") / "links.json"

# report order: what needs fixing first
STATUSES = ("broken", "invalid", "timeout", "blocked", "redirected", "ok")
FAILING = frozenset({"broken", "invalid"})
FAILING_STRICT = FAILING | {"blocked", "timeout"}

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


class LinkCheckError(Exception):
    """The check cannot run as asked (a bad git ref, an unreadable cache path...)."""


# -- what is checked -----------------------------------------------------------------------


@dataclass(frozen=True)
class LinkRef:
    """One link in one file."""

    file: str
    line: int
    field: str
    url: str
    owner: str = ""  # the record id or the framework's name
    problem: Optional[str] = None  # an offline check failed: why


@dataclass
class LinkResult:
    """What checking one URL found."""

    url: str
    status: str
    detail: str = ""
    http_status: Optional[int] = None
    new_url: Optional[str] = None
    checked: float = 0.0
    cached: bool = False


_GITHUB_HOSTS = frozenset({"github.com", "www.github.com"})
_GITHUB_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_GITHUB_REPO = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_GITHUB_NOT_OWNERS = frozenset({
    "about", "apps", "collections", "enterprise", "explore", "features", "login", "marketplace", "notifications",
    "orgs", "pricing", "search", "settings", "sponsors", "topics", "trending", "users",
})


def github_problem(url: str) -> str | None:
    """Why a github.com code link is not a repository (https://github.com/OWNER/REPO, or a folder
    of one: .../tree/BRANCH/DIR), or None."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in _GITHUB_HOSTS:
        return None
    segments = [s for s in parts.path.split("/") if s]
    form = "a code link is https://github.com/OWNER/REPO (or .../tree/BRANCH/DIR for a folder)"
    if len(segments) < 2:
        return f"not a repository: {form}"
    owner, repo = segments[:2]
    if owner.lower() in _GITHUB_NOT_OWNERS or not _GITHUB_OWNER.match(owner) or not _GITHUB_REPO.match(repo) or repo in (".", ".."):
        return f"'{owner}/{repo}' is not an OWNER/REPO pair: {form}"
    if repo.endswith(".git"):
        return f"drop '.git': https://github.com/{owner}/{repo[:-4]}"
    if len(segments) > 2 and segments[2] != "tree":
        return f"points inside the repository ('/{'/'.join(segments[2:])}'): link https://github.com/{owner}/{repo}"
    return None


def arxiv_problem(url: str, record_arxiv: object) -> str | None:
    """Why an arxiv.org link disagrees with the record's `arxiv`, or None."""
    found = arxiv_from_url(url)
    if found and isinstance(record_arxiv, str) and record_arxiv and found != record_arxiv:
        return f"the link is arXiv {found} but the record's arxiv is {record_arxiv}"
    return None


def url_problem(url: str) -> str | None:
    """Why a URL cannot be requested at all (not http(s), no host, spaces), or None."""
    try:
        check_url(url)
    except Exception as exc:  # pydantic's PydanticCustomError
        message = exc.message() if hasattr(exc, "message") else str(exc)
        return str(message)
    return None


def _refs_of_links(links: object, loc: tuple, display: str, doc, owner: str, arxiv: object, prefix: str) -> list[LinkRef]:
    if not isinstance(links, dict):
        return []
    out = []
    for name, url in links.items():
        if not isinstance(url, str):
            continue
        url = url.strip()
        problem = url_problem(url) or arxiv_problem(url, arxiv)
        if not problem and name == "code":
            problem = github_problem(url)
        line, _ = doc.where(loc + (name,))
        out.append(LinkRef(display, line, f"{prefix}links.{name}", url, owner, problem))
    return out


def links_in_file(path: Path, root: Path) -> tuple[list[LinkRef], bool]:
    """The links of one record file or of frameworks.yaml, and whether the file could be read."""
    display = display_path(path, root)
    doc, _ = read_yaml(path, display, RAW_TEXT_FIELDS)
    if doc is None or not isinstance(doc.data, dict):
        return [], False
    data = doc.data
    if path.name == FRAMEWORKS_FILE:
        out: list[LinkRef] = []
        for i, fw in enumerate(data.get("frameworks") or []):
            if isinstance(fw, dict):
                out += _refs_of_links(fw.get("links"), ("frameworks", i, "links"), display, doc,
                                      str(fw.get("name") or ""), None, f"frameworks[{i}].")
        return out, True
    return _refs_of_links(data.get("links"), ("links",), display, doc, str(data.get("id") or path.stem), data.get("arxiv"), ""), True


def changed_files(root: Path, ref: str) -> list[Path]:
    """Record files and frameworks.yaml changed since `ref` (its merge base with HEAD), committed
    or not, plus new untracked records. Deleted files are left out."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True)
        except FileNotFoundError as exc:
            raise LinkCheckError("--changed-since needs git on the PATH") from exc
        except subprocess.CalledProcessError as exc:
            raise LinkCheckError(f"--changed-since {ref}: git {args[0]} failed: {exc.stderr.strip()}"
                                 " (in CI, fetch the base first: git fetch origin main)") from exc
        return done.stdout

    git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    try:
        base = git("merge-base", ref, "HEAD").strip() or ref
    except LinkCheckError:
        base = ref  # a shallow clone may lack the merge base: compare with the ref itself
    spec = ["--", "papers", FRAMEWORKS_FILE]
    names = git("diff", "--name-only", "--relative", "--diff-filter=d", base, *spec).splitlines()
    names += git("ls-files", "--others", "--exclude-standard", *spec).splitlines()
    return sorted({root / n for n in names if n.endswith((".yaml", ".yml")) and (root / n).is_file()})


@dataclass
class Collected:
    refs: list[LinkRef]
    files: list[str]  # the files read, as displayed
    unreadable: list[str]  # files that are not YAML mappings: effdiff validate tells why


def collect_links(root: Path, paths: Sequence[Path] | None = None, changed_since: str | None = None) -> Collected:
    """The links to check. Default: every record and frameworks.yaml; `paths` limits to those
    files or folders; `changed_since` to the files changed since a git ref."""
    root = Path(root)
    if paths:
        absent = [str(p) for p in paths if not Path(p).exists()]
        if absent:
            raise LinkCheckError(f"no such file or folder: {', '.join(absent)}")
        files = record_files(root, [Path(p) for p in paths])
    else:
        files = record_files(root)
        if (root / FRAMEWORKS_FILE).is_file():
            files.append(root / FRAMEWORKS_FILE)
    if changed_since is not None:
        changed = {p.resolve() for p in changed_files(root, changed_since)}
        files = [p for p in files if p.resolve() in changed]
    collected = Collected([], [], [])
    for path in dict.fromkeys(files):
        found, ok = links_in_file(path, root)
        collected.refs += found
        collected.files.append(display_path(path, root))
        if not ok:
            collected.unreadable.append(display_path(path, root))
    return collected


# -- checking ------------------------------------------------------------------------------


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
    stack = [exc]
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

    def __exit__(self, *exc) -> None:
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
            try:
                self.guard.addresses(host, parts.port or (443 if parts.scheme == "https" else 80))
                slot.hold(key)
                response = self.session.request(method, url, allow_redirects=False, stream=True, timeout=(opts.timeout, opts.timeout))
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
                status = response.status_code
                headers = response.headers
                self._discard(response, method)
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


# -- the result cache ----------------------------------------------------------------------


def parse_duration(text: str) -> float:
    """'1d', '12h', '30m', '45s', '2w' or plain seconds -> seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", str(text))
    if not m:
        raise ValueError(f"'{text}' is not a duration: write e.g. 1d, 12h, 30m or 0")
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[m.group(2)]


class LinkCache:
    """Results by URL in a JSON file, reused for `ttl` seconds. Only lasting answers are kept: a
    timeout, a DNS or connection failure, a 429 or a 5xx may be gone on the next run. A result found with
    --allow-private is not reused without it."""

    VERSION = 1

    def __init__(self, path: Path | None, ttl: float, clock: Callable[[], float] = time.time):
        self.path, self.ttl, self.clock = path, ttl, clock
        self.entries: dict[str, dict] = {}
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("version") == self.VERSION and isinstance(data.get("results"), dict):
                    self.entries = data["results"]
            except (OSError, ValueError, AttributeError):
                self.entries = {}  # a damaged cache is only a slower run

    def get(self, url: str, allow_private: bool) -> LinkResult | None:
        entry = self.entries.get(url)
        if not entry or self.ttl <= 0:
            return None
        if self.clock() - float(entry.get("checked", 0)) > self.ttl:
            return None
        if entry.get("allow_private") and not allow_private:
            return None
        return LinkResult(url, entry["status"], entry.get("detail", ""), entry.get("http_status"), entry.get("new_url"),
                          float(entry.get("checked", 0)), cached=True)

    def put(self, result: LinkResult, allow_private: bool) -> None:
        transient = result.http_status is None or result.http_status == 429 or result.http_status >= 500
        if transient or result.cached:
            return
        self.entries[result.url] = {"status": result.status, "detail": result.detail, "http_status": result.http_status,
                                    "new_url": result.new_url, "checked": result.checked, "allow_private": allow_private}

    def save(self) -> None:
        if self.path is None:
            return
        now = self.clock()
        keep = {u: e for u, e in sorted(self.entries.items()) if self.ttl <= 0 or now - float(e.get("checked", 0)) <= self.ttl}
        write_text_atomic(self.path, json.dumps({"version": self.VERSION, "results": keep}, indent=1, ensure_ascii=False) + "\n")


# -- progress ------------------------------------------------------------------------------


class Progress:
    """A progress bar on a terminal; one plain line per URL otherwise (CI logs)."""

    def __init__(self, total: int, stream: TextIO | None = None, tty: bool | None = None):
        self.stream = stream or sys.stderr
        self.total, self.done = total, 0
        self.tty = self.stream.isatty() if tty is None else tty
        self._bar = None
        if self.tty and total:
            from tqdm import tqdm

            self._bar = tqdm(total=total, file=self.stream, unit="url", desc="check-links", leave=False, dynamic_ncols=True)

    def __call__(self, result: LinkResult) -> None:
        self.done += 1
        if self._bar is not None:
            self._bar.update(1)
            if result.status not in ("ok", "redirected"):
                self._bar.write(f"{result.status}: {result.url} ({result.detail})", file=self.stream)
            return
        width = len(str(self.total))
        detail = f"  {result.detail}" if result.status != "ok" else ""
        self.stream.write(f"[{self.done:>{width}}/{self.total}] {result.status:<10} {result.url}{detail}\n")
        self.stream.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


# -- the report ----------------------------------------------------------------------------


@dataclass
class Report:
    entries: list[tuple[LinkRef, LinkResult]] = field(default_factory=list)
    files: int = 0
    excluded: list[LinkRef] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    checked: int = 0  # URLs requested in this run
    cached: int = 0  # URLs taken from the cache
    elapsed: float = 0.0

    def counts(self) -> Counter:
        return Counter(result.status for _, result in self.entries)

    def by_status(self) -> dict[str, list[tuple[LinkRef, LinkResult]]]:
        groups: dict[str, list] = defaultdict(list)
        for ref, result in sorted(self.entries, key=lambda e: (e[0].file, e[0].line, e[0].url)):
            groups[result.status].append((ref, result))
        return {s: groups[s] for s in STATUSES if groups.get(s)}

    def exit_code(self, strict: bool = False) -> int:
        failing = FAILING_STRICT if strict else FAILING
        return 1 if any(result.status in failing for _, result in self.entries) else 0

    def summary(self) -> str:
        counts = self.counts()
        parts = [f"{counts[s]} {s}" for s in STATUSES if counts.get(s)] or ["nothing to check"]
        urls = len({r.url for _, r in self.entries})
        extra = []
        if self.cached:
            extra.append(f"{self.cached} URL(s) from the cache")
        if self.excluded:
            extra.append(f"{len(self.excluded)} link(s) excluded")
        if self.unreadable:
            extra.append(f"{len(self.unreadable)} unreadable file(s) skipped: run effdiff validate")
        return (f"{len(self.entries)} link(s) in {self.files} file(s), {urls} URL(s): {', '.join(parts)}"
                + (f"; {'; '.join(extra)}" if extra else "") + f" ({self.elapsed:.1f} s)")

    def format_text(self, verbose: bool = False) -> str:
        lines = []
        for status, entries in self.by_status().items():
            if status == "ok" and not verbose:
                continue
            for ref, result in entries:
                lines.append(f"{ref.file}:{ref.line}: {status}: {ref.field}: {ref.url}" + (f"\n    {result.detail}" if result.detail else ""))
        lines.append(self.summary())
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        rows = []
        for ref, result in sorted(self.entries, key=lambda e: (STATUSES.index(e[1].status), e[0].file, e[0].line)):
            row = {"file": ref.file, "line": ref.line, "field": ref.field, "owner": ref.owner}
            row.update({k: v for k, v in asdict(result).items() if k != "checked"})
            rows.append(row)
        counts = self.counts()
        data = {"summary": {"links": len(self.entries), "files": self.files, "urls": len({r.url for _, r in self.entries}),
                            "requested": self.checked, "cached": self.cached, "excluded": len(self.excluded),
                            "unreadable": self.unreadable, "elapsed": round(self.elapsed, 3),
                            **{s: counts.get(s, 0) for s in STATUSES}},
                "results": rows}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        """A report to paste as a pull request comment or an issue body: one table per status,
        worst first; working links are only counted (a full sweep would not fit a comment)."""
        counts = self.counts()
        failing = sum(counts.get(s, 0) for s in FAILING)
        head = "## Link check: " + (f"{failing} link(s) to fix" if failing else "no broken link")
        out = [head, "", self.summary(), ""]
        for status, entries in self.by_status().items():
            if status == "ok":
                continue
            out += [f"### {status} ({len(entries)})", "", "| File | URL | Status | Detail |", "| --- | --- | --- | --- |"]
            for ref, result in entries:
                out.append(f"| {_md(f'{ref.file}:{ref.line}')} | {_md(ref.url)} | {status} | {_md(result.detail)} |")
            out.append("")
        if counts.get("ok"):
            out += [f"{counts['ok']} link(s) ok (not listed).", ""]
        return "\n".join(out)


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


# -- the whole run -------------------------------------------------------------------------


def check_links(root: Path | str = ".", paths: Sequence[Path] | None = None, *, changed_since: str | None = None,
                options: CheckOptions | None = None, exclude: Sequence[str] = (), cache_path: Path | None = None,
                cache_ttl: float = 86400.0, progress: Callable[[int], Callable[[LinkResult], None]] | None = None,
                checker: LinkChecker | None = None) -> Report:
    """Collect, check and report the links of a catalog. `progress(total)` returns the callback
    that sees each fresh result; cached results are not shown to it."""
    start = time.perf_counter()
    root = Path(root)
    options = options or CheckOptions()
    patterns = [re.compile(p) for p in exclude]
    collected = collect_links(root, paths, changed_since)
    report = Report(files=len(collected.files), unreadable=collected.unreadable)
    kept: list[LinkRef] = []
    for ref in collected.refs:
        (report.excluded if any(p.search(ref.url) for p in patterns) else kept).append(ref)

    cache = LinkCache(cache_path, cache_ttl)
    results: dict[str, LinkResult] = {}
    wanted = list(dict.fromkeys(r.url for r in kept if not r.problem))
    todo = []
    for url in wanted:
        hit = cache.get(url, options.allow_private)
        if hit is not None:
            results[url] = hit
        else:
            todo.append(url)
    report.cached = len(results)
    report.checked = len(todo)
    if todo:
        callback = progress(len(todo)) if progress else None
        own = checker is None
        checker = checker or LinkChecker(options)
        try:
            fresh = checker.check(todo, callback)
        finally:
            if own:
                checker.close()
            close = getattr(callback, "close", None)
            if close:
                close()
        for url, result in fresh.items():
            results[url] = result
            cache.put(result, options.allow_private)
        try:
            cache.save()
        except OSError as exc:
            print(f"warning: could not write the link cache {cache_path}: {exc}", file=sys.stderr)
    for ref in kept:
        if ref.problem:
            report.entries.append((ref, LinkResult(ref.url, "invalid", ref.problem, checked=time.time())))
        else:
            report.entries.append((ref, results[ref.url]))
    report.elapsed = time.perf_counter() - start
    return report
