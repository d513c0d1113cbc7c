"""Benchmark: `effdiff build` on synthetic catalogs, and a filter change on All papers in Chromium.

Run by hand:  python benchmarks/bench_build.py [--sizes 300 3000 30000] [--mkdocs-up-to 30000]
Reports, per size: loading, README render, site sources (pages + data files), mkdocs build (with
the Pagefind index beside it), the whole build, the site's total size, the average paper page and
the search index, and the cost per paper. Goals: README and site sources for 3,000 papers < 10 s; the whole site for 3,000 papers
< 60 s; 30,000 papers built in < 150 s into < 1 GB, an average paper page < 20 KB; a filter
change on All papers at 3,000 rows < 50 ms in the worst of 30 changes (performance.now()).
mkdocs runs only up to --mkdocs-up-to papers; larger sizes are extrapolated from the measured
per-paper cost and labelled so.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_validate import REPO, synthetic_records  # noqa: E402

from effdiff_catalog.build import load_catalog, run_site_build  # noqa: E402
from effdiff_catalog.render.common import Resources  # noqa: E402
from effdiff_catalog.render.readme import render_readme  # noqa: E402
from effdiff_catalog.render.site import SitePaths, write_data_files, write_site_sources  # noqa: E402
from effdiff_catalog.store import dump_record  # noqa: E402


def timed(func):
    start = time.perf_counter()
    value = func()
    return value, time.perf_counter() - start


def make_root(n: int, base: Path) -> Path:
    root = base / f"catalog-{n}"
    (root / "papers").mkdir(parents=True)
    for name in ("taxonomy.yaml", "venues.yaml", "frameworks.yaml"):
        shutil.copy(REPO / name, root / name)
    for paper in synthetic_records(n):
        (root / "papers" / f"{paper.id}.yaml").write_text(dump_record(paper), encoding="utf-8")
    return root


def measure_filter(site: Path, runs: int = 15) -> dict[str, float]:
    """Median and worst time of one filter change (venue, then a word) at every row of All papers."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="effdiff-bench-chromium-")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                "--no-first-run", "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                f"--user-data-dir={profile}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    try:
        driver.get(f"http://127.0.0.1:{server.server_address[1]}/all-papers/")
        WebDriverWait(driver, 60).until(
            lambda d: d.execute_script("return document.getElementById('effdiff-papers').dataset.ready === 'true'"))
        rows = driver.execute_script("return window.effdiffPapers.rows.length")
        # one change = set the control, fire its event (the page filters synchronously), force layout
        script = """
            const form = document.querySelector('#effdiff-papers form');
            const [name, value, type] = arguments;
            const t0 = performance.now();
            form.elements[name].value = value;
            form.elements[name].dispatchEvent(new Event(type, {bubbles: true}));
            document.body.offsetHeight;
            const shown = document.querySelector('.effdiff-count').textContent;
            return [performance.now() - t0, shown];
        """
        out = {}
        for label, steps in (("venue", [("venue", "NeurIPS", "change"), ("venue", "", "change")]),
                             ("words", [("q", "quantization", "input"), ("q", "", "input")])):
            times = []
            for _ in range(runs):
                for name, value, kind in steps:
                    ms, _shown = driver.execute_script(script, name, value, kind)
                    times.append(ms)
            out[label] = (statistics.median(times), max(times))
        out["rows"] = rows
        return out
    finally:
        driver.quit()
        server.shutdown()
        shutil.rmtree(profile, ignore_errors=True)


def site_sizes(site: Path) -> dict[str, float]:
    """Bytes: the whole site, the average paper page (papers/*/index.html) and the search index
    (Pagefind's pagefind/: its index and fragments, of which a query loads only the pieces it needs)."""
    total = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
    pages = [f.stat().st_size for f in (site / "papers").glob("*/index.html")]
    search = sum(f.stat().st_size for f in (site / "pagefind").rglob("*") if f.is_file())
    return {"total": total, "paper_avg": sum(pages) / max(1, len(pages)), "search": search, "papers": len(pages)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 3_000, 30_000])
    parser.add_argument("--mkdocs-up-to", type=int, default=30_000, help="run mkdocs only for sizes up to this")
    parser.add_argument("--filter-size", type=int, default=3_000, help="measure the filter at this size (0: skip)")
    parser.add_argument("--filter-runs", type=int, default=15, help="filter changes of each kind (two per run)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="effdiff-bench-build-"))
    per_paper_mkdocs = None
    try:
        print(f"{'papers':>7} {'load':>8} {'README':>8} {'sources':>8} {'data':>8} {'mkdocs':>9} {'build':>9}   "
              f"{'site':>9} {'paper page':>10} {'search':>9}   per paper (README / sources+data / mkdocs)")
        for n in args.sizes:
            root = make_root(n, tmp)
            catalog, t_load = timed(lambda: load_catalog(root))
            resources = Resources.find(root)
            _, t_readme = timed(lambda: render_readme(catalog, resources))
            paths = SitePaths.for_root(root)
            _, t_sources = timed(lambda: write_site_sources(catalog, resources, paths))
            _, t_data = timed(lambda: write_data_files(catalog, resources, paths))
            sizes = ""
            if n <= args.mkdocs_up_to:
                _, t_mkdocs = timed(lambda: run_site_build(catalog, paths))  # mkdocs, and Pagefind beside it
                per_paper_mkdocs = t_mkdocs / n
                mkdocs = f"{t_mkdocs:8.2f}s"
                build = f"{t_load + t_readme + t_sources + t_data + t_mkdocs:8.2f}s"
                mkdocs_pp = f"{1000 * t_mkdocs / n:.2f} ms"
                found = site_sizes(paths.out)
                sizes = f"{found['total'] / 2**20:7.1f}MB {found['paper_avg'] / 1024:8.1f}KB {found['search'] / 2**20:7.2f}MB"
            else:
                estimate = per_paper_mkdocs * n if per_paper_mkdocs else float("nan")
                mkdocs = f"~{estimate:7.0f}s"
                build = "n/a"
                mkdocs_pp = "not run: extrapolated from the largest measured size"
            print(f"{n:>7} {t_load:7.2f}s {t_readme:7.2f}s {t_sources:7.2f}s {t_data:7.2f}s {mkdocs:>9} {build:>9}   "
                  f"{sizes:>32}   "
                  f"{1000 * t_readme / n:.3f} ms / {1000 * (t_sources + t_data) / n:.3f} ms / {mkdocs_pp}", flush=True)
            if n == args.filter_size and n <= args.mkdocs_up_to:
                result = measure_filter(paths.out, args.filter_runs)
                print(f"        All papers filter change at {result['rows']} rows (headless Chromium, performance.now(),"
                      f" median / worst of {2 * args.filter_runs}): "
                      f"venue {result['venue'][0]:.1f} / {result['venue'][1]:.1f} ms, "
                      f"words {result['words'][0]:.1f} / {result['words'][1]:.1f} ms (goal < 50 ms, worst included)", flush=True)
            shutil.rmtree(root)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
