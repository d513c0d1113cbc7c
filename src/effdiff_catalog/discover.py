"""`effdiff discover`: new papers from arXiv that the catalog may want, ranked, with suggested nodes.

Steps: build arXiv API queries from the taxonomy's keywords (the categories below, a diffusion
term, the keywords in chunks, the submission window); page through each with the one polite client
(apis.client: cache, 3 s between arXiv requests, retries, User-Agent); leave out the papers the
catalog already has (importers.merge.match_keys: arXiv id, DOI, paper link, normalized title);
score the rest with the catalog-trained classifier (classify.py) on title and abstract; rank them.
`write_records` turns chosen candidates into records (venue arXiv, the suggested node), never
overwriting one.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Literal, Optional, Sequence

from .add import AddError, Facts, build
from .apis.arxiv import ArxivEntry
from .apis import MetadataClient
from .catalog import Catalog
from .classify import RELEVANCE_THRESHOLD, Classifier, Suggestion, candidate_text, keyword_hits, relevance_of
from .errors import UsageError
from .importers.merge import match_keys
from .model import arxiv_year
from .store import PAPERS_DIR, RecordExists, display_path, sweep_temp_files, write_record
from .urls import code_links, paper_url

ARXIV_CATEGORIES = ("cs.CV", "cs.LG", "cs.AI", "cs.CL", "eess.IV", "eess.AS", "cs.DC", "cs.AR")
# every query also needs one of these in the abstract: the keywords alone find LLM and CNN work too
SUBJECT_TERMS = ("diffusion", "flow matching", "rectified flow", "consistency model")
MAX_KEYWORD_CLAUSE = 600  # characters of keyword terms per query; the URL stays well under arXiv's limits
PAGE_SIZE = 100
DEFAULT_MAX = 300  # results per query


def _phrase(field_name: str, text: str) -> str:
    return f'{field_name}:"{text}"'


def build_queries(keywords: Sequence[str], since: dt.date, until: dt.date) -> list[str]:
    """arXiv API search_query strings covering every keyword, each within MAX_KEYWORD_CLAUSE."""
    categories = " OR ".join(f"cat:{c}" for c in ARXIV_CATEGORIES)
    subject = " OR ".join(_phrase("abs", t) for t in SUBJECT_TERMS)
    window = f"submittedDate:[{since:%Y%m%d}0000 TO {until:%Y%m%d}2359]"
    chunks: list[list[str]] = [[]]
    for keyword in dict.fromkeys(k.lower() for k in keywords):
        term = _phrase("abs", keyword)
        if chunks[-1] and len(" OR ".join(chunks[-1] + [term])) > MAX_KEYWORD_CLAUSE:
            chunks.append([])
        chunks[-1].append(term)
    return [f"({categories}) AND ({subject}) AND ({' OR '.join(chunk)}) AND {window}" for chunk in chunks if chunk]


def search(client: MetadataClient, query: str, limit: int, page_size: int = PAGE_SIZE, notes: Optional[list[str]] = None) -> list[ArxivEntry]:
    """Up to `limit` entries of one query, newest first, page by page."""
    out: list[ArxivEntry] = []
    start = 0
    while len(out) < limit:
        feed = client.arxiv_feed({"search_query": query, "start": start, "max_results": min(page_size, limit - len(out)),
                                  "sortBy": "submittedDate", "sortOrder": "descending"})
        out.extend(feed.entries)
        start += len(feed.entries)
        if not feed.entries:
            if start < feed.total and notes is not None:
                notes.append(f"arXiv answered an empty page at result {start} of {feed.total}; "
                             "the list may be incomplete: run the command again later")
            break
        if start >= feed.total:
            break
    return out[:limit]


@dataclass
class Candidate:
    entry: ArxivEntry
    suggestions: list[Suggestion]
    relevance: float
    keywords: list[str]
    code: Optional[str]
    relevant: bool

    @property
    def write_command(self) -> str:
        return f"effdiff discover --write {self.entry.arxiv}"

    def to_dict(self) -> dict:
        e = self.entry
        return {"arxiv": e.arxiv, "title": e.title, "authors": e.authors, "published": e.published.isoformat() if e.published else None,
                "categories": e.categories, "url": paper_url(e.arxiv), "relevance": round(self.relevance, 4), "relevant": self.relevant,
                "suggestions": [{"node": s.node, "score": round(s.score, 4)} for s in self.suggestions],
                "keywords": self.keywords, "code": self.code, "write": self.write_command}


@dataclass
class Known:
    arxiv: str
    title: str
    record: str  # the catalog file that has it


@dataclass
class Discovery:
    since: dt.date
    until: dt.date
    threshold: float
    queries: list[str] = field(default_factory=list)
    fetched: int = 0  # distinct papers arXiv answered
    candidates: list[Candidate] = field(default_factory=list)  # ranked: relevant first, by relevance
    known: list[Known] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    requests: int = 0

    @property
    def relevant(self) -> list[Candidate]:
        return [c for c in self.candidates if c.relevant]

    @property
    def others(self) -> list[Candidate]:
        return [c for c in self.candidates if not c.relevant]

    def summary(self) -> str:
        return (f"arXiv papers submitted {self.since} to {self.until}: {self.fetched} found, {len(self.known)} already in the catalog "
                f"(left out), {len(self.candidates)} candidates, {len(self.relevant)} above the relevance threshold {self.threshold:.2f}")

    # -- outputs ----------------------------------------------------------------------------

    def format_text(self) -> str:
        lines = [self.summary(), ""]
        for number, cand in enumerate(self.candidates, 1):
            if number == len(self.relevant) + 1:
                lines += ["Below the relevance threshold (probably not efficiency work):", ""]
            e = cand.entry
            lines.append(f"{number}. {e.title}")
            lines.append(f"   {_authors(e.authors)}")
            lines.append(f"   arXiv {e.arxiv}, {e.published or 'date unknown'} · relevance {cand.relevance:.2f}")
            lines.append("   suggested: " + ", ".join(s.format() for s in cand.suggestions))
            lines.append("   keywords: " + (", ".join(cand.keywords) or "none"))
            if cand.code:
                lines.append(f"   code: {cand.code}")
            lines.append(f"   add it: {cand.write_command}")
            lines.append("")
        if self.known:
            lines.append("Already in the catalog (left out):")
            lines += [f"  {k.arxiv}  {k.title}  ({k.record})" for k in self.known]
            lines.append("")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines).rstrip("\n") + "\n"

    def format_markdown(self) -> str:
        lines = [f"Papers submitted to arXiv from {self.since} to {self.until} that `effdiff discover` found for the catalog: "
                 f"{len(self.candidates)} candidates ({len(self.relevant)} above the relevance threshold {self.threshold:.2f}), "
                 f"{len(self.known)} already in the catalog left out. Each comes with the taxonomy leaves the catalog's "
                 "classifier suggests and the command that writes its record; CONTRIBUTING.md says how to turn one "
                 "into a pull request.", ""]
        for number, cand in enumerate(self.candidates, 1):
            if number == 1 and cand.relevant:
                lines += ["## Candidates", ""]
            if number == len(self.relevant) + 1:
                lines += ["## Below the relevance threshold", "", "Probably not efficiency work; listed for completeness.", ""]
            e = cand.entry
            lines.append(f"### {number}. [{_md(e.title)}]({paper_url(e.arxiv)})")
            lines.append("")
            lines.append(f"{_md(_authors(e.authors))} · arXiv {e.arxiv} · {e.published or 'date unknown'} · relevance {cand.relevance:.2f}")
            lines.append("")
            lines.append("- suggested: " + ", ".join(f"`{s.node}` ({s.score:.2f})" for s in cand.suggestions))
            lines.append("- keywords: " + (", ".join(_md(k) for k in cand.keywords) or "none"))
            if cand.code:
                lines.append(f"- code: {cand.code}")
            lines += ["", "```sh", cand.write_command, "```", ""]
        if not self.candidates:
            lines += ["No new candidates this week.", ""]
        if self.known:
            lines += ["<details><summary>Already in the catalog (left out)</summary>", ""]
            lines += [f"- arXiv {k.arxiv}: {_md(k.title)} (`{k.record}`)" for k in self.known]
            lines += ["", "</details>", ""]
        lines += [f"> note: {_md(n)}" for n in self.notes]
        return "\n".join(lines).rstrip("\n") + "\n"

    def to_json(self) -> str:
        data = {"since": self.since.isoformat(), "until": self.until.isoformat(), "threshold": self.threshold,
                "fetched": self.fetched, "candidates": [c.to_dict() for c in self.candidates],
                "known": [k.__dict__ for k in self.known], "notes": self.notes, "queries": self.queries}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _authors(authors: list[str], shown: int = 6) -> str:
    if not authors:
        return "authors unknown"
    if len(authors) <= shown:
        return ", ".join(authors)
    return ", ".join(authors[:shown]) + f" and {len(authors) - shown} more"


def _md(text: str) -> str:
    """Text safe inside markdown: its markup characters escaped."""
    return "".join("\\" + ch if ch in "\\`*_[]<>|#" else ch for ch in text)


def latest_added(catalog: Catalog) -> Optional[dt.date]:
    """The newest `added` date in the catalog: where the last discovery left off."""
    return max((p.added for p in catalog.papers.values()), default=None)


class _KeyIndex:
    """The catalog's duplicate keys (match_keys), each to its record."""

    def __init__(self, catalog: Catalog):
        self._catalog = catalog
        self._keys: dict[tuple[str, str], str] = {}
        for paper in catalog.sorted_papers():
            self.add(paper.id, paper.model_dump())

    def add(self, record_id: str, data: dict) -> None:
        for key in match_keys(data):
            self._keys.setdefault(key, record_id)

    def find(self, entry: ArxivEntry) -> Optional[str]:
        data = {"arxiv": entry.arxiv, "doi": entry.doi, "title": entry.title, "links": {"paper": paper_url(entry.arxiv)}}
        for key in match_keys(data):
            if key in self._keys:
                return self._keys[key]
        return None


