"""The MkDocs Material site: pages generated into site/build/docs/, built into site/public/.

Search is Pagefind's: for each paper and topic, the block its page shows as data-pagefind-body is
also written alone at its path under site/build/search-pages/, which Pagefind indexes while MkDocs
builds the pages; the index lands in site/public/pagefind/.

Data reaches pages only through the `site/` Jinja templates with autoescaping on: records are
shown as HTML-escaped text inside raw HTML blocks, so Markdown never interprets them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml

from ..catalog import Catalog
from ..ids import first_public
from ..model import Paper
from ..results import (catalog_rows, describe_hardware, describe_protocol, describe_source, format_value, leaderboard_exclusion,
                       metric_text, result_values, results_csv, results_json)
from ..taxonomy import FRAMEWORKS, Node
from .bibtex import export_bibtex
from .charts import bar_chart
from .citation import citation
from .common import REPO_URL, Resources, build_date, direct_papers, h, newest_first, subtree_counts, venue_label
from .feed import FEED_SIZE, atom_feed
from .jsonexport import paper_page, papers_json
from .leaderboards import SECTION as LEADERBOARDS, Board, board_context, board_page, boards

BUILD_DIR = Path("site") / "build"
PUBLIC_DIR = Path("site") / "public"
TOP_VENUES = 20
OVERRIDES_DIR = "overrides"  # theme overrides, next to the generated mkdocs.yml
NEW_WINDOW = 90  # days of additions the New page lists
NEWEST = 50  # papers the New page lists by first public version
NODE_ROWS = 200  # papers a topic's page lists, newest first; All papers lists them all (a top topic of 30,000 was a 10 MB page)


@dataclass(frozen=True)
class SitePaths:
    build: Path  # generated sources: docs/ and mkdocs.yml
    out: Path  # the built site

    @property
    def docs(self) -> Path:
        return self.build / "docs"

    @property
    def config(self) -> Path:
        return self.build / "mkdocs.yml"

    @property
    def search_pages(self) -> Path:
        """What search indexes of each page, at its path (write_search_pages): Pagefind's input."""
        return self.build / "search-pages"

    @property
    def search_index(self) -> Path:
        """Pagefind's output, moved into the site once both are built."""
        return self.build / "pagefind"

    @classmethod
    def for_root(cls, root: Path, out: Path | None = None) -> "SitePaths":
        return cls((root / BUILD_DIR).resolve(), (out or root / PUBLIC_DIR).resolve())


# -- URLs ------------------------------------------------------------------------------------------


def node_page(node_id: str) -> str:
    """A node's page relative to the site root: taxonomy/algorithm/compression/."""
    return "taxonomy/" + node_id.replace(".", "/") + "/"


def node_file(node_id: str) -> str:
    return node_page(node_id) + "index.md"


def to_root(page_url: str) -> str:
    """The relative prefix from a page (directory URLs) back to the site root."""
    return "../" * page_url.count("/")


def _links(paper: Paper) -> list[tuple[str, str]]:
    names = (("paper", "Paper"), ("pdf", "PDF"), ("openreview", "OpenReview"), ("code", "Code"),
             ("project", "Project"), ("demo", "Demo"), ("video", "Video"), ("data", "Data"))
    return [(label, url) for key, label in names if (url := getattr(paper.links, key))]


# -- the generator ---------------------------------------------------------------------------------


