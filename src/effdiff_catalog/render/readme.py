"""The awesome-list README: sections in taxonomy order, one line per paper, the frameworks table.

The README passes awesome-lint (its rules, except awesome-list-item, which the template turns off
and says why): brackets that are not links are escaped, every link is there once (a paper filed
under two nodes is listed in full under the one its record names first, and named under the
others), the table of contents has two levels and matches the headings, and the tables' pipes line up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..catalog import Catalog
from ..model import Framework, Paper
from ..taxonomy import FRAMEWORKS
from .citation import CATALOG_TITLE, Citation, citation
from .common import REPO_URL, Resources, direct_papers, md_text, md_url, subtree_counts, venue_label

TEMPLATE = "README.md.j2"
# Headings the template writes around the generated sections, in document order: GitHub numbers
# repeated anchors in that order, so the node anchors must know them.
HEADINGS_BEFORE = [CATALOG_TITLE, "Contents", "Leaderboards"]
HEADINGS_AFTER = ["Working with this repository", "Quick start", "Exit codes", "Adding a paper", "Citation"]
LINK_LABELS = (("paper", "Paper"), ("code", "Code"), ("project", "Project"))


class Slugger:
    """GitHub's heading anchors: lowercase, punctuation dropped, spaces to '-', repeats numbered."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def slug(self, text: str) -> str:
        base = re.sub(r"[^\w\- ]", "", text.lower(), flags=re.UNICODE).replace(" ", "-")
        n = self.seen.get(base, 0)
        self.seen[base] = n + 1
        return base if n == 0 else f"{base}-{n}"


@dataclass
class Section:
    level: int
    depth: int
    title: str
    anchor: str
    count: int
    entries: list[str]
    is_frameworks: bool
    extends_survey: bool = False  # a node the catalog adds to the survey's taxonomy
    description: str = ""

    @property
    def toc_link(self) -> str:
        """`[Title](#anchor) (n)`, with the extension mark."""
        return (f"[{md_text(self.title)}](#{self.anchor})" + (f" ({self.count})" if self.count else "")
                + (" ⁺" if self.extends_survey else ""))


def _title_sentence(paper: Paper) -> str:
    title = md_text(paper.title)
    return title if re.search(r"[.?!]$", paper.title) else title + "."


def _label(catalog: Catalog, paper: Paper) -> str:
    # escaped brackets: GitHub shows `[ICLR 2023]` as before, and no linter reads a reference in it
    return f"**\\[{md_text(venue_label(catalog, paper))}\\]**"


def entry_line(catalog: Catalog, paper: Paper) -> str:
    """`- **\\[NeurIPS 2023\\]** Title. [\\[Paper\\]](url) [\\[Code\\]](url)`, every piece of data escaped.
    On GitHub it reads `[NeurIPS 2023] Title. [Paper] [Code]` (the bracketed names are the links)."""
    links = " ".join(f"[\\[{label}\\]]({md_url(url)})" for key, label in LINK_LABELS if (url := getattr(paper.links, key)))
    return f"- {_label(catalog, paper)} {_title_sentence(paper)} {links}".rstrip()


def pointer_line(catalog: Catalog, paper: Paper, home: str) -> str:
    """A paper's line under its second (third...) node: no links (each link is in the README once,
    under `home`, the node where the paper is listed in full)."""
    return f"- {_label(catalog, paper)} {_title_sentence(paper)} Listed with its links under {md_text(home)}."


def home_nodes(catalog: Catalog) -> dict[str, str]:
    """Where the README lists each paper in full: the node its record names first (the paper's main
    topic, as whoever filed it chose; EDM is an ODE solver first and an SDE solver second)."""
    return {p.id: p.categories[0] for p in catalog.papers.values()}


def sections(catalog: Catalog) -> list[Section]:
    """Every node with papers (or, for the frameworks node, frameworks), in the survey's order."""
    counts = subtree_counts(catalog)
    direct = direct_papers(catalog)
    home = home_nodes(catalog)
    slugger = Slugger()
    for text in HEADINGS_BEFORE:
        slugger.slug(text)
    out = []
    for node in catalog.taxonomy.ordered():
        is_frameworks = node.parent is None and node.id == FRAMEWORKS
        if not counts[node.id] and not (is_frameworks and catalog.frameworks):
            continue
        entries = [entry_line(catalog, p) if home[p.id] == node.id
                   else pointer_line(catalog, p, catalog.taxonomy[home[p.id]].title) for p in direct[node.id]]
        out.append(Section(
            level=min(node.depth + 2, 6), depth=node.depth, title=node.title, anchor=slugger.slug(node.title),
            count=counts[node.id], entries=entries, is_frameworks=is_frameworks,
            extends_survey=node.extends_survey, description=node.description,
        ))
    return out


def contents(sections: list[Section]) -> list[str]:
    """The table of contents: a line per top-level section and, nested once, per second-level
    section (awesome-lint allows two levels). Deeper sections follow their second-level one on its
    line: `- [B](#b) (9): [B1](#b1) (5): [B1a](#b1a) (2), [B1b](#b1b) (3) · [B2](#b2) (4)`."""
    lines: list[tuple[Section, list[list[Section]]]] = []  # a listed section, its depth-2 groups
    for s in sections:
        if s.depth <= 1 or not lines:
            lines.append((s, []))
        elif s.depth == 2 or not lines[-1][1]:
            lines[-1][1].append([s])
        else:
            lines[-1][1][-1].append(s)

    def group(g: list[Section]) -> str:
        return g[0].toc_link + (": " + ", ".join(d.toc_link for d in g[1:]) if len(g) > 1 else "")

    return ["  " * s.depth + "- " + s.toc_link + (": " + " · ".join(group(g) for g in groups) if groups else "")
            for s, groups in lines]


