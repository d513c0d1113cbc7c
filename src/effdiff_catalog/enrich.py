"""`effdiff enrich`: fill the fields a record lacks from what the metadata APIs found.

A set field is never replaced without `overwrite`; a venue is taken only when it maps to a name in
venues.yaml (Venues.resolve), and nothing is guessed. `enrich_catalog` returns an EnrichResult;
the CLI prints it (each record's outcome as it comes, through `progress`).
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence

from pydantic import ValidationError

from .apis import SOURCES, ApiConfig, ApiError, Found, MetadataClient
from .errors import UsageError
from .model import CodeStats, Paper
from .store import PAPERS_DIR, display_path, dump_record, record_path, sweep_temp_files, write_record
from .urls import github_repo


class EnrichError(UsageError):
    """enrich cannot run as asked (an unknown id, a catalog with errors)."""


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
    if "doi" in want and (f := first("doi")) and f.doi and (paper.doi or "").lower() != f.doi.lower():
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
        assert f.stars is not None and f.last_commit is not None  # the source picked has both
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


@dataclass
class RecordOutcome:
    """What enrich did with one record."""

    display: str  # papers/<id>.yaml
    kept: list[Change] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # changes not taken, and why
    errors: list[str] = field(default_factory=list)  # the APIs that failed
    diff: str = ""  # with dry_run: the unified diff of the record

    def format(self) -> str:
        lines = [f"{self.display}: warning: {e}" for e in self.errors] + [f"{self.display}: warning: {w}" for w in self.dropped]
        lines += [f"{self.display}: {c.field}: {_show(c.new)} (from {c.source})" for c in self.kept]
        return "".join(line + "\n" for line in lines) + self.diff


@dataclass
class EnrichResult:
    looked_at: int = 0
    outcomes: list[RecordOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> int:
        return sum(1 for o in self.outcomes if o.kept)

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if o.errors)

    @property
    def exit_code(self) -> int:
        """1 when an API failed for some record (what was found elsewhere is still written)."""
        return 1 if self.failed else 0

    def summary(self) -> str:
        verb = "would change" if self.dry_run else "changed"
        return (f"{self.looked_at} record(s) looked at, {self.changed} {verb}" + (f", {self.failed} with API errors" if self.failed else "")
                + (" (dry run: nothing written)" if self.dry_run else ""))


def enrich_catalog(root: Path | str, ids: Iterable[str] = (), *, sources: Sequence[str] | None = None,
                   dry_run: bool = False, overwrite: bool = False, cache_dir: Path | None = None,
                   client: MetadataClient | None = None, today: dt.date | None = None,
                   progress: Optional[Callable[[RecordOutcome], object]] = None) -> EnrichResult:
    """Enrich the given records (default: all); `progress` hears each record's outcome as it comes
    (the APIs are slow and polite). Writes each changed record unless dry_run."""
    from .catalog import Catalog

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
    result = EnrichResult(looked_at=len(papers), dry_run=dry_run)
    if not ids and catalog.errors:
        broken = sorted({p.path for p in catalog.errors})
        result.notes.append(f"{len(broken)} file(s) with errors are left out: run effdiff validate")
    own = client is None
    client = client or MetadataClient(ApiConfig.from_env(), cache_dir if cache_dir is not None else root / ".effdiff-cache" / "api")
    try:
        for paper in papers:
            path = record_path(root, paper.id)
            outcome = RecordOutcome(display_path(path, root))
            want = _wanted(paper, overwrite)
            if not want:
                continue
            found, outcome.errors = lookup(client, paper, sources, want)
            changes = plan_changes(paper, found, catalog.venues, overwrite, today)
            if changes:
                new, outcome.kept, outcome.dropped = apply_changes(paper, changes, catalog.vocab)
                if outcome.kept and dry_run:
                    old_text = path.read_text(encoding="utf-8")
                    outcome.diff = "".join(difflib.unified_diff(old_text.splitlines(keepends=True),
                                                                dump_record(new).splitlines(keepends=True),
                                                                f"a/{outcome.display}", f"b/{outcome.display}"))
                elif outcome.kept:
                    write_record(root, new, overwrite=True)
            if outcome.errors or outcome.kept or outcome.dropped:
                result.outcomes.append(outcome)
                if progress is not None:
                    progress(outcome)
    finally:
        if own:
            client.close()
    return result
