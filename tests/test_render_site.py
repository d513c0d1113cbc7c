"""The site: generated sources, the mkdocs build, downloads, feed, charts, escaping, determinism."""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from conftest import ZENSICAL, installed_tool, make_catalog

from effdiff_catalog.build import build
from effdiff_catalog.catalog import Catalog
from effdiff_catalog.render.charts import bar_chart
from effdiff_catalog.render.site import SitePaths, node_page

HOSTILE_TITLES = ("<script>alert(1)</script>", "Evil](javascript:alert(1))")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The small and hostile catalogs, built once for the module."""
    root = make_catalog(tmp_path_factory.mktemp("site") / "catalog", "small", "hostile")
    build(root, log=lambda message: None)
    return root


def public(root: Path) -> Path:
    return root / "site" / "public"


class Page(HTMLParser):
    """What a test needs from a built page: visible text, links, inline scripts, risky attributes."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.scripts: list[str] = []
        self.risky: list[tuple[str, str, str]] = []
        self._in: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self._in.append(tag)
        if tag in ("td", "th", "li", "p", "br", "div", "h1", "h2"):
            self.text.append(" ")
        rel = dict(attrs).get("rel") or ""
        for name, value in attrs:
            if name in ("href", "src"):
                self.links.append((f"link:{rel}" if tag == "link" else tag, value or ""))
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.risky.append((tag, name, value or ""))

    def handle_endtag(self, tag):
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass

    def handle_data(self, data):
        if self._in and self._in[-1] == "script":
            self.scripts.append(data)
        elif not (self._in and self._in[-1] in ("style", "title")):
            self.text.append(data)

    @property
    def visible(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text))


def pages(root: Path) -> dict[str, Page]:
    return {p.relative_to(public(root)).as_posix(): Page(p.read_text(encoding="utf-8"))
            for p in sorted(public(root).rglob("*.html"))}


def test_sources_have_a_page_per_node_and_per_paper(built: Path):
    catalog = Catalog.load_valid(built)
    docs = SitePaths.for_root(built).docs
    for node in catalog.taxonomy.ordered():
        assert (docs / node_page(node.id) / "index.md").is_file(), node.id
    assert sorted(p.stem for p in (docs / "papers").glob("*.md")) == sorted(catalog.papers)
    for name in ("index.md", "all-papers.md", "frameworks.md", "statistics.md", "contributing.md", "taxonomy/index.md",
                 "papers.bib", "papers.json", "feed.xml", "assets/papers-table.js", "assets/effdiff.css"):
        assert (docs / name).is_file(), name


def test_navigation_follows_the_taxonomy(built: Path):
    config = yaml.safe_load(SitePaths.for_root(built).config.read_text(encoding="utf-8"))
    assert [next(iter(item)) for item in config["nav"]] == ["Home", "All papers", "Search", "New", "Taxonomy", "Leaderboards",
                                                              "Frameworks", "Statistics", "Contributing"]
    assert config["nav"][5]["Leaderboards"] == ["leaderboards/index.md", {"CIFAR-10 32×32, unconditional": [
        "leaderboards/cifar10-32-uncond/index.md", {"EDM VP on CIFAR-10": "leaderboards/cifar10-32-uncond/edm-cifar10-vp/index.md"}]}]
    taxonomy = config["nav"][4]["Taxonomy"]
    assert taxonomy[0] == "taxonomy/index.md"
    assert [next(iter(item)) for item in taxonomy[1:]] == ["Algorithm-Level Optimization", "System-Level Optimization",
                                                           "Frameworks", "Surveys",
                                                           "Foundations and Related Work"]
    algorithm = taxonomy[1]["Algorithm-Level Optimization"]
    assert algorithm[0] == "taxonomy/algorithm/index.md"
    assert [next(iter(item)) for item in algorithm[1:]] == ["Efficient Training", "Efficient Fine-tuning",
                                                            "Efficient Sampling", "Compression", "Efficient Attention",
                                                            "Efficient Diffusion Language Models"]
    # the theme config comes from site/mkdocs.yml: Material, both palettes, no web fonts, no plugin (search is
    # Pagefind's, run after the build)
    assert config["theme"]["name"] == "material" and config["theme"]["font"] is False
    assert [p["scheme"] for p in config["theme"]["palette"]] == ["default", "slate"]
    assert config["plugins"] == [] and "navigation.prune" in config["theme"]["features"]


def _nav_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="md-nav md-nav--primary".*?</nav>\s*</div>\s*</div>\s*</div>', html, re.S).group(0)
    return re.findall(r'href="([^"]+)"', nav)


