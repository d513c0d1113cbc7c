"""effdiff enrich: each API's documented answer served from 127.0.0.1; no test asks a real API."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from conftest import DATA, REPO
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Response

from effdiff_catalog.apis import ApiConfig, Found, MetadataClient
from effdiff_catalog.apis.arxiv import parse_arxiv_atom
from effdiff_catalog.apis.crossref import parse_crossref_work
from effdiff_catalog.apis.github import parse_github
from effdiff_catalog.apis.semanticscholar import parse_s2_paper
from effdiff_catalog.catalog import Catalog
from effdiff_catalog.cli import main
from effdiff_catalog.enrich import EnrichError, enrich_catalog, plan_changes
from effdiff_catalog.store import dump_record
from effdiff_catalog.vocab import load_vocab

pytestmark = pytest.mark.usefixtures("loopback_only")


APIS = DATA / "apis"
TODAY = dt.date(2026, 11, 23)
DPM_TITLE = "DPM-Solver: A Fast ODE Solver for Diffusion Probabilistic Model Sampling in Around 10 Steps"
T2I_TITLE = "T2I-Adapter: Learning Adapters to Dig Out More Controllable Ability for Text-to-Image Diffusion Models"
DPM_AUTHORS = ["Cheng Lu", "Yuhao Zhou", "Fan Bao", "Jianfei Chen", "Chongxuan Li", "Jun Zhu"]
T2I_AUTHORS = ["Chong Mou", "Xintao Wang", "Liangbin Xie", "Yanze Wu", "Jian Zhang", "Zhongang Qi", "Ying Shan"]


def fixture(name: str) -> str:
    return (APIS / name).read_text(encoding="utf-8")


def serve_apis(server: HTTPServer) -> None:
    """The four APIs under one loopback server, each under its own prefix, answering as documented."""
    atom = "application/atom+xml; charset=utf-8"
    server.expect_request("/arxiv/api/query", query_string={"id_list": "2206.00927", "max_results": "1"}).respond_with_data(
        fixture("arxiv_2206.00927.xml"), content_type=atom)
    server.expect_request("/arxiv/api/query").respond_with_data(fixture("arxiv_empty.xml"), content_type=atom)
    server.expect_request("/crossref/works/10.1609/aaai.v38i5.28226").respond_with_data(
        fixture("crossref_work_aaai.v38i5.28226.json"), content_type="application/json")
    server.expect_request("/crossref/works").respond_with_data(fixture("crossref_query_t2i-adapter.json"), content_type="application/json")
    server.expect_request("/s2/graph/v1/paper/arXiv:2206.00927").respond_with_data(
        fixture("s2_paper_arxiv_2206.00927.json"), content_type="application/json")
    server.expect_request("/s2/graph/v1/paper/search/match").respond_with_data(
        fixture("s2_match_not_found.json"), status=404, content_type="application/json")
    server.expect_request("/github/repos/LuChengTHU/dpm-solver").respond_with_data(
        fixture("github_repo_dpm-solver.json"), content_type="application/json")
    server.expect_request("/github/repos/LuChengTHU/dpm-solver/commits", query_string={"per_page": "1", "sha": "main"}).respond_with_data(
        fixture("github_commits_dpm-solver.json"), content_type="application/json")


def config(server: HTTPServer, **kw) -> ApiConfig:
    bases = {"arxiv": server.url_for("/arxiv/api/query"), "crossref": server.url_for("/crossref"),
             "semanticscholar": server.url_for("/s2/graph/v1"), "github": server.url_for("/github")}
    return ApiConfig(bases=bases, intervals={k: 0.0 for k in bases}, backoff=0.01, timeout=5, **kw)


@pytest.fixture
def api(httpserver: HTTPServer) -> HTTPServer:
    serve_apis(httpserver)
    return httpserver


@pytest.fixture
def client(api: HTTPServer, tmp_path: Path) -> MetadataClient:
    return MetadataClient(config(api), cache_dir=tmp_path / "api-cache")


def write(root: Path, rid: str, body: str) -> Path:
    path = root / "papers" / f"{rid}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


PREPRINT = f"""\
id: dpm-solver-2022
title: '{DPM_TITLE}'
venue: arXiv
year: 2022
arxiv: '2206.00927'
links:
  paper: https://arxiv.org/abs/2206.00927
  code: https://github.com/LuChengTHU/dpm-solver
