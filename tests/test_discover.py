"""effdiff discover: arXiv's Atom answers (tests/data/apis/) served from 127.0.0.1; no test asks arXiv."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import DATA, new_root
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Response

from effdiff_catalog.apis import ApiConfig, MetadataClient
from effdiff_catalog.apis.arxiv import parse_arxiv_feed
from effdiff_catalog.apis.client import DEFAULT_INTERVALS
from effdiff_catalog.catalog import Catalog
from effdiff_catalog.cli import main
from effdiff_catalog.discover import ARXIV_CATEGORIES, MAX_KEYWORD_CLAUSE, build_queries, discover
from effdiff_catalog.taxonomy import Taxonomy

pytestmark = pytest.mark.usefixtures("loopback_only")

APIS = DATA / "apis"
ATOM = "application/atom+xml; charset=utf-8"
SINCE, UNTIL = dt.date(2026, 6, 1), dt.date(2026, 12, 1)
OTCACHE, SIMSD, VERA, DIVIDE = "2606.31026", "2606.02544", "2606.23610", "2606.14756"
CACHING = "system.caching"


def fixture(name: str) -> str:
    return (APIS / name).read_text(encoding="utf-8")


def serve(server: HTTPServer, pages: dict[str, str], id_lists: dict[str, str] | None = None) -> list[dict]:
    """The arXiv API on the loopback: search pages by `start`, id_list answers by their list. Returns the request log."""
    log: list[dict] = []

    def handler(request):
        args = dict(request.args)
        log.append(args)
        if args.get("id_list"):
            return Response(fixture((id_lists or {}).get(args["id_list"], "arxiv_empty.xml")), content_type=ATOM)
        return Response(fixture(pages.get(args.get("start", "0"), "arxiv_empty.xml")), content_type=ATOM)

    server.expect_request("/arxiv/api/query").respond_with_handler(handler)
    return log


PAGES = {"0": "arxiv_discover_page1.xml", "3": "arxiv_discover_page2.xml"}


@pytest.fixture
def arxiv_env(httpserver: HTTPServer, monkeypatch, tmp_path: Path):
    """The CLI pointed at the loopback server, without the 3 s pause (the pause has its own test)."""
    monkeypatch.setenv("EFFDIFF_ARXIV_API", httpserver.url_for("/arxiv/api/query"))
    monkeypatch.setitem(DEFAULT_INTERVALS, "arxiv", 0.0)
    return httpserver


def catalog_without(tmp_path: Path, *record_ids: str) -> Path:
    """A copy of the shipped catalog without some records: they are the new papers arXiv reports."""
    root = new_root(tmp_path / "catalog", shipped=True)
    for rid in record_ids:
        (root / "papers" / f"{rid}.yaml").unlink()
    return root


def client_for(server: HTTPServer, tmp_path: Path, **kw) -> MetadataClient:
    config = ApiConfig(bases={"arxiv": server.url_for("/arxiv/api/query")}, intervals={"arxiv": kw.pop("interval", 0.0)},
                       backoff=0.01, timeout=5)
    return MetadataClient(config, cache_dir=kw.pop("cache_dir", None), **kw)


# -- queries and the feed ---------------------------------------------------------------------


def test_queries_cover_every_keyword_category_and_the_window(repo_root: Path):
    taxonomy = Taxonomy.load(repo_root / "taxonomy.yaml")
    keywords = [k for k, _ in taxonomy.keywords()]
    queries = build_queries(keywords, SINCE, UNTIL)
    assert len(queries) > 1
    for query in queries:
        assert all(f"cat:{c}" in query for c in ARXIV_CATEGORIES)
        assert query.endswith("AND submittedDate:[202606010000 TO 202612012359]")
        assert 'abs:"diffusion"' in query
        clause = query.split(") AND (")[2].split(") AND submittedDate")[0]
        assert len(clause) <= MAX_KEYWORD_CLAUSE
    text = "\n".join(queries)
    assert all(f'abs:"{k.lower()}"' in text for k in keywords)
    assert 'abs:"post-training quantization"' in text and 'abs:"feature caching"' in text
    assert queries[0] in parse_title(fixture("arxiv_discover_page1.xml"))


def parse_title(text: str) -> str:
    import xml.etree.ElementTree as ET

    return ET.fromstring(text).findtext("{http://www.w3.org/2005/Atom}title")


def test_a_feed_page_is_read_with_its_paging():
    feed = parse_arxiv_feed(fixture("arxiv_discover_page1.xml"))
    assert (feed.total, feed.start, [e.arxiv for e in feed.entries]) == (4, 0, [OTCACHE, VERA, DIVIDE])
    ot = feed.entries[0]
    assert ot.title == "OTCache: Optimal Transport for Geometry-Aware Caching in Diffusion Models"
    assert ot.authors[0] == "Huanlin Gao" and len(ot.authors) == 11
    assert (ot.published, ot.categories, ot.comment) == (dt.date(2026, 6, 30), ["cs.LG", "cs.AI"], "ECCV 2026")
    assert ot.abstract.startswith("We propose OTCache") and "\n" not in ot.abstract
    page2 = parse_arxiv_feed(fixture("arxiv_discover_page2.xml"))
    assert (page2.start, [e.arxiv for e in page2.entries], page2.entries[0].categories) == (3, [SIMSD], ["cs.AI"])


# -- the command on the test responses ---------------------------------------------------------


def test_efficiency_papers_first_and_catalog_papers_left_out(tmp_path: Path, arxiv_env, capsys):
    root = catalog_without(tmp_path, "otcache-2026")
    log = serve(arxiv_env, PAGES)
    assert main(["discover", "--root", str(root), "--since", "2026-06-01", "--until", "2026-12-01"]) == 0
    out = capsys.readouterr().out
    first, below = out.split("Below the relevance threshold")
    assert "1. OTCache: Optimal Transport for Geometry-Aware Caching in Diffusion Models" in first
    assert "Huanlin Gao, Fang Zhao, Qiang Hui, Fuyuan Shi, Shaoan Zhao, Yantao Li and 5 more" in first
    assert f"arXiv {OTCACHE}, 2026-06-30" in first
    assert f"suggested: {CACHING} 0." in first and "code: https://github.com/UnicomAI/OTCache" in first
    assert "keywords: " in first and "caching" in first.split("keywords: ")[1].splitlines()[0]
    assert f"add it: effdiff discover --write {OTCACHE}" in first
    assert "Vera: A Layered Diffusion Model" in below and "Divide-and-Denoise" in below
    known = out.split("Already in the catalog (left out):")[1]
    assert f"{SIMSD}  SimSD: Simple Speculative Decoding in Diffusion Language Models  (papers/simsd-2026.yaml)" in known
    assert "SimSD" not in first and "SimSD" not in below.split("Already in the catalog")[0]
    assert "4 found, 1 already in the catalog (left out), 3 candidates, 1 above the relevance threshold" in out
    starts = [r["start"] for r in log]
    assert starts == ["0", "3"] * 8  # 8 queries, each paged through its 2 pages
    assert {r["sortBy"] for r in log} == {"submittedDate"} and {r["max_results"] for r in log} == {"100"}


def test_with_both_efficiency_papers_new_both_come_first(tmp_path: Path, arxiv_env, capsys):
    root = catalog_without(tmp_path, "otcache-2026", "simsd-2026")
    serve(arxiv_env, PAGES)
    assert main(["discover", "--root", str(root), "--since", "2026-06-01", "--until", "2026-12-01", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    ranked = [c["arxiv"] for c in data["candidates"]]
    assert ranked[:2] == [SIMSD, OTCACHE] or ranked[:2] == [OTCACHE, SIMSD]
    assert set(ranked[2:]) == {VERA, DIVIDE}
    assert [c["relevant"] for c in data["candidates"]] == [True, True, False, False]
    simsd = next(c for c in data["candidates"] if c["arxiv"] == SIMSD)
    assert simsd["suggestions"][0]["node"] == "algorithm.efficient_diffusion_language_models.parallel_decoding"
    assert "speculative decoding" in simsd["keywords"] and data["known"] == []


def test_a_paper_known_by_title_only_is_left_out(tmp_path: Path, arxiv_env, capsys):
    root = catalog_without(tmp_path, "otcache-2026")
    record = root / "papers" / "simsd-2026.yaml"
    text = record.read_text(encoding="utf-8").replace("arxiv: '2606.02544'\n", "").replace("venue: arXiv", "venue: ICML")
    record.write_text(text.replace("https://arxiv.org/abs/2606.02544", "https://example.org/simsd.pdf"), encoding="utf-8")
    serve(arxiv_env, PAGES)
    assert main(["discover", "--root", str(root), "--since", "2026-06-01", "--until", "2026-12-01", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [k["arxiv"] for k in data["known"]] == [SIMSD]


def test_markdown_for_the_weekly_issue_and_out_file(tmp_path: Path, arxiv_env, capsys):
    root = catalog_without(tmp_path, "otcache-2026")
    serve(arxiv_env, PAGES)
    out_file = tmp_path / "candidates.md"
    assert main(["discover", "--root", str(root), "--since", "2026-06-01", "--until", "2026-12-01", "--format", "markdown",
                 "--out", str(out_file)]) == 0
    assert f"wrote {out_file}" in capsys.readouterr().out
    md = out_file.read_text(encoding="utf-8")
    assert md.index("## Candidates") < md.index("OTCache") < md.index("## Below the relevance threshold") < md.index("Vera")
    assert f"### 1. [OTCache: Optimal Transport for Geometry-Aware Caching in Diffusion Models](https://arxiv.org/abs/{OTCACHE})" in md
    assert f"```sh\neffdiff discover --write {OTCACHE}\n```" in md and f"`{CACHING}` (0." in md
    assert "papers/simsd-2026.yaml" in md


def test_since_defaults_to_the_newest_added_date(tmp_path: Path, arxiv_env, capsys):
    root = catalog_without(tmp_path, "otcache-2026")
    log = serve(arxiv_env, PAGES)
    newest = max(p.added for p in Catalog.load(root).papers.values())
    until = newest + dt.timedelta(days=30)  # the shipped data's newest date moves; the window follows it
    assert main(["discover", "--root", str(root), "--until", until.isoformat()]) == 0
    assert f"submittedDate:[{newest:%Y%m%d}0000 TO {until:%Y%m%d}2359]" in log[0]["search_query"]
    assert f"submitted {newest} to {until}" in capsys.readouterr().out


def test_a_window_that_ends_before_it_starts_is_a_usage_error(tmp_path: Path, arxiv_env, capsys):
    root = catalog_without(tmp_path)
    assert main(["discover", "--root", str(root), "--since", "2026-07-01", "--until", "2026-06-01"]) == 2
    assert "--since 2026-07-01 is after --until 2026-06-01" in capsys.readouterr().err


# -- politeness and errors ---------------------------------------------------------------------


def test_paging_waits_three_seconds_between_requests(tmp_path: Path, httpserver: HTTPServer):
    """The pause on an injected clock: no request is ever sent sooner than 3 s after the last."""
    root = catalog_without(tmp_path, "otcache-2026")
    log = serve(httpserver, PAGES)
    now = [1000.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    client = client_for(httpserver, tmp_path, interval=3.0, sleep=sleep, clock=lambda: now[0])
    result = discover(Catalog.load(root), client, since=SINCE, until=UNTIL, page_size=3)
    assert len(log) == result.requests == 16
    assert sleeps == [3.0] * 15
    assert [c.entry.arxiv for c in result.candidates][0] == OTCACHE and result.fetched == 4


def test_http_503_with_retry_after_is_waited_for_and_retried(tmp_path: Path, httpserver: HTTPServer):
    root = catalog_without(tmp_path, "otcache-2026")
    calls: list[str] = []

    def handler(request):
        calls.append(request.args.get("start"))
        if len(calls) == 1:
            return Response("arXiv is busy", status=503, headers={"Retry-After": "7"})
        return Response(fixture(PAGES.get(request.args.get("start"), "arxiv_empty.xml")), content_type=ATOM)

    httpserver.expect_request("/arxiv/api/query").respond_with_handler(handler)
    sleeps: list[float] = []
    client = client_for(httpserver, tmp_path, sleep=sleeps.append)
    result = discover(Catalog.load(root), client, since=SINCE, until=UNTIL, page_size=3)
    assert sleeps[0] == 7.0 and calls[:2] == ["0", "0"]
    assert result.candidates[0].entry.arxiv == OTCACHE


def test_malformed_atom_fails_and_is_not_cached(tmp_path: Path, arxiv_env, capsys):
    root = catalog_without(tmp_path, "otcache-2026")
    serve(arxiv_env, {"0": "arxiv_discover_malformed.xml"})
    cache = tmp_path / "cache"
    assert main(["discover", "--root", str(root), "--since", "2026-06-01", "--until", "2026-12-01", "--cache-dir", str(cache)]) == 3
    assert "arXiv answered something that is not an Atom feed" in capsys.readouterr().err
    assert not any(p.is_file() for p in cache.rglob("*"))


def test_arxivs_error_entry_is_reported(tmp_path: Path, arxiv_env, capsys):
    root = catalog_without(tmp_path)
    serve(arxiv_env, {"0": "arxiv_error.xml"})
    assert main(["discover", "--root", str(root), "--since", "2026-06-01", "--until", "2026-12-01"]) == 3
    assert "arXiv could not answer the query: incorrect id format for 1234.12345" in capsys.readouterr().err


def test_an_empty_result_and_an_empty_page(tmp_path: Path, arxiv_env, capsys):
    root = catalog_without(tmp_path)
    serve(arxiv_env, {})
    assert main(["discover", "--root", str(root), "--since", "2026-06-01", "--until", "2026-12-01", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "No new candidates this week." in out and "0 candidates" in out

    httpserver = arxiv_env
    httpserver.clear()
    serve(httpserver, {"0": "arxiv_discover_page1.xml", "3": "arxiv_discover_empty_page.xml"})
    assert main(["discover", "--root", str(root), "--since", "2026-06-01", "--until", "2026-12-01", "--cache-dir",
                 str(tmp_path / "other-cache")]) == 0
    out = capsys.readouterr().out
    assert "note: arXiv answered an empty page at result 3 of 4; the list may be incomplete" in out
    assert out.count("note: arXiv answered an empty page") == 1
    assert "1. OTCache" not in out and "papers/otcache-2026.yaml" in out  # the shipped catalog has it


# -- --write -------------------------------------------------------------------------------------


def test_write_creates_records_and_refuses_papers_in_the_catalog(tmp_path: Path, arxiv_env, capsys):
    root = catalog_without(tmp_path, "otcache-2026", "simsd-2026")
    log = serve(arxiv_env, {}, {f"{OTCACHE},{SIMSD}": "arxiv_2606.31026_2606.02544.xml"})
    assert main(["discover", "--root", str(root), "--write", OTCACHE, SIMSD]) == 0
    out = capsys.readouterr().out
    assert f"wrote papers/otcache-2026.yaml (arXiv {OTCACHE}, {CACHING} 0." in out
    assert f"wrote papers/simsd-2026.yaml (arXiv {SIMSD}, algorithm.efficient_diffusion_language_models.parallel_decoding 0." in out
    assert len(log) == 1 and log[0]["max_results"] == "2"
    catalog = Catalog.load(root)
    assert not catalog.errors
    paper = catalog.papers["otcache-2026"]
    assert (paper.venue, paper.year, paper.arxiv, paper.categories) == ("arXiv", 2026, OTCACHE, [CACHING])
    assert paper.authors[0] == "Huanlin Gao" and len(paper.authors) == 11
    assert (paper.links.paper, paper.links.code) == (f"https://arxiv.org/abs/{OTCACHE}", "https://github.com/UnicomAI/OTCache")
    assert paper.notes is None  # never the abstract

    written = {name: (root / "papers" / name).read_bytes() for name in ("otcache-2026.yaml", "simsd-2026.yaml")}
    assert main(["discover", "--root", str(root), "--write", OTCACHE, SIMSD]) == 1  # now both are in the catalog
    out = capsys.readouterr().out
    assert f"not written: arXiv {OTCACHE}: already in the catalog: papers/otcache-2026.yaml" in out
    assert f"not written: arXiv {SIMSD}: already in the catalog: papers/simsd-2026.yaml" in out
    assert len(log) == 1  # refused without asking arXiv
    assert {name: (root / "papers" / name).read_bytes() for name in written} == written


def test_write_refuses_a_paper_of_the_shipped_catalog(tmp_path: Path, arxiv_env, capsys):
    root = catalog_without(tmp_path, "otcache-2026")
    log = serve(arxiv_env, {}, {})
    before = sorted(p.name for p in (root / "papers").iterdir())
    assert main(["discover", "--root", str(root), "--write", SIMSD]) == 1
    assert f"not written: arXiv {SIMSD}: already in the catalog: papers/simsd-2026.yaml" in capsys.readouterr().out
    assert log == [] and sorted(p.name for p in (root / "papers").iterdir()) == before


def test_write_names_an_unknown_id_and_refuses_a_bad_one(tmp_path: Path, arxiv_env, capsys):
    root = catalog_without(tmp_path)
    serve(arxiv_env, {})
    assert main(["discover", "--root", str(root), "--write", "2606.99999"]) == 1
    assert "not written: arXiv 2606.99999: arXiv knows no such paper" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["discover", "--root", str(root), "--write", "not-an-id"])
    assert exc.value.code == 2