class SiteWriter:
    """Writes every page of the site for one catalog."""

    def __init__(self, catalog: Catalog, resources: Resources, paths: SitePaths):
        self.catalog = catalog
        self.resources = resources
        self.paths = paths
        self.base_config = yaml.safe_load(resources.site_config.read_text(encoding="utf-8"))
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(resources.templates / "site"), str(resources.templates)]),
            autoescape=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True,
        )
        self.citation = citation(catalog, resources)
        self.counts = subtree_counts(catalog)
        self.direct = direct_papers(catalog)
        self.files = 0
        self.leaderboard_nav: list = []  # filled by write_leaderboards

    @property
    def site_url(self) -> str:
        return str(self.base_config.get("site_url") or REPO_URL)

    def _write(self, rel: str, text: str) -> None:
        path = self.paths.docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        self.files += 1

    def write_search_pages(self) -> int:
        """Pagefind's input: for each paper and topic, at its page's path, the block its page shows
        as data-pagefind-body (its summary template), alone."""
        if self.paths.search_pages.exists():
            shutil.rmtree(self.paths.search_pages)
        template = self.env.get_template("search-page.html.j2")
        pages = [(paper_page(p.id), "paper-summary.html.j2", p.title, self.paper_summary(p))
                 for p in self.catalog.sorted_papers()]
        pages += [(node_page(n.id), "node-summary.html.j2", n.title, self.node_summary(n))
                  for n in self.catalog.taxonomy.ordered()]
        for url, summary, title, context in pages:
            folder = self.paths.search_pages / url
            folder.mkdir(parents=True)
            (folder / "index.html").write_text(template.render(summary=summary, meta_title=title, **context),
                                               encoding="utf-8", newline="\n")
        return len(pages)

    def _render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(survey=self.citation.template_context(), repo_url=REPO_URL, **context)

    def topics(self, prefix: str) -> list[tuple[str, str, int, int, bool]]:
        """(title, url, papers, depth, extends the survey) of every node with papers, in the survey's order."""
        return [(n.title, prefix + node_page(n.id), self.counts[n.id], n.depth, n.extends_survey)
                for n in self.catalog.taxonomy.ordered() if self.counts[n.id]]

    def paper_rows(self, papers: list[Paper], prefix: str) -> list[dict]:
        return [{"url": prefix + paper_page(p.id), "title": p.title, "label": p.venue,
                 "year": p.year, "links": [(n, u) for n, u in _links(p) if n in ("Paper", "Code", "Project")]}
                for p in papers]

    # pages

    def write_sources(self) -> int:
        """Clean the docs directory and write every page, the assets and the full mkdocs.yml."""
        if self.paths.docs.exists():
            shutil.rmtree(self.paths.docs)
        self.paths.docs.mkdir(parents=True)
        self.write_home()
        self.write_all_papers()
        self.write_new()
        self.write_taxonomy()
        self.write_papers()
        self.write_leaderboards()
        self.write_frameworks()
        self.write_statistics()
        self._write("contributing.md", self._render("contributing.md.j2", contributing_url=f"{REPO_URL}/blob/main/CONTRIBUTING.md"))
        self._write("search.md", self._render("search.md.j2"))
        for asset in sorted((self.resources.templates / "site" / "assets").iterdir()):
            self._write(f"assets/{asset.name}", asset.read_text(encoding="utf-8"))
        self.write_overrides()
        self.write_config()
        return self.files

    def write_home(self) -> None:
        papers = self.catalog.papers.values()
        years = sorted(Counter(p.year for p in papers).items())
        self._write("index.md", self._render(
            "home.md.j2", topics=self.topics(""), feed_size=FEED_SIZE,
            chart_years=bar_chart("Papers per year", [(str(y), n) for y, n in years]),
            counts={"papers": len(self.catalog.papers), "with_code": sum(1 for p in papers if p.links.code),
                    "nodes": sum(1 for n in self.counts.values() if n), "venues": len({p.venue for p in papers}),
                    "frameworks": len(self.catalog.frameworks)}))

    def write_all_papers(self) -> None:
        papers = self.catalog.papers.values()
        years = [p.year for p in papers] or [build_date(self.catalog).year]
        self._write("all-papers.md", self._render(
            "all-papers.md.j2", count=len(self.catalog.papers),
            node_options=[(n.id, n.title, n.depth) for n in self.catalog.taxonomy.ordered() if self.counts[n.id]],
            venues=sorted({p.venue for p in papers}, key=str.lower),
            modalities=[(f.id, f.title) for f in self.catalog.taxonomy.facets.get("modality", [])
                        if any(f.id in p.modality for p in papers)],
            years=(min(years), max(years))))

    def write_new(self) -> None:
        """The New page: records added in the NEW_WINDOW days up to the build date (the newest
        `added`, so the page depends on the data only), and the NEWEST papers by first public version."""
        today = build_date(self.catalog)
        since = today - dt.timedelta(days=NEW_WINDOW - 1)
        papers = self.catalog.papers.values()

        def first(p: Paper) -> str:
            year, month = first_public(p.id, p.arxiv)
            return f"{year}-{month:02d}" if month else str(year)

        added = sorted((p for p in papers if p.added >= since), key=lambda p: (p.added, first_public(p.id, p.arxiv), p.id),
                       reverse=True)
        newest = sorted(papers, key=lambda p: (first_public(p.id, p.arxiv), p.added, p.id), reverse=True)[:NEWEST]
        taxonomy, prefix = self.catalog.taxonomy, to_root("new/")
        self._write("new.md", self._render(
            "new.md.j2", window=NEW_WINDOW, since=since.isoformat(), until=today.isoformat(),
            added_rows=[{"url": prefix + paper_page(p.id), "title": p.title, "label": venue_label(self.catalog, p), "first": first(p),
                         "added": p.added.isoformat()} for p in added],
            newest_rows=[{"url": prefix + paper_page(p.id), "title": p.title, "label": venue_label(self.catalog, p), "first": first(p),
                          "nodes": [(taxonomy[c].title, prefix + node_page(c)) for c in p.categories]} for p in newest]))

    def subtree_papers(self, node: Node) -> list[Paper]:
        seen: dict[str, Paper] = {}
        for n in node.walk():
            for p in self.direct[n.id]:
                seen[p.id] = p
        return newest_first(seen.values())

    def write_taxonomy(self) -> None:
        self._write("taxonomy/index.md", self._render("taxonomy.md.j2", topics=self.topics("../")))
        for node in self.catalog.taxonomy.ordered():
            prefix = to_root(node_page(node.id))
            self._write(node_file(node.id), self._render(
                "node.md.j2", **self.node_summary(node), meta_title=_front_matter_text(node.title),
                children=[(c.title, prefix + node_page(c.id), self.counts[c.id]) for c in node.children],
                rows=self.paper_rows(self.subtree_papers(node)[:NODE_ROWS], prefix),
                all_papers_url=f"{prefix}all-papers/?node={node.id}", contributing_url=f"{prefix}contributing/",
                frameworks_url=f"{prefix}frameworks/" if node.id == FRAMEWORKS else None))

    def node_summary(self, node: Node) -> dict:
        """What node-summary.html.j2 shows (on the node's page, and to search)."""
        prefix = to_root(node_page(node.id))
        return {"node": node, "count": self.counts[node.id],
                "trail": [(a.title, prefix + node_page(a.id)) for a in node.ancestors()]}

    def paper_summary(self, paper: Paper) -> dict:
        """What paper-summary.html.j2 shows (on the paper's page, and to search)."""
        venue = self.catalog.venues.by_name.get(paper.venue)
        return {"paper": paper, "label": venue_label(self.catalog, paper), "venue_full": venue.full if venue else None}

    def write_papers(self) -> None:
        entries = _split_bibtex(export_bibtex(self.catalog))
        facets = {name: {f.id: f.title for f in values} for name, values in self.catalog.taxonomy.facets.items()}
        template = self.env.get_template("paper.md.j2")
        for paper in self.catalog.sorted_papers():
            prefix = to_root(paper_page(paper.id))
            bibtex = entries[paper.id]
            results = self.result_rows(paper, prefix)
            self._write(f"papers/{paper.id}.md", template.render(
                **self.paper_summary(paper), meta_title=_front_matter_text(paper.title), links=_links(paper),
                nodes=[[(n.title, prefix + node_page(n.id)) for n in [*self.catalog.taxonomy[c].ancestors(),
                                                                      self.catalog.taxonomy[c]]] for c in paper.categories],
                modality=[facets.get("modality", {}).get(m, m) for m in paper.modality],
                strategies=[facets.get("strategies", {}).get(s, s) for s in paper.strategies],
                results=results, bibtex=bibtex))

    def result_rows(self, paper: Paper, prefix: str) -> list[dict]:
        """The paper's results for its page: one row each, anchored r1, r2, ... (leaderboard points link there)."""
        vocab = self.catalog.vocab.results
        benches = vocab.benchmarks
        out = []
        for i, r in enumerate(paper.results):
            values = result_values(r, vocab.metrics)
            metrics = [vocab.metrics[k] for k in r.metrics if k in vocab.metrics]
            on_board = r.benchmark in benches and not (r.reported_in and r.original_source is None)
            out.append({
                "anchor": f"r{i + 1}", "benchmark": benches[r.benchmark].title if r.benchmark in benches else "other",
                "board_url": prefix + board_page(r.benchmark, r.base_model) if on_board else None,
                "base_model": r.base_model, "method": r.method, "role": r.role,
                "readings": [metric_text(m, values[m.id]) for m in metrics],
                "speedup": (f"{format_value(r.speedup.value)}× speed-up ({r.speedup.basis}) vs {r.speedup.vs}" if r.speedup else ""),
                "note": r.note, "protocol": describe_protocol(r), "hardware": describe_hardware(r),
                "source": describe_source(r, paper.arxiv), "digitised": bool(r.digitised), "reported_in": r.reported_in,
                "reported_url": prefix + paper_page(r.reported_in) if r.reported_in in self.catalog.papers else None,
            })
        return out

    def write_leaderboards(self) -> None:
        """The Leaderboards section: an index, a page per benchmark, a page per base model of a benchmark."""
        vocab = self.catalog.vocab.results
        all_boards = boards(self.catalog)
        by_bench: dict[str, list] = {}
        for board in all_boards:
            by_bench.setdefault(board.benchmark.id, []).append(board)

        def board_title(board: Board) -> str:
            return vocab.models[board.base_model].name if board.base_model else "trained models"

        rows = catalog_rows(self.catalog)
        self._write(LEADERBOARDS + "index.md", self._render(
            "leaderboards.md.j2",
            counts={"rows": sum(1 for r in rows if leaderboard_exclusion(r) is None),
                    "papers": len({r.paper.id for r in rows if leaderboard_exclusion(r) is None}),
                    "benchmarks": sum(1 for bs in by_bench.values() if any(b.rows for b in bs)),
                    "other": sum(1 for r in rows if r.benchmark == "other"),
                    "unchecked": sum(1 for r in rows if r.benchmark != "other" and leaderboard_exclusion(r))},
            benchmarks=[{"title": vocab.benchmarks[b].title, "url": board_page(b).removeprefix(LEADERBOARDS),
                         "metric": vocab.metrics[vocab.benchmarks[b].quality].label,
                         "boards": [(board_title(x), x.page.removeprefix(LEADERBOARDS),
                                     f"{len(x.rows)}" + (f"; {len(x.excluded)} kept out" if x.excluded else "")) for x in bs]}
                        for b, bs in by_bench.items()]))
        for bench_id, bs in by_bench.items():
            overview = None  # the benchmark's own page when every row names a base model: it lists their boards
            if all(b.base_model for b in bs):
                overview = Board(bs[0].benchmark, None)
                bs = [overview] + bs
                by_bench[bench_id] = bs
            for board in bs:
                prefix = to_root(board.page)
                title = board.benchmark.title + (f" on {board_title(board)}" if board.base_model else "")
                self._write(board.page + "index.md", self._render(
                    "leaderboard.md.j2", meta_title=_front_matter_text(title), heading=title, bench=board.benchmark,
                    base_model=board.base_model, base_model_name=board_title(board) if board.base_model else "",
                    main_metric=vocab.metrics[board.benchmark.quality].label, overview=board is overview,
                    other_boards=[(board_title(o), prefix + o.page, len(o.rows)) for o in bs
                                  if o is not board and o is not overview],
                    **board_context(board, self.catalog, prefix)))
        self.leaderboard_nav = [{h(vocab.benchmarks[b].title): [board_page(b) + "index.md"] + [
            {h(board_title(x)): x.page + "index.md"} for x in bs if x.base_model]} for b, bs in by_bench.items()]

    def write_frameworks(self) -> None:
        mark = lambda v: "—" if v is None else ("✅" if v else "❌")  # noqa: E731
        rows = [{"name": fw.name, "training": mark(fw.training), "fine_tuning": mark(fw.fine_tuning),
                 "inference": mark(fw.inference), "features": fw.features or "",
                 "links": [(n, u) for n, u in (("Code", fw.links.code), ("Docs", fw.links.docs),
                                                ("Project", fw.links.project)) if u]}
                for fw in self.catalog.frameworks]
        self._write("frameworks.md", self._render("frameworks.md.j2", frameworks=rows))

    def write_statistics(self) -> None:
        papers = list(self.catalog.papers.values())
        years = sorted(Counter(p.year for p in papers).items())
        venues = sorted(Counter(p.venue for p in papers).items(), key=lambda kv: (-kv[1], kv[0].lower()))
        if len(venues) > TOP_VENUES:
            rest = venues[TOP_VENUES:]
            venues = venues[:TOP_VENUES] + [(f"{len(rest)} other venues", sum(n for _, n in rest))]
        nodes = [n for n in self.catalog.taxonomy.ordered() if self.counts[n.id]]
        self._write("statistics.md", self._render(
            "statistics.md.j2",
            counts={"papers": len(papers), "with_authors": sum(1 for p in papers if p.authors),
                    "with_code": sum(1 for p in papers if p.links.code), "with_arxiv": sum(1 for p in papers if p.arxiv),
                    "with_results": sum(1 for p in papers if p.results)},
            chart_years=bar_chart("Papers per year", [(str(y), n) for y, n in years]),
            chart_nodes=bar_chart("Papers per topic", [(n.title, self.counts[n.id]) for n in nodes],
                                  indent=[n.depth for n in nodes]),
            chart_venues=bar_chart("Papers per venue", venues)))

    def nav(self) -> list:
        def item(node: Node) -> dict:
            title = h(node.title)  # nav titles are written into the HTML unescaped by the theme
            if not node.children:
                return {title: node_file(node.id)}
            return {title: [node_file(node.id)] + [item(c) for c in node.children]}

        return [
            {"Home": "index.md"},
            {"All papers": "all-papers.md"},
            {"Search": "search.md"},
            {"New": "new.md"},
            {"Taxonomy": ["taxonomy/index.md"] + [item(root) for root in self.catalog.taxonomy.roots]},
            {"Leaderboards": [LEADERBOARDS + "index.md"] + self.leaderboard_nav},
            {"Frameworks": "frameworks.md"},
            {"Statistics": "statistics.md"},
            {"Contributing": "contributing.md"},
        ]

    def write_overrides(self) -> None:
        """The theme overrides (templates/site/overrides), copied as they are: the theme renders them."""
        target = self.paths.build / OVERRIDES_DIR
        if target.exists():
            shutil.rmtree(target)
        for source in sorted((self.resources.templates / "site" / OVERRIDES_DIR).rglob("*")):
            if source.is_file():
                path = target / source.relative_to(self.resources.templates / "site" / OVERRIDES_DIR)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(source.read_text(encoding="utf-8"), encoding="utf-8", newline="\n")
                self.files += 1

    def write_config(self) -> None:
        config = dict(self.base_config)
        config["theme"] = {**config.get("theme", {}), "custom_dir": OVERRIDES_DIR}
        config["docs_dir"] = "docs"
        # effdiff build passes --site-dir; by hand, `mkdocs build` or `zensical build` on this config writes
        # site/build/public/ (Zensical refuses a site_dir outside the folder of its config)
        config["site_dir"] = "public"
        config["nav"] = self.nav()
        header = ("# Generated by `effdiff build` from site/mkdocs.yml and taxonomy.yaml; do not edit. By hand,\n"
                  "# `mkdocs build -f site/build/mkdocs.yml` or `zensical build -f site/build/mkdocs.yml` writes public/ here.\n")
        self.paths.config.write_text(header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=120),
                                     encoding="utf-8")