categories:
- algorithm.efficient_sampling.efficient_solver.ode_solver
added: 2026-11-23
"""

AAAI = f"""\
id: t2i-adapter-2023
title: '{T2I_TITLE}'
venue: AAAI
year: 2024
links:
  paper: https://ojs.aaai.org/index.php/AAAI/article/view/28226
categories:
- algorithm.efficient_sampling.efficient_solver.ode_solver
added: 2026-11-23
"""


def enrich(root: Path, client: MetadataClient, *ids: str, **kw) -> tuple[int, str]:
    """The library's result, printed the way the CLI prints it."""
    out = io.StringIO()
    result = enrich_catalog(root, ids, client=client, today=TODAY, progress=lambda o: out.write(o.format()), **kw)
    for note in result.notes:
        out.write(f"note: {note}\n")
    out.write(result.summary() + "\n")
    return result.exit_code, out.getvalue()


# -- the documented formats ----------------------------------------------------------------


def test_parse_arxiv_atom():
    found = parse_arxiv_atom(fixture("arxiv_2206.00927.xml"))
    assert found.arxiv == "2206.00927" and found.title == DPM_TITLE  # version dropped, wrapped title joined
    assert found.authors == DPM_AUTHORS and found.doi is None and found.venue is None


def test_parse_arxiv_atom_doi_and_journal_ref():
    found = parse_arxiv_atom(fixture("arxiv_cond-mat_0102536.xml"))
    assert found.arxiv == "cond-mat/0102536" and found.doi == "10.1063/1.1383585"
    assert found.authors[0] == "David Prendergast" and len(found.authors) == 5
    assert (found.venue, found.year) == ("J. Chem. Phys.", 2001)


def test_parse_arxiv_atom_empty_and_error_feeds():
    assert parse_arxiv_atom(fixture("arxiv_empty.xml")) is None
    assert parse_arxiv_atom(fixture("arxiv_error.xml")) is None


def test_parse_crossref_work():
    found = parse_crossref_work(json.loads(fixture("crossref_work_aaai.v38i5.28226.json"))["message"])
    assert found.doi == "10.1609/aaai.v38i5.28226" and found.authors == T2I_AUTHORS
    assert (found.venue, found.year) == ("Proceedings of the AAAI Conference on Artificial Intelligence", 2024)


def test_parse_s2_paper_skips_arxivs_own_doi():
    found = parse_s2_paper(json.loads(fixture("s2_paper_arxiv_2206.00927.json")))
    assert found.arxiv == "2206.00927" and found.doi is None  # 10.48550/arXiv.* names the preprint
    assert (found.venue, found.year) == ("Neural Information Processing Systems", 2022)
    assert "NeurIPS" in found.venue_aliases and found.authors == DPM_AUTHORS


def test_parse_github():
    found = parse_github(json.loads(fixture("github_repo_dpm-solver.json")), json.loads(fixture("github_commits_dpm-solver.json")))
    assert (found.stars, found.last_commit) == (1842, dt.date(2024, 5, 28))


def test_venue_only_through_venues_yaml():
    vocab = load_vocab(REPO)
    from effdiff_catalog.model import Paper

    paper = Paper.model_validate({"id": "x-2022", "title": "X", "venue": "arXiv", "year": 2022, "arxiv": "2206.00001",
                                  "links": {"paper": "https://arxiv.org/abs/2206.00001"},
                                  "categories": ["algorithm.efficient_sampling.efficient_solver.ode_solver"], "added": "2026-11-23"})
    unknown = Found("semanticscholar", venue="Journal of Unheard-of Results", year=2023)
    assert plan_changes(paper, [unknown], vocab.venues) == []  # never invented
    known = Found("crossref", venue="Advances in Neural Information Processing Systems 35", year=2022)
    changes = {c.field: c.new for c in plan_changes(paper, [unknown, known], vocab.venues)}
    assert changes == {"venue": "NeurIPS"}  # year already 2022


