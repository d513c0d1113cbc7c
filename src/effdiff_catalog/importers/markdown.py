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
from typing import Any, Iterator

from ..catalog import Catalog
from ..model import Framework, arxiv_year
from ..text import normalize_heading
from ..urls import arxiv_id, paper_url
from ..venues import kind_from_text
from . import mdentry, merge
from .merge import Candidate, Planned
from .report import ImportFailed, ImportReport, ImportStopped, LineReport

HEADING = re.compile(r"^\s*(?:[-*+]\s+)?(#{1,6})\s+(.*?)\s*#*\s*$")
BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
HTML_HEADING = re.compile(r"^\s*<h([1-6])[^>]*>(.*?)</h[1-6]>\s*$", re.I)
LINK = re.compile(r"\[\[?\s*([^\[\]]+?)\s*\]\]?\(\s*([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\s*\)\]?")
VENUE_TAG = re.compile(r"^\*\*\s*\[([^\]]+)\]\s*\*\*\s*")
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
LABELS = {"paper": "paper", "pdf": "paper", "arxiv": "paper", "openreview": "paper", "code": "code", "github": "code",
          "project": "project", "project page": "project", "page": "project", "website": "project", "homepage": "project"}


@dataclass(slots=True)
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
    new_venue: Any = None  # venues.Venue: the venue `venue` names, when venues.yaml lacks it


@dataclass(slots=True)
class FrameworkRow:
    line: int
    name: str
    code: str
    columns: dict[str, bool]


@dataclass(slots=True)
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
    arxiv = arxiv_id(url) if url.lower().startswith(("http://", "https://")) else None
    if arxiv:
        url = paper_url(arxiv)  # a PDF, HTML, DataCite DOI, Hugging Face or alphaXiv page of an arXiv paper
    if url != original:
        notes.append(f"link {original} -> {url}")
    return url, notes


def clean_title(raw: str, venues) -> tuple[str, list[str]]:
    notes = []
    title = raw.replace("**", "").replace("__", "").strip()
    title = re.sub(r"\s+", " ", title).strip(" .,;")
    # a venue written after the title, as in '..., ACL 24'
    m = re.search(r",\s*([A-Za-z]+)\s*'?(\d{2}|\d{4})$", title)
    if m and venues.resolve(m.group(1)):
        notes.append(f"dropped '{m.group(0).strip(', ')}' after the title")
        title = title[: m.start()].strip(" .,;")
    return title, notes


def parse_venue_tag(tag: str, venues) -> tuple[mdentry.Venue | None, str]:
    """'NIPS, 2024' -> NeurIPS 2024; 'Arxiv 2024.07' -> arXiv 2024, month 7; 'NeurlPS 2023' ->
    NeurIPS (corrected); 'ARITH 2023' -> a new venue. The reason when there is no venue."""
    m = mdentry.TAG_PARTS.match(tag.strip())
    if not m:
        return None, f"venue tag [{tag}] has no year"
    name = m.group("venue").strip(" ,'")
    year = int(m.group("year"))
    month = int(m.group("month")) if m.group("month") and 1 <= int(m.group("month")) <= 12 else None
    found = venues.resolve(name)
    if found:
        return mdentry.Venue(found.name, year, month, 0, 0, corrected=found.corrected), ""
    proposal = venues.propose(name, kind_from_text(name)) if name else None
    if proposal is None:
        return None, f"venue tag [{tag}] names no venue"
    return mdentry.Venue(proposal.name, year, month, 0, 0, new=proposal), ""


@dataclass(slots=True)
class _Block:
    """Lines that may together make one entry: title line, authors, venue, links."""

    first: int
    indent: int
    lines: list[tuple[int, str]]
    blanks: list[int] = field(default_factory=list)


