"""The leaderboard plots (render/plots.py) and pages: deterministic SVG, escaped labels, axes oriented
so that better is up and right, and every point a link to an existing row anchor of a paper page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import REPO, make_catalog

from effdiff_catalog.build import build
from effdiff_catalog.render.plots import Point, scatter_svg
from effdiff_catalog.vocab import load_vocab

METRICS = load_vocab(REPO).results.metrics
FID, NFE, CLIP, LATENCY = (METRICS[m] for m in ("fid", "nfe", "clip_score", "latency_s"))
POINTS = [Point(10, 2.0, 'A <b>"x"</b> & y', "../../papers/a-2020/#r1"), Point(4, 3.0, "B", "../../papers/b-2020/#r2?x=1&y=2"),
          Point(10, 5.0, "C", "../../papers/c-2020/#r3", proposed=False)]


def circles(svg: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r'<circle [^>]*cx="([\d.]+)" cy="([\d.]+)"', svg)]


def test_the_same_data_gives_the_same_bytes():
    assert scatter_svg(POINTS, NFE, FID, "t") == scatter_svg(list(POINTS), NFE, FID, "t")


def test_labels_and_links_are_escaped():
    svg = scatter_svg(POINTS, NFE, FID, 'Title <script>')
    assert "<b>" not in svg and "&lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; y" in svg
    assert 'href="../../papers/b-2020/#r2?x=1&amp;y=2"' in svg and "Title &lt;script&gt;" in svg


def test_better_is_up_and_right():
    (x1, y1), (x2, y2), (x3, y3) = circles(scatter_svg(POINTS, NFE, FID, "t"))
    assert x2 > x1  # fewer NFE is to the right
    assert y1 < y2 < y3  # lower FID is higher up (SVG y grows downwards)
    (xa, ya), (xb, yb) = circles(scatter_svg([Point(1, 30, "a", "#"), Point(2, 31, "b", "#")], LATENCY, CLIP, "t"))
    assert xa > xb and yb < ya  # the faster point to the right, the higher CLIP score higher up


def test_front_is_a_step_line_through_the_front_points():
    svg = scatter_svg(POINTS, NFE, FID, "t")
    path = re.search(r'<path class="effdiff-plot__front" d="([^"]+)"/>', svg).group(1)
    assert re.fullmatch(r"M[\d.]+ [\d.]+( V[\d.]+ H[\d.]+)+", path)
    assert svg.count('class="effdiff-plot__front"') == 1 + 2  # the line and the two points on it
    assert svg.count("effdiff-plot__baseline") == 1
    assert "log scale" in svg  # NFE is on a log axis


def test_a_single_value_axis_does_not_divide_by_zero():
    svg = scatter_svg([Point(5, 2.0, "a", "#"), Point(5, 2.0, "b", "#")], NFE, FID, "t")
    assert len(circles(svg)) == 2 and "nan" not in svg


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = make_catalog(tmp_path_factory.mktemp("plots") / "catalog", "small", "hostile")
    build(root, log=lambda message: None)
    return root / "site" / "public"


def test_every_point_links_to_an_existing_row_anchor(built: Path):
    pages = sorted((built / "leaderboards").rglob("index.html"))
    hrefs = []
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for svg in re.findall(r"<svg class=\"effdiff-plot\".*?</svg>", html, re.S):
            hrefs += [(page, h.replace("&amp;", "&")) for h in re.findall(r'<a class="effdiff-plot__link" href="([^"]+)"', svg)]
    assert len(hrefs) >= 3
    for page, href in hrefs:
        rel = page.relative_to(built).parent.as_posix() + "/"
        target = urlsplit(urljoin("http://x/" + rel, href))
        paper = built / target.path.lstrip("/") / "index.html"
        assert paper.is_file(), href
        assert f'id="{target.fragment}"' in paper.read_text(encoding="utf-8"), href


def test_leaderboard_page_shows_groups_rule_and_data_table(built: Path):
    html = (built / "leaderboards/cifar10-32-uncond/edm-cifar10-vp/index.html").read_text(encoding="utf-8")
    assert "Which rows are compared" in html and "Group 1" in html and "Group 2" in html
    assert "Other groups differ in: samples" in html
    assert "Data of the plot" in html and html.count("<svg class=\"effdiff-plot\"") >= 1
    assert "&lt;b&gt;Euler&lt;/b&gt; &amp; &#34;DDIM&#34;" in html or "&lt;b&gt;Euler&lt;/b&gt; &amp; &quot;DDIM&quot;" in html
    assert "<b>Euler</b>" not in html


def test_downloads_sit_beside_papers_json(built: Path):
    assert (built / "results.csv").read_text(encoding="utf-8").startswith("paper,result,benchmark,base_model,method,role,metric,value")
    assert '"count":5' in (built / "results.json").read_text(encoding="utf-8")


def test_a_benchmark_without_a_default_protocol_prints_no_empty_protocol(tmp_path: Path):
    from effdiff_catalog.catalog import Catalog
    from effdiff_catalog.render.common import Resources
    from effdiff_catalog.render.site import SitePaths, write_site_sources

    root = make_catalog(tmp_path / "catalog", "small")
    shutil.copy(REPO / "papers" / "flash-dllm-2026.yaml", root / "papers")  # GSM8K rows on LLaDA 1.5
    shutil.copy(REPO / "papers" / "osediff-2024.yaml", root / "papers")  # RealSR rows: a protocol without samples
    paths = SitePaths.for_root(root, tmp_path / "out")
    write_site_sources(Catalog.load_valid(root), Resources.find(root), paths)
    text_board = (paths.docs / "leaderboards/gsm8k-5shot-gen256/llada-1.5/index.md").read_text(encoding="utf-8")
    assert "Flash-Cache + Flash-Verify" in text_board
    assert "Default protocol" not in text_board and "base model <strong>LLaDA 1.5</strong> (<code>llada-1.5</code>)<br>\nMain metric: Accuracy.</p>" in text_board
    image_board = (paths.docs / "leaderboards/cifar10-32-uncond/index.md").read_text(encoding="utf-8")
    assert re.search(r"<br>\nDefault protocol: 50,000 samples[^.]*\. Main metric: FID\.</p>", image_board)
    sr_board = (paths.docs / "leaderboards/realsr-512-sr-x4/index.md").read_text(encoding="utf-8")
    assert "<br>\nDefault protocol: compared with the HR 512×512 center crops of the test pairs. Main metric: MUSIQ.</p>" in sr_board