# -- enriching records ---------------------------------------------------------------------


def test_enrich_fills_a_preprint_from_every_api(empty_root, client, api):
    path = write(empty_root, "dpm-solver-2022", PREPRINT)
    code, out = enrich(empty_root, client)
    assert code == 0, out
    catalog = Catalog.load(empty_root)
    assert catalog.errors == []
    paper = catalog.papers["dpm-solver-2022"]
    assert paper.authors == DPM_AUTHORS  # arXiv, first in order
    assert (paper.venue, paper.year) == ("NeurIPS", 2022)  # Semantic Scholar's venue, mapped through venues.yaml
    assert paper.doi is None  # only arXiv's own DOI was offered
    assert (paper.code_stats.stars, paper.code_stats.last_commit, paper.code_stats.checked) == (1842, dt.date(2024, 5, 28), TODAY)
    assert path.read_text(encoding="utf-8") == dump_record(paper)  # written in canonical form
    assert "authors: Cheng Lu, Yuhao Zhou, Fan Bao and 3 more (from arxiv)" in out
    assert "venue: NeurIPS (from semanticscholar)" in out
    ua = api.log[0][0].headers["User-Agent"]
    assert "effdiff-catalog" in ua


def test_enrich_fills_doi_and_authors_from_crossref_title_search(empty_root, client, api):
    write(empty_root, "t2i-adapter-2023", AAAI)
    code, out = enrich(empty_root, client, sources=["crossref"])
    assert code == 0, out
    paper = Catalog.load(empty_root).papers["t2i-adapter-2023"]
    assert paper.doi == "10.1609/aaai.v38i5.28226" and paper.authors == T2I_AUTHORS
    request = next(req for req, _ in api.log if req.path == "/crossref/works")
    assert request.args["query.bibliographic"] == T2I_TITLE


def test_enrich_uses_crossref_by_doi_when_the_record_has_one(empty_root, client, api):
    write(empty_root, "t2i-adapter-2023", AAAI.replace("links:", "doi: 10.1609/aaai.v38i5.28226\nlinks:"))
    enrich(empty_root, client, sources=["crossref"])
    assert [req.path for req, _ in api.log] == ["/crossref/works/10.1609/aaai.v38i5.28226"]
    assert Catalog.load(empty_root).papers["t2i-adapter-2023"].authors == T2I_AUTHORS


def test_a_set_field_is_never_overwritten(empty_root, client):
    set_fields = PREPRINT.replace("venue: arXiv", "authors:\n- Someone Else\nvenue: arXiv")
    path = write(empty_root, "dpm-solver-2022", set_fields)
    enrich(empty_root, client, sources=["arxiv"])
    assert Catalog.load(empty_root).papers["dpm-solver-2022"].authors == ["Someone Else"]
    assert path.read_text(encoding="utf-8") == set_fields

    code, out = enrich(empty_root, client, sources=["arxiv"], overwrite=True)
    assert Catalog.load(empty_root).papers["dpm-solver-2022"].authors == DPM_AUTHORS
    assert "authors: Cheng Lu" in out


def test_a_published_venue_is_kept(empty_root, client):
    published = PREPRINT.replace("venue: arXiv", "venue: ICML")
    write(empty_root, "dpm-solver-2022", published)
    enrich(empty_root, client, sources=["semanticscholar"])
    assert Catalog.load(empty_root).papers["dpm-solver-2022"].venue == "ICML"