def parse(text: str, source: str, catalog: Catalog, heading_map: dict[str, str] | None = None,
          default_category: str | None = None) -> Parsed:
    """Classify every line: heading, entry (a paper), skipped (with the reason) or text."""
    taxonomy, venues = catalog.taxonomy, catalog.venues
    mapping = {normalize_heading(k): v for k, v in (heading_map or {}).items()}
    report = ImportReport(source)
    entries: list[Entry] = []
    frameworks: list[FrameworkRow] = []
    stack: list[tuple[int, str, str | None, int]] = []  # (level, heading, node, line)
    table: list[str] | None = None
    block: _Block | None = None
    in_code = in_comment = False

    def category() -> str | None:
        return next((s[2] for s in reversed(stack) if s[2]), None) or default_category

    def heading_year() -> int | None:
        """Lists grouped by year ('### 2023') date their entries through the heading."""
        for s_ in reversed(stack):
            m = re.fullmatch(r"\D{0,20}?((?:19|20)\d\d)\D{0,20}", s_[1].strip())
            if m:
                return int(m.group(1))
        return None

    def add(item: LineReport) -> None:
        report.lines.append(item)

    def close_block() -> None:
        nonlocal block
        if block is None:
            return
        current, block = block, None
        for number in current.blanks:
            add(LineReport(number, "text", text=""))
        text_all = " ".join(t for _, t in current.lines)
        ex = mdentry.extract(text_all, venues)
        first_text = current.lines[0][1]
        ex.title = mdentry.extract(first_text, venues).title or ex.title  # the title is on the block's first line
        if not ex.has_paper_link:
            for number, line in current.lines:
                add(LineReport(number, "skipped" if mdentry.find_links(line) else "text",
                               "skipped" if mdentry.find_links(line) else "",
                               "links, but none to a paper" if mdentry.find_links(line) else "", text=line))
            return
        entry, reason = _generic_entry(current.first, first_text, ex, category(), venues, heading_year())
        add(LineReport(current.first, "entry" if entry else "skipped", "" if entry else "skipped", reason, text=first_text,
                       notes=list(entry.notes) if entry else []))
        if entry:
            entries.append(entry)
        for number, line in current.lines[1:]:
            add(LineReport(number, "entry", reason=f"part of the entry at line {current.first}", text=line))

    html_row: list[tuple[int, str]] | None = None

    def close_html_row() -> None:
        """An HTML table row (<tr> ... </tr>, often over many lines) is one entry."""
        nonlocal html_row
        rows, html_row = html_row or [], None
        joined = "\n".join(t for _, t in rows)
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", joined, re.S | re.I) or [joined]
        cell = next((c for c in cells if any(mdentry.is_paper_url(l.url) for l in mdentry.find_links(c))), None)
        if cell is None:
            for number, line in rows:
                has_link = bool(mdentry.find_links(line))
                add(LineReport(number, "skipped" if has_link else "text", "skipped" if has_link else "",
                               "links, but none to a paper" if has_link else "", text=line))
            return
        ex = mdentry.extract(" ".join(cell.split()), venues)
        first = next((n for n, t in rows if mdentry.find_links(t) or re.search(r"<b>|\*\*", t)), rows[0][0])
        entry, reason = _generic_entry(first, joined, ex, category(), venues, heading_year())
        if entry:
            entries.append(entry)
        for number, line in rows:
            if number == first:
                add(LineReport(number, "entry" if entry else "skipped", "" if entry else "skipped", reason, text=line,
                               notes=list(entry.notes) if entry else []))
            else:
                add(LineReport(number, "entry" if entry else "text", reason=f"part of the entry at line {first}" if entry else "",
                               text=line))

    all_lines = text.splitlines()
    setext: set[int] = set()  # a 'Title' line underlined by '===' or '---' is a heading (and the underline)
    for i in range(1, len(all_lines)):
        if re.fullmatch(r"\s{0,3}(=+|-{2,})\s*", all_lines[i]) and all_lines[i - 1].strip() \
                and not re.match(r"\s*([-*+|>#]|\d+[.)])", all_lines[i - 1]) and "](" not in all_lines[i - 1]:
            setext.add(i)
    for number, line in enumerate(all_lines, 1):
        if number in setext and not in_code:  # the heading text: rewrite it as an ATX heading
            underline = all_lines[number].strip()
            line = ("# " if underline.startswith("=") else "## ") + line.strip()
        elif number - 1 in setext and not in_code:
            add(LineReport(number, "text", reason="heading underline", text=line))
            continue
        stripped = line.strip()
        if html_row is not None or (re.match(r"<tr\b", stripped, re.I) and not in_code and not in_comment):
            if html_row is None:
                close_block()
                html_row = []
            html_row.append((number, line))
            if re.search(r"</tr>", stripped, re.I):
                close_html_row()
            continue
        if stripped.startswith(("```", "~~~")):
            close_block()
            in_code = not in_code
            add(LineReport(number, "text", reason="code fence", text=line))
            continue
        if in_code or in_comment or stripped.startswith("<!--"):
            if stripped.startswith("<!--") and "-->" not in stripped:
                in_comment = True
            elif in_comment and "-->" in stripped:
                in_comment = False
            has_link = bool(mdentry.find_links(line))
            add(LineReport(number, "skipped" if has_link else "text", "skipped" if has_link else "",
                           "inside a code block or HTML comment" if has_link else "", text=line))
            continue
        heading = HEADING.match(line) or HTML_HEADING.match(line)
        if heading:
            close_block()
            table = None
            level, title = len(heading.group(1)) if heading.group(1).startswith("#") else int(heading.group(1)), heading.group(2)
            title = mdentry.plain(LINK.sub(lambda m: m.group(1), title))
            while stack and stack[-1][0] >= level:
                stack.pop()
            node = mapping.get(normalize_heading(title)) or taxonomy.resolve_heading(title)
            parent = next((s[2] for s in reversed(stack) if s[2]), None) or default_category
            reason = ""
            if node is None:
                reason = f"heading maps to no taxonomy node; its entries go to {parent}" if parent else \
                    "heading maps to no taxonomy node (add it to --map); its entries are skipped"
            stack.append((level, title, node, number))
            add(LineReport(number, "heading", reason=reason, record=node or "", text=line))
            continue
        if TABLE_ROW.match(line):
            close_block()
            cells = [c.strip() for c in _split_row(stripped)]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                add(LineReport(number, "text", reason="table separator", text=line))
                continue
            if table is None or not any(mdentry.find_links(c) for c in cells):
                if not any(mdentry.is_paper_url(l.url) for c in cells for l in mdentry.find_links(c)):
                    table = [_column_key(c) for c in cells]
                    add(LineReport(number, "text", reason="table header", text=line))
                    continue
            if category() == "frameworks":
                row = _framework_row(number, cells, table or [])
                if row:
                    frameworks.append(row)
                    add(LineReport(number, "entry", "framework", record=row.name, text=line))
                    continue
            entry, reason = _table_entry(number, line, cells, table or [], category(), venues, heading_year())
            if entry:
                entries.append(entry)
            add(LineReport(number, "entry" if entry else "skipped", "" if entry else "skipped", reason, text=line,
                           notes=list(entry.notes) if entry else []))
            continue
        if not stripped:
            if block is not None:
                block.blanks.append(number)  # a blank line may separate a title from its indented links
            else:
                add(LineReport(number, "text", text=line))
            continue
        indent = len(line) - len(line.lstrip())
        is_bullet = bool(BULLET.match(line) or NUMBERED.match(line))
        if block is not None and (indent > block.indent or (not is_bullet and not block.blanks)):
            block.lines.append((number, line))
            continue
        close_block()
        bullet = BULLET.match(line)
        body = mdentry.BULLET_PREFIX.sub("", line, count=1).strip() if is_bullet else stripped
        if bullet and not body:
            add(LineReport(number, "skipped", "skipped", "empty list item", text=line))
            continue
        if VENUE_TAG.match(body):
            entry, reason = _parse_entry(number, line, body, category(), venues)
            if entry is None:
                add(LineReport(number, "skipped", "skipped", reason, text=line))
            else:
                entries.append(entry)
                add(LineReport(number, "entry", text=line, notes=list(entry.notes)))
            continue
        links = mdentry.find_links(body)
        if links and all(l.kind == "anchor" for l in links):
            add(LineReport(number, "skipped", "skipped", "table-of-contents link to a section of the page", text=line))
            continue
        ex = mdentry.extract(line, venues)
        if ex.has_paper_link:
            entry, reason = _generic_entry(number, line, ex, category(), venues, heading_year())
            if entry:
                entries.append(entry)
            add(LineReport(number, "entry" if entry else "skipped", "" if entry else "skipped", reason, text=line,
                           notes=list(entry.notes) if entry else []))
            continue
        if _could_start_block(body, links):
            block = _Block(number, indent, [(number, line)])
            continue
        if links:
            kinds = {l.kind for l in links}
            reason = "links, but none to a paper" if kinds & {"code", "project", "title"} else "links that are not papers (badges, images, other pages)"
            add(LineReport(number, "skipped", "skipped", reason, text=line))
        else:
            add(LineReport(number, "text", text=line))
    close_block()
    if html_row is not None:
        close_html_row()
    report.lines.sort(key=lambda item: item.line)
    return Parsed(entries, frameworks, report)