def score(entry: ArxivEntry, classifier: Classifier, catalog: Catalog, threshold: float = RELEVANCE_THRESHOLD) -> Candidate:
    ranked = classifier.rank(candidate_text(entry.title, entry.abstract))
    relevance = relevance_of(ranked)
    text = f"{entry.title} . {entry.abstract}"
    code = code_links(f"{entry.abstract} {entry.comment or ''}")
    return Candidate(entry, ranked[:3], relevance, keyword_hits(catalog.taxonomy, text), code[0] if code else None,
                     relevance >= threshold)


def discover(catalog: Catalog, client: MetadataClient, *, since: dt.date, until: dt.date, limit: int = DEFAULT_MAX, page_size: int = PAGE_SIZE,
             classifier: Optional[Classifier] = None, threshold: float = RELEVANCE_THRESHOLD) -> Discovery:
    """Ask arXiv for the window's papers that match the taxonomy's keywords, leave out those the
    catalog has, and rank the rest."""
    if since > until:
        raise UsageError(f"--since {since} is after --until {until}")
    keywords = [k for k, _node in catalog.taxonomy.keywords()]
    if not keywords:
        raise UsageError("taxonomy.yaml gives no node keywords to search for; add `keywords:` to its nodes")
    result = Discovery(since, until, threshold, queries=build_queries(keywords, since, until))
    before = client.requests_made
    entries: dict[str, ArxivEntry] = {}
    outside = 0
    for query in result.queries:
        for entry in search(client, query, limit, page_size, result.notes):
            if entry.published and not since <= entry.published <= until:
                outside += 1  # arXiv filters by submission date already; a stray one is not a candidate
                continue
            entries.setdefault(entry.arxiv, entry)
    if outside:
        result.notes.append(f"{outside} answer(s) submitted outside {since}..{until} left out")
    result.requests = client.requests_made - before
    result.notes = list(dict.fromkeys(result.notes))
    result.fetched = len(entries)
    index = _KeyIndex(catalog)
    classifier = classifier or Classifier.from_catalog(catalog)
    for entry in entries.values():
        record = index.find(entry)
        if record:
            result.known.append(Known(entry.arxiv, entry.title, catalog.paths[record]))
        else:
            result.candidates.append(score(entry, classifier, catalog, threshold))
    result.candidates.sort(key=lambda c: (not c.relevant, -c.relevance, c.entry.arxiv))
    result.known.sort(key=lambda k: k.arxiv)
    return result