def test_dry_run_prints_a_diff_and_writes_nothing(empty_root, client):
    path = write(empty_root, "dpm-solver-2022", PREPRINT)
    code, out = enrich(empty_root, client, "dpm-solver-2022", sources=["arxiv", "github"], dry_run=True)
    assert code == 0
    assert path.read_text(encoding="utf-8") == PREPRINT
    assert "--- a/papers/dpm-solver-2022.yaml\n+++ b/papers/dpm-solver-2022.yaml\n" in out
    assert "+authors:\n+- Cheng Lu\n" in out
    assert "+code_stats:\n+  stars: 1842\n+  last_commit: 2024-05-28\n+  checked: 2026-11-23\n" in out
    assert out.rstrip().endswith("(dry run: nothing written)")


def test_responses_are_cached_on_disk(empty_root, api, tmp_path):
    write(empty_root, "dpm-solver-2022", PREPRINT)
    cache = tmp_path / "cache"
    enrich(empty_root, MetadataClient(config(api), cache_dir=cache), dry_run=True)
    asked = len(api.log)
    assert asked >= 4
    second = MetadataClient(config(api), cache_dir=cache)
    code, out = enrich(empty_root, second, dry_run=True)
    assert len(api.log) == asked and second.requests_made == 0
    assert "venue: NeurIPS" in out