def _split_row(row: str) -> list[str]:
    """Cells of a markdown table row; a '|' inside a link label or code span stays in its cell."""
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|"):
        row = row[:-1]
    cells, depth, current = [], 0, ""
    for ch in row:
        if ch in "[(":
            depth += 1
        elif ch in "])" and depth:
            depth -= 1
        if ch == "|" and depth == 0:
            cells.append(current)
            current = ""
        else:
            current += ch
    cells.append(current)
    return cells


def _could_start_block(body: str, links) -> bool:
    """A line that may be the title line of a multi-line entry: short, no links, not prose."""
    if links:
        return False
    text = mdentry.plain(body)
    words = text.split()
    return 2 <= len(words) <= 40 and not text.endswith(":") and (body.lstrip().startswith(("**", "__", "<b>", "<strong>", "[", "\""))
                                                             or text[:1].isupper() or text[:1] in "[\"“")


def _generic_entry(number: int, line: str, ex, category: str | None, venues, context_year: int | None = None) -> tuple[Entry | None, str]:
    if category is None:
        return None, "entry under a heading that maps to no taxonomy node (add the heading to --map, or give --category)"
    if not ex.title:
        return None, "entry without a title"
    links, notes = {}, list(ex.notes)
    for key, url in ex.links.items():
        url, url_notes = clean_url(url)
        notes.extend(url_notes)
        if url.startswith(("http://", "https://")):
            links[key] = url
    if "paper" not in links:
        return None, "entry without a link to the paper"
    arxiv = next((a for a in (arxiv_id(u) for u in links.values()) if a), None)
    venue = ex.venue
    if venue is not None and not venue.year:
        year_m = re.search(r"\b((?:19|20)\d\d)\b", mdentry.plain(_mask_links(line)))
        if year_m or context_year:
            venue = mdentry.Venue(venue.name, int(year_m.group(1)) if year_m else context_year, None, 0, 0)
            if not year_m:
                notes.append(f"year {context_year} from the heading")
        else:
            venue = None
    if venue is None:
        if not arxiv:
            return None, "no venue and year found, and no arXiv link to date the paper"
        name, year, month = "arXiv", arxiv_year(arxiv), None
        notes.append(f"no venue given: recorded as an arXiv preprint of {year}")
    else:
        name, year, month = venue.name, venue.year, venue.month
        if venue.corrected:
            notes.append(f"venue '{venue.corrected}' read as {name} (spelling corrected)")
    if name == "arXiv":
        if not arxiv:
            return None, "tagged as an arXiv preprint but links no arXiv page, so its arXiv id is unknown; add the record by hand"
        first = arxiv_year(arxiv)
        if first and first != year:
            notes.append(f"tag says {year} but arXiv id {arxiv} was posted {first}; using {first}")
            year = first
    return Entry(number, line, ex.title, name, year, month, links, arxiv, category, notes,
                 new_venue=venue.new if venue is not None else None), ""


