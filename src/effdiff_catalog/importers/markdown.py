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
from ..ids import arxiv_month
from ..model import Framework, arxiv_year
from ..text import normalize_heading
from ..urls import arxiv_id, paper_url
from ..taxonomy import FRAMEWORKS, Taxonomy
from ..venues import Venues, kind_from_text
from . import mdentry, merge
from .merge import Candidate, Planned
from .report import ImportFailed, ImportReport, ImportStopped, LineReport

HEADING = re.compile(r"^\s*(?:[-*+]\s+)?(#{1,6})\s+(.*?)\s*#*\s*$")
BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
HTML_HEADING = re.compile(r"^\s*<h([1-6])[^>]*>(.*?)</h[1-6]>\s*$", re.I)
LINK = re.compile(r"\[\[?\s*([^\[\]]+?)\s*\]\]?\(\s*([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\s*\)\]?")
VENUE_TAG = re.compile(r"^\*\*\s*\[([^\]]+)\]\s*\*\*\s*")
TABLE_ROW = re.compile(r"^\s*\|.*\|")  # GFM: the closing pipe is optional ("| 2025 | Title | link")


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
    title_only: bool = False  # a list item naming the paper by its title alone: no link, maybe no venue or year


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


def parse_venue_tag(tag: str, venues: Venues) -> tuple[mdentry.Venue | None, str]:
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
    under_entry: bool = False  # an item indented under an entry ('  - Authors: ...'), not a paper of its own


# -- the line reader ------------------------------------------------------------------------------


def read_lines(text: str) -> Iterator[tuple[int, str, bool]]:
    """(number, line, is an underline) for every line; a setext heading ('Title' over '===' or
    '---') comes as the ATX heading it means, and its underline is flagged."""
    lines = text.splitlines()
    setext = {i for i in range(1, len(lines))
              if re.fullmatch(r"\s{0,3}(=+|-{2,})\s*", lines[i]) and lines[i - 1].strip()
              and not re.match(r"\s*([-*+|>#]|\d+[.)])", lines[i - 1]) and "](" not in lines[i - 1]}
    in_code = False
    for i, line in enumerate(lines):
        if line.strip().startswith(("```", "~~~")):
            in_code = not in_code
        if not in_code and i + 1 in setext:
            yield i + 1, ("# " if lines[i + 1].strip().startswith("=") else "## ") + line.strip(), False
        elif not in_code and i in setext:
            yield i + 1, line, True
        else:
            yield i + 1, line, False


# -- the grammar: one method per construct; each takes a line or declines it ------------------------