def test_paper_pages_carry_the_top_of_the_navigation_only(built: Path):
    sizes = []
    for path in sorted((public(built) / "papers").glob("*/index.html")):
        html = path.read_text(encoding="utf-8")
        links = _nav_links(html)
        assert "../../all-papers/" in links and "../../taxonomy/" in links
        # not the taxonomy's nodes: with thousands of papers, every page carried the whole tree
        assert not [link for link in links if link.startswith("../../taxonomy/") and link != "../../taxonomy/"], path
        sizes.append(len(html.encode("utf-8")))
    assert max(sizes) < 20_000, max(sizes)
    # a node page shows its own branch
    node = (public(built) / "taxonomy/algorithm/compression/pruning/index.html").read_text(encoding="utf-8")
    assert "../quantization/" in _nav_links(node)


def _pagefind_bodies(html: str) -> list[str]:
    """The text Pagefind indexes: the data-pagefind-body elements less their data-pagefind-ignore parts."""
    bodies = re.findall(r"<div data-pagefind-body>(.*?)\n</div>", html, re.S)
    return [re.sub(r"<(p|table)[^>]*data-pagefind-ignore.*?</\1>", "", body, flags=re.S) for body in bodies]


def test_search_indexes_titles_venues_and_authors_only(built: Path):
    site = public(built)
    catalog = Catalog.load_valid(built)
    for paper in catalog.papers.values():
        html = (site / "papers" / paper.id / "index.html").read_text(encoding="utf-8")
        [body] = _pagefind_bodies(html)
        text = Page(body).visible
        assert Page(f"<p>{paper.title}</p>").visible.strip() in text
        assert all(author in text for author in paper.authors) and paper.venue in text
        assert "@" not in text and "Permanent link" not in text and "http" not in text  # no BibTeX, no links
    for page in ("index.html", "all-papers/index.html", "search/index.html", "statistics/index.html", "new/index.html"):
        assert "data-pagefind-body" not in (site / page).read_text(encoding="utf-8"), page
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["en"]["page_count"] == len(catalog.papers) + len(list(catalog.taxonomy.ordered()))
    assert (site / "pagefind" / "pagefind-ui.js").is_file() and not (site / "search" / "search_index.json").exists()


def test_strict_build_writes_every_page_and_download(built: Path):
    site = public(built)
    for name in ("index.html", "all-papers/index.html", "frameworks/index.html", "statistics/index.html",
                 "contributing/index.html", "taxonomy/index.html", "taxonomy/algorithm/compression/pruning/index.html",
                 "papers/fastsampler-2023/index.html", "papers.bib", "papers.json", "feed.xml",
                 "search/index.html", "pagefind/pagefind-entry.json", "assets/papers-table.js"):
        assert (site / name).is_file(), name
    assert (site / "papers.bib").read_text(encoding="utf-8").count("\n@") == 7


def test_home_page_has_counts_citation_and_a_chart(built: Path):
    home = pages(built)["index.html"]
    assert "@article{shen2025efficient," in home.visible
    html = (public(built) / "index.html").read_text(encoding="utf-8")
    assert "<strong>8</strong><span>papers</span>" in html and "<strong>3</strong><span>with code</span>" in html
    assert '<svg class="effdiff-chart"' in html and html.count('class="effdiff-chart__bar"') == 4  # 2022..2025


def test_node_page_lists_description_sub_nodes_and_papers(built: Path):
    compression = pages(built)["taxonomy/algorithm/compression/index.html"]
    assert "Making the network itself smaller or cheaper to run." in compression.visible
    assert ("a", "quantization/") in compression.links and ("a", "pruning/") in compression.links
    rows = [href for tag, href in compression.links if href.startswith("../../../papers/")]
    # newest first, then by title
    assert rows == ["../../../papers/script-alert-2024/", "../../../papers/evil-javascript-alert-2024/",
                    "../../../papers/tinyquant-2024/", "../../../papers/structured-pruning-unets-2023/"]


def test_a_topic_page_lists_its_newest_papers_and_links_to_all(tmp_path: Path, monkeypatch):
    from effdiff_catalog.render import site

    monkeypatch.setattr(site, "NODE_ROWS", 2)  # 200 on the real site: a top topic of 30,000 papers was a 10 MB page
    root = make_catalog(tmp_path / "catalog", "small", "hostile")
    build(root, log=lambda message: None)
    compression = pages(root)["taxonomy/algorithm/compression/index.html"]
    rows = [href for tag, href in compression.links if href.startswith("../../../papers/")]
    assert rows == ["../../../papers/script-alert-2024/", "../../../papers/evil-javascript-alert-2024/"]
    assert "The 2 newest of 4, including the papers of the sub-topics. All of them, filtered on All papers." in compression.visible
    assert ("a", "../../../all-papers/?node=algorithm.compression") in compression.links
    lora = pages(root)["taxonomy/algorithm/efficient_fine_tuning/low_rank_adaptation/index.html"]  # one paper
    assert "Newest first. Filter them on All papers." in lora.visible