def _mask_links(text: str) -> str:
    for link in reversed(mdentry.find_links(text)):
        text = text[: link.start] + " " * (link.end - link.start) + text[link.end:]
    return text


def _table_entry(number: int, line: str, cells: list[str], columns: list[str], category, venues,
                 context_year: int | None = None) -> tuple[Entry | None, str]:
    title_cell = next((c for c, k in zip(cells, columns) if k == "title"), cells[0] if cells else "")
    venue_text = " ".join(c for c, k in zip(cells, columns) if k in ("venue", "year"))
    ex = mdentry.extract(title_cell, venues)
    for cell, key in zip(cells, columns):
        if cell is title_cell:
            continue
        for link in mdentry.find_links(cell):
            kind = link.kind if link.kind not in ("title", "other") else (key if key in ("paper", "code", "project") else link.kind)
            if kind in ("paper", "code", "project") and kind not in ex.links:
                ex.links[kind] = link.url
    if "paper" not in ex.links:
        for cell in cells:
            for link in mdentry.find_links(cell):
                if mdentry.is_paper_url(link.url):
                    ex.links.setdefault("paper", link.url)
    ex.has_paper_link = "paper" in ex.links
    if not ex.has_paper_link:
        return None, "table row without a link to the paper"
    if venue_text.strip():
        venue = mdentry.find_venue(venue_text, venues)
        if venue is None:
            m = re.search(r"(19|20)\d\d", venue_text)
            found = venues.resolve(re.sub(r"(19|20)\d\d", "", mdentry.plain(venue_text)).strip(" ,'`"))
            name = found.name if found else None
            if name and (m or context_year):
                venue = mdentry.Venue(name, int(m.group(0)) if m else context_year, None, 0, 0)
                if not m:
                    ex.notes.append(f"year {context_year} from the heading")
        ex.venue = venue or ex.venue
    ex.title = ex.title or mdentry.plain(title_cell)
    return _generic_entry(number, line, ex, category, venues, context_year)


