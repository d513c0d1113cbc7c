"""Import BibTeX (Zotero, JabRef, Google Scholar, DBLP exports) into the catalog.

bibtexparser 2 reads the file (macros, comments, preambles, duplicate keys, broken blocks); we
turn each entry into record data: LaTeX into Unicode, names split with BibTeX's rules, the venue
normalized through venues.yaml, arXiv id and DOI found wherever exports put them.
"""

from __future__ import annotations

import codecs
import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Callable, Iterator

from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

from ..catalog import Catalog
from ..ids import id_parts
from ..memory import pause_gc
from ..model import DOI_RE, arxiv_year
from ..urls import arxiv_id, is_arxiv_doi, paper_url, url_key
from ..taxonomy import Taxonomy
from ..venues import Venue, Venues, kind_from_text
from . import merge
from .bibchunks import PARENT_TYPES, Failed, RawEntry, iter_parts
from .latex import latex_to_text
from .merge import Candidate, Planned, match_keys
from .report import ImportFailed, ImportReport, ImportStopped, LineReport

_BRACE = re.compile(r"(?<!\\)[{}]")
_BRACE_OR_QUOTE = re.compile(r'(?<!\\)[{}"]')


class BibtexError(ImportFailed):
    """Input that is not BibTeX at all."""


@dataclass
class Skipped:
    line: int
    label: str
    reason: str

    def __reduce__(self) -> tuple[type[Skipped], tuple[int, str, str]]:  # see Candidate.__reduce__
        return (Skipped, (self.line, self.label, self.reason))


@dataclass
class ParsedBib:
    candidates: list[Candidate] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


# capitalised words without LaTeX (braces, commands, ties, math) or dashes that LaTeX would change
_WORDS = r"[A-Z][^\s,{}\\~$-]*(?:-[^\s,{}\\~$-]+)*(?: [A-Z][^\s,{}\\~$-]*(?:-[^\s,{}\\~$-]+)*)*"
_FIRST_LAST = re.compile(_WORDS)
_LAST_FIRST = re.compile(rf"({_WORDS}) ?, ?((?:{_WORDS})?)")  # on a name with single spaces


@lru_cache(maxsize=65536)  # a bibliography names the same people again and again
def person_name(raw: str) -> str:
    """One BibTeX name as 'First von Last, Jr.'; '{Google Research}' stays whole.
    'Last, First' and 'First Last' in capitalised words are read directly: the result is the
    one person_name_by_rules gives (a property test compares them)."""
    raw = " ".join(raw.split())
    m = _LAST_FIRST.fullmatch(raw)
    if m:
        name = f"{m.group(2)} {m.group(1)}" if m.group(2) else m.group(1)
    elif _FIRST_LAST.fullmatch(raw):
        name = raw
    else:
        return person_name_by_rules(raw)
    return name if name.isascii() else unicodedata.normalize("NFC", name)


_DBLP_NUMBER = re.compile(r"^\d{4}$")


def person_name_by_rules(raw: str) -> str:
    """person_name by BibTeX's rules (bibtexparser's name parser) only, without the shortcuts.
    DBLP's homonym numbers ('Qiang Fu 0015') are not part of the name and are left out."""
    raw = " ".join(raw.split())
    parts = parse_single_name_into_parts(raw, strict=False)
    words = parts.first + parts.von + parts.last
    if len(words) > 1 and _DBLP_NUMBER.match(words[-1]):
        words = words[:-1]
    name = latex_to_text(" ".join(words))
    if parts.jr:
        name += ", " + latex_to_text(" ".join(parts.jr))
    return name


_AND = re.compile(r"[ \r\n\t]+[aA][nN][dD][ \r\n\t]+")


def split_names(raw: str) -> list[str]:
    """BibTeX's split of an author list at ' and ' (any case), as bibtexparser does it; a list
    without braces or backslashes (nearly all) is split with one regular expression."""
    names = raw.strip(" \r\n\t")
    if not names:
        return []
    if "{" in names or "}" in names or "\\" in names:
        return split_multiple_persons_names(names)
    return _AND.split(names)


def authors_of(raw: str) -> tuple[list[str] | None, list[str]]:
    names = split_names(raw)
    notes = []
    if names and names[-1].strip().lower() == "others":
        notes.append("author list ends with 'and others': it is incomplete, so no authors were imported")
        return None, notes
    if len(names) == 1 and _comma_list(names[0]):
        # 'A. Author, B. Author, C. Author': a list written with commas instead of ' and '
        names = [n for n in names[0].split(",") if n.strip()]
        notes.append(f"authors separated by commas instead of 'and': read as {len(names)} names")
    out = [person_name(n) for n in names if n.strip()]
    return (out or None), notes


