"""Merging imported entries into the catalog: never a duplicate, never a silent overwrite.

Importers turn their input into `Candidate`s (plain record data plus where it came from); `plan`
matches each against the catalog (arXiv id, DOI, paper URL, normalized title) and decides:

- created: no match; a new record (it needs a taxonomy node, a venue, a year and a link). A venue
  that venues.yaml does not know comes with the candidate as `new_venue`: it is added to
  venues.yaml with the records (unless new venues are refused, then the entry is skipped);
- merged: a match; fields the record lacks are filled in (possibly none);
- conflict: a match whose values differ from the record's; the record is left as it was, unless
  prefer="import", which replaces them;
- skipped: the entry cannot become a record; the reason says why.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Sequence

from pydantic import ValidationError
from pydantic_core import PydanticCustomError
from rapidfuzz import fuzz, process

from ..catalog import Catalog
from ..checks import NEAR_RATIO
from ..errors import EnvironmentProblem
from ..ids import id_name, make_id
from ..model import Paper, check_year
from ..store import PAPERS_DIR, add_venues, sweep_temp_files, write_record
from ..text import normalize_title, slug_words
from ..urls import url_key
from ..venues import Venue
from ..vocab import Vocab

Status = Literal["created", "merged", "conflict", "skipped"]
Prefer = Literal["catalog", "import"]  # which value wins when an import and a record differ
MERGEABLE = ("title", "authors", "venue", "year", "arxiv", "doi")


@dataclass
class Candidate:
    line: int
    data: dict[str, Any]
    label: str = ""  # what the entry is called in its source: a BibTeX key, a title
    category: str | None = None
    notes: list[str] = field(default_factory=list)
    place_existing: bool = False  # also file a matched record under `category` (a list's heading does)
    # computed from `data` where the entry is read (possibly in a worker process); None: computed here
    keys: list[tuple[str, str]] | None = None  # match_keys(data)
    id_parts: tuple[str | None, list[str]] | None = None  # ids.id_parts(data["title"])
    new_venue: Venue | None = None  # the venue data["venue"] names when venues.yaml does not know it
    no_venue: str = ""  # why the entry has no venue, when it has none ('a @misc entry with no journal or booktitle')
    no_link: str = ""  # why the entry has no link to the paper, when it cannot have one (a list that gives titles only)

    # pickled as its values only: thousands cross from a worker process
    def __reduce__(self) -> tuple[type[Candidate], tuple[Any, ...]]:
        return (Candidate, (self.line, self.data, self.label, self.category, self.notes, self.place_existing,
                            self.keys, self.id_parts, self.new_venue, self.no_venue, self.no_link))


@dataclass(slots=True)
class Outcome:
    line: int
    label: str
    status: Status
    record: str = ""
    fields: list[str] = field(default_factory=list)
    reason: str = ""
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Planned:
    """A record the import writes, created or merged. In a large import (compact) it is kept as its
    JSON, compressed: a few hundred bytes where the model takes a few KB (a large list plans hundreds
    of thousands), and `paper` rebuilds the model; otherwise the model itself is kept (no cost)."""

    __slots__ = ("_paper", "_json", "status", "line")

    def __init__(self, paper: Paper, status: str, compact: bool = False, line: int | None = None):
        self._paper: Paper | None = None if compact else paper
        self._json = zlib.compress(paper.model_dump_json().encode("utf-8"), 1) if compact else b""
        self.status = status  # created | merged
        self.line = line  # the input line that created it

    @property
    def paper(self) -> Paper:
        return self._paper if self._paper is not None else Paper.model_validate_json(zlib.decompress(self._json))

    def __repr__(self) -> str:
        return f"Planned({self.status}: {self.paper.id})"


COMPACT_AFTER = 2_000  # planned records kept as models before the rest are kept compressed


def match_keys(data: dict[str, Any]) -> list[tuple[str, str]]:
    """What identifies a paper across sources: arXiv id, DOI, paper URL and normalized title."""
    keys = []
    if data.get("arxiv"):
        keys.append(("arxiv", data["arxiv"]))
    if data.get("doi"):
        keys.append(("doi", str(data["doi"]).lower()))
    paper = (data.get("links") or {}).get("paper")
    if paper:
        keys.append(("url", url_key(paper)))
    if data.get("title"):
        keys.append(("title", normalize_title(data["title"])))
    return keys


# titles of one paper (short name, subtitle, wording of a later version) keep a token-set similarity
# of 60+; an entry whose link names a different paper than its title falls below it (measured on the
# links of 22 maintained lists: 1,114 entries matched by a link, the wrong pairs scored 13-57)
SAME_PAPER_TITLES = 60
SHORT_NAME_WORDS = 2  # a 'title' of one or two words is a method's name ('BlockDance', 'T-GATE V2')


def names_same_paper(title: str, other: str) -> bool:
    """Whether two titles can name the same paper: one may shorten or reword the other, but they share
    most of their words ('DeepCache' and 'DeepCache: Accelerating Diffusion Models for Free' do), or the
    shorter is part of the longer ('FasterDiffusion' of 'Faster Diffusion: Rethinking ...')."""
    a, b = normalize_title(title), normalize_title(other)
    return part_of_title(a, b) or part_of_title(b, a) or fuzz.token_set_ratio(a, b) >= SAME_PAPER_TITLES


def near_key(title: str) -> str:
    """A title for comparing near-copies: normalized, with '+' kept as a word ('MTMamba++' is not 'MTMamba')."""
    return " ".join(slug_words(title))


def _title_blocks(title: str) -> list[int]:
    """A near-duplicate title keeps its numbers and one of its ends (checks.near_title_pairs' blocks)."""
    words, numbers = title.split(), tuple(re.findall(r"\d+", title))
    return [hash(("head", numbers, " ".join(words[:3]))), hash(("tail", numbers, " ".join(words[-3:])))]


def short_name_of(title: str, record_id: str) -> bool:
    """Whether an entry's 'title' is the short name the record's id is made of: lists that name papers
    by method ('TeaCache', 'T-GATE V1/V2') beside their links, for teacache-2024 and t-gate-2024."""
    name = normalize_title(title).replace(" ", "")
    stem = id_name(record_id).replace("-", "")
    if not name or not stem:
        return False
    return name == stem or (min(len(name), len(stem)) >= 4 and (stem in name or name in stem))


def _name_key(title: str) -> str:
    """A title's method name, squashed: 'BinaryDM: Towards ...' -> 'binarydm'; '' for a title without a colon."""
    head, colon, _ = title.partition(":")
    return normalize_title(head).replace(" ", "") if colon else ""


def part_of_title(part: str, title: str) -> bool:
    """Whether a normalized title is a part of another, spaces aside: a short name the title begins
    with or a title without its subtitle."""
    squashed = part.replace(" ", "")
    return bool(squashed) and squashed in title.replace(" ", "")


def category_option_problem(catalog: Catalog, category: str | None) -> str:
    """What is wrong with an importer's --category NODE ("" if nothing)."""
    if category is None or category in catalog.taxonomy:
        return ""
    guess = catalog.taxonomy.suggest(category)
    return f"--category '{category}' is not in taxonomy.yaml" + (f"; did you mean '{guess}'?" if guess else "")


def place(categories: list[str], new: str) -> list[str]:
    """Add a node to a record's categories. A sub-node refines its ancestor (which it replaces);
    an ancestor of a node the record already has adds nothing."""
    if any(c == new or c.startswith(new + ".") for c in categories):
        return categories
    return [*(c for c in categories if not new.startswith(c + ".")), new]


def _same(field_name: str, old: Any, new: Any) -> bool:
    if field_name == "title":  # an entry that names the paper by a part of its title adds nothing
        return normalize_title(old) == normalize_title(new) or part_of_title(normalize_title(new), normalize_title(old))
    if field_name == "authors":
        return [normalize_title(a) for a in old] == [normalize_title(a) for a in new]
    if field_name == "doi":
        return str(old).lower() == str(new).lower()
    if field_name.startswith("links."):
        return url_key(old) == url_key(new)
    return old == new


def _reason(field_name: str, message: str, hint: str | None) -> str:
    return f"{field_name}: {message}" + (f" ({hint})" if hint else "")


def _validation_reason(exc: ValidationError) -> str:
    return "; ".join(_reason(".".join(str(x) for x in err["loc"]), err["msg"], (err.get("ctx") or {}).get("hint"))
                     for err in exc.errors(include_url=False))


def plan(candidates: list[Candidate], catalog: Catalog, *, added: dt.date,
         prefer: Literal["catalog", "import"] = "catalog", new_venues: bool = True) -> tuple["Planner", list[Outcome]]:
    planner = Planner(catalog, added=added, prefer=prefer, new_venues=new_venues)
    outcomes = [planner.add(cand) for cand in candidates]
    return planner, outcomes


class Planner:
    """plan() one candidate at a time, in order: an importer can plan entries while it reads more."""

    def __init__(self, catalog: Catalog, *, added: dt.date, prefer: Literal["catalog", "import"] = "catalog",
                 new_venues: bool = True):
        self.added, self.prefer, self.allow_new_venues = added, prefer, new_venues
        self.vocab: Vocab = catalog.vocab
        # venues the planned records need that venues.yaml lacks, with the entries that name them
        self.new_venues: dict[str, tuple[Venue, list[str]]] = {}
        self.papers: dict[str, Paper | Planned] = dict(catalog.papers)  # the catalog's and the planned records
        self.index: dict[tuple[str, str], str] = {}
        for p in catalog.papers.values():
            for key in match_keys(p.model_dump()):
                self.index.setdefault(key, p.id)
        self.planned: dict[str, Planned] = {}
        self.id_counters: dict[str, int] = {}  # make_id's numbered stems; `papers` only grows
        self.context = {"vocab": catalog.vocab}
        # for a new entry whose title is nearly a record's (validate's near-title rule): the records by the
        # hashes of their title blocks (an end and the numbers), one id or a list, so a large import stays small
        self.title_blocks: dict[int, str | list[str]] = {}
        self.short_names: dict[str, str] | None = None  # method name -> record, made when first needed (_same_name)
        for p in catalog.papers.values():
            self._index_title(p.id, p.title)

    def add(self, cand: Candidate) -> Outcome:
        keys = cand.keys if cand.keys is not None else match_keys(cand.data)
        index = self.index
        key, match = next(((k, index[k]) for k in keys if k in index), (None, None))
        if match is None:
            outcome = self._near_title(cand) or self._create(cand, keys)
        elif key and key[0] != "title" and (other := self._other_paper(cand, match, key)):
            outcome = other
        else:
            outcome = self._merge(cand, match)
        outcome.notes = cand.notes + outcome.notes
        return outcome

    def _which(self, record_id: str) -> str:
        """A record as a report names it: a record this import creates says where it came from."""
        planned = self.planned.get(record_id)
        if planned is not None and planned.status == "created" and planned.line is not None:
            return f"{record_id} (created by this import from line {planned.line})"
        return record_id

    def _index_title(self, record_id: str, title: str) -> None:
        blocks = self.title_blocks
        for block in _title_blocks(near_key(title)):
            held = blocks.get(block)
            if held is None:
                blocks[block] = record_id
            elif isinstance(held, str):
                blocks[block] = [held, record_id]
            else:
                held.append(record_id)

    def _same_name(self, title: str) -> tuple[str, str] | None:
        """The record whose method name (a title's part before the colon, or the name its id is made of)
        is the name a title begins with ('BinaryDM: Towards ...' for binarydm-2024), if one record has it;
        or the record whose whole title follows the name ('Diff-Pruning: Structural Pruning for Diffusion
        Models' for structural-pruning-diffusion-2023)."""
        _, colon, rest = title.partition(":")
        if colon and len(rest.split()) >= 3:
            titled = self.index.get(("title", normalize_title(rest)))
            if titled is not None:
                return titled, "has the title that follows the method's name here"
        if self.short_names is None:
            names: dict[str, set[str]] = {}
            for record_id in self.papers:
                for name in (_name_key(self._title_of(record_id)), id_name(record_id).replace("-", "")):
                    if len(name) >= 4:
                        names.setdefault(name, set()).add(record_id)
            self.short_names = {name: next(iter(ids)) for name, ids in names.items() if len(ids) == 1}
        named = self.short_names.get(_name_key(title))
        return (named, "has the same method name") if named else None

    def _title_of(self, record_id: str) -> str:
        current = self.papers[record_id]
        return (current.paper if isinstance(current, Planned) else current).title

    def _near_title(self, cand: Candidate) -> Outcome | None:
        """A conflict, not a second record, for a new entry whose title is all but a record's
        ('...Low-Rank Component...' for '...Low-Rank Components...'): validate would warn on the pair.
        Titles that differ in a number ('... 1' and '... 2', 'Wan 2.1' and 'Wan 2.2') are other papers."""
        title = near_key(cand.data.get("title") or "")
        if not title:
            return None
        others: set[str] = set()
        for block in _title_blocks(title):
            held = self.title_blocks.get(block, ())
            others.update([held] if isinstance(held, str) else held)
        found = process.extractOne(title, {i: near_key(self._title_of(i)) for i in others}, scorer=fuzz.ratio,
                                   score_cutoff=NEAR_RATIO)
        if found is None:
            return None
        _, score, match = found
        record_title = self._title_of(match)
        return Outcome(cand.line, cand.label, "conflict", match,
                       reason=f"no link or id matches, but the title is nearly that of {self._which(match)} ('{record_title}', "
                              f"similarity {score:.0f}%): most likely the same paper; nothing was created or merged "
                              "(give the entry the paper's arXiv link, or add it by hand if it is another paper)",
                       conflicts=[{"field": "title", "record": record_title, "import": cand.data.get("title")}])

    def _other_paper(self, cand: Candidate, match: str, key: tuple[str, str]) -> Outcome | None:
        """A conflict when the entry's link or id names one paper and its title another (the title of
        another record, or a title unlike the record's): a list that pairs a title with the next row's
        arXiv link would otherwise write one paper's code, venue and node into another's record.
        Nothing is merged, even with prefer="import"."""
        title = cand.data.get("title")
        if not title:
            return None
        record_title = self._title_of(match)
        titled = self.index.get(("title", normalize_title(title)))
        if (titled is None or titled == match) and (names_same_paper(title, record_title) or short_name_of(title, match)):
            return None
        what = {"arxiv": f"arXiv id {key[1]}", "doi": f"DOI {key[1]}", "url": "paper link"}.get(key[0], key[0])
        also = f"; the entry's title is the title of {self._which(titled)}" if titled and titled != match else ""
        return Outcome(cand.line, cand.label, "conflict", match,
                       reason=f"the entry's {what} is that of {self._which(match)} ('{record_title}'), but its title names another paper{also}: "
                              "a wrong link in the source, or a paper renamed since; nothing was merged (check the entry)",
                       conflicts=[{"field": "title", "record": record_title, "import": title}])

    def _create(self, cand: Candidate, keys: list[tuple[str, str]]) -> Outcome:
        papers, index, planned, added, context = self.papers, self.index, self.planned, self.added, self.context
        data = dict(cand.data)
        if not cand.category:
            return Outcome(cand.line, cand.label, "skipped",
                           reason="new paper without a taxonomy node: give --category NODE (or keywords that name a node)")
        if cand.no_link:  # it could never be written: say why before what else it lacks
            found = self._same_name(data.get("title") or "")
            if found:
                named, why = found
                return Outcome(cand.line, cand.label, "skipped", named,
                               reason=f"no record has this title, but {self._which(named)} ('{self._title_of(named)}') {why}: "
                                      "most likely the same paper under another title; nothing was merged")
            return Outcome(cand.line, cand.label, "skipped", reason=f"no record has this title: {cand.no_link}")
        for required in ("title", "year", "venue"):
            if not data.get(required):
                why = f": {cand.no_venue}" if required == "venue" and cand.no_venue else ""
                return Outcome(cand.line, cand.label, "skipped", reason=f"new paper without {required}{why}")
        if not (data.get("links") or {}).get("paper"):
            return Outcome(cand.line, cand.label, "skipped", reason="new paper without a URL, DOI or arXiv id to link to")
        if data["venue"] == "arXiv" and not data.get("arxiv"):
            return Outcome(cand.line, cand.label, "skipped", reason="preprint without an arXiv id")
        new_venue = None
        if data["venue"] not in self.vocab.venues:
            if cand.new_venue is None or cand.new_venue.name != data["venue"] or not self.allow_new_venues:
                return Outcome(cand.line, cand.label, "skipped", reason=f"venue '{data['venue']}' is not in venues.yaml"
                               + ("" if self.allow_new_venues or cand.new_venue is None else " (new venues refused by --no-new-venues)"))
            new_venue = cand.new_venue
        try:
            check_year(data["year"])  # before the id, which a year out of range would make invalid too
        except PydanticCustomError as exc:
            return Outcome(cand.line, cand.label, "skipped", reason=_reason("year", exc.message(), (exc.context or {}).get("hint")))
        record_id = make_id(data["title"], data["year"], data.get("arxiv"), taken=papers, parts=cand.id_parts,
                            counters=self.id_counters)
        data.update(id=record_id, categories=[cand.category], added=added)
        if new_venue is not None:
            context = {"vocab": Vocab(self.vocab.taxonomy, self.vocab.venues.with_added([new_venue]), self.vocab.results)}
        try:
            paper = Paper.model_validate(data, context=context)
        except ValidationError as exc:
            return Outcome(cand.line, cand.label, "skipped", reason=_validation_reason(exc))
        notes = []
        if len(data["title"].split()) <= SHORT_NAME_WORDS:
            notes.append(f"the title '{data['title']}' has only {len(data['title'].split())} word(s): if it is the method's "
                         "name rather than the paper's title, put the paper's title in the record before committing it")
        if new_venue is not None:
            self.vocab = context["vocab"]
            self.context = context
            self.new_venues[new_venue.name] = (new_venue, [cand.label or f"line {cand.line}"])
            notes.append(f"new venue '{new_venue.name}' ({new_venue.kind}) for venues.yaml")
        elif data["venue"] in self.new_venues:
            self.new_venues[data["venue"]][1].append(cand.label or f"line {cand.line}")
        papers[record_id] = planned[record_id] = Planned(paper, "created", compact=len(planned) >= COMPACT_AFTER, line=cand.line)
        for key in keys:  # the id and the categories added above are not match keys
            index.setdefault(key, record_id)
        self._index_title(record_id, paper.title)
        return Outcome(cand.line, cand.label, "created", record_id, notes=notes)

    def _merge(self, cand: Candidate, match: str) -> Outcome:
        papers, planned, prefer, context = self.papers, self.planned, self.prefer, self.context
        current = papers[match]
        data = (current.paper if isinstance(current, Planned) else current).model_dump()
        changed: list[str] = []
        conflicts: list[dict[str, Any]] = []

        def consider(name: str, old: Any, new: Any, assign: Callable[..., None]) -> None:
            if new in (None, "", []):
                return
            if old in (None, "", []):
                assign(new)
                changed.append(name)
            elif not _same(name, old, new):
                conflicts.append({"field": name, "record": old, "import": new})
                if prefer == "import":
                    assign(new)
                    changed.append(name)

        fields: tuple[str, ...] = MERGEABLE
        notes: list[str] = []
        if cand.data.get("venue") == "arXiv" and data["venue"] != "arXiv":
            # the import cites the preprint of a published paper: the record's venue and year stand
            fields = tuple(f for f in MERGEABLE if f not in ("venue", "year"))
            notes.append(f"the entry cites the arXiv preprint; the record keeps the published venue ({data['venue']} {data['year']})")
        if cand.data.get("title") and short_name_of(cand.data["title"], match):
            fields = tuple(f for f in fields if f != "title")  # 'TeaCache' names teacache-2024; its title stands
        for name in fields:
            consider(name, data.get(name), cand.data.get(name), lambda v, n=name: data.__setitem__(n, v))
        for key, url in (cand.data.get("links") or {}).items():
            old = data["links"].get(key)
            if key == "paper" and old and not _same("links.paper", old, url):
                # one paper has many landing pages (publisher, DOI, arXiv): a different one is not a conflict
                notes.append(f"the record keeps its paper link {old}; the entry links {url}")
                continue
            consider(f"links.{key}", old, url, lambda v, k=key: data["links"].__setitem__(k, v))
        if cand.category and cand.place_existing:
            categories = place(data["categories"], cand.category)
            if categories != data["categories"]:
                data["categories"] = categories
                changed.append("categories")
        if conflicts and prefer != "import":
            return Outcome(cand.line, cand.label, "conflict", match, notes=notes, reason=f"values differ from those of {self._which(match)}; the record was left as it was "
                           "(rerun with --prefer import to take the imported values)", conflicts=conflicts)
        if not changed:
            return Outcome(cand.line, cand.label, "merged", match, reason="already in the catalog; nothing new", notes=notes)
        try:
            paper = Paper.model_validate(data, context=context)
        except ValidationError as exc:
            return Outcome(cand.line, cand.label, "skipped", match, reason=f"merging would make the record invalid: {_validation_reason(exc)}")
        previous = planned.get(match)
        papers[match] = planned[match] = Planned(paper, previous.status if previous else "merged",
                                                 compact=len(planned) >= COMPACT_AFTER)
        return Outcome(cand.line, cand.label, "merged", match, fields=sorted(changed), conflicts=conflicts, notes=notes,
                       reason="replaced the record's values with the imported ones" if conflicts else "")


def apply(planned: dict[str, Planned], root: Path, new_venues: Sequence[Venue] = ()) -> list[str]:
    """Write the new venues, then every planned record; each write is atomic, so an interruption
    leaves every file whole (and a record never names a venue that venues.yaml lacks). Returns the
    ids written; a write that fails raises WriteStopped, which says what was written before."""
    written: list[str] = []
    sweep_temp_files(root / PAPERS_DIR)
    try:
        if new_venues:
            add_venues(root, list(new_venues))
        for record_id, item in planned.items():
            write_record(root, item.paper, overwrite=item.status != "created")
            written.append(record_id)
    except OSError as exc:
        raise WriteStopped(written, exc) from exc
    return written


class WriteStopped(EnvironmentProblem):
    """Writing the planned records stopped part-way; `written` holds the ids written before."""

    def __init__(self, written: list[str], cause: OSError):
        self.written, self.cause = written, cause
        super().__init__(f"the import stopped while writing ({cause}); {len(written)} record(s) were written before")