def _column_key(cell: str) -> str:
    low = mdentry.plain(cell).lower()
    if re.search(r"\b(title|paper name|name|method|model|work|papers?)\b", low) and not re.search(r"\b(pdf|link)\b", low):
        return "title"
    if re.search(r"\b(venue|conference|conf|publication|published|journal|pub)\b", low):
        return "venue"
    if re.search(r"\b(year|date|time)\b", low):
        return "year"
    if re.search(r"\b(code|github|repo)\b", low):
        return "code"
    if re.search(r"\b(pdf|arxiv|link|url)\b", low):
        return "paper"
    if re.search(r"\b(project|page|website)\b", low):
        return "project"
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
    tagged, problem = parse_venue_tag(tag.group(1), venues)
    if tagged is None:
        return None, problem
    venue, year, month = tagged.name, tagged.year, tagged.month
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
    arxiv = next((a for a in (arxiv_id(u) for u in links.values()) if a), None)
    if venue == "arXiv" and not arxiv:
        return None, "tagged as an arXiv preprint but links no arXiv page, so its arXiv id is unknown; add the record by hand"
    if arxiv and venue == "arXiv":
        first = arxiv_year(arxiv)
        if first and (first != year or (month and arxiv[2:4] != f"{month:02d}")):
            notes.append(f"tag says {year}{'.%02d' % month if month else ''} but arXiv id {arxiv} was posted {first}.{arxiv[2:4]}; using {first}")
            year = first
    if tagged.corrected:
        notes.append(f"venue '{tagged.corrected}' read as {venue} (spelling corrected)")
    return Entry(number, line, title, venue, year, month, links, arxiv, category, notes, new_venue=tagged.new), ""


# -- planning and applying ---------------------------------------------------------------------

def candidates(parsed: Parsed) -> Iterator[Candidate]:
    """The entries as candidates, one at a time, taken out of parsed.entries as they go: a large
    list has hundreds of thousands, and an entry is not needed once it is a candidate."""
    entries = parsed.entries
    entries.reverse()
    while entries:
        e = entries.pop()
        yield Candidate(e.line, {"title": e.title, "venue": e.venue, "year": e.year, "arxiv": e.arxiv, "links": e.links},
                        e.title, e.category, place_existing=True, new_venue=e.new_venue)