def _comma_list(name: str) -> bool:
    """Whether one BibTeX 'name' is really several names joined by commas. BibTeX allows at most two
    commas in a name ('von Last, Jr, First'); three or more, or two between names of two words or more
    each ('Haoxin Chen, Hanjie Wu, Shengfeng He'), are a list. Braced text ('{Google, Inc.}') is one name."""
    if "{" in name:
        return False
    parts = [p.strip() for p in name.split(",")]
    if len(parts) >= 4:
        return all(parts)
    return len(parts) == 3 and all(len(p.split()) >= 2 for p in parts)


_TEX_ESCAPE = re.compile(r"\\([_%&#~])")
_DOI_IN_TEXT = re.compile(r"(10\.\d{4,9}/[^\s\"<>{}]+)")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")  # the model checks the range (a year in the future is an error)
_KEYWORD_SEP = re.compile(r"[;,]")


def _find_arxiv(fields: dict[str, str]) -> str | None:
    prefix = fields.get("archiveprefix", fields.get("eprinttype", "")).lower()
    eprint = fields.get("eprint", "").strip()
    if eprint and (prefix in ("arxiv", "")):
        candidate = arxiv_id(eprint)
        if candidate:
            return candidate
    for key in ("journal", "journaltitle", "volume", "note", "howpublished", "booktitle"):
        value = fields.get(key)
        if value:
            found = arxiv_id(value)
            if found:
                return found
    for key in ("url", "pdf", "link"):
        value = fields.get(key)
        found = arxiv_id(value) if value else None
        if found:
            return found
    doi = fields.get("doi")
    return arxiv_id(doi) if doi and is_arxiv_doi(doi) else None


def _find_doi(fields: dict[str, str]) -> str | None:
    for key in ("doi", "url"):
        value = fields.get(key)
        if not value or "10." not in value:
            continue
        value = _TEX_ESCAPE.sub(r"\1", value)  # exports often write 10.1007/..._20 as \_20
        m = _DOI_IN_TEXT.search(value)
        if m:
            doi = m.group(1) if key == "doi" else m.group(1).rstrip(".,;")  # a URL may end in punctuation of the sentence
            if DOI_RE.match(doi) and not is_arxiv_doi(doi):
                return doi
    return None


@dataclass(frozen=True)
class VenueFound:
    """What an entry says of its venue: the canonical name (venues.yaml), or a new venue to add."""

    name: str | None
    text: str = ""  # what the entry wrote
    new: Venue | None = None  # a venue venues.yaml lacks, proposed for it
    corrected: str | None = None  # a misspelling Venues.resolve corrected


# the kind of venue each entry type is published in; other types (theses, reports, books) name no venue
_KIND_OF_TYPE = {"article": "journal", "inproceedings": "conference", "conference": "conference",
                 "proceedings": "conference", "incollection": "conference"}


def venue_of(fields: dict[str, str], entry_type: str, venues: Venues) -> VenueFound:
    """The entry's venue: booktitle, journal (BibLaTeX: journaltitle, eventtitle), else publisher or
    howpublished, resolved by Venues.resolve; an unknown venue of a journal or proceedings entry is
    proposed as a new venue."""
    named = fields.get("booktitle") or fields.get("journal") or fields.get("journaltitle") or fields.get("eventtitle") or ""
    text = named or fields.get("publisher") or fields.get("howpublished") or ""
    if not text:
        if entry_type in ("misc", "unpublished", "techreport", "online") and _find_arxiv(fields):
            return VenueFound("arXiv")
        return VenueFound(None)
    return _venue_from_text(text, bool(named), entry_type, venues)


@lru_cache(maxsize=4096)  # a bibliography names the same few venues again and again
def _venue_from_text(text: str, named: bool, entry_type: str, venues: Venues) -> VenueFound:
    plain = latex_to_text(text)
    found = venues.resolve(plain)
    if found:
        return VenueFound(found.name, plain, corrected=found.corrected)
    kind = _KIND_OF_TYPE.get(entry_type)
    if named and kind:
        return VenueFound(None, plain, new=venues.propose(plain, kind_from_text(plain, kind)))
    return VenueFound(None, plain)


def _enclosed_in_braces(value: str) -> bool:
    inner = value[1:-1]
    if "{" not in inner and "}" not in inner:
        return not inner.endswith("\\")
    depth, last = 0, len(value) - 1
    for m in _BRACE.finditer(value):
        if m.group() == "{":
            depth += 1
            continue
        depth -= 1
        if depth < 0 or (depth == 0 and m.start() != last):
            return False
    return depth == 0


