"""Metadata from public APIs: arXiv, Crossref, Semantic Scholar and GitHub.

`MetadataClient` is the one polite client: responses cached on disk, at most one request per
API every few seconds (arXiv 3 s, Semantic Scholar 1 s), retries with backoff, a User-Agent that
names the project, Crossref's `mailto` from EFFDIFF_MAILTO and a GitHub token from GITHUB_TOKEN.
Its lookups return `Found`: what one source says about a paper, parsed from the API's documented
format by the pure `parse_*` functions.

`enrich_catalog` (what `effdiff enrich` runs) fills the fields a record lacks from what the
sources found. A set field is never replaced without `overwrite`; a venue is taken only when it
maps to a name in venues.yaml, and nothing is guessed.

Base URLs come from EFFDIFF_ARXIV_API, EFFDIFF_CROSSREF_API, EFFDIFF_SEMANTICSCHOLAR_API and
EFFDIFF_GITHUB_API when set (tests point them at a loopback server).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import os
import re
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, TextIO
from urllib.parse import quote, urlencode

import requests
from pydantic import ValidationError

from ..errors import EnvironmentProblem, UsageError
from ..model import ARXIV_RE, DOI_RE, CodeStats, Paper
from ..net import USER_AGENT, Deadline, ResponseTooLarge, make_session, read_capped, retry_after
from ..store import PAPERS_DIR, display_path, dump_record, record_path, sweep_temp_files, write_record, write_text_atomic
from ..text import normalize_title
from ..urls import arxiv_id, github_repo, is_arxiv_doi

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

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_NS = "{http://arxiv.org/schemas/atom}"
S2_FIELDS = "title,authors,venue,publicationVenue,year,externalIds"


class EnrichError(UsageError):
    """enrich cannot run as asked (an unknown id, a catalog with errors)."""


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
class Found:
    """What one source says about a paper (None: it does not say)."""

    source: str
    title: Optional[str] = None
    authors: Optional[list[str]] = None
    doi: Optional[str] = None
    arxiv: Optional[str] = None
    venue: Optional[str] = None  # as the source spells it; mapped through venues.yaml before use
    venue_aliases: list[str] = field(default_factory=list)
    year: Optional[int] = None  # the year at that venue
    stars: Optional[int] = None
    last_commit: Optional[dt.date] = None


# -- parsing each API's documented format ----------------------------------------------------


def _squash(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text or None


def clean_doi(text: str | None) -> str | None:
    if not text:
        return None
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", text.strip(), flags=re.I)
    if not DOI_RE.match(doi) or is_arxiv_doi(doi):
        return None
    return doi


def _venue_and_year(text: str | None) -> tuple[str | None, int | None]:
    """A journal reference such as 'NeurIPS 2022' -> ('NeurIPS', 2022); the venue part is only
    used if it maps exactly to venues.yaml."""
    if not text:
        return None, None
    years = re.findall(r"\b((?:19|20)\d\d)\b", text)
    name = re.sub(r"\(.*?\)|\b\d+\b|[,:;]", " ", text)
    return _squash(name), int(years[-1]) if years else None


def parse_arxiv_atom(text: str) -> Found | None:
    """The first entry of an arXiv API Atom feed; None for an empty feed or the API's Error entry."""
    try:
        feed = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ApiError(f"arXiv answered something that is not an Atom feed: {text[:80]!r}") from exc
    for entry in feed.findall(f"{ATOM}entry"):
        entry_id = entry.findtext(f"{ATOM}id") or ""
        title = _squash(entry.findtext(f"{ATOM}title"))
        if "/api/errors" in entry_id or title == "Error":
            return None
        arxiv = arxiv_id(entry_id)
        if not arxiv:
            continue
        authors = [n for n in (_squash(a.findtext(f"{ATOM}name")) for a in entry.findall(f"{ATOM}author")) if n]
        venue, year = _venue_and_year(_squash(entry.findtext(f"{ARXIV_NS}journal_ref")))
        return Found("arxiv", title=title, authors=authors or None, doi=clean_doi(entry.findtext(f"{ARXIV_NS}doi")),
                     arxiv=arxiv, venue=venue, year=year if venue else None)
    return None


def _crossref_year(work: dict) -> int | None:
    for key in ("published-print", "published", "issued", "published-online"):
        parts = (work.get(key) or {}).get("date-parts") or []
        if parts and parts[0] and isinstance(parts[0][0], int):
            return parts[0][0]
    return None


def parse_crossref_work(work: dict) -> Found:
    """One Crossref work (the `message` of /works/{doi}, or an item of /works?query...)."""
    authors = []
    for a in work.get("author") or []:
        name = _squash(" ".join(p for p in (a.get("given"), a.get("family")) if p)) or _squash(a.get("name"))
        if name:
            authors.append(name)
    titles = work.get("title") or []
    containers = [c for c in (work.get("container-title") or []) if c]
    event = (work.get("event") or {}).get("name")
    preprint = work.get("type") == "posted-content"
    return Found("crossref", title=_squash(titles[0]) if titles else None, authors=authors or None,
                 doi=clean_doi(work.get("DOI")), venue=None if preprint or not containers else _squash(containers[0]),
                 venue_aliases=[] if preprint else [v for v in [*containers[1:], event] if v],
                 year=None if preprint else _crossref_year(work))


