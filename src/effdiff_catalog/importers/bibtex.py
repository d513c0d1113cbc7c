"""Import BibTeX (Zotero, JabRef, Google Scholar, DBLP exports) into the catalog.

bibtexparser 2 reads the file (macros, comments, preambles, duplicate keys, broken blocks); we
turn each entry into record data: LaTeX into Unicode, names split with BibTeX's rules, the venue
normalized through venues.yaml, arXiv id and DOI found wherever exports put them.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import bibtexparser
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

from ..catalog import pause_gc
from ..ids import arxiv_from_url
from ..model import ARXIV_RE, DOI_RE
from .latex import latex_to_text
from .merge import Candidate
from .report import ImportFailed

MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


class BibtexError(ImportFailed):
    """Input that is not BibTeX at all."""


@dataclass
class Skipped:
    line: int
    label: str
    reason: str


@dataclass
class ParsedBib:
    candidates: list[Candidate] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


_SIMPLE_NAME = re.compile(r"^[A-Z][^\s,{}\\]*(?: [A-Z][^\s,{}\\]*)*$")


def person_name(raw: str) -> str:
    """One BibTeX name as 'First von Last, Jr.'; '{Google Research}' stays whole."""
    raw = " ".join(raw.split())
    if raw.count(",") == 1:  # 'Last, First' without von or braces: the common case, read directly
        last, first = (x.strip() for x in raw.split(","))
        if _SIMPLE_NAME.match(last) and (not first or _SIMPLE_NAME.match(first)):
            return f"{first} {last}".strip()
    elif "," not in raw and _SIMPLE_NAME.match(raw):
        return raw  # 'First Last' with capitalised words only
    parts = parse_single_name_into_parts(raw, strict=False)
    words = parts.first + parts.von + parts.last
    name = latex_to_text(" ".join(words))
    if parts.jr:
        name += ", " + latex_to_text(" ".join(parts.jr))
    return name


def authors_of(raw: str) -> tuple[list[str] | None, list[str]]:
    names = split_multiple_persons_names(raw)
    notes = []
    if names and names[-1].strip().lower() == "others":
        notes.append("author list ends with 'and others': it is incomplete, so no authors were imported")
        return None, notes
    out = [person_name(n) for n in names if n.strip()]
    return (out or None), notes


def _find_arxiv(fields: dict[str, str]) -> str | None:
    prefix = fields.get("archiveprefix", fields.get("eprinttype", "")).lower()
    eprint = fields.get("eprint", "").strip()
    if eprint and (prefix in ("arxiv", "") ):
        candidate = re.sub(r"^arxiv:", "", eprint, flags=re.I)
        candidate = re.sub(r"v\d+$", "", candidate)
        if ARXIV_RE.match(candidate):
            return candidate
    for key in ("journal", "volume", "note", "howpublished", "booktitle"):
        m = re.search(r"(?:arxiv[:\s/]*|abs/)(\d{4}\.\d{4,5})", fields.get(key, ""), re.I)
        if m:
            return m.group(1)
    for key in ("url", "pdf", "link"):
        found = arxiv_from_url(fields.get(key, ""))
        if found:
            return found
    doi = fields.get("doi", "")
    m = re.search(r"10\.48550/arxiv\.(\d{4}\.\d{4,5})", doi, re.I)
    return m.group(1) if m else None


def _find_doi(fields: dict[str, str]) -> str | None:
    for key in ("doi", "url"):
        value = re.sub(r"\\([_%&#~])", r"\1", fields.get(key, ""))  # exports often write 10.1007/..._20 as \_20
        m = re.search(r"(10\.\d{4,9}/[^\s\"<>{}]+)", value)
        if m:
            doi = m.group(1) if key == "doi" else m.group(1).rstrip(".,;")  # a URL may end in punctuation of the sentence
            if DOI_RE.match(doi) and not doi.lower().startswith("10.48550/arxiv"):
                return doi
    return None


def venue_of(fields: dict[str, str], entry_type: str, venues) -> tuple[str | None, str]:
    """The canonical venue, or None and what the entry said."""
    text = fields.get("booktitle") or fields.get("journal") or fields.get("publisher") or fields.get("howpublished") or ""
    if not text:
        if entry_type in ("misc", "unpublished", "techreport", "online") and _find_arxiv(fields):
            return "arXiv", ""
        return None, ""
    if re.search(r"\barxiv\b|\bcorr\b", text, re.I):
        return "arXiv", text
    known = venues.normalize(text)
    if known:
        return known, text
    # '(CVPR)' or 'CVPR 2023' inside a long proceedings name
    for token in re.findall(r"\(([A-Za-z][\w\- ]{1,20})\)|\b([A-Z][A-Za-z]{1,10}[A-Z])(?:\s*'?\d{2,4})?\b", text):
        word = next(t for t in token if t)
        known = venues.normalize(word)
        if known:
            return known, text
    simplified = re.sub(r"\b(proceedings|of|the|in|\d{4}|\d+(st|nd|rd|th)|annual|ieee/cvf|ieee|acm)\b", " ", text, flags=re.I)
    known = venues.normalize(simplified)
    return known, text


def parse(text: str, venues, taxonomy, category: str | None) -> ParsedBib:
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    if "@" not in text:
        raise BibtexError("no BibTeX entries (no '@type{key, ...}' blocks) found")
    library = bibtexparser.parse_string(text)
    out = ParsedBib()
    for block in library.failed_blocks:
        kind = type(block).__name__
        raw = getattr(block, "raw", "") or ""
        if "Duplicate" in kind:
            reason = "duplicate entry key (the first entry with that key was kept)"
        else:
            detail = str(getattr(block, "error", "") or "").strip()
            reason = "not valid BibTeX" + (f": {detail}" if detail else ": unbalanced braces or quotes, or a missing comma")
        m = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s]+)", raw)
        key = getattr(getattr(block, "ignore_error_block", None), "key", "") or (m.group(1) if m else "")
        out.skipped.append(Skipped(block.start_line + 1, str(key or ""), reason))
    if not library.entries and not library.failed_blocks:
        raise BibtexError("no BibTeX entries found")
    by_key = {e.key: e for e in library.entries}
    for entry in library.entries:
        if entry.entry_type in ("proceedings", "book", "collection") and any(
                (other.fields_dict.get("crossref") and other.fields_dict["crossref"].value == entry.key) for other in library.entries):
            continue  # a crossref parent: its fields are inherited by the entries that cite it
        line = entry.start_line + 1
        fields = {k.lower(): str(f.value) for k, f in entry.fields_dict.items()}
        parent_key = fields.get("crossref")
        if parent_key:
            parent = by_key.get(parent_key)
            if parent is None:
                out.skipped.append(Skipped(line, entry.key, f"crossref '{parent_key}' is not in the file"))
                continue
            for k, f in parent.fields_dict.items():
                fields.setdefault(k.lower(), str(f.value))
            if "booktitle" not in fields and "title" in {k.lower() for k in parent.fields_dict}:
                fields["booktitle"] = str(parent.fields_dict.get("title").value)
        out_item = _candidate(entry.key, entry.entry_type.lower(), line, fields, venues, taxonomy, category)
        if isinstance(out_item, Skipped):
            out.skipped.append(out_item)
        else:
            out.candidates.append(out_item)
    return out


def _candidate(key: str, entry_type: str, line: int, fields: dict[str, str], venues, taxonomy, category: str | None):
    notes: list[str] = []
    title = latex_to_text(fields.get("title", "")).strip()
    if not title:
        return Skipped(line, key, "entry has no title")
    year_text = re.search(r"(19|20)\d\d", fields.get("year", "") or fields.get("date", ""))
    arxiv = _find_arxiv(fields)
    doi = _find_doi(fields)
    venue, venue_text = venue_of(fields, entry_type, venues)
    if venue is None and venue_text:
        guess = venues.suggest(venue_text)
        notes.append(f"unknown venue '{latex_to_text(venue_text)}'" + (f"; did you mean '{guess}'?" if guess else "; add it to venues.yaml"))
    data: dict[str, Any] = {"title": title}
    if year_text:
        data["year"] = int(year_text.group(0))
    elif not arxiv:
        return Skipped(line, key, "entry has no year")
    if venue == "arXiv" and arxiv:
        from ..model import arxiv_year

        first = arxiv_year(arxiv)
        if first and data.get("year") != first:
            if "year" in data:
                notes.append(f"year {data['year']} replaced by {first}, the year of arXiv id {arxiv}")
            data["year"] = first
    if "year" not in data:
        return Skipped(line, key, "entry has no year")
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
    url = re.sub(r"\\([_%&#~])", r"\1", fields.get("url", "").strip())  # DBLP writes paper\_files
    if url and not url.lower().startswith(("http://", "https://")):
        notes.append(f"url '{url}' is not an http(s) link; not imported")
        url = ""
    if url and arxiv_from_url(url):
        url = f"https://arxiv.org/abs/{arxiv_from_url(url)}"
    elif url and arxiv and re.search(r"doi\.org/10\.48550/arxiv\.", url, re.I):
        url = f"https://arxiv.org/abs/{arxiv}"  # arXiv's DataCite DOI: the abstract page is the paper
    if url:
        links["paper"] = url
    elif doi:
        links["paper"] = f"https://doi.org/{doi}"
    elif arxiv:
        links["paper"] = f"https://arxiv.org/abs/{arxiv}"
    for field_name, link_key in (("code", "code"), ("github", "code"), ("project", "project")):
        value = fields.get(field_name, "").strip()
        if value.startswith(("http://", "https://")):
            links.setdefault(link_key, value)
    if links:
        data["links"] = links
    node = category
    if node is None and fields.get("keywords"):
        for word in re.split(r"[;,]", fields["keywords"]):
            node = taxonomy.resolve_heading(word.strip()) if word.strip() else None
            if node:
                notes.append(f"taxonomy node {node} from keyword '{word.strip()}'")
                break
    return Candidate(line, data, key, node, notes)


def import_bib(paths: list, catalog, *, category: str | None = None, dry_run: bool = False, prefer: str = "catalog",
               added=None):
    """Read BibTeX files, plan the merge, write (unless dry_run). Returns the report and the plan."""
    import datetime as dt

    from . import merge
    from .report import ImportReport, LineReport

    if category is not None and category not in catalog.taxonomy:
        guess = catalog.taxonomy.suggest(category)
        raise BibtexError(f"--category '{category}' is not in taxonomy.yaml" + (f"; did you mean '{guess}'?" if guess else ""))
    report = ImportReport(", ".join(p.name for p in paths))
    all_candidates: list[Candidate] = []
    origin: dict[int, tuple[str, Candidate]] = {}
    for path in paths:
        raw = path.read_bytes()
        if b"\x00" in raw[:4096]:
            raise BibtexError(f"{path}: binary file, not BibTeX")
        text = raw.decode("utf-8", errors="replace")
        if "\ufffd" in text and b"\xef\xbf\xbd" not in raw:
            text = raw.decode("latin-1")  # old exports are often Latin-1
        try:
            with pause_gc():
                parsed = parse(text, catalog.venues, catalog.taxonomy, category)
        except BibtexError as exc:
            raise BibtexError(f"{path}: {exc}") from None
        for s in parsed.skipped:
            report.lines.append(LineReport(s.line, "skipped", "skipped", s.reason, label=s.label, source=path.name))
        for cand in parsed.candidates:
            origin[id(cand)] = (path.name, cand)
            all_candidates.append(cand)
    with pause_gc():
        planned, outcomes = merge.plan(all_candidates, catalog, added=added or dt.date.today(), prefer=prefer)
    for cand, outcome in zip(all_candidates, outcomes):
        report.lines.append(LineReport(outcome.line, "entry" if outcome.status != "skipped" else "skipped", outcome.status,
                                       outcome.reason, record=outcome.record, fields=outcome.fields, notes=outcome.notes,
                                       label=outcome.label, source=origin[id(cand)][0], conflicts=outcome.conflicts))
    report.lines.sort(key=lambda item: (item.source, item.line))
    if not dry_run:
        merge.apply(planned, catalog.root)
    return report, planned
