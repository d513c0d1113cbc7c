"""The awesome-list README: sections in taxonomy order, one line per paper, the frameworks table."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..catalog import Catalog
from ..model import Framework, Paper
from .common import REPO_URL, SURVEY, Resources, direct_papers, md_text, md_url, subtree_counts, venue_label

TEMPLATE = "README.md.j2"
# Headings the template writes around the generated sections, in document order: GitHub numbers
# repeated anchors in that order, so the node anchors must know them.
HEADINGS_BEFORE = ["Efficient Diffusion Models: A Curated Catalog", "Citation", "Contents", "Leaderboards"]
HEADINGS_AFTER = ["Working with this repository", "Quick start", "Exit codes", "Adding a paper"]
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


def entry_line(catalog: Catalog, paper: Paper) -> str:
    """`- **[NeurIPS 2023]** Title. [[Paper]](url) [[Code]](url)`, every piece of data escaped."""
    title = md_text(paper.title)
    if not re.search(r"[.?!]$", paper.title):
        title += "."
    links = " ".join(f"[[{label}]]({md_url(url)})" for key, label in LINK_LABELS if (url := getattr(paper.links, key)))
    # the label's brackets stay literal, as readers know them: '**' follows, so they never form a link
    return f"- **[{md_text(venue_label(catalog, paper))}]** {title} {links}".rstrip()


def sections(catalog: Catalog) -> list[Section]:
    """Every node with papers (or, for the frameworks node, frameworks), in the survey's order."""
    counts = subtree_counts(catalog)
    direct = direct_papers(catalog)
    slugger = Slugger()
    for text in HEADINGS_BEFORE:
        slugger.slug(text)
    out = []
    for node in catalog.taxonomy.ordered():
        is_frameworks = node.parent is None and node.id == "frameworks"
        if not counts[node.id] and not (is_frameworks and catalog.frameworks):
            continue
        out.append(Section(
            level=min(node.depth + 2, 6), depth=node.depth, title=node.title, anchor=slugger.slug(node.title),
            count=counts[node.id], entries=[entry_line(catalog, p) for p in direct[node.id]], is_frameworks=is_frameworks,
            extends_survey=node.extends_survey, description=node.description,
        ))
    return out


def _mark(value: bool | None) -> str:
    return "—" if value is None else ("✅" if value else "❌")


def framework_row(fw: Framework) -> str:
    links = " ".join(f"[[{label}]]({md_url(url)})" for label, url in
                     (("Code", fw.links.code), ("Docs", fw.links.docs), ("Project", fw.links.project)) if url)
    cells = [f"{md_text(fw.name)} {links}", _mark(fw.training), _mark(fw.fine_tuning), _mark(fw.inference),
             md_text(fw.features or "")]
    return "| " + " | ".join(cells) + " |"


def environment(resources: Resources) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.templates)), autoescape=False, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["md"] = md_text
    env.filters["md_url"] = md_url
    return env


def render_readme(catalog: Catalog, resources: Resources | None = None) -> str:
    resources = resources or Resources.find(catalog.root)
    template = environment(resources).get_template(TEMPLATE)
    papers = catalog.papers.values()
    import yaml

    from .leaderboards import best_rows

    site_url = str(yaml.safe_load(resources.site_config.read_text(encoding="utf-8")).get("site_url") or REPO_URL).rstrip("/") + "/"
    text = template.render(
        leaderboards=best_rows(catalog), site_url=site_url,
        survey=SURVEY, repo_url=REPO_URL, sections=sections(catalog),
        frameworks=[framework_row(fw) for fw in catalog.frameworks],  # frameworks.yaml's own order
        counts={"papers": len(catalog.papers), "frameworks": len(catalog.frameworks),
                "with_code": sum(1 for p in papers if p.links.code)},
    )
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


def readme_path(root: Path) -> Path:
    return root / "README.md"