def _mark(value: bool | None) -> str:
    return "—" if value is None else ("✅" if value else "❌")


def framework_row(fw: Framework) -> str:
    links = " ".join(f"[\\[{label}\\]]({md_url(url)})" for label, url in
                     (("Code", fw.links.code), ("Docs", fw.links.docs), ("Project", fw.links.project)) if url)
    cells = [f"{md_text(fw.name)} {links}", _mark(fw.training), _mark(fw.fine_tuning), _mark(fw.inference),
             md_text(fw.features or "")]
    return "| " + " | ".join(cells) + " |"


# -- tables ----------------------------------------------------------------------------------------

_DELIMITER_CELL = re.compile(r"^\s*(:?)-+(:?)\s*$")


def _cells(row: str) -> list[str]:
    """A table row's cells, split at the pipes that are not escaped (GFM's rule, code spans included)."""
    cells, current, i = [], [], 0
    body = row.strip()
    body = body[1:] if body.startswith("|") else body
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            current.append(body[i:i + 2])
            i += 2
            continue
        if c == "|":
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(c)
        i += 1
    if "".join(current).strip():
        cells.append("".join(current).strip())
    return cells


def _width(text: str) -> int:
    """Length as remark measures it (UTF-16 code units: an emoji outside the BMP counts two)."""
    return len(text.encode("utf-16-le")) // 2


def _aligned(rows: list[list[str]], aligns: list[str]) -> list[str]:
    widths = [max(3, *(_width(r[i]) for r in rows if i < len(r))) for i in range(len(aligns))]

    def cell(text: str, i: int) -> str:
        room = widths[i] - _width(text)
        if aligns[i] == "center":
            return " " * (room - room // 2) + text + " " * (room // 2)
        return " " * room + text if aligns[i] == "right" else text + " " * room

    def delimiter(i: int) -> str:
        left, right = aligns[i] in ("left", "center"), aligns[i] in ("right", "center")
        return (":" if left else "") + "-" * (widths[i] - left - right) + (":" if right else "")

    out = ["| " + " | ".join(cell(r[i] if i < len(r) else "", i) for i in range(len(aligns))) + " |" for r in rows]
    out.insert(1, "| " + " | ".join(delimiter(i) for i in range(len(aligns))) + " |")
    return out


def align_tables(markdown: str) -> str:
    """Pad every table so its pipes line up (GitHub renders it the same; awesome-lint's
    table-pipe-alignment wants it): cells left-aligned, centred under ':-:', right under '--:'."""
    lines = markdown.split("\n")
    out: list[str] = []
    i, fence = 0, None
    while i < len(lines):
        line = lines[i]
        marker = re.match(r"^ {0,3}(`{3,}|~{3,})", line)
        if marker and (fence is None or marker.group(1).startswith(fence)):
            fence = None if fence else marker.group(1)
        if fence is None and line.startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("|"):
            spec = _cells(lines[i + 1])
            found = [m for m in (_DELIMITER_CELL.match(c) for c in spec) if m is not None]
            if spec and len(found) == len(spec):
                aligns = ["center" if m.group(1) and m.group(2) else "right" if m.group(2) else "left" for m in found]
                rows = [_cells(line)]
                j = i + 2
                while j < len(lines) and lines[j].startswith("|"):
                    rows.append(_cells(lines[j]))
                    j += 1
                out.extend(_aligned(rows, aligns))
                i = j
                continue
        out.append(line)
        i += 1
    return "\n".join(out)


def environment(resources: Resources) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.templates)), autoescape=False, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["md"] = md_text
    env.filters["md_url"] = md_url
    return env


def render_readme(catalog: Catalog, resources: Resources | None = None, cite: Citation | None = None) -> str:
    resources = resources or Resources.find(catalog.root)
    cite = cite or citation(catalog, resources)
    template = environment(resources).get_template(TEMPLATE)
    papers = catalog.papers.values()
    import yaml

    from .leaderboards import best_rows

    site_url = str(yaml.safe_load(resources.site_config.read_text(encoding="utf-8")).get("site_url") or REPO_URL).rstrip("/") + "/"
    parts = sections(catalog)
    text = template.render(
        leaderboards=best_rows(catalog), site_url=site_url,
        survey=cite.template_context(), title=cite.title, repo_url=REPO_URL, sections=parts, contents=contents(parts),
        frameworks=[framework_row(fw) for fw in catalog.frameworks],  # frameworks.yaml's own order
        counts={"papers": len(catalog.papers), "frameworks": len(catalog.frameworks),
                "with_code": sum(1 for p in papers if p.links.code)},
    )
    return align_tables(re.sub(r"\n{3,}", "\n\n", text)).rstrip("\n") + "\n"


def readme_path(root: Path) -> Path:
    return root / "README.md"