def parse_s2_paper(paper: dict) -> Found:
    """A Semantic Scholar Graph API paper object (fields as in S2_FIELDS)."""
    ids = paper.get("externalIds") or {}
    pv = paper.get("publicationVenue") or {}
    names = [n for n in [pv.get("name"), paper.get("venue"), *(pv.get("alternate_names") or [])] if n]
    arxiv = ids.get("ArXiv")
    return Found("semanticscholar", title=_squash(paper.get("title")),
                 authors=[n for n in (_squash(a.get("name")) for a in paper.get("authors") or []) if n] or None,
                 doi=clean_doi(ids.get("DOI")), arxiv=arxiv if arxiv and ARXIV_RE.match(arxiv) else None,
                 venue=names[0] if names else None, venue_aliases=names[1:],
                 year=paper.get("year") if isinstance(paper.get("year"), int) else None)


def parse_github(repo: dict, commits: list | None) -> Found:
    """GitHub's repository object and the first page of its commits on the default branch."""
    last = None
    if commits:
        stamp = ((commits[0].get("commit") or {}).get("committer") or {}).get("date")
        if stamp:
            last = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).date()
    stars = repo.get("stargazers_count")
    return Found("github", stars=stars if isinstance(stars, int) else None, last_commit=last)


# -- the client ------------------------------------------------------------------------------


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

    def get(self, api: str, path: str, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None) -> ApiResponse:
        """GET base+path with params: from the cache when fresh, else politely from the API.
        200 and 404 answers are cached; anything else raises ApiError after the retries."""
        if api in self.unavailable:
            raise ApiError(self.unavailable[api])
        query = urlencode(sorted((params or {}).items()))
        url = self.config.bases[api] + path + (f"?{query}" if query else "")
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


# -- enriching records -----------------------------------------------------------------------


@dataclass
class Change:
    field: str
    old: Any
    new: Any
    source: str


def _wanted(paper: Paper, overwrite: bool) -> set[str]:
    want = set()
    if overwrite or not paper.authors:
        want.add("authors")
    if overwrite or not paper.doi:
        want.add("doi")
    if overwrite or not paper.arxiv:
        want.add("arxiv")
    if overwrite or paper.venue == "arXiv":  # a preprint's venue is a placeholder until it is published
        want.add("venue")
    if github_repo(paper.links.code) and (overwrite or paper.code_stats is None):
        want.add("code_stats")
    return want


def lookup(client: MetadataClient, paper: Paper, sources: Sequence[str], want: set[str]) -> tuple[list[Found], list[str]]:
    """Ask each source in order (only those that can give a wanted field). Returns what they
    found and the errors met."""
    found: list[Found] = []
    errors: list[str] = []
    arxiv, doi = paper.arxiv, paper.doi
    for source in sources:
        try:
            result = None
            if source == "arxiv" and want & {"authors", "doi", "venue"}:
                result = client.arxiv(arxiv) if arxiv else None
            elif source == "crossref" and want & {"authors", "doi", "venue"}:
                result = client.crossref_work(doi) if doi else client.crossref_by_title(paper.title)
            elif source == "semanticscholar" and want & {"authors", "doi", "arxiv", "venue"}:
                result = client.semanticscholar(arxiv=arxiv, doi=None if arxiv else doi, title=paper.title)
            elif source == "github" and "code_stats" in want:
                repo = github_repo(paper.links.code)
                result = client.github(*repo) if repo else None
        except ApiError as exc:
            errors.append(str(exc))
            continue
        except (ValueError, KeyError, TypeError, AttributeError) as exc:  # an answer not in the documented format
            errors.append(f"{source}: unexpected answer ({exc})")
            continue
        if result is not None:
            found.append(result)
            arxiv = arxiv or result.arxiv
            doi = doi or result.doi
    return found, errors


def plan_changes(paper: Paper, found: Sequence[Found], venues: Any, overwrite: bool = False,
                 today: dt.date | None = None) -> list[Change]:
    """The changes the found metadata makes to a record: the first source (in the order asked)
    that gives a field wins; set fields are kept unless `overwrite`."""
    want = _wanted(paper, overwrite)
    changes: list[Change] = []

    def first(attr: str) -> Found | None:
        return next((f for f in found if getattr(f, attr)), None)

    if "authors" in want and (f := first("authors")) and f.authors != paper.authors:
        changes.append(Change("authors", paper.authors, f.authors, f.source))
    if "doi" in want and (f := first("doi")) and (paper.doi or "").lower() != f.doi.lower():
        changes.append(Change("doi", paper.doi, f.doi, f.source))
    if "arxiv" in want and (f := first("arxiv")) and f.arxiv != paper.arxiv:
        changes.append(Change("arxiv", paper.arxiv, f.arxiv, f.source))
    if "venue" in want:
        for f in found:
            names = [n for n in [f.venue, *f.venue_aliases] if n]
            venue = next((v for v in (map_venue(n, venues) for n in names) if v and v != "arXiv"), None)
            if venue and f.year:
                if venue != paper.venue:
                    changes.append(Change("venue", paper.venue, venue, f.source))
                if f.year != paper.year:
                    changes.append(Change("year", paper.year, f.year, f.source))
                break
    if "code_stats" in want and (f := next((x for x in found if x.stars is not None and x.last_commit), None)):
        stats = CodeStats(stars=f.stars, last_commit=f.last_commit, checked=today or dt.date.today())
        old = paper.code_stats
        if old is None or (old.stars, old.last_commit) != (stats.stars, stats.last_commit):
            changes.append(Change("code_stats", old, stats, f.source))
    return changes