class _ListReader:
    """Reads a list line by line. `read` offers each line to the constructs in order (HTML table
    rows, code fences, code blocks and comments, headings, table rows, blank lines, continuation
    lines, entries); the first that takes it reports it."""

    def __init__(self, source: str, catalog: Catalog, heading_map: dict[str, str] | None, default_category: str | None):
        self.taxonomy, self.venues = catalog.taxonomy, catalog.venues
        self.mapping = {normalize_heading(k): v for k, v in (heading_map or {}).items()}
        self.default_category = default_category
        self.report = ImportReport(source)
        self.entries: list[Entry] = []
        self.frameworks: list[FrameworkRow] = []
        self.stack: list[tuple[int, str, str | None, int]] = []  # (level, heading, node, line)
        self.table: list[str] | None = None  # the column keys of the current table
        self.block: _Block | None = None  # a multi-line entry being read
        self.html_row: list[tuple[int, str]] | None = None
        self.in_code = self.in_comment = False
        # the last one-line entry: lines under it that hold only links (badges, code, project) belong to it
        self.last: tuple[int, int, Entry, int] | None = None  # (line, indent, entry, line of its last part)
        # the open list items above the current one: (indent, whether it is an entry with a link)
        self.items: list[tuple[int, bool]] = []

    # context

    def category(self) -> str | None:
        return next((s[2] for s in reversed(self.stack) if s[2]), None) or self.default_category

    def heading_year(self) -> int | None:
        """Lists grouped by year ('### 2023') date their entries through the heading."""
        for s_ in reversed(self.stack):
            m = re.fullmatch(r"\D{0,20}?((?:19|20)\d\d)\D{0,20}", s_[1].strip())
            if m:
                return int(m.group(1))
        return None

    def add(self, item: LineReport) -> None:
        self.report.lines.append(item)

    def add_entry(self, number: int, line: str, entry: Entry | None, reason: str) -> None:
        if entry:
            self.entries.append(entry)
        self.add(LineReport(number, "entry" if entry else "skipped", "" if entry else "skipped", reason, text=line,
                            notes=list(entry.notes) if entry else []))

    # the reader

    def read(self, text: str) -> Parsed:
        constructs = (self.html_table_row, self.code_fence, self.hidden, self.heading, self.table_row, self.blank,
                      self.continuation, self.entry)
        for number, line, underline in read_lines(text):
            if underline:
                self.add(LineReport(number, "text", reason="heading underline", text=line))
                continue
            for construct in constructs:
                if construct(number, line):
                    break
        self.close_block()
        if self.html_row is not None:
            self.close_html_row()
        self.report.lines.sort(key=lambda item: item.line)
        return Parsed(self.entries, self.frameworks, self.report)

    def html_table_row(self, number: int, line: str) -> bool:
        """<tr> ... </tr>, often over many lines, is one entry."""
        stripped = line.strip()
        if self.html_row is None and not (re.match(r"<tr\b", stripped, re.I) and not self.in_code and not self.in_comment):
            return False
        if self.html_row is None:
            self.close_block()
            self.html_row = []
        self.html_row.append((number, line))
        if re.search(r"</tr>", stripped, re.I):
            self.close_html_row()
        return True

    def code_fence(self, number: int, line: str) -> bool:
        if not line.strip().startswith(("```", "~~~")):
            return False
        self.close_block()
        self.in_code = not self.in_code
        self.add(LineReport(number, "text", reason="code fence", text=line))
        return True

    def hidden(self, number: int, line: str) -> bool:
        """Code blocks and HTML comments: what GitHub does not show as list entries."""
        stripped = line.strip()
        if not (self.in_code or self.in_comment or stripped.startswith("<!--")):
            return False
        if stripped.startswith("<!--") and "-->" not in stripped:
            self.in_comment = True
        elif self.in_comment and "-->" in stripped:
            self.in_comment = False
        has_link = bool(mdentry.find_links(line))
        self.add(LineReport(number, "skipped" if has_link else "text", "skipped" if has_link else "",
                            "inside a code block or HTML comment" if has_link else "", text=line))
        return True

    def heading(self, number: int, line: str) -> bool:
        found = HEADING.match(line) or HTML_HEADING.match(line)
        if not found:
            return False
        self.close_block()
        self.table, self.last, self.items = None, None, []
        level = len(found.group(1)) if found.group(1).startswith("#") else int(found.group(1))
        title = mdentry.plain(LINK.sub(lambda m: m.group(1), found.group(2)))
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        node = self.mapping.get(normalize_heading(title)) or self.taxonomy.resolve_heading(title)
        parent = self.category()
        reason = ""
        near = None if node else self.taxonomy.near_heading(title)
        if near:
            node = near[0]
            reason = f"heading read as '{near[1]}', the nearest name of a taxonomy node (map it with --map if that is wrong)"
        if node is None:
            reason = f"heading maps to no taxonomy node; its entries go to {parent}" if parent else \
                "heading maps to no taxonomy node (add it to --map); its entries are skipped"
        self.stack.append((level, title, node, number))
        self.add(LineReport(number, "heading", reason=reason, record=node or "", text=line))
        return True

    def table_row(self, number: int, line: str) -> bool:
        if not TABLE_ROW.match(line):
            return False
        self.close_block()
        self.last = None
        cells = [c.strip() for c in _split_row(line.strip())]
        if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
            self.add(LineReport(number, "text", reason="table separator", text=line))
            return True
        if self.table is None or not any(mdentry.find_links(c) for c in cells):
            if not any(mdentry.is_paper_url(link.url) for c in cells for link in mdentry.find_links(c)):
                self.table = [_column_key(c) for c in cells]
                self.add(LineReport(number, "text", reason="table header", text=line))
                return True
        if self.category() == FRAMEWORKS:
            row = _framework_row(number, cells, self.table or [])
            if row:
                self.frameworks.append(row)
                self.add(LineReport(number, "entry", "framework", record=row.name, text=line))
                return True
        entry, reason = _table_entry(number, line, cells, self.table or [], self.category(), self.venues, self.heading_year())
        self.add_entry(number, line, entry, reason)
        return True

    def blank(self, number: int, line: str) -> bool:
        if line.strip():
            return False
        if self.block is not None:
            self.block.blanks.append(number)  # a blank line may separate a title from its indented links
        else:
            self.add(LineReport(number, "text", text=line))
        return True

    def continuation(self, number: int, line: str) -> bool:
        """A line that continues the entry above: inside a multi-line block, or badges and links
        under a one-line entry (indented deeper, or right below it)."""
        indent = _indent(line)
        is_bullet = _is_bullet(line)
        if self.block is not None and (indent > self.block.indent or (not is_bullet and not self.block.blanks)):
            self.block.lines.append((number, line))
            return True
        self.close_block()
        last = self.last
        if last is not None and not is_bullet and (indent > last[1] or number == last[3] + 1) and _only_links(line.strip()):
            _attach_links(last[2], line.strip())
            self.add(LineReport(number, "entry", reason=f"part of the entry at line {last[0]}", text=line))
            self.last = (last[0], last[1], last[2], number)
            return True
        self.last = None
        return False

    def entry(self, number: int, line: str) -> bool:
        """A list item or a line that is an entry (venue tag, links), starts a multi-line entry,
        or is text. Takes every line it is offered."""
        is_bullet = _is_bullet(line)
        under_entry = False
        if is_bullet:
            items, indent = self.items, _indent(line)
            while items and items[-1][0] >= indent:
                items.pop()
            under_entry = any(is_entry for _, is_entry in items)
            items.append((indent, False))
        body = mdentry.BULLET_PREFIX.sub("", line, count=1).strip() if is_bullet else line.strip()
        if BULLET.match(line) and not body:
            self.add(LineReport(number, "skipped", "skipped", "empty list item", text=line))
            return True
        links = mdentry.find_links(body)
        if links and all(link.kind == "anchor" for link in links):
            self.add(LineReport(number, "skipped", "skipped", "table-of-contents link to a section of the page", text=line))
            return True
        tag = VENUE_TAG.match(body) if links else None  # without links, it may be a block's first line or a title alone
        if tag:  # '**[Venue Year]** Title. [[Paper]](url)': the tag is the venue, the rest the title and links
            entry, reason = self.tagged_entry(number, line, body, tag)
            self.add_entry(number, line, entry, reason)
            if entry:
                self.last = (number, _indent(line), entry, number)
                self.mark_entry(is_bullet)
            return True
        ex = mdentry.extract(line, self.venues)
        if ex.has_paper_link:
            entry, reason = _generic_entry(number, line, ex, self.category(), self.venues, self.heading_year())
            self.add_entry(number, line, entry, reason)
            if entry:
                self.last = (number, _indent(line), entry, number)
                self.mark_entry(is_bullet)
            return True
        if _could_start_block(body, links):
            self.block = _Block(number, _indent(line), [(number, line)], under_entry=under_entry)
            return True
        if links:
            kinds = {link.kind for link in links}
            reason = "links, but none to a paper" if kinds & {"code", "project", "title"} else \
                "links that are not papers (badges, images, other pages)"
            self.add(LineReport(number, "skipped", "skipped", reason, text=line))
        else:
            self.add(LineReport(number, "text", text=line))
        return True

    def mark_entry(self, is_bullet: bool) -> None:
        """The list item just read is an entry: items indented under it are its parts, not papers."""
        if is_bullet and self.items:
            self.items[-1] = (self.items[-1][0], True)

    def tagged_entry(self, number: int, line: str, body: str, tag: re.Match) -> tuple[Entry | None, str]:
        tagged, problem = parse_venue_tag(tag.group(1), self.venues)
        if tagged is None:
            return None, problem
        rest = body[tag.end():]
        ex = mdentry.extract(rest, self.venues)
        ex.venue = tagged
        first_link = mdentry.find_links(rest)
        title = rest[: first_link[0].start] if first_link else rest
        title = re.sub(r"\s+", " ", title.replace("**", "").replace("__", "")).strip(" .,;")
        dropped = mdentry.trailing_venue(title, self.venues)
        if dropped:  # '..., ACL 24' after the title: said, not silently cut
            ex.notes.append(f"dropped '{dropped.group(0).strip(', ')}' after the title")
        return _generic_entry(number, line, ex, self.category(), self.venues, self.heading_year())

    # entries that span lines

    def close_block(self) -> None:
        if self.block is None:
            return
        current, self.block = self.block, None
        for number in current.blanks:
            self.add(LineReport(number, "text", text=""))
        first_text = current.lines[0][1]
        ex = mdentry.extract(" ".join(t for _, t in current.lines), self.venues)
        if len(current.lines) > 1:
            ex.title = mdentry.extract(first_text, self.venues).title or ex.title  # the title is on the block's first line
        if not ex.has_paper_link:
            entry = self.title_only(current, ex)
            if entry is not None:
                self.add_entry(current.first, first_text, entry, "")
                for number, line in current.lines[1:]:
                    self.add(LineReport(number, "entry", reason=f"part of the entry at line {current.first}", text=line))
                return
            for number, line in current.lines:
                has_link = bool(mdentry.find_links(line))
                self.add(LineReport(number, "skipped" if has_link else "text", "skipped" if has_link else "",
                                    "links, but none to a paper" if has_link else "", text=line))
            return
        entry, reason = _generic_entry(current.first, first_text, ex, self.category(), self.venues, self.heading_year())
        self.add_entry(current.first, first_text, entry, reason)
        for number, line in current.lines[1:]:
            self.add(LineReport(number, "entry", reason=f"part of the entry at line {current.first}", text=line))

    def title_only(self, block: _Block, ex: mdentry.Extracted) -> Entry | None:
        """'- [CVPR] On Distillation of Guided Diffusion Models': a list item that names a paper by its
        title alone, under a heading that maps to a node. It can only match a record by its exact title
        (planned like any entry: merged, or a conflict for a near title); it never creates one."""
        number, line = block.lines[0]
        category = self.category()
        body = mdentry.BULLET_PREFIX.sub("", line, count=1).strip()
        if (category is None or block.under_entry or not _is_bullet(line) or len(block.lines) > 1
                or mdentry.find_links(line) or BOLD_ONLY.fullmatch(body)):
            return None  # '- **DiT Based (Fast-Forward Caching)**' over a figure: a label, not a paper
        said, tag = mdentry.plain(body), mdentry.TAG.match(body)  # ex: the block's one line, extracted
        tag_text = (tag.group("br") or tag.group("ins") or "").strip() if tag else ""
        tagged = tag is not None
        if tag is not None:  # '[ICML] Consistency Models': extract keeps a tag before a title this short
            ex.title = mdentry.clean_title_text(mdentry.plain(body[tag.end():]), self.venues)
        # a venue tag ('[ICML] Consistency Models') makes an item a paper even when short or ended by a full stop
        if not looks_like_title(ex.title, 2 if tagged else 3) or said.endswith((":", "：", "!", "?")) or (
                said.endswith((".", "。")) and not tagged):
            return None
        notes = []
        venue, year = "", 0
        if ex.venue is not None and ex.venue.year and ex.venue.name != "arXiv" and ex.venue.new is None:
            venue, year = ex.venue.name, ex.venue.year
        else:
            named = self.venues.resolve(mdentry.plain(tag_text)) if tag_text else None
            if named is not None and named.name != "arXiv" and not named.corrected:
                year = self.heading_year() or 0
                if year:
                    venue = named.name
                    notes.append(f"year {year} from the heading")
                else:
                    notes.append(f"venue tag '{tag_text}' without a year: not taken")
        return Entry(number, line, ex.title, venue, year, None, {}, None, category, notes, title_only=True)

    def close_html_row(self) -> None:
        rows, self.html_row = self.html_row or [], None
        joined = "\n".join(t for _, t in rows)
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", joined, re.S | re.I) or [joined]
        cell = next((c for c in cells if any(mdentry.is_paper_url(link.url) for link in mdentry.find_links(c))), None)
        if cell is None:
            for number, line in rows:
                has_link = bool(mdentry.find_links(line))
                self.add(LineReport(number, "skipped" if has_link else "text", "skipped" if has_link else "",
                                    "links, but none to a paper" if has_link else "", text=line))
            return
        ex = mdentry.extract(" ".join(cell.split()), self.venues)
        first = next((n for n, t in rows if mdentry.find_links(t) or re.search(r"<b>|\*\*", t)), rows[0][0])
        entry, reason = _generic_entry(first, joined, ex, self.category(), self.venues, self.heading_year())
        if entry:
            self.entries.append(entry)
        for number, line in rows:
            if number == first:
                self.add(LineReport(number, "entry" if entry else "skipped", "" if entry else "skipped", reason, text=line,
                                    notes=list(entry.notes) if entry else []))
            else:
                self.add(LineReport(number, "entry" if entry else "text",
                                    reason=f"part of the entry at line {first}" if entry else "", text=line))