def _enclosed_in_quotes(value: str) -> bool:
    last = len(value) - 1
    if value.find('"', 1, last) < 0:
        return True
    depth = 0
    for m in _BRACE_OR_QUOTE.finditer(value):
        if m.start() in (0, last):
            continue
        char = m.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            return False
    return True


def field_value(raw: str, lookup: Callable[[str], str | None]) -> str:
    """A field's value as bibtexparser's default middlewares give it: a bare `@string` name
    replaced by its value (`lookup` gets the lower-case name), then the braces or quotes enclosing
    the whole value removed.

    Done here, for the fields an import reads, rather than by the middlewares for every field of
    every entry: the same result in a fraction of the time (tests compare the two)."""
    value = raw
    if not isinstance(value, str):
        return str(value)
    first, final = value[:1], value[-1:]
    if first == "{" and final == "}":
        inner = value[1:-1]
        if "{" not in inner and "}" not in inner and not inner.endswith("\\"):
            return inner  # the common case: one pair of braces around plain text
    elif first != '"' or final != '"':
        found = lookup(value.lower())
        if found is not None:
            value = found
    value = value.strip()
    if len(value) >= 2:
        first, final = value[0], value[-1]
        if first == "{" and final == "}" and _enclosed_in_braces(value):
            return value[1:-1]
        if first == '"' and final == '"' and _enclosed_in_quotes(value):
            return value[1:-1]
    return value


# The fields an import reads (in _candidate, _find_arxiv, _find_doi, venue_of and parse); the others
# (abstract, file, annote, ...) are not converted at all.
READ_FIELDS = frozenset({"title", "year", "date", "author", "journal", "journaltitle", "eventtitle", "booktitle", "publisher",
                         "howpublished", "eprint",
                         "archiveprefix", "eprinttype", "volume", "note", "url", "pdf", "link", "doi", "code", "github",
                         "project", "keywords", "crossref"})


def _values(entry: RawEntry, lookup: Callable[[str], str | None]) -> dict[str, str]:
    return {name: field_value(value, lookup) for name, value in entry.fields.items()}


def _convert(entry: RawEntry, lookup: Callable[[str], str | None], venues: Venues, taxonomy: Taxonomy, category: str | None,
             parent: RawEntry | None = None) -> Candidate | Skipped:
    """The entry as a Candidate (or a Skipped). With a crossref `parent`, the fields the entry does not
    give are the parent's, and the parent's title is the entry's booktitle."""
    fields = _values(entry, lookup)
    if parent is not None:
        parent_fields = _values(parent, lookup)
        for name, value in parent_fields.items():
            fields.setdefault(name, value)
        if "booktitle" not in fields and "title" in parent_fields:
            fields["booktitle"] = parent_fields["title"]
    result = _candidate(entry.key, entry.entry_type, entry.line, fields, venues, taxonomy, category)
    if entry.notes and isinstance(result, Candidate):
        result.notes[:0] = entry.notes
    return result


def parse(text: str, venues: Venues, taxonomy: Taxonomy, category: str | None, *, jobs: int | None = None) -> ParsedBib:
    """Read BibTeX text into candidates and skipped entries (see read_bib)."""
    out = ParsedBib()
    for item in read_bib(text, venues, taxonomy, category, jobs=jobs):
        if isinstance(item, Skipped):
            out.skipped.append(item)
        else:
            out.candidates.append(item)
    return out


def read_bib(text: str, venues: Venues, taxonomy: Taxonomy, category: str | None, *,
             jobs: int | None = None) -> Iterator[Candidate | Skipped]:
    """Every entry of BibTeX text as a Candidate or a Skipped: candidates in file order, each block
    that is not valid BibTeX or repeats a key as a Skipped. `jobs`: how many parts to read at once
    (None: 2 for a large file on a machine with two cores; see bibchunks). The candidates of the
    first part come while the second is still being read."""
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    if "@" not in text:
        raise BibtexError("no BibTeX entries (no '@type{key, ...}' blocks) found")
    person_name.cache_clear()  # the caches serve one file: a name or venue read twice in it is converted once
    _venue_from_text.cache_clear()
    convert = partial(_convert, venues=venues, taxonomy=taxonomy, category=category)
    # the parts are joined as bibtexparser joins blocks: the first block with a key wins
    macros: dict[str, str] = {}
    seen: set[str] = set()
    held: list[tuple[RawEntry, Any]] = []  # entries that wait for the whole file (crossref, macros)
    found = False
    for part in iter_parts(text, READ_FIELDS, convert, jobs):
        entries = []
        for i, block in enumerate(part.blocks):
            if isinstance(block, RawEntry):
                found = True
                if block.key in seen:
                    yield _failed(Failed(block.line, block.key, "", "entry"))
                else:
                    seen.add(block.key)
                    entries.append((block, part.converted.get(i)))
            elif isinstance(block, Failed):
                found = True
                yield _failed(block)
            else:
                _, key, value, line = block
                if key in macros:
                    found = True  # a failed block, as bibtexparser counts them
                    yield _failed(Failed(line, key, "", "string"))
                else:
                    macros[key] = value
        if not held and all(converted is not None and not converted[1] for _, converted in entries):
            # final: no macro or other entry involved
            yield from (converted[0] for _, converted in entries if converted is not None)
        else:
            held.extend(entries)
    if not found:
        raise BibtexError("no BibTeX entries found")
    if held:
        yield from _finish(held, macros, venues, taxonomy, category)