def map_venue(name: str, venues: Any) -> str | None:
    """The venues.yaml name of an API's venue string (Venues.resolve); None when unknown."""
    found = venues.resolve(name)
    return found.name if found else None


def apply_changes(paper: Paper, changes: Sequence[Change], vocab: Any) -> tuple[Paper, list[Change], list[str]]:
    """The record with the changes that keep it valid; the ones kept; why others were dropped."""
    data = paper.model_dump()
    kept, dropped = [], []
    for change in changes:
        trial = dict(data)
        trial[change.field] = change.new.model_dump() if isinstance(change.new, CodeStats) else change.new
        try:
            Paper.model_validate(trial, context={"vocab": vocab})
        except ValidationError as exc:
            dropped.append(f"{change.field} from {change.source} not taken: {exc.errors()[0]['msg']}")
            continue
        data = trial
        kept.append(change)
    return Paper.model_validate(data, context={"vocab": vocab}), kept, dropped


def _show(value: Any) -> str:
    if isinstance(value, CodeStats):
        return f"{value.stars} stars, last commit {value.last_commit}"
    if isinstance(value, list):
        return ", ".join(map(str, value)) if len(value) <= 4 else f"{', '.join(map(str, value[:3]))} and {len(value) - 3} more"
    return str(value)


def enrich_catalog(root: Path | str, ids: Iterable[str] = (), *, sources: Sequence[str] | None = None,
                   dry_run: bool = False, overwrite: bool = False, cache_dir: Path | None = None,
                   client: MetadataClient | None = None, out: TextIO | None = None, today: dt.date | None = None) -> int:
    """Enrich the given records (default: all). Returns the exit code: 1 when an API failed."""
    import sys

    from ..catalog import Catalog

    out = out or sys.stdout
    root = Path(root)
    sources = list(sources or SOURCES)
    catalog = Catalog.load(root)
    if not dry_run:
        sweep_temp_files(root / PAPERS_DIR)
    ids = list(ids)
    missing = [i for i in ids if i not in catalog.papers]
    if missing:
        bad = [i for i in missing if record_path(root, i).exists()]
        hint = "fix it first: effdiff validate" if bad else "see papers/ for the ids"
        raise EnrichError(f"no valid record with id {', '.join(repr(m) for m in missing)}; {hint}")
    papers = [catalog.papers[i] for i in ids] if ids else catalog.sorted_papers()
    if not ids and catalog.errors:
        broken = sorted({p.path for p in catalog.errors})
        print(f"note: {len(broken)} file(s) with errors are left out: run effdiff validate", file=out)
    own = client is None
    client = client or MetadataClient(ApiConfig.from_env(), cache_dir if cache_dir is not None else root / ".effdiff-cache" / "api")
    changed = failed = 0
    try:
        for paper in papers:
            path = record_path(root, paper.id)
            display = display_path(path, root)
            want = _wanted(paper, overwrite)
            if not want:
                continue
            found, errors = lookup(client, paper, sources, want)
            for error in errors:
                print(f"{display}: warning: {error}", file=out)
            failed += bool(errors)
            changes = plan_changes(paper, found, catalog.venues, overwrite, today)
            if not changes:
                continue
            new, kept, dropped = apply_changes(paper, changes, catalog.vocab)
            for why in dropped:
                print(f"{display}: warning: {why}", file=out)
            if not kept:
                continue
            changed += 1
            for c in kept:
                print(f"{display}: {c.field}: {_show(c.new)} (from {c.source})", file=out)
            if dry_run:
                old_text = path.read_text(encoding="utf-8")
                out.writelines(difflib.unified_diff(old_text.splitlines(keepends=True), dump_record(new).splitlines(keepends=True),
                                                    f"a/{display}", f"b/{display}"))
            else:
                write_record(root, new, overwrite=True)
    finally:
        if own:
            client.close()
    verb = "would change" if dry_run else "changed"
    print(f"{len(papers)} record(s) looked at, {changed} {verb}" + (f", {failed} with API errors" if failed else "")
          + (" (dry run: nothing written)" if dry_run else ""), file=out)
    return 1 if failed else 0