def parse(text: str, source: str, catalog: Catalog, heading_map: dict[str, str] | None = None,
          default_category: str | None = None) -> Parsed:
    """Classify every line: heading, entry (a paper), skipped (with the reason) or text."""
    return _ListReader(source, catalog, heading_map, default_category).read(text)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _is_bullet(line: str) -> bool:
    return bool(BULLET.match(line) or NUMBERED.match(line))


def _only_links(text: str) -> bool:
    """A line that is nothing but links and badges (what lists put under an entry's title line)."""
    links = mdentry.find_links(text)
    if not links:
        return False
    rest = text
    for link in reversed(links):
        rest = rest[: link.start] + rest[link.end:]
    return not re.sub(r"[\s|·•,;:\-\[\]()]+", "", mdentry.plain(rest))


def _attach_links(entry: Entry, text: str) -> None:
    """Code and project links on a continuation line fill the entry's missing ones."""
    for link in mdentry.find_links(text):
        # a GitHub link that is no paper, code or project link (a stars badge) links the repository
        kind = "code" if link.kind == "other" and "github.com" in link.url else link.kind
        if kind in ("code", "project") and kind not in entry.links:
            url, notes = clean_url(link.url)
            if url.startswith(("http://", "https://")):
                entry.links[kind] = url
                entry.notes.extend(notes)


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


