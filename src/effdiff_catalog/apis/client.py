"""`MetadataClient`: the one polite client for the metadata APIs.

Responses cached on disk, at most one request per API every few seconds (arXiv 3 s, Semantic
Scholar 1 s), retries with backoff, a User-Agent that names the project, Crossref's `mailto` from
EFFDIFF_MAILTO and a GitHub token from GITHUB_TOKEN. Base URLs come from EFFDIFF_ARXIV_API,
EFFDIFF_CROSSREF_API, EFFDIFF_SEMANTICSCHOLAR_API and EFFDIFF_GITHUB_API when set (tests point them
at a loopback server). Its lookups return `Found`, parsed by each API's module.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional
from urllib.parse import quote, urlencode

import requests

from ..errors import EnvironmentProblem
from ..net import USER_AGENT, Deadline, ResponseTooLarge, make_session, read_capped, retry_after
from ..store import write_text_atomic
from ..text import normalize_title
from .arxiv import ArxivFeed, parse_arxiv_atom, parse_arxiv_feed
from .crossref import parse_crossref_work
from .found import Found
from .github import parse_github
from .semanticscholar import S2_FIELDS, parse_s2_paper

SOURCES = ("arxiv", "crossref", "semanticscholar", "github")
DEFAULT_BASES = {
    "arxiv": "https://export.arxiv.org/api/query",
    "crossref": "https://api.crossref.org",
    "semanticscholar": "https://api.semanticscholar.org/graph/v1",
    "github": "https://api.github.com",
}
DEFAULT_INTERVALS = {"arxiv": 3.0, "crossref": 1.0, "semanticscholar": 1.0, "github": 1.0}
# papers' metadata barely changes; a repository's stars do
DEFAULT_TTLS = {"arxiv": 30 * 86400.0, "crossref": 30 * 86400.0, "semanticscholar": 30 * 86400.0, "github": 86400.0}
# the largest answer read from each API: far above what one paper's metadata takes (a Crossref work
# with thousands of references is a few MB), far below what would fill the memory
DEFAULT_MAX_BYTES = {"arxiv": 4 << 20, "crossref": 16 << 20, "semanticscholar": 4 << 20, "github": 4 << 20}


class ApiError(EnvironmentProblem):
    """An API did not answer usefully (after retries)."""


@dataclass
class ApiConfig:
    bases: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_BASES))
    intervals: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_INTERVALS))
    ttls: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_TTLS))
    max_bytes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MAX_BYTES))
    mailto: Optional[str] = None
    github_token: Optional[str] = None
    timeout: float = 30.0
    retries: int = 2
    backoff: float = 2.0
    retry_after_cap: float = 60.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> "ApiConfig":
        env = os.environ if env is None else env
        config = cls(**overrides)
        for api in SOURCES:
            base = env.get(f"EFFDIFF_{api.upper()}_API")
            if base:
                config.bases[api] = base.rstrip("/")
        config.mailto = config.mailto or env.get("EFFDIFF_MAILTO") or None
        config.github_token = config.github_token or env.get("GITHUB_TOKEN") or None
        return config


@dataclass
class ApiResponse:
    status: int
    text: str
    cached: bool = False

    def json(self) -> Any:
        return json.loads(self.text)


class MetadataClient:
    """One polite, cached client for the metadata APIs, reusable by any importer."""

    def __init__(self, config: ApiConfig | None = None, cache_dir: Path | None = None,
                 session: requests.Session | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.config = config or ApiConfig.from_env()
        self.cache_dir = cache_dir
        agent = USER_AGENT[:-1] + f"; mailto:{self.config.mailto})" if self.config.mailto else USER_AGENT
        self.session = session or make_session(pool_hosts=8, pool_per_host=2, user_agent=agent)
        self._sleep, self._clock = sleep, clock
        self._last: dict[str, float] = {}
        self._locks = {api: threading.Lock() for api in SOURCES}
        self.requests_made = 0
        self.unavailable: dict[str, str] = {}  # api -> why it is skipped for the rest of the run

    def close(self) -> None:
        self.session.close()

    # transport

    def _cache_file(self, api: str, url: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / api / (hashlib.sha256(url.encode("utf-8")).hexdigest()[:32] + ".json")

    def _url(self, api: str, path: str, params: Mapping[str, Any] | None) -> str:
        query = urlencode(sorted((params or {}).items()))
        return self.config.bases[api] + path + (f"?{query}" if query else "")

    def forget(self, api: str, path: str, params: Mapping[str, Any] | None = None) -> None:
        """Drop a cached answer (one that turned out unusable), so the next get asks again."""
        cache_file = self._cache_file(api, self._url(api, path, params))
        if cache_file is not None:
            cache_file.unlink(missing_ok=True)

    def get(self, api: str, path: str, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None) -> ApiResponse:
        """GET base+path with params: from the cache when fresh, else politely from the API.
        200 and 404 answers are cached; anything else raises ApiError after the retries."""
        if api in self.unavailable:
            raise ApiError(self.unavailable[api])
        url = self._url(api, path, params)
        cache_file = self._cache_file(api, url)
        if cache_file is not None and cache_file.is_file():
            try:
                entry = json.loads(cache_file.read_text(encoding="utf-8"))
                if time.time() - entry["fetched"] <= self.config.ttls.get(api, 0):
                    return ApiResponse(entry["status"], entry["text"], cached=True)
            except (OSError, ValueError, KeyError, TypeError):
                pass
        extra = dict(headers or {})
        send = dict(params or {})
        if api == "crossref" and self.config.mailto:
            send["mailto"] = self.config.mailto  # the polite pool; left out of the cache key
        if api == "github":
            extra.setdefault("Accept", "application/vnd.github+json")
            extra.setdefault("X-GitHub-Api-Version", "2022-11-28")
            if self.config.github_token:
                extra["Authorization"] = f"Bearer {self.config.github_token}"
        response = self._request(api, self.config.bases[api] + path, send, extra)
        if cache_file is not None and response.status in (200, 404):
            write_text_atomic(cache_file, json.dumps({"url": url, "status": response.status, "text": response.text,
                                                      "fetched": time.time()}, ensure_ascii=False))
        return response

    def _wait_turn(self, api: str) -> None:
        interval = self.config.intervals.get(api, 1.0)
        last = self._last.get(api)
        if last is not None:
            wait = last + interval - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last[api] = self._clock()

    def _request(self, api: str, url: str, params: Mapping[str, Any], headers: Mapping[str, str]) -> ApiResponse:
        cfg = self.config
        attempt = 0
        with self._locks[api]:
            while True:
                self._wait_turn(api)
                self.requests_made += 1
                deadline = Deadline(cfg.timeout)  # for the whole answer, streamed and capped
                limit = cfg.max_bytes.get(api, max(DEFAULT_MAX_BYTES.values()))
                try:
                    with deadline:
                        r = self.session.get(url, params=params, headers=headers, timeout=cfg.timeout, stream=True)
                        if r.status_code in (200, 404):
                            read_capped(r, limit)
                        r.close()
                    if deadline.expired:
                        raise requests.exceptions.Timeout()
                except ResponseTooLarge:
                    raise ApiError(f"{api}: the answer is larger than {limit:,} bytes; not read") from None
                except (requests.exceptions.Timeout, requests.exceptions.ConnectionError,
                        requests.exceptions.ChunkedEncodingError) as exc:
                    problem, wait = f"{api}: {'Timeout' if deadline.expired else type(exc).__name__}", None
                else:
                    if r.status_code in (200, 404):
                        return ApiResponse(r.status_code, r.text)
                    if api == "github" and r.status_code in (403, 429) and r.headers.get("X-RateLimit-Remaining") == "0":
                        self.unavailable[api] = ("GitHub's rate limit is used up"
                                                 + ("" if cfg.github_token else ": set GITHUB_TOKEN for a higher one"))
                        raise ApiError(self.unavailable[api])
                    problem = f"{api}: HTTP {r.status_code}"
                    if r.status_code != 429 and r.status_code < 500:
                        raise ApiError(problem)
                    wait = retry_after(r.headers.get("Retry-After"))
                if attempt >= cfg.retries:
                    raise ApiError(problem + (f" after {attempt + 1} tries" if attempt else ""))
                self._sleep(min(wait, cfg.retry_after_cap) if wait is not None else cfg.backoff * 2 ** attempt)
                attempt += 1

    # lookups

    def arxiv(self, arxiv_id: str) -> Found | None:
        r = self.get("arxiv", "", {"id_list": arxiv_id, "max_results": 1})
        found = parse_arxiv_atom(r.text) if r.status == 200 else None
        return found if found and found.arxiv == arxiv_id else None

    def arxiv_feed(self, params: Mapping[str, Any]) -> ArxivFeed:
        """One page of an arXiv API query (search_query or id_list, start, max_results, sorting).
        An answer that is not a usable feed is dropped from the cache and raises."""
        r = self.get("arxiv", "", params)
        if r.status != 200:
            raise ApiError(f"arxiv: HTTP {r.status}")
        try:
            return parse_arxiv_feed(r.text)
        except EnvironmentProblem:
            self.forget("arxiv", "", params)
            raise

    def crossref_work(self, doi: str) -> Found | None:
        r = self.get("crossref", f"/works/{quote(doi, safe='')}")
        return parse_crossref_work(r.json().get("message") or {}) if r.status == 200 else None

    def crossref_by_title(self, title: str) -> Found | None:
        """The work whose title equals `title` (case, accents and punctuation aside), or None."""
        r = self.get("crossref", "/works", {"query.bibliographic": title, "rows": 5})
        if r.status != 200:
            return None
        for item in (r.json().get("message") or {}).get("items") or []:
            found = parse_crossref_work(item)
            if found.title and normalize_title(found.title) == normalize_title(title):
                return found
        return None

    def semanticscholar(self, arxiv: str | None = None, doi: str | None = None, title: str | None = None) -> Found | None:
        """By arXiv id, else DOI, else an exact title match."""
        if arxiv or doi:
            ident = f"arXiv:{arxiv}" if arxiv else f"DOI:{doi}"
            r = self.get("semanticscholar", f"/paper/{quote(ident, safe=':')}", {"fields": S2_FIELDS})
            return parse_s2_paper(r.json()) if r.status == 200 else None
        if title:
            r = self.get("semanticscholar", "/paper/search/match", {"query": title, "fields": S2_FIELDS})
            if r.status != 200:
                return None
            for item in r.json().get("data") or []:
                found = parse_s2_paper(item)
                if found.title and normalize_title(found.title) == normalize_title(title):
                    return found
        return None

    def github(self, owner: str, repo: str) -> Found | None:
        r = self.get("github", f"/repos/{quote(owner)}/{quote(repo)}")
        if r.status != 200:
            return None
        data = r.json()
        branch = data.get("default_branch")
        commits = self.get("github", f"/repos/{quote(owner)}/{quote(repo)}/commits",
                           {"per_page": 1, **({"sha": branch} if branch else {})})
        return parse_github(data, commits.json() if commits.status == 200 else None)