def plan(parsed: Parsed, catalog: Catalog, added: dt.date, prefer: str = "catalog",
         new_venues: bool = True) -> tuple[dict[str, Planned], merge.Planner]:
    """Match every entry against the catalog (see merge.plan) and record the outcome in the report."""
    planner = merge.Planner(catalog, added=added, prefer=prefer, new_venues=new_venues)  # type: ignore[arg-type]
    planned = planner.planned
    by_line = {item.line: item for item in parsed.report.lines}
    for outcome in map(planner.add, candidates(parsed)):  # each outcome is read into the report as it comes
        item = by_line[outcome.line]
        item.status, item.record, item.fields = outcome.status, outcome.record, outcome.fields
        item.reason, item.conflicts = outcome.reason, outcome.conflicts
        item.notes = item.notes + [n for n in outcome.notes if n not in item.notes]
        if outcome.status == "skipped":
            item.kind = "skipped"
    parsed.report.add_new_venues(planner.new_venues)
    return planned, planner


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


def load_heading_map(path: Path, taxonomy) -> dict[str, str]:
    """--map FILE: a YAML mapping of the list's headings to taxonomy node ids."""
    from ..yamlsrc import read_yaml

    doc, problems = read_yaml(path, path.name)
    if problems or doc is None:
        raise ImportError_("\n".join(p.format() for p in problems) or f"{path}: cannot read")
    if not isinstance(doc.data, dict):
        raise ImportError_(f"{path}: must map headings to taxonomy nodes, e.g. 'Fast Samplers: algorithm.efficient_sampling'")
    bad = []
    for heading, node in doc.data.items():
        if not isinstance(node, str) or node not in taxonomy:
            guess = taxonomy.suggest(str(node))
            line, col = doc.where((heading,))
            bad.append(f"{path.name}:{line}:{col}: '{heading}' maps to '{node}', which is not in taxonomy.yaml"
                       + (f"; did you mean '{guess}'?" if guess else ""))
    if bad:
        raise ImportError_("\n".join(bad))
    return {str(k): v for k, v in doc.data.items()}


def import_markdown(path: Path, catalog: Catalog, *, dry_run: bool = False, added: dt.date | None = None,
                    source_name: str | None = None, prefer: str = "catalog", heading_map: dict[str, str] | None = None,
                    category: str | None = None, new_venues: bool = True) -> tuple[ImportReport, dict[str, Planned]]:
    """Parse, plan and (unless dry_run) write. Raises ImportError_ for input that is not markdown."""
    from ..store import write_text_atomic
    from .frameworks_io import dump_frameworks

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportError_(f"{path}: not a UTF-8 text file (byte {exc.start}); is this a markdown list?") from None
    del raw  # from here on the input is held once, as the report's lines (memory: a list can be large)
    if "\x00" in text:
        raise ImportError_(f"{path}: binary file, not markdown")
    source = source_name or path.name
    problem = merge.category_option_problem(catalog, category)
    if problem:
        raise ImportError_(problem)
    parsed = parse(text, source, catalog, heading_map, category)
    del text
    if not parsed.entries and not parsed.frameworks and not any(
            mdentry.is_paper_url(link.url) for item in parsed.report.lines for link in mdentry.find_links(item.text)):
        raise ImportError_(f"{path}: found no list entries (lines with a link to a paper); is this an awesome-list file?")
    unmapped = sum(1 for item in parsed.report.lines if item.reason.startswith("entry under a heading that maps to no"))
    if unmapped:
        parsed.report.lines.append(LineReport(0, "text", "", f"{unmapped} entries are under headings that map to no taxonomy "
                                              "node: map the headings with --map FILE, or give --category NODE"))
    planned, planner = plan(parsed, catalog, added or dt.date.today(), prefer, new_venues)
    frameworks, fw_notes = merge_frameworks(parsed.frameworks, catalog.frameworks, source)
    for note in fw_notes:
        parsed.report.lines.append(LineReport(0, "text", "conflict", note))
    if not dry_run:
        try:
            merge.apply(planned, catalog.root, [venue for venue, _ in planner.new_venues.values()])
        except merge.WriteStopped as exc:
            parsed.report.writing_stopped(exc.written, str(exc))
            raise ImportStopped(parsed.report) from exc
        parsed.report.written = True
        if parsed.frameworks:
            write_text_atomic(catalog.root / "frameworks.yaml", dump_frameworks(frameworks))
    return parsed.report, planned


class ImportError_(ImportFailed):
    """Markdown that cannot be imported at all (not text, not a list)."""