def test_benchmark_page_with_only_base_model_boards_points_to_them(built: Path):
    # every CIFAR-10 row of the fixture runs on EDM VP: the benchmark's own page has no rows of its own and says
    # where they are; the base model's board does not offer that page as an empty "trained models (0)" board
    overview = pages(built)["leaderboards/cifar10-32-uncond/index.html"]
    assert ("Every row of this benchmark names the base model it was measured on, so its rows are on the leaderboards "
            "of those models: EDM VP on CIFAR-10 (") in overview.visible
    assert ("a", "edm-cifar10-vp/") in overview.links
    assert "No row of this board" not in overview.visible
    board = pages(built)["leaderboards/cifar10-32-uncond/edm-cifar10-vp/index.html"]
    assert "trained models (0)" not in board.visible and "Other leaderboards of this benchmark" not in board.visible


def test_paper_page_shows_bibtex_results_and_nodes(built: Path):
    html = (public(built) / "papers/fastsampler-2023/index.html").read_text(encoding="utf-8")
    page = Page(html)
    assert "FastSampler: Few-Step ODE Solving for Latent Diffusion" in page.visible
    assert "Ada Lovelace, Zoë Ångström" in page.visible
    assert "r1 CIFAR-10 32×32, unconditional on edm-cifar10-vp FastSampler, NFE 10 FID 3.1; NFE 10 Table 2" in page.visible
    assert ("a", "../../leaderboards/cifar10-32-uncond/edm-cifar10-vp/") in page.links
    assert 'id="r5"' in html and "Latency 0.12 s" in page.visible and "(read off a figure)" in page.visible
    assert "@inproceedings{fastsampler-2023," in page.visible
    assert 'class="language-bibtex highlight"' in html or "highlight" in html
    assert ("a", "../../taxonomy/algorithm/efficient_sampling/efficient_solver/ode_solver/") in page.links
    assert ("a", "https://github.com/example/fastsampler") in page.links


def test_papers_json_is_the_catalog(built: Path):
    data = json.loads((public(built) / "papers.json").read_text(encoding="utf-8"))
    catalog = Catalog.load_valid(built)
    assert data["count"] == 8 and [p["id"] for p in data["papers"]] == sorted(catalog.papers)
    first = data["papers"][1]
    assert first["id"] == "evil-javascript-alert-2024" and first["page"] == "papers/evil-javascript-alert-2024/"
    tiny = next(p for p in data["papers"] if p["id"] == "tinyquant-2024")
    assert tiny["label"] == "arXiv 2024.07" and tiny["modality"] == ["image", "video"] and tiny["added"] == "2026-11-22"
    assert data["nodes"]["algorithm.compression.pruning"] == "Pruning"


def test_atom_feed_lists_recently_added_papers(built: Path):
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring((public(built) / "feed.xml").read_bytes())
    assert feed.find("a:updated", ns).text == "2026-11-23T00:00:00Z"
    entries = feed.findall("a:entry", ns)
    updated = [e.find("a:updated", ns).text for e in entries]
    assert updated == sorted(updated, reverse=True) and len(entries) == 8
    titles = [e.find("a:title", ns).text for e in entries]
    assert "<script>alert(1)</script>" in titles  # escaped in XML, the text itself is intact


def test_statistics_charts_are_svg_drawn_at_build_time(built: Path):
    html = (public(built) / "statistics/index.html").read_text(encoding="utf-8")
    assert html.count('<svg class="effdiff-chart"') == 3
    chart = bar_chart("T", [("a <b>", 2), ("c", 1)])
    assert "a &lt;b&gt;" in chart and 'width="360.0"' in chart and 'width="180.0"' in chart


def test_frameworks_page(built: Path):
    page = pages(built)["frameworks/index.html"]
    assert "FastLib ✅ ❌ ✅ Fused attention kernels" in page.visible
    assert "ServeDiff ❌ — ✅" in page.visible


def test_no_page_loads_anything_from_another_host(built: Path):
    for name, page in pages(built).items():
        for tag, url in page.links:
            if tag in ("script", "img", "link:stylesheet", "link:icon", "link:preload"):
                assert not urlsplit(url).netloc, (name, tag, url)


