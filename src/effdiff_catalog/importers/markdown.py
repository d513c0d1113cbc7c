"""Import awesome-list markdown: `- **[Venue Year]** Title. [[Paper]](url) [[Code]](url)`.

Parsing is pure (text -> entries and a line report); planning compares entries with the catalog
(created / merged / conflict); applying writes records through the store. Every line of the input
ends up in the report, so nothing is dropped without a reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..catalog import Catalog
from ..ids import arxiv_from_url
from ..model import Framework, arxiv_year
from . import merge
from .merge import Candidate, Planned
from .report import ImportReport, LineReport

HEADING = re.compile(r"^\s*(?:[-*+]\s+)?(#{1,6})\s+(.*?)\s*#*\s*$")
BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
LINK = re.compile(r"\[\[?\s*([^\[\]]+?)\s*\]\]?\(\s*([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\s*\)\]?")
VENUE_TAG = re.compile(r"^\*\*\s*\[([^\]]+)\]\s*\*\*\s*")
TAG_PARTS = re.compile(r"^(?P<venue>.*?)[\s,']*(?P<year>(?:19|20)\d\d)(?:[.\-/](?P<month>\d{1,2}))?$")
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
LABELS = {"paper": "paper", "pdf": "paper", "arxiv": "paper", "openreview": "paper", "code": "code", "github": "code",
          "project": "project", "project page": "project", "page": "project", "website": "project", "homepage": "project"}


@dataclass
class Entry:
    line: int
    text: str
    title: str
    venue: str
    year: int
    month: int | None
    links: dict[str, str]
    arxiv: str | None
    category: str
    notes: list[str] = field(default_factory=list)


@dataclass
class FrameworkRow:
    line: int
    name: str
    code: str
    columns: dict[str, bool]


@dataclass
class Parsed:
    entries: list[Entry]
    frameworks: list[FrameworkRow]
    report: ImportReport


def clean_url(url: str) -> tuple[str, list[str]]:
    """Fix what is certainly not part of a link: trailing punctuation, GitHub's '?tab=' view
    parameter, an empty '?' or '#'; arXiv PDF links become the abstract page."""
    notes = []
    original = url
    url = url.strip().strip("<>")
    while url and url[-1] in ".,;?#" and not url.endswith("..."):
        url = url[:-1]
    url = re.sub(r"(github\.com/[^?#]+)\?tab=[\w-]+(#.*)?$", r"\1", url)
    arxiv = arxiv_from_url(url)
    if arxiv and re.search(r"arxiv\.org/(pdf|abs)/", url):
        url = f"https://arxiv.org/abs/{arxiv}"
    if url != original:
        notes.append(f"link {original} -> {url}")
    return url, notes


def clean_title(raw: str, venues) -> tuple[str, list[str]]:
    notes = []
    title = raw.replace("**", "").replace("__", "").strip()
    title = re.sub(r"\s+", " ", title).strip(" .,;")
    # a venue written after the title, as in '..., ACL 24'
    m = re.search(r",\s*([A-Za-z]+)\s*'?(\d{2}|\d{4})$", title)
    if m and venues.normalize(m.group(1)):
        notes.append(f"dropped '{m.group(0).strip(', ')}' after the title")
        title = title[: m.start()].strip(" .,;")
    return title, notes


def parse_venue_tag(tag: str, venues) -> tuple[str | None, int | None, int | None, str]:
    """'NIPS, 2024' -> ('NeurIPS', 2024, None); 'Arxiv 2024.07' -> ('arXiv', 2024, 7)."""
    m = TAG_PARTS.match(tag.strip())
    if not m:
        return None, None, None, f"venue tag [{tag}] has no year"
    name = m.group("venue").strip(" ,'")
    venue = venues.normalize(name)
    if venue is None:
        guess = venues.suggest(name)
        hint = f"; did you mean '{guess}'?" if guess else "; add it to venues.yaml"
        return None, None, None, f"unknown venue '{name}'{hint}"
    month = int(m.group("month")) if m.group("month") else None
    return venue, int(m.group("year")), month, ""


def parse(text: str, source: str, catalog: Catalog) -> Parsed:
    taxonomy, venues = catalog.taxonomy, catalog.venues
    report = ImportReport(source)
    entries: list[Entry] = []
    frameworks: list[FrameworkRow] = []
    stack: list[tuple[int, str, str | None, int]] = []  # (level, heading, node, line)
    table_columns: list[str] | None = None
    in_code = in_comment = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("```"):
            in_code = not in_code
            report.lines.append(LineReport(number, "text", reason="code fence", text=line))
            continue
        if in_code or in_comment or stripped.startswith("<!--"):
            if stripped.startswith("<!--") and "-->" not in stripped:
                in_comment = True
            elif in_comment and "-->" in stripped:
                in_comment = False
            report.lines.append(LineReport(number, "skipped" if LINK.search(line) else "text",
                                           reason="inside a code block or HTML comment", text=line))
            continue
        heading = HEADING.match(line)
        if heading:
            level, title = len(heading.group(1)), heading.group(2)
            while stack and stack[-1][0] >= level:
                stack.pop()
            node = taxonomy.resolve_heading(title)
            parent = next((s[2] for s in reversed(stack) if s[2]), None)
            reason = ""
            if node is None:
                reason = f"heading maps to no taxonomy node; its entries go to {parent}" if parent else \
                    "heading maps to no taxonomy node; its entries are skipped"
            stack.append((level, title, node, number))
            report.lines.append(LineReport(number, "heading", reason=reason, record=node or "", text=line))
            continue
        category = next((s[2] for s in reversed(stack) if s[2]), None)
        if TABLE_ROW.match(line):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                report.lines.append(LineReport(number, "text", reason="table separator", text=line))
                continue
            links = LINK.findall(cells[0]) if cells else []
            if not links:
                table_columns = [_column_key(c) for c in cells]
                report.lines.append(LineReport(number, "text", reason="table header", text=line))
                continue
            row = _framework_row(number, cells, table_columns or [])
            if row and category == "frameworks":
                frameworks.append(row)
                report.lines.append(LineReport(number, "entry", "framework", record=row.name, text=line))
            else:
                report.lines.append(LineReport(number, "skipped", "skipped", "table row outside the Frameworks section", text=line))
            continue
        bullet = BULLET.match(line)
        if not bullet:
            kind = "skipped" if LINK.search(line) else "text"
            report.lines.append(LineReport(number, kind, "skipped" if kind == "skipped" else "",
                                           "line with a link is not a list entry" if kind == "skipped" else "", text=line))
            continue
        body = bullet.group(1).strip()
        if not body:
            report.lines.append(LineReport(number, "skipped", "skipped", "empty list item", text=line))
            continue
        entry, reason = _parse_entry(number, line, body, category, venues)
        if entry is None:
            report.lines.append(LineReport(number, "skipped", "skipped", reason, text=line))
            continue
        entries.append(entry)
        report.lines.append(LineReport(number, "entry", text=line, notes=list(entry.notes)))
    return Parsed(entries, frameworks, report)


def _column_key(cell: str) -> str:
    low = cell.lower()
    if "fine" in low:
        return "fine_tuning"
    if "train" in low:
        return "training"
    if "infer" in low:
        return "inference"
    if "feature" in low:
        return "features"
    return ""


def _framework_row(number: int, cells: list[str], columns: list[str]) -> FrameworkRow | None:
    links = LINK.findall(cells[0])
    name = LINK.sub("", cells[0]).strip(" []")
    code = next((u for label, u in links if label.lower() in ("code", "github")), links[0][1] if links else "")
    values: dict[str, bool] = {}
    for key, cell in zip(columns, cells):
        if key in ("training", "fine_tuning", "inference"):
            if "✅" in cell:
                values[key] = True
            elif "❌" in cell:
                values[key] = False
    return FrameworkRow(number, name, clean_url(code)[0], values) if name and code else None


def _parse_entry(number: int, line: str, body: str, category: str | None, venues) -> tuple[Entry | None, str]:
    links_found = LINK.findall(body)
    if not links_found:
        return None, "list item without a link"
    if all(url.startswith("#") for _, url in links_found):
        return None, "table-of-contents link to a section of the page"
    tag = VENUE_TAG.match(body)
    if not tag:
        return None, "no **[Venue Year]** tag before the title"
    if category is None:
        return None, "entry under a heading that maps to no taxonomy node"
    venue, year, month, problem = parse_venue_tag(tag.group(1), venues)
    if venue is None:
        return None, problem
    rest = body[tag.end():]
    first_link = LINK.search(rest)
    raw_title = rest[: first_link.start()] if first_link else rest
    title, notes = clean_title(raw_title, venues)
    if not title:
        return None, "entry without a title"
    links: dict[str, str] = {}
    for label, url in links_found:
        key = LABELS.get(label.lower().strip())
        if key is None:
            notes.append(f"link labelled '{label}' not imported: {url}")
            continue
        url, url_notes = clean_url(url)
        notes.extend(url_notes)
        if key in links:
            notes.append(f"second {key} link not imported: {url}")
            continue
        links[key] = url
    if "paper" not in links:
        return None, "entry without a [Paper] link"
    arxiv = next((a for a in (arxiv_from_url(u) for u in links.values()) if a), None)
    if venue == "arXiv" and not arxiv:
        return None, "tagged as an arXiv preprint but links no arXiv page, so its arXiv id is unknown; add the record by hand"
    if arxiv and venue == "arXiv":
        first = arxiv_year(arxiv)
        if first and (first != year or (month and arxiv[2:4] != f"{month:02d}")):
            notes.append(f"tag says {year}{'.%02d' % month if month else ''} but arXiv id {arxiv} was posted {first}.{arxiv[2:4]}; using {first}")
            year = first
    return Entry(number, line, title, venue, year, month, links, arxiv, category, notes), ""


# -- planning and applying ---------------------------------------------------------------------

def candidates(parsed: Parsed) -> list[Candidate]:
    return [Candidate(e.line, {"title": e.title, "venue": e.venue, "year": e.year, "arxiv": e.arxiv, "links": e.links},
                      e.title, e.category, place_existing=True) for e in parsed.entries]


def plan(parsed: Parsed, catalog: Catalog, added: dt.date, prefer: str = "catalog") -> dict[str, Planned]:
    """Match every entry against the catalog (see merge.plan) and record the outcome in the report."""
    planned, outcomes = merge.plan(candidates(parsed), catalog, added=added, prefer=prefer)
    by_line = {item.line: item for item in parsed.report.lines}
    for outcome in outcomes:
        item = by_line[outcome.line]
        item.status, item.record, item.fields = outcome.status, outcome.record, outcome.fields
        item.reason, item.conflicts = outcome.reason, outcome.conflicts
        if outcome.status == "skipped":
            item.kind = "skipped"
    return planned


def merge_frameworks(rows: list[FrameworkRow], existing: list[Framework], source: str) -> tuple[list[Framework], list[str]]:
    """Add frameworks the file lists; fill unknown columns of known ones; report disagreements."""
    by_key = {_fw_key(f.name): f for f in existing}
    notes = []
    out = list(existing)
    for row in rows:
        key = _fw_key(row.name)
        if key in by_key:
            fw = by_key[key]
            data = fw.model_dump()
            for col, value in row.columns.items():
                if data.get(col) is None:
                    data[col] = value
                elif data[col] != value:
                    notes.append(f"{source}:{row.line}: {fw.name}.{col}: frameworks.yaml has {data[col]}, list has {value}; kept")
            if source not in data["listed_in"]:
                data["listed_in"].append(source)
            new = Framework.model_validate(data)
            out[out.index(fw)] = new
            by_key[key] = new
            continue
        fw = Framework.model_validate({
            "name": row.name, "links": {"code": row.code}, "training": row.columns.get("training", False),
            "fine_tuning": row.columns.get("fine_tuning"), "inference": row.columns.get("inference", False),
            "listed_in": [source],
        })
        out.append(fw)
        by_key[key] = fw
    return out, notes


def _fw_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def import_markdown(path: Path, catalog: Catalog, *, dry_run: bool = False, added: dt.date | None = None,
                    source_name: str | None = None, prefer: str = "catalog") -> tuple[ImportReport, dict[str, Planned]]:
    """Parse, plan and (unless dry_run) write. Raises ImportError_ for input that is not markdown."""
    from ..store import write_text_atomic
    from .frameworks_io import dump_frameworks

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportError_(f"{path}: not a UTF-8 text file (byte {exc.start}); is this a markdown list?") from None
    if "\x00" in text:
        raise ImportError_(f"{path}: binary file, not markdown")
    source = source_name or path.name
    parsed = parse(text, source, catalog)
    if not parsed.entries and not parsed.frameworks:
        raise ImportError_(f"{path}: found no list entries ('- **[Venue Year]** Title. [[Paper]](url)'); is this an awesome-list file?")
    planned = plan(parsed, catalog, added or dt.date.today(), prefer)
    frameworks, fw_notes = merge_frameworks(parsed.frameworks, catalog.frameworks, source)
    for note in fw_notes:
        parsed.report.lines.append(LineReport(0, "text", "conflict", note))
    if not dry_run:
        merge.apply(planned, catalog.root)
        if parsed.frameworks:
            write_text_atomic(catalog.root / "frameworks.yaml", dump_frameworks(frameworks))
    return parsed.report, planned


class ImportError_(Exception):
    """Input that cannot be imported at all (not text, not a list)."""
