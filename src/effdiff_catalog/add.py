"""`effdiff add`: one new record from an arXiv id, a DOI, a BibTeX entry or facts given by hand.

Facts are gathered (API, BibTeX or flags; flags win), anything still missing is asked for on a
terminal (with a fuzzy pick list for nodes and venues) or named as the missing flag, the paper is
refused if the catalog already has it, and the record is written through the store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, Sequence

from pydantic import ValidationError
from rapidfuzz import fuzz, process

from .catalog import Catalog
from .classify import Suggestion
from .errors import DataError
from .ids import make_id
from .importers.merge import match_keys
from .model import Paper, arxiv_year
from .store import PAPERS_DIR, record_path, sweep_temp_files, write_record
from .urls import paper_url

if TYPE_CHECKING:
    from .apis import Found
    from .venues import Venues


class AddError(DataError):
    """The paper cannot be added as asked; the message says what to do."""


@dataclass
class Facts:
    title: Optional[str] = None
    abstract: Optional[str] = None  # scored to suggest a node; never written into the record
    authors: Optional[list[str]] = None
    venue: Optional[str] = None
    year: Optional[int] = None
    arxiv: Optional[str] = None
    doi: Optional[str] = None
    paper: Optional[str] = None
    code: Optional[str] = None
    project: Optional[str] = None
    categories: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def update(self, other: "Facts") -> None:
        """Take other's values where it has one (flags over fetched facts)."""
        for name in ("title", "authors", "venue", "year", "arxiv", "doi", "paper", "code", "project"):
            value = getattr(other, name)
            if value not in (None, [], ""):
                setattr(self, name, value)
        self.categories = other.categories or self.categories


def from_found(found: Found, venues: Venues) -> Facts:
    """Facts from a metadata API answer (importers.metadata.Found); a venue only if venues.yaml knows it."""
    facts = Facts(title=found.title, authors=found.authors, arxiv=found.arxiv, doi=found.doi, abstract=found.abstract)
    for name in [found.venue, *getattr(found, "venue_aliases", [])]:
        resolved = venues.resolve(name) if name else None
        if resolved and resolved.name != "arXiv":
            facts.venue, facts.year = resolved.name, found.year
            if resolved.corrected:
                facts.notes.append(f"venue '{resolved.corrected}' read as {resolved.name} (spelling corrected)")
            break
    else:
        if found.venue:
            facts.notes.append(f"the API names the venue '{found.venue}', which is not in venues.yaml: give --venue")
    if facts.venue is None and found.arxiv:
        facts.venue, facts.year = "arXiv", arxiv_year(found.arxiv)
    if found.arxiv:
        facts.paper = paper_url(found.arxiv)
    elif found.doi:
        facts.paper = f"https://doi.org/{found.doi}"
    return facts


def from_bibtex(text: str, catalog: Catalog) -> Facts:
    from .importers.bibtex import parse

    parsed = parse(text, catalog.venues, catalog.taxonomy, None)
    if not parsed.candidates:
        reasons = "; ".join(f"line {s.line}: {s.reason}" for s in parsed.skipped) or "no entry"
        raise AddError(f"the BibTeX holds no usable entry ({reasons})")
    if len(parsed.candidates) > 1:
        raise AddError(f"the BibTeX holds {len(parsed.candidates)} entries; give one (or use effdiff import-bib for many)")
    cand = parsed.candidates[0]
    data = cand.data
    links = data.get("links") or {}
    facts = Facts(title=data.get("title"), authors=data.get("authors"), venue=data.get("venue"), year=data.get("year"),
                  arxiv=data.get("arxiv"), doi=data.get("doi"), paper=links.get("paper"), code=links.get("code"),
                  project=links.get("project"), categories=[cand.category] if cand.category else [], notes=list(cand.notes))
    return facts


Ask = Callable[[str], str]


def pick(ask: Ask, label: str, choices: list[str], describe: Callable[[str], str] = lambda c: c,
         first: Sequence[str] = ()) -> str:
    """Ask on the terminal; the answer is matched fuzzily and confirmed from a short numbered list.
    `first` is a numbered list shown before the first question: its number picks one."""
    if first:
        for i, choice in enumerate(first, 1):
            print(f"  {i}. {describe(choice)}")
    while True:
        answer = ask(f"{label}: ").strip()
        if answer in choices:
            return answer
        if first and answer.isdigit() and 1 <= int(answer) <= len(first):
            return first[int(answer) - 1]
        if not answer:
            continue
        matches = process.extract(answer, choices, scorer=fuzz.WRatio, limit=8, processor=str.lower)
        if not matches:
            print("  nothing matches; try other words")
            continue
        for i, (choice, _score, _) in enumerate(matches, 1):
            print(f"  {i}. {describe(choice)}")
        number = ask("  number (Enter to search again): ").strip()
        if number.isdigit() and 1 <= int(number) <= len(matches):
            return matches[int(number) - 1][0]