def test_polite_interval_per_api(api, tmp_path):
    now = [100.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    cfg = config(api)
    cfg.intervals.update({"arxiv": 3.0, "semanticscholar": 1.0})
    c = MetadataClient(cfg, cache_dir=None, sleep=sleep, clock=lambda: now[0])
    c.arxiv("2206.00927")
    c.arxiv("2206.00927")  # no cache: waits its turn, 3 s after the first
    now[0] += 0.5
    c.arxiv("2206.00927")  # half a second has passed on its own
    c.semanticscholar(arxiv="2206.00927")  # another API: its own turn, no wait
    c.semanticscholar(arxiv="2206.00927")
    assert sleeps == [3.0, 2.5, 1.0]


def test_mailto_and_github_token(api, tmp_path):
    c = MetadataClient(config(api, mailto="maintainer@example.org", github_token="secret-token"), cache_dir=None)
    c.crossref_by_title(T2I_TITLE)
    c.github("LuChengTHU", "dpm-solver")
    crossref = next(req for req, _ in api.log if req.path == "/crossref/works")
    assert crossref.args["mailto"] == "maintainer@example.org"
    assert "mailto:maintainer@example.org" in crossref.headers["User-Agent"]
    github = next(req for req, _ in api.log if req.path.startswith("/github/"))
    assert github.headers["Authorization"] == "Bearer secret-token"
    assert github.headers["Accept"] == "application/vnd.github+json"


def test_config_from_env():
    cfg = ApiConfig.from_env({"EFFDIFF_ARXIV_API": "http://127.0.0.1:9/arxiv/", "EFFDIFF_MAILTO": "a@b.org", "GITHUB_TOKEN": "t"})
    assert cfg.bases["arxiv"] == "http://127.0.0.1:9/arxiv" and cfg.bases["github"] == "https://api.github.com"
    assert (cfg.mailto, cfg.github_token) == ("a@b.org", "t")


def test_retry_after_503(empty_root, tmp_path):
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        calls = []

        def flaky(request):
            calls.append(1)
            if len(calls) == 1:
                return Response("busy", status=503, headers={"Retry-After": "2"})
            return Response(fixture("arxiv_2206.00927.xml"), content_type="application/atom+xml")

        server.expect_request("/arxiv/api/query").respond_with_handler(flaky)
        sleeps: list[float] = []
        c = MetadataClient(config(server), cache_dir=None, sleep=sleeps.append)
        assert c.arxiv("2206.00927").authors == DPM_AUTHORS
        assert sleeps == [2.0] and len(calls) == 2
    finally:
        server.stop()


def test_github_rate_limit_stops_asking_and_says_why(empty_root, httpserver, tmp_path):
    httpserver.expect_request("/github/repos/LuChengTHU/dpm-solver").respond_with_data(
        json.dumps({"message": "API rate limit exceeded", "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}),
        status=403, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Limit": "60"}, content_type="application/json")
    write(empty_root, "dpm-solver-2022", PREPRINT)
    write(empty_root, "dpm-solver-copy-2022", PREPRINT.replace("id: dpm-solver-2022", "id: dpm-solver-copy-2022")
          .replace("title: 'DPM", "title: 'Copy of DPM").replace("2206.00927", "2206.00928"))
    code, out = enrich(empty_root, MetadataClient(config(httpserver), cache_dir=None), sources=["github"])
    assert code == 1
    assert "set GITHUB_TOKEN" in out
    assert len(httpserver.log) == 1  # the second record did not ask again


def test_unknown_id(empty_root, client):
    with pytest.raises(EnrichError, match="no valid record"):
        enrich(empty_root, client, "nope-2020")


def test_cli_enrich_with_base_urls_from_the_environment(empty_root, api, monkeypatch, capsys, tmp_path):
    write(empty_root, "dpm-solver-2022", PREPRINT)
    monkeypatch.setenv("EFFDIFF_ARXIV_API", api.url_for("/arxiv/api/query"))
    args = ["enrich", "--root", str(empty_root), "dpm-solver-2022", "--source", "arxiv", "--cache-dir", str(tmp_path / "c")]
    assert main(args + ["--dry-run"]) == 0
    assert "+- Jun Zhu" in capsys.readouterr().out
    assert main(args) == 0
    assert Catalog.load(empty_root).papers["dpm-solver-2022"].authors == DPM_AUTHORS
    with pytest.raises(SystemExit):
        main(["enrich", "--root", str(empty_root), "--source", "bogus"])
    assert main(["enrich", "--root", str(empty_root), "nope-2020"]) == 2


# -- bounded answers -------------------------------------------------------------------------------


def _streaming(sent: list, total: int, chunk: int = 1 << 20, headers: dict | None = None, gap: float = 0.0):
    """A handler answering `total` bytes of JSON whitespace a chunk at a time, counting what it sends."""
    import time

    def handler(request):
        def body():
            for _ in range(total // chunk):
                sent.append(chunk)
                yield b" " * chunk
                if gap:
                    time.sleep(gap)
        return Response(body(), content_type="application/json", headers=headers or {}, direct_passthrough=True)
    return handler


@pytest.mark.parametrize("length", [False, True])
def test_a_huge_answer_is_refused_after_at_most_its_cap(httpserver: HTTPServer, length: bool):
    sent: list[int] = []
    gib = 1 << 30
    httpserver.expect_request("/crossref/works/10.1/huge").respond_with_handler(
        _streaming(sent, gib, headers={"Content-Length": str(gib)} if length else None))
    client = MetadataClient(config(httpserver, retries=0, max_bytes={"crossref": 4 << 20}), cache_dir=None)
    try:
        with pytest.raises(Exception) as info:
            client.crossref_work("10.1/huge")
    finally:
        client.close()
    assert type(info.value).__name__ == "ApiError"
    assert str(info.value) == "crossref: the answer is larger than 4,194,304 bytes; not read"
    # read a chunk at a time, not whole: the server got to send little of its gigabyte
    assert sum(sent) < 64 << 20, f"{sum(sent) >> 20} MiB were sent"


def test_every_api_has_a_cap_by_default():
    assert set(ApiConfig().max_bytes) == {"arxiv", "crossref", "semanticscholar", "github"}
    assert all(1 << 20 <= cap <= 64 << 20 for cap in ApiConfig().max_bytes.values())


def test_an_answer_trickling_past_the_timeout_is_a_timeout(httpserver: HTTPServer):
    import time

    sent: list[int] = []
    httpserver.expect_request("/crossref/works/10.1/slow").respond_with_handler(_streaming(sent, 100, chunk=1, gap=0.05))
    cfg = config(httpserver, retries=0)
    cfg.timeout = 1.0
    client = MetadataClient(cfg, cache_dir=None)
    start = time.monotonic()
    try:
        with pytest.raises(Exception) as info:
            client.crossref_work("10.1/slow")
    finally:
        client.close()
    assert str(info.value) == "crossref: Timeout"
    assert time.monotonic() - start < 3