BOLD_NAME = re.compile(r"(\*\*|__)[^*_\n]{1,60}\1\s*[:：]?")


BOLD_ONLY = re.compile(r"(\*\*|__)[^*_]+(\*\*|__)|<(b|strong)>[^<]+</(b|strong)>")
# an item that labels a field of the entry above ('Authors: ...', '作者：...') rather than naming a paper
FIELD_LABEL = re.compile(r"^(authors?|venue|conference|journal|code|paper|project|note|notes|tl;?dr|abstract|keywords?|"
                         r"summary|year|date|link|links|作者|会议|代码|论文|摘要)\s*[:：]", re.I)


def looks_like_title(text: str, min_words: int = 3) -> bool:
    """Whether a list item's text can be a paper's title: three (or min_words) to thirty words, begun with a capital
    or a digit, not a label ('Authors: ...'). (An item that ends as a sentence does ('Code is coming soon.')
    is not one either: the caller sees the item's end, which the extracted title has lost.)"""
    words = text.split()
    return (min_words <= len(words) <= 30 and (text[:1].isupper() or text[:1].isdigit()) and not FIELD_LABEL.match(text)
            and "http" not in text)


def _could_start_block(body: str, links: list[mdentry.Link]) -> bool:
    """A line that may be the title line of a multi-line entry: short, no links, not prose."""
    if links:
        return False
    if BOLD_NAME.fullmatch(body.strip()):  # '* **HarmoniCa**：' over indented '论文：[arXiv ...](...)' lines
        return True
    text = mdentry.plain(body)
    words = text.split()
    return 2 <= len(words) <= 40 and not text.endswith(":") and (body.lstrip().startswith(("**", "__", "<b>", "<strong>", "[", "\""))
                                                             or text[:1].isupper() or text[:1] in "[\"“")