# -- writing records ---------------------------------------------------------------------------


@dataclass
class Written:
    arxiv: str
    status: Literal["written", "refused", "unknown"]
    path: str = ""
    node: str = ""
    score: float = 0.0
    message: str = ""

    def format(self) -> str:
        if self.status == "written":
            return f"wrote {self.path} (arXiv {self.arxiv}, {self.node} {self.score:.2f})"
        return f"not written: arXiv {self.arxiv}: {self.message}"


def write_records(catalog: Catalog, client: MetadataClient, ids: Sequence[str], *, classifier: Optional[Classifier] = None,
                  added: Optional[dt.date] = None) -> list[Written]:
    """A record for each arXiv id, from arXiv's facts: venue arXiv, the year of the id, the code
    repository the abstract names, the classifier's first node. A paper the catalog has, or a file
    that exists, is refused; nothing is overwritten."""
    wanted = list(dict.fromkeys(ids))
    index = _KeyIndex(catalog)
    known = {a: index.find(ArxivEntry(a, "")) for a in wanted}  # by arXiv id: no need to ask arXiv
    ask = [a for a in wanted if not known[a]]
    by_id = {}
    if ask:
        feed = client.arxiv_feed({"id_list": ",".join(ask), "max_results": len(ask)})
        by_id = {e.arxiv: e for e in feed.entries}
        classifier = classifier or Classifier.from_catalog(catalog)
        sweep_temp_files(catalog.root / PAPERS_DIR)
    out = []
    for arxiv in wanted:
        entry = by_id.get(arxiv)
        existing = known[arxiv] or (index.find(entry) if entry else None)
        if entry is None and not existing:
            out.append(Written(arxiv, "unknown", message="arXiv knows no such paper"))
            continue
        if existing:
            out.append(Written(arxiv, "refused", message=f"already in the catalog: {catalog.paths[existing]}"))
            continue
        assert entry is not None and classifier is not None
        suggestion = classifier.suggest(entry.title, entry.abstract, k=1)[0]
        code = code_links(f"{entry.abstract} {entry.comment or ''}")
        facts = Facts(title=entry.title, authors=entry.authors or None, venue="arXiv", year=arxiv_year(entry.arxiv),
                      arxiv=entry.arxiv, paper=paper_url(entry.arxiv), code=code[0] if code else None,
                      categories=[suggestion.node])
        try:
            paper = build(facts, catalog, None, added or dt.date.today())
            path = write_record(catalog.root, paper)
        except (AddError, RecordExists) as exc:
            out.append(Written(arxiv, "refused", message=str(exc)))
            continue
        shown = display_path(path, catalog.root)
        catalog.papers[paper.id] = paper
        catalog.paths[paper.id] = shown
        index.add(paper.id, paper.model_dump())
        out.append(Written(arxiv, "written", shown, suggestion.node, suggestion.score))
    return out