def _front_matter_text(text: str) -> str:
    """A page title for the YAML front matter: HTML-escaped (the theme writes it into the page
    unescaped) and JSON-quoted (a valid YAML double-quoted string)."""
    return json.dumps(h(text), ensure_ascii=False)


def _split_bibtex(text: str) -> dict[str, str]:
    """The export split into its entries, by key (every entry starts a line with '@')."""
    out = {}
    for block in re.split(r"\n(?=@)", text):
        block = block.strip("\n")
        if block:
            out[block[block.index("{") + 1:block.index(",")]] = block
    return out


# -- steps the build calls -------------------------------------------------------------------------


def write_site_sources(catalog: Catalog, resources: Resources, paths: SitePaths) -> int:
    """Write the pages, assets and mkdocs.yml; return the number of files."""
    return SiteWriter(catalog, resources, paths).write_sources()


def write_data_files(catalog: Catalog, resources: Resources, paths: SitePaths) -> list[Path]:
    """papers.bib, papers.json, results.csv, results.json and feed.xml, next to the pages (the site serves them as downloads)."""
    writer = SiteWriter(catalog, resources, paths)
    files = {
        "papers.bib": export_bibtex(catalog),
        "papers.json": papers_json(catalog),
        "results.csv": results_csv(catalog_rows(catalog), catalog.vocab.results.metrics),
        "results.json": results_json(catalog_rows(catalog)),
        "feed.xml": atom_feed(catalog, writer.site_url, str(writer.base_config.get("site_name", "effdiff"))),
    }
    out = []
    for name, text in files.items():
        path = paths.docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        out.append(path)
    return out