def complete(facts: Facts, catalog: Catalog, ask: Optional[Ask], suggestions: Sequence[Suggestion] = ()) -> None:
    """Fill what is still missing by asking, or fail naming the flag. `suggestions` are the nodes
    the classifier suggests (best first): the pick list starts with them, and the error names the first."""
    taxonomy, venues = catalog.taxonomy, catalog.venues
    missing = [name for name, value in (("title", facts.title), ("venue", facts.venue), ("year", facts.year),
                                        ("category", facts.categories)) if not value]
    if facts.venue and facts.venue not in venues:
        resolved = venues.resolve(facts.venue)
        if resolved:
            if resolved.name != facts.venue:
                facts.notes.append(f"venue '{facts.venue}' read as {resolved.name}")
            facts.venue = resolved.name
        else:
            missing.append("venue")
    if not missing:
        return
    if ask is None:
        flags = ", ".join(f"--{name}" for name in dict.fromkeys(missing))
        if "category" in missing and suggestions:
            best = suggestions[0]
            raise AddError(f"missing {flags} (suggested: {best.node}, {best.score:.2f}); no terminal to ask on: "
                           f"give {'them' if len(set(missing)) > 1 else 'it'} as flags, e.g. --category {best.node}")
        raise AddError(f"missing {flags} (no terminal to ask on); e.g. --category "
                       "algorithm.efficient_sampling.efficient_solver.ode_solver --venue NeurIPS --year 2023")
    for name in dict.fromkeys(missing):
        if name == "title":
            facts.title = ask("title: ").strip()
        elif name == "venue":
            facts.venue = pick(ask, "venue (e.g. NeurIPS, arXiv)", venues.names(), lambda v: f"{v} ({venues[v].full})")
        elif name == "year":
            while not facts.year:
                answer = ask("year: ").strip()
                facts.year = int(answer) if answer.isdigit() else None
        elif name == "category":
            nodes = [n.id for n in taxonomy.ordered()]
            scores = {s.node: s.score for s in suggestions}
            if suggestions:
                print("suggested taxonomy nodes (from the catalog's classifier):")
            label = "taxonomy node (a number above, or words: 'ode solver')" if suggestions else "taxonomy node (words are fine: 'ode solver')"
            facts.categories = [pick(ask, label, nodes,
                                     lambda i: f"{i}  ({taxonomy[i].title})" + (f"  {scores[i]:.2f}" if i in scores else ""),
                                     first=[s.node for s in suggestions])]


def build(facts: Facts, catalog: Catalog, record_id: Optional[str], added: dt.date) -> Paper:
    if not facts.paper:
        if facts.arxiv:
            facts.paper = paper_url(facts.arxiv)
        elif facts.doi:
            facts.paper = f"https://doi.org/{facts.doi}"
        else:
            raise AddError("no link to the paper: give --paper URL (or --arxiv / --doi)")
    links = {k: v for k, v in (("paper", facts.paper), ("code", facts.code), ("project", facts.project)) if v}
    data = {"title": facts.title, "authors": facts.authors, "venue": facts.venue, "year": facts.year, "arxiv": facts.arxiv,
            "doi": facts.doi, "links": links, "categories": facts.categories, "added": added}
    duplicate = _existing(catalog, data)
    if duplicate:
        raise AddError(f"this paper is already in the catalog: {catalog.paths[duplicate]}")
    if not record_id:
        if facts.title is None or facts.year is None:  # complete() asks for both; a caller that skips it
            raise AddError("no title or year to make the id from: give --title and --year (or --id)")
        record_id = make_id(facts.title, facts.year, facts.arxiv, taken=catalog.papers)
    data["id"] = record_id
    if record_id in catalog.papers or record_path(catalog.root, record_id).exists():
        raise AddError(f"the id {record_id} is taken ({record_path(catalog.root, record_id).name}); give another with --id")
    try:
        return Paper.model_validate(data, context={"vocab": catalog.vocab})
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                            + (f" ({e['ctx']['hint']})" if (e.get('ctx') or {}).get('hint') else "") for e in exc.errors())
        raise AddError(f"the record would not be valid: {details}") from None


def _existing(catalog: Catalog, data: dict) -> Optional[str]:
    wanted = set(match_keys(data))
    for paper in catalog.papers.values():
        if wanted & set(match_keys(paper.model_dump())):
            return paper.id
    return None


def add(catalog: Catalog, facts: Facts, *, record_id: Optional[str] = None, ask: Optional[Ask] = None,
        added: Optional[dt.date] = None, dry_run: bool = False, suggestions: Sequence[Suggestion] = ()) -> tuple[Paper, Path]:
    complete(facts, catalog, ask, suggestions)
    paper = build(facts, catalog, record_id, added or dt.date.today())
    path = record_path(catalog.root, paper.id)
    if not dry_run:
        sweep_temp_files(catalog.root / PAPERS_DIR)
        write_record(catalog.root, paper)
    return paper, path


def suggest_nodes(catalog: Catalog, facts: Facts, k: int = 3) -> list[Suggestion]:
    """The nodes the catalog's classifier suggests for the paper (title and abstract); none without a title."""
    if not facts.title:
        return []
    from .classify import Classifier

    return Classifier.from_catalog(catalog).suggest(facts.title, facts.abstract, k=k)