def _failed(f: Failed) -> Skipped:
    if f.duplicate_of == "string":
        reason = "@string name defined again (the first definition was kept)"
    elif f.duplicate_of:
        reason = "duplicate entry key (the first entry with that key was kept)"
    else:
        reason = "not valid BibTeX" + (f": {f.detail}" if f.detail else ": unbalanced braces or quotes, or a missing comma")
    return Skipped(f.line, f.key, reason)


def _finish(entries: list[tuple[RawEntry, Any]], macros: dict[str, str], venues: Venues, taxonomy: Taxonomy,
            category: str | None) -> Iterator[Candidate | Skipped]:
    """Entries that needed the whole file: with every macro, and crossref parents to inherit from."""
    strings = {key.lower(): value for key, value in macros.items()}  # BibTeX: case-insensitive, last wins
    lookup = strings.get
    by_key = {entry.key: entry for entry, _ in entries}
    targets = {entry.key: field_value(entry.fields["crossref"], lookup) for entry, _ in entries if "crossref" in entry.fields}
    cited = {target for target in targets.values() if target}
    for entry, converted in entries:
        if entry.entry_type in PARENT_TYPES and entry.key in cited:
            continue  # a crossref parent: its fields are inherited by the entries that cite it
        if converted is not None and all(strings.get(name) == value for name, value in converted[1].items()):
            yield converted[0]  # converted in its part, with the macros the whole file gives it
            continue
        parent_key = targets.get(entry.key)
        parent = by_key.get(parent_key) if parent_key else None
        if parent_key and parent is None:
            yield Skipped(entry.line, entry.key, f"crossref '{parent_key}' is not in the file")
            continue
        yield _convert(entry, lookup, venues, taxonomy, category, parent)


def _candidate(key: str, entry_type: str, line: int, fields: dict[str, str], venues: Venues, taxonomy: Taxonomy,
               category: str | None) -> Candidate | Skipped:
    notes: list[str] = []
    title = latex_to_text(fields.get("title", "")).strip()
    if not title:
        return Skipped(line, key, "entry has no title")
    year_text = _YEAR.search(fields.get("year", "") or fields.get("date", ""))
    arxiv = _find_arxiv(fields)
    doi = _find_doi(fields)
    found_venue = venue_of(fields, entry_type, venues)
    venue = found_venue.name
    if found_venue.corrected:
        notes.append(f"venue '{found_venue.corrected}' read as {venue} (spelling corrected)")
    if venue is None and found_venue.new is not None:
        venue = found_venue.new.name
    no_venue = ""
    if venue is None:
        no_venue = f"a @{entry_type} entry with no journal or booktitle"
        if found_venue.text:
            no_venue += f" ('{found_venue.text}' is its publisher or medium, not a venue)"
    data: dict[str, Any] = {"title": title}
    if year_text:
        data["year"] = int(year_text.group(0))
    if venue == "arXiv" and arxiv:
        first = arxiv_year(arxiv)
        if first and data.get("year") != first:
            if "year" in data:
                notes.append(f"year {data['year']} replaced by {first}, the year of arXiv id {arxiv}")
            data["year"] = first
    if "year" not in data:
        given = (fields.get("year") or fields.get("date") or "").strip()
        return Skipped(line, key, f"year '{given}' is not a year" if given else "entry has no year")
    if venue:
        data["venue"] = venue
    if "author" in fields:
        authors, author_notes = authors_of(fields["author"])
        notes += author_notes
        if authors:
            data["authors"] = authors
    if arxiv:
        data["arxiv"] = arxiv
    if doi:
        data["doi"] = doi
    links: dict[str, str] = {}
    url = _TEX_ESCAPE.sub(r"\1", fields.get("url", "").strip())  # DBLP writes paper\_files
    if url and not url.lower().startswith(("http://", "https://")):
        notes.append(f"url '{url}' is not an http(s) link; not imported")
        url = ""
    url_arxiv = arxiv_id(url) if url else None
    if url_arxiv:
        url = paper_url(url_arxiv)  # any form of an arXiv link (pdf, DataCite DOI, ...): the abstract page
    if url:
        links["paper"] = url
    elif doi:
        links["paper"] = f"https://doi.org/{doi}"
    elif arxiv:
        links["paper"] = paper_url(arxiv)
    for field_name, link_key in (("code", "code"), ("github", "code"), ("project", "project"), ("pdf", "pdf")):
        value = fields.get(field_name, "").strip()
        if value.startswith(("http://", "https://")):
            links.setdefault(link_key, value)
    if "pdf" in links and url_key(links["pdf"]) == url_key(links.get("paper", "")):
        del links["pdf"]  # the PDF is the paper link already
    if links:
        data["links"] = links
    node = category
    if node is None and fields.get("keywords"):
        for word in _KEYWORD_SEP.split(fields["keywords"]):
            node = taxonomy.resolve_heading(word.strip()) if word.strip() else None
            if node:
                notes.append(f"taxonomy node {node} from keyword '{word.strip()}'")
                break
    return Candidate(line, data, key, node, notes, keys=match_keys(data), id_parts=id_parts(title),
                     new_venue=found_venue.new, no_venue=no_venue)