def _generic_entry(number: int, line: str, ex: mdentry.Extracted, category: str | None, venues: Venues,
                   context_year: int | None = None) -> tuple[Entry | None, str]:
    if category is None:
        return None, "entry under a heading that maps to no taxonomy node (add the heading to --map, or give --category)"
    if not ex.title or _only_a_link(ex.title):
        return None, "entry without a title (only a link or an arXiv id)"
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
        found_year = int(year_m.group(1)) if year_m else context_year
        if found_year:
            venue = mdentry.Venue(venue.name, found_year, None, 0, 0)
            if not year_m:
                notes.append(f"year {context_year} from the heading")
        else:
            venue = None
    if venue is None:
        if not arxiv:
            return None, "no venue and year found, and no arXiv link to date the paper"
        name, year, month = "arXiv", arxiv_year(arxiv), None
        assert year is not None  # arxiv_id only gives ids that ARXIV_RE matches
        notes.append(f"no venue given: recorded as an arXiv preprint of {year}")
    else:
        name, year, month = venue.name, venue.year, venue.month
        if venue.corrected:
            notes.append(f"venue '{venue.corrected}' read as {name} (spelling corrected)")
    if name == "arXiv":
        if not arxiv:
            return None, "tagged as an arXiv preprint but links no arXiv page, so its arXiv id is unknown; add the record by hand"
        year = preprint_year(year, month, arxiv, notes)
    return Entry(number, line, ex.title, name, year, month, links, arxiv, category, notes,
                 new_venue=venue.new if venue is not None else None), ""