def build_search_index(catalog: Catalog, resources: Resources, paths: SitePaths) -> subprocess.CompletedProcess:
    """The search pages (SiteWriter.write_search_pages), then Pagefind on them into
    paths.search_index. It needs no built page, so it can run beside the site build; its output is
    the same for the same pages."""
    SiteWriter(catalog, resources, paths).write_search_pages()
    if paths.search_index.exists():
        shutil.rmtree(paths.search_index)
    cmd = [sys.executable, "-m", "pagefind", "--site", str(paths.search_pages), "--output-path", str(paths.search_index),
           "--quiet"]
    return subprocess.run(cmd, capture_output=True, text=True)


def source_date_epoch(catalog: Catalog) -> str:
    """SOURCE_DATE_EPOCH for mkdocs: the caller's, or the newest `added` date (so the sitemap's
    dates and the gzip header follow the data, not the clock)."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    return str(calendar.timegm(build_date(catalog).timetuple()))


def run_mkdocs(paths: SitePaths, epoch: str, strict: bool = True) -> subprocess.CompletedProcess:
    """`mkdocs build` on the generated config, in a child process with a fixed SOURCE_DATE_EPOCH."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=epoch, PYTHONHASHSEED="0", NO_MKDOCS_2_WARNING="1")
    cmd = [sys.executable, "-m", "mkdocs", "build", "--clean", "--config-file", str(paths.config),
           "--site-dir", str(paths.out)]
    if strict:
        cmd.append("--strict")
    return subprocess.run(cmd, env=env, capture_output=True, text=True)