def decode_bib(raw: bytes, path: Path | str) -> str:
    """The text of a .bib file: UTF-8 (with or without a BOM), UTF-16 with a BOM (Windows tools),
    else Latin-1 (old exports); NUL bytes without a UTF-16 BOM mean a binary file."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise BibtexError(f"{path}: starts like UTF-16 but is not UTF-16 text") from None
    if b"\x00" in raw[:4096]:
        raise BibtexError(f"{path}: binary file, not BibTeX")
    text = raw.decode("utf-8-sig", errors="replace")
    if "\ufffd" in text and b"\xef\xbf\xbd" not in raw:
        text = raw.decode("latin-1")  # old exports are often Latin-1
    return text


def import_bib(paths: list[Path], catalog: Catalog, *, category: str | None = None, dry_run: bool = False,
               prefer: merge.Prefer = "catalog", added: dt.date | None = None, jobs: int | None = None,
               new_venues: bool = True) -> tuple[ImportReport, dict[str, Planned]]:
    """Read BibTeX files, plan the merge, write (unless dry_run). Returns the report and the plan.
    `jobs`: parts of a file read at once (see read_bib). `new_venues`: add the venues that
    venues.yaml lacks (else such entries are skipped)."""
    with pause_gc():  # many small objects, no cycles: see memory.pause_gc
        return _import_bib(paths, catalog, category=category, dry_run=dry_run, prefer=prefer, added=added, jobs=jobs,
                           new_venues=new_venues)


def _import_bib(paths: list[Path], catalog: Catalog, *, category: str | None, dry_run: bool, prefer: merge.Prefer,
                added: dt.date | None, jobs: int | None, new_venues: bool) -> tuple[ImportReport, dict[str, Planned]]:
    problem = merge.category_option_problem(catalog, category)
    if problem:
        raise BibtexError(problem)
    report = ImportReport(", ".join(p.name for p in paths))
    planner = merge.Planner(catalog, added=added or dt.date.today(), prefer=prefer, new_venues=new_venues)
    for path in paths:
        text = decode_bib(path.read_bytes(), path)
        try:
            for item in read_bib(text, catalog.venues, catalog.taxonomy, category, jobs=jobs):
                if isinstance(item, Skipped):
                    report.lines.append(LineReport(item.line, "skipped", "skipped", item.reason, label=item.label, source=path.name))
                    continue
                outcome = planner.add(item)  # planned while the rest of the file is still being read
                report.lines.append(LineReport(outcome.line, "entry" if outcome.status != "skipped" else "skipped",
                                               outcome.status, outcome.reason, record=outcome.record, fields=outcome.fields,
                                               notes=outcome.notes, label=outcome.label, source=path.name,
                                               conflicts=outcome.conflicts))
        except BibtexError as exc:
            raise BibtexError(f"{path}: {exc}") from None
    planned = planner.planned
    report.lines.sort(key=lambda item: (item.source, item.line))
    report.add_new_venues(planner.new_venues)
    if not dry_run:
        try:
            merge.apply(planned, catalog.root, [venue for venue, _ in planner.new_venues.values()])
        except merge.WriteStopped as exc:
            report.writing_stopped(exc.written, str(exc))
            raise ImportStopped(report) from exc
        report.written = True
    return report, planned