def _only_a_link(title: str) -> bool:
    """A 'title' that is one URL or one arXiv id, as a badge whose only text is its link gives."""
    title = title.strip()
    return " " not in title and (title.lower().startswith(("http://", "https://", "www.")) or arxiv_id(title) is not None)


def preprint_year(year: int, month: int | None, arxiv: str, notes: list[str]) -> int:
    """The one rule for a preprint's year: its arXiv id's, with a note when the list's date says
    otherwise ('tag says 2024.09 but arXiv id 2405.07510 was posted 2024.05; using 2024')."""
    posted = arxiv_month(arxiv)
    if posted and (posted[0] != year or (month and posted[1] != month)):
        said = f"{year}.{month:02d}" if month else str(year)
        notes.append(f"tag says {said} but arXiv id {arxiv} was posted {posted[0]}.{posted[1]:02d}; using {posted[0]}")
        return posted[0]
    return year


def _mask_links(text: str) -> str:
    for link in reversed(mdentry.find_links(text)):
        text = text[: link.start] + " " * (link.end - link.start) + text[link.end:]
    return text


def _table_entry(number: int, line: str, cells: list[str], columns: list[str], category: str | None, venues: Venues,
                 context_year: int | None = None) -> tuple[Entry | None, str]:
    title_cell = next((c for c, k in zip(cells, columns) if k == "title"), cells[0] if cells else "")
    venue_text = " ".join(c for c, k in zip(cells, columns) if k in ("venue", "year"))
    venue_cells = " ".join(c for c, k in zip(cells, columns) if k == "venue")
    posted = next((m for c, k in zip(cells, columns) if k == "year" and (m := POSTED_MONTH.fullmatch(mdentry.plain(c)))), None)
    dropped = ""
    if posted and venue_cells.strip() and not YEAR.search(venue_cells) and not re.search(r"arxiv|preprint", venue_cells, re.I):
        # a 'Year' column of posting months (2024.08) beside a venue without its year (NAACL): the venue's
        # year is unknown (NAACL 2025 took that preprint), so the venue is not taken
        dropped = (f"venue '{mdentry.plain(venue_cells).strip()}' given without its year (the date column holds the "
                   f"posting month {posted.group(0)}): not taken")
        venue_text = ""
    ex = mdentry.extract(title_cell, venues)
    for cell, key in zip(cells, columns):
        if cell is title_cell:
            continue
        for link in mdentry.find_links(cell):
            kind = link.kind if link.kind not in ("title", "other") else (key if key in ("paper", "code", "project") else link.kind)
            if kind == "code":
                kind = mdentry.code_or_page(link.url)
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
            found_year = int(m.group(0)) if m else context_year
            if name and found_year:
                venue = mdentry.Venue(name, found_year, None, 0, 0)
                if not m:
                    ex.notes.append(f"year {context_year} from the heading")
        ex.venue = venue or ex.venue
    ex.title = ex.title or mdentry.plain(title_cell)
    if dropped:
        ex.notes.append(dropped)
    return _generic_entry(number, line, ex, category, venues, context_year)