def test_every_internal_link_resolves(built: Path):
    site = public(built)
    for name, page in pages(built).items():
        if name == "404.html":  # served at any depth, so mkdocs writes it with absolute paths
            continue
        base = posixpath.dirname(name)
        for tag, url in page.links:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            target = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
            path = site / target
            assert path.is_file() or (path / "index.html").is_file(), (name, url)


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_titles_are_visible_text_on_every_page(built: Path, title: str):
    shown_on = []
    for name, page in pages(built).items():
        assert page.risky == [], (name, page.risky)
        for script in page.scripts:
            assert "alert(" not in script, name
        if title in page.visible:
            shown_on.append(name)
    paper_id = "script-alert-2024" if title.startswith("<") else "evil-javascript-alert-2024"
    assert f"papers/{paper_id}/index.html" in shown_on
    for node in ("taxonomy/algorithm/index.html", "taxonomy/algorithm/compression/index.html",
                 "taxonomy/algorithm/compression/pruning/index.html"):
        assert node in shown_on
    # the <title> element holds the escaped title too, and never closes early
    html = (public(built) / f"papers/{paper_id}/index.html").read_text(encoding="utf-8")
    assert html.count("</title>") == 1
    # what the search indexes carries it as escaped text
    [body] = _pagefind_bodies(html)
    assert "<script" not in body and title in Page(body).visible


def test_two_builds_are_byte_identical(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = make_catalog(tmp_path / "catalog", "small", "hostile")

    def snapshot(out: Path) -> dict[str, bytes]:
        build(root, out, log=lambda message: None)
        files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
        files["README.md"] = (root / "README.md").read_bytes()
        docs = SitePaths.for_root(root).docs
        files.update({f"docs/{p.relative_to(docs).as_posix()}": p.read_bytes() for p in docs.rglob("*") if p.is_file()})
        return files

    first = snapshot(tmp_path / "one")
    second = snapshot(tmp_path / "two")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert "sitemap.xml.gz" in first
    # the sitemap dates follow the data (newest `added`), not the clock
    assert b"<lastmod>2026-11-23</lastmod>" in first["sitemap.xml"]


def test_every_page_announces_the_feed(built: Path):
    """Feed readers find the Atom feed from any page: a theme override adds the link to <head>."""
    for page, href in (("index.html", "feed.xml"), ("papers/fastsampler-2023/index.html", "../../feed.xml")):
        head = (public(built) / page).read_text(encoding="utf-8").split("</head>")[0]
        assert f'<link rel="alternate" type="application/atom+xml" title="Efficient Diffusion Models Catalog: newly added papers" href="{href}">' in head, page


def test_new_page_lists_recent_additions_and_newest_papers(built: Path):
    from effdiff_catalog.catalog import Catalog
    from effdiff_catalog.ids import first_public

    catalog = Catalog.load_valid(built)
    page = pages(built)["new/index.html"]
    newest_added = max(p.added for p in catalog.papers.values())
    window = [p for p in catalog.papers.values() if (newest_added - p.added).days < 90]
    assert f"{len(window)} record" in page.visible and f"to {newest_added.isoformat()}" in page.visible
    # every row links its paper page; the newest-papers table is ordered by first public version
    links = [href for tag, href in page.links if href.startswith("../papers/")]
    assert {f"../papers/{p.id}/" for p in window} <= set(links)
    newest = sorted(catalog.papers.values(), key=lambda p: (first_public(p.id, p.arxiv), p.added, p.id), reverse=True)
    second_table = links[len(window):]
    assert second_table[:3] == [f"../papers/{p.id}/" for p in newest[:3]]


def test_zensical_builds_the_generated_config(built: Path, tmp_path: Path):
    """Material for MkDocs is in maintenance; Zensical, its successor, reads the same mkdocs.yml. The generated
    config builds with it by hand (site_dir inside the config's folder, which Zensical requires) into the same
    pages as mkdocs, with the theme override (the feed link) applied."""
    tool = installed_tool(ZENSICAL, "zensical")
    build_dir = tmp_path / "build"
    shutil.copytree(built / "site" / "build", build_dir)
    config = yaml.safe_load((build_dir / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["site_dir"] == "public"
    result = subprocess.run([str(tool), "build", "-f", "mkdocs.yml"], cwd=build_dir, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    out = build_dir / "public"
    by_mkdocs = sorted(p.relative_to(public(built)).as_posix() for p in public(built).rglob("*.html"))
    by_zensical = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    assert by_zensical == by_mkdocs
    paper = next(p for p in by_mkdocs if p.startswith("papers/") and p != "papers/index.html")
    assert "feed.xml" in (out / "index.html").read_text(encoding="utf-8")
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", (public(built) / paper).read_text(encoding="utf-8"), re.S)
    assert h1 and h1.group(1).strip() in (out / paper).read_text(encoding="utf-8")