# column headers of lists written in Chinese (checked before the English words; no word boundaries in CJK)
_CJK_COLUMNS = (("论文链接", "paper"), ("链接", "paper"), ("代码", "code"), ("项目", "project"), ("主页", "project"),
                ("会议", "venue"), ("期刊", "venue"), ("发表", "venue"), ("来源", "venue"),
                ("论文", "title"), ("标题", "title"), ("题目", "title"), ("名称", "title"), ("方法", "title"),
                ("年份", "year"), ("日期", "year"), ("时间", "year"))


POSTED_MONTH = re.compile(r"((?:19|20)\d\d)[.\-/](0?[1-9]|1[0-2])")
YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)|'\d\d\b")


def _column_key(cell: str) -> str:
    low = mdentry.plain(cell).lower()
    for word, key in _CJK_COLUMNS:
        if word in low:
            return key
    if re.search(r"\b(title|paper name|name|method|model|work|papers?)\b", low) and not re.search(r"\b(pdf|link)\b", low):
        return "title"
    if re.search(r"\b(venue|conference|conf|publication|published|publisher|journal|pub)\b", low):
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


# -- planning and applying ---------------------------------------------------------------------

def candidates(parsed: Parsed) -> Iterator[Candidate]:
    """The entries as candidates, one at a time, taken out of parsed.entries as they go: a large
    list has hundreds of thousands, and an entry is not needed once it is a candidate."""
    entries = parsed.entries
    entries.reverse()
    while entries:
        e = entries.pop()
        if e.title_only:
            data: dict[str, Any] = {"title": e.title, "links": {}}
            if e.year:
                data.update(venue=e.venue, year=e.year)
            yield Candidate(e.line, data, e.title, e.category, place_existing=True,
                            no_link="the list names it by its title alone; add it from its arXiv id (effdiff add --arxiv ID)")
            continue
        yield Candidate(e.line, {"title": e.title, "venue": e.venue, "year": e.year, "arxiv": e.arxiv, "links": e.links},
                        e.title, e.category, place_existing=True, new_venue=e.new_venue)


def plan(parsed: Parsed, catalog: Catalog, added: dt.date, prefer: merge.Prefer = "catalog",
         new_venues: bool = True) -> tuple[dict[str, Planned], merge.Planner]:
    """Match every entry against the catalog (see merge.plan) and record the outcome in the report."""
    planner = merge.Planner(catalog, added=added, prefer=prefer, new_venues=new_venues)
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


def load_heading_map(path: Path, taxonomy: Taxonomy) -> dict[str, str]:
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
                    source_name: str | None = None, prefer: merge.Prefer = "catalog", heading_map: dict[str, str] | None = None,
                    category: str | None = None, new_venues: bool = True) -> tuple[ImportReport, dict[str, Planned]]:
    """Parse, plan and (unless dry_run) write. Raises ImportError_ for input that is not markdown."""
    from ..store import dump_frameworks, write_text_atomic

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
        raise ImportError_(f"{path}: found no list entries (lines with a link to a paper, or list items that name a paper "
                           "by its title under a heading that maps to a taxonomy node); is this an awesome-list file?")
    title_only = [e for e in parsed.entries if e.title_only]
    if title_only:
        parsed.report.lines.append(LineReport(0, "text", "", f"{len(title_only)} entries name a paper by its title alone "
                                              "(no link): they can only match a record by its exact title, and create none"))
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
