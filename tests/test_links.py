"""effdiff check-links against real HTTP servers on 127.0.0.1 (pytest-httpserver); no test leaves the machine."""

from __future__ import annotations

import io
import ipaddress
import json
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from effdiff_catalog import PROJECT_URL
from effdiff_catalog.cli import main
from effdiff_catalog.links import (
    CheckOptions,
    LinkCache,
    LinkChecker,
    LinkResult,
    Progress,
    arxiv_problem,
    check_links,
    collect_links,
    github_problem,
    parse_duration,
)
from effdiff_catalog.net import AddressRefused, address_kind, retry_after

pytestmark = pytest.mark.usefixtures("loopback_only")


FAST = dict(timeout=2.0, retries=2, backoff=0.01, retry_after_cap=30.0, allow_private=True)


def threaded_server():
    """A threaded server (slow handlers must not hold up the others)."""
    s = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    s.start()
    return s


@pytest.fixture(scope="module")
def servers():
    pair = (threaded_server(), threaded_server())
    yield pair
    for s in pair:
        s.stop()


@pytest.fixture
def server(servers):
    """A clean server for each test (one per module: stopping one takes half a second)."""
    servers[0].clear()
    yield servers[0]
    servers[0].clear()


@pytest.fixture
def other_server(servers):
    servers[1].clear()
    yield servers[1]
    servers[1].clear()


@pytest.fixture
def own_server():
    """A server of its own for a test whose handlers outlive it (they would log into the next test)."""
    s = threaded_server()
    yield s
    s.stop()


class Sleeps(list):
    """Stands in for time.sleep: records the waits, waits almost nothing."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        time.sleep(0.001)


def checker(sleep=None, **options) -> LinkChecker:
    return LinkChecker(CheckOptions(**{**FAST, **options}), sleep=sleep if sleep is not None else Sleeps())


def methods(server: HTTPServer, path: str) -> list[str]:
    return [req.method for req, _ in server.log if req.path == path]


# -- one URL -------------------------------------------------------------------------------


def test_200_is_ok_and_names_the_project(server):
    server.expect_request("/page").respond_with_data("hello")
    result = checker().check_url(server.url_for("/page"))
    assert (result.status, result.http_status) == ("ok", 200)
    request = server.log[0][0]
    assert request.method == "HEAD"
    assert PROJECT_URL in request.headers["User-Agent"]


def test_chain_of_301s_is_reported_with_the_new_url(server):
    server.expect_request("/a").respond_with_response(Response(status=301, headers={"Location": "/b"}))
    server.expect_request("/b").respond_with_response(Response(status=301, headers={"Location": server.url_for("/c")}))
    server.expect_request("/c").respond_with_response(Response(status=308, headers={"Location": "/final"}))
    server.expect_request("/final").respond_with_data("here")
    result = checker().check_url(server.url_for("/a"))
    assert result.status == "redirected"
    assert result.new_url == server.url_for("/final")
    assert server.url_for("/final") in result.detail


def test_temporary_redirect_is_ok(server):
    server.expect_request("/doi").respond_with_response(Response(status=302, headers={"Location": "/publisher"}))
    server.expect_request("/publisher").respond_with_data("article")
    result = checker().check_url(server.url_for("/doi"))
    assert (result.status, result.new_url) == ("ok", None)


def test_permanent_redirect_is_only_reported_up_to_the_first_temporary_one(server):
    server.expect_request("/old").respond_with_response(Response(status=301, headers={"Location": "/new"}))
    server.expect_request("/new").respond_with_response(Response(status=302, headers={"Location": "/login"}))
    server.expect_request("/login").respond_with_data("login")
    result = checker().check_url(server.url_for("/old"))
    assert (result.status, result.new_url) == ("redirected", server.url_for("/new"))


def test_redirect_loop_is_broken(server):
    server.expect_request("/x").respond_with_response(Response(status=301, headers={"Location": "/y"}))
    server.expect_request("/y").respond_with_response(Response(status=302, headers={"Location": "/x"}))
    result = checker().check_url(server.url_for("/x"))
    assert result.status == "broken"
    assert "redirect loop" in result.detail
    assert len(server.log) == 2  # each hop requested once: the loop is seen, not walked


def test_redirect_limit(server):
    for i in range(5):
        server.expect_request(f"/r{i}").respond_with_response(Response(status=302, headers={"Location": f"/r{i + 1}"}))
    server.expect_request("/r5").respond_with_data("end")
    assert checker(max_redirects=3).check_url(server.url_for("/r0")).status == "broken"
    assert checker(max_redirects=5).check_url(server.url_for("/r0")).status == "ok"


def test_redirect_to_another_scheme_is_invalid(server):
    server.expect_request("/js").respond_with_response(Response(status=302, headers={"Location": "javascript:alert(1)"}))
    assert checker().check_url(server.url_for("/js")).status == "invalid"


@pytest.mark.parametrize("status", [404, 410])
def test_gone_pages_are_broken(server, status):
    server.expect_request("/gone").respond_with_data("no", status=status)
    result = checker().check_url(server.url_for("/gone"))
    assert (result.status, result.http_status) == ("broken", status)
    assert str(status) in result.detail
    assert methods(server, "/gone") == ["HEAD"]  # a 404 is not retried


@pytest.mark.parametrize("refusal", [403, 405, 501])
def test_get_when_head_is_refused(server, refusal):
    def handler(request: Request) -> Response:
        return Response("", status=refusal) if request.method == "HEAD" else Response("the page")

    server.expect_request("/page").respond_with_handler(handler)
    result = checker().check_url(server.url_for("/page"))
    assert result.status == "ok"
    assert methods(server, "/page") == ["HEAD", "GET"]


def test_403_on_both_is_blocked_and_fails_only_when_strict(server):
    server.expect_request("/paywall").respond_with_data("no bots", status=403)
    result = checker().check_url(server.url_for("/paywall"))
    assert result.status == "blocked"
    assert methods(server, "/paywall") == ["HEAD", "GET"]


def test_429_with_retry_after_then_200(server):
    calls = []

    def handler(request: Request) -> Response:
        calls.append(request.method)
        if len(calls) == 1:
            return Response("slow down", status=429, headers={"Retry-After": "7"})
        return Response("fine")

    server.expect_request("/busy").respond_with_handler(handler)
    sleeps = Sleeps()
    result = checker(sleep=sleeps).check_url(server.url_for("/busy"))
    assert result.status == "ok"
    assert sleeps == [7.0]  # the server's Retry-After, not the backoff
    assert calls == ["HEAD", "HEAD"]


def test_retry_after_is_capped(server):
    calls = []

    def handler(request: Request) -> Response:
        calls.append(1)
        if len(calls) == 1:
            return Response("", status=503, headers={"Retry-After": "3600"})
        return Response("ok")

    server.expect_request("/down").respond_with_handler(handler)
    sleeps = Sleeps()
    assert checker(sleep=sleeps, retry_after_cap=5).check_url(server.url_for("/down")).status == "ok"
    assert sleeps == [5]


def test_503_then_200_retries_with_backoff(server):
    calls = []

    def handler(request: Request) -> Response:
        calls.append(1)
        return Response("", status=503) if len(calls) < 3 else Response("up again")

    server.expect_request("/flaky").respond_with_handler(handler)
    sleeps = Sleeps()
    result = checker(sleep=sleeps, backoff=0.5).check_url(server.url_for("/flaky"))
    assert result.status == "ok"
    assert len(sleeps) == 2 and 0.3 <= sleeps[0] <= 0.5 and 0.7 <= sleeps[1] <= 1.0  # doubled, with jitter


def test_persistent_5xx_is_broken_and_persistent_429_blocked(server):
    server.expect_request("/dead").respond_with_data("", status=500)
    server.expect_request("/throttled").respond_with_data("", status=429)
    c = checker(retries=2)
    dead = c.check_url(server.url_for("/dead"))
    throttled = c.check_url(server.url_for("/throttled"))
    assert (dead.status, throttled.status) == ("broken", "blocked")
    assert "3 tries" in dead.detail
    assert len(methods(server, "/dead")) == 3


def test_response_slower_than_the_timeout(own_server):
    server = own_server
    calls = []

    def slow(request: Request) -> Response:
        calls.append(1)
        time.sleep(1.5)
        return Response("late")

    server.expect_request("/slow").respond_with_handler(slow)
    start = time.monotonic()
    result = checker(timeout=0.2, retries=1).check_url(server.url_for("/slow"))
    assert result.status == "timeout"
    assert time.monotonic() - start < 1.2
    assert len(calls) == 2  # retried once


def test_refused_connection_is_broken():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sleeps = Sleeps()
    result = checker(sleep=sleeps, retries=1).check_url(f"http://127.0.0.1:{port}/")
    assert result.status == "broken"
    assert "connection failed" in result.detail
    assert len(sleeps) == 1  # connection errors are retried


def test_a_multi_gigabyte_body_is_never_read(own_server):
    server = own_server
    sent = []
    chunk = b"x" * (1 << 20)

    def huge(request: Request) -> Response:
        if request.method == "HEAD":
            return Response("", status=405)

        def body():
            for _ in range(5 * 1024):  # 5 GiB
                sent.append(len(chunk))
                yield chunk

        return Response(body(), headers={"Content-Length": str(5 << 30), "Content-Type": "application/pdf"},
                        direct_passthrough=True)

    server.expect_request("/weights.bin").respond_with_handler(huge)
    start = time.monotonic()
    result = checker().check_url(server.url_for("/weights.bin"))
    elapsed = time.monotonic() - start
    assert result.status == "ok"
    assert elapsed < 3
    time.sleep(0.3)  # let the server notice the closed connection
    assert sum(sent) < 64 << 20, f"{sum(sent) >> 20} MiB were sent"


class CountingServer:
    """A keep-alive HTTP/1.1 server (werkzeug's closes every connection) that counts the
    connections and the requests open at once. HEAD is refused, so every check also GETs."""

    def __init__(self, delay: float = 0.0):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.delay = delay
        self.lock = threading.Lock()
        self.connections = self.peak_connections = self.requests = self.peak_requests = self.total = 0
        self.ports: set[int] = set()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                with outer.lock:
                    outer.connections += 1
                    outer.peak_connections = max(outer.peak_connections, outer.connections)
                    outer.ports.add(self.client_address[1])

            def finish(self):
                super().finish()
                with outer.lock:
                    outer.connections -= 1

            def _answer(self, status: int, body: bytes) -> None:
                with outer.lock:
                    outer.requests += 1
                    outer.total += 1
                    outer.peak_requests = max(outer.peak_requests, outer.requests)
                time.sleep(outer.delay)
                with outer.lock:
                    outer.requests -= 1
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_HEAD(self):
                self._answer(405, b"")

            def do_GET(self):
                self._answer(200, b"a small page")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_connections_are_reused():
    srv = CountingServer()
    try:
        c = checker()
        for i in range(3):
            assert c.check_url(srv.url(f"/p{i}")).status == "ok"
    finally:
        srv.close()
    assert srv.total == 6 and len(srv.ports) == 1  # HEAD and GET three times over one connection


def test_server_counting_simultaneous_connections_sees_the_per_host_limit():
    srv = CountingServer(delay=0.03)
    try:
        results = checker(concurrency=20, per_host=4).check([srv.url(f"/p{i}") for i in range(40)])
    finally:
        srv.close()
    assert {r.status for r in results.values()} == {"ok"}
    assert srv.peak_requests == 4
    assert srv.peak_connections <= 4  # the pool keeps one connection per slot, never more
    assert len(srv.ports) <= 4


# -- private addresses ---------------------------------------------------------------------

PUBLIC_NAME, PUBLIC_ADDRESS = "papers.example", "93.184.216.34"


def fake_resolve(host: str, port: int) -> list[str]:
    """A public-looking name for the loopback server; IP literals as they are; nothing else."""
    if host == PUBLIC_NAME:
        return [PUBLIC_ADDRESS]
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None


def loopback_dial(address: str, port: int, timeout, **kwargs) -> socket.socket:
    """Connects the fake public address to the loopback; refuses anything else that is not loopback."""
    if address == PUBLIC_ADDRESS:
        address = "127.0.0.1"
    elif not ipaddress.ip_address(address).is_loopback:
        raise ConnectionRefusedError("this test reaches only the loopback")
    return socket.create_connection((address, port), timeout)


def guarded_checker(allow_private: bool) -> LinkChecker:
    return LinkChecker(CheckOptions(**{**FAST, "allow_private": allow_private}), resolve=fake_resolve, dial=loopback_dial,
                       sleep=Sleeps())


def test_redirect_from_a_public_host_to_loopback_is_refused(server):
    server.expect_request("/moved").respond_with_response(
        Response(status=302, headers={"Location": f"http://127.0.0.1:{server.port}/admin"}))
    server.expect_request("/admin").respond_with_data("secret")
    url = f"http://{PUBLIC_NAME}:{server.port}/moved"

    result = guarded_checker(allow_private=False).check_url(url)
    assert result.status == "invalid"
    assert "loopback" in result.detail and "--allow-private" in result.detail
    assert methods(server, "/moved") == ["HEAD"]
    assert methods(server, "/admin") == []  # never requested

    assert guarded_checker(allow_private=True).check_url(url).status == "ok"
    assert methods(server, "/admin") == ["HEAD"]


def test_a_private_url_is_refused_before_any_request(server):
    server.expect_request("/").respond_with_data("router admin")
    result = guarded_checker(allow_private=False).check_url(server.url_for("/"))
    assert result.status == "invalid"
    assert server.log == []


def test_the_connection_goes_to_the_checked_address():
    """The guard dials the address it approved; a name that resolves to loopback is refused at connect time too."""
    from effdiff_catalog.net import AddressGuard

    guard = AddressGuard(allow_private=False, resolve=lambda host, port: ["127.0.0.1"])
    with pytest.raises(AddressRefused):
        guard.connect("innocent.example", 80, 1.0)


@pytest.mark.parametrize("address,kind", [
    ("127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.1", "private"), ("169.254.169.254", "link-local"),
    ("::1", "loopback"), ("fe80::1", "link-local"), ("::ffff:127.0.0.1", "loopback"), ("0.0.0.0", "unspecified"),
    ("100.64.0.1", "non-public"), ("224.0.0.1", "multicast"), ("93.184.216.34", None), ("2606:4700::1111", None),
])
def test_address_kinds(address, kind):
    assert address_kind(address) == kind


# -- many URLs -----------------------------------------------------------------------------


def counting_handler(delay: float):
    state = {"now": 0, "peak": 0}
    lock = threading.Lock()

    def handler(request: Request) -> Response:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(delay)
        with lock:
            state["now"] -= 1
        return Response("ok")

    return handler, state


def test_per_host_limit_holds_and_hosts_proceed_in_parallel(server, other_server):
    handler_a, a = counting_handler(0.1)
    handler_b, b = counting_handler(0.1)
    server.expect_request("/slow").respond_with_handler(handler_a)
    other_server.expect_request("/slow").respond_with_handler(handler_b)
    urls = [server.url_for(f"/slow?i={i}") for i in range(24)] + [other_server.url_for(f"/slow?i={i}") for i in range(24)]
    start = time.monotonic()
    results = checker(concurrency=16, per_host=3).check(urls)
    elapsed = time.monotonic() - start
    assert {r.status for r in results.values()} == {"ok"} and len(results) == 48
    assert a["peak"] == 3 and b["peak"] == 3  # never more than 3 at once on one host, and the limit was reached
    # 24 requests per host, 3 at a time, 100 ms each: about 0.8 s; one host at a time would take twice as long
    assert elapsed < 1.4


def test_repeated_urls_are_checked_once(server):
    server.expect_request("/same").respond_with_data("x")
    results = checker().check([server.url_for("/same")] * 5)
    assert len(results) == 1 and len(server.log) == 1


# -- the catalog ---------------------------------------------------------------------------


def record(root: Path, rid: str, links: dict, arxiv: str | None = None) -> Path:
    lines = [f"id: {rid}", f"title: Title of {rid}", "venue: ICLR", "year: 2020"]
    if arxiv:
        lines.append(f"arxiv: '{arxiv}'")
    lines.append("links:")
    lines += [f"  {k}: {v}" for k, v in links.items()]
    lines += ["categories:", "- algorithm.efficient_sampling.efficient_solver.ode_solver", "added: 2026-11-23", ""]
    path = root / "papers" / f"{rid}.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def catalog(empty_root: Path, server: HTTPServer) -> Path:
    server.expect_request("/ok").respond_with_data("fine")
    server.expect_request("/missing").respond_with_data("no", status=404)
    server.expect_request("/moved").respond_with_response(Response(status=301, headers={"Location": "/ok"}))
    server.expect_request("/forbidden").respond_with_data("no", status=403)
    record(empty_root, "good-2020", {"paper": server.url_for("/ok"), "code": "https://github.com/owner/repo"})
    record(empty_root, "rotten-2020", {"paper": server.url_for("/missing"), "project": server.url_for("/moved")})
    record(empty_root, "paywalled-2020", {"paper": server.url_for("/forbidden")})
    (empty_root / "frameworks.yaml").write_text(
        "frameworks:\n- name: Fast\n  links:\n    code: https://github.com/fast/fast\n    docs: " + server.url_for("/ok") + "\n"
        "  training: true\n  inference: true\n", encoding="utf-8")
    return empty_root


def run(root: Path, *args: str, cache: Path | None = None, **kw):
    options = CheckOptions(**{**FAST, **kw})
    return check_links(root, [root / a for a in args] or None, options=options, cache_path=cache,
                       exclude=[r"^https://github\.com/"])


def test_collect_links_reads_records_and_frameworks(catalog):
    collected = collect_links(catalog)
    fields = {(r.file, r.field) for r in collected.refs}
    assert ("papers/rotten-2020.yaml", "links.project") in fields
    assert ("frameworks.yaml", "frameworks[0].links.docs") in fields
    assert len(collected.files) == 4
    ref = next(r for r in collected.refs if r.field == "links.project")
    assert ref.line == 7 and ref.owner == "rotten-2020"


def test_report_statuses_and_exit_codes(catalog):
    report = run(catalog)
    by_url = {ref.url: result.status for ref, result in report.entries}
    assert sorted(report.counts().items()) == [("blocked", 1), ("broken", 1), ("ok", 2), ("redirected", 1)]
    assert len(report.excluded) == 2  # the github.com links
    assert report.exit_code() == 1
    assert by_url[next(u for u in by_url if u.endswith("/forbidden"))] == "blocked"


def test_blocked_fails_only_with_strict(catalog):
    report = run(catalog, "papers/paywalled-2020.yaml")
    assert report.counts() == {"blocked": 1}
    assert report.exit_code() == 0 and report.exit_code(strict=True) == 1


def test_paths_limit_the_check(catalog, server):
    report = run(catalog, "papers/good-2020.yaml")
    assert [ref.file for ref, _ in report.entries] == ["papers/good-2020.yaml"]
    assert report.exit_code() == 0


def test_cache_hit_second_run_makes_no_request(catalog, server, tmp_path):
    cache = tmp_path / "cache" / "links.json"
    first = run(catalog, cache=cache)
    requests_made = len(server.log)
    assert first.checked == 4 and requests_made > 0
    assert json.loads(cache.read_text())["version"] == 1
    second = run(catalog, cache=cache)
    assert len(server.log) == requests_made  # nothing asked again
    assert second.cached == 4 and second.checked == 0
    assert sorted(second.counts().items()) == sorted(first.counts().items())


def test_cache_expires_and_skips_transient_results(tmp_path):
    now = [1000.0]
    cache = LinkCache(tmp_path / "c.json", ttl=60, clock=lambda: now[0])
    cache.put(LinkResult("https://a.org/", "ok", http_status=200, checked=1000.0), allow_private=False)
    cache.put(LinkResult("https://b.org/", "timeout", checked=1000.0), allow_private=False)
    cache.put(LinkResult("https://c.org/", "broken", http_status=503, checked=1000.0), allow_private=False)
    cache.put(LinkResult("https://d.org/", "ok", http_status=200, checked=1000.0), allow_private=True)
    cache.save()
    again = LinkCache(tmp_path / "c.json", ttl=60, clock=lambda: now[0])
    assert again.get("https://a.org/", False).status == "ok"
    assert again.get("https://b.org/", False) is None and again.get("https://c.org/", False) is None
    assert again.get("https://d.org/", False) is None and again.get("https://d.org/", True).status == "ok"
    now[0] += 61
    assert again.get("https://a.org/", False) is None


def test_damaged_cache_is_ignored(tmp_path):
    path = tmp_path / "links.json"
    path.write_text("{not json", encoding="utf-8")
    assert LinkCache(path, ttl=60).entries == {}


def test_offline_checks_need_no_request(empty_root, server):
    record(empty_root, "mismatch-2020", {"paper": "https://arxiv.org/abs/2206.00927v2"}, arxiv="2206.00928")
    record(empty_root, "profile-2020", {"paper": server.url_for("/x"), "code": "https://github.com/someone"})
    record(empty_root, "script-2020", {"paper": "javascript:alert(1)"})
    report = check_links(empty_root, options=CheckOptions(**FAST), exclude=[r"/x$"])
    details = {ref.field + "@" + ref.owner: (result.status, result.detail) for ref, result in report.entries}
    assert details["links.paper@mismatch-2020"][0] == "invalid"
    assert "2206.00927" in details["links.paper@mismatch-2020"][1] and "2206.00928" in details["links.paper@mismatch-2020"][1]
    assert details["links.code@profile-2020"][0] == "invalid"
    assert details["links.paper@script-2020"][0] == "invalid"
    assert server.log == [] and report.checked == 0


@pytest.mark.parametrize("url,ok", [
    ("https://github.com/LuChengTHU/dpm-solver", True),
    ("https://github.com/LuChengTHU/dpm-solver/", True),
    ("https://github.com/google-research/google-research/tree/master/diffusion_distillation", True),
    ("https://github.com/LuChengTHU", False),
    ("https://github.com/LuChengTHU/dpm-solver.git", False),
    ("https://github.com/LuChengTHU/dpm-solver/issues/3", False),
    ("https://github.com/orgs/openai/repositories", False),
    ("https://gitlab.com/group", True),  # not GitHub: not checked
])
def test_github_code_link_form(url, ok):
    assert (github_problem(url) is None) == ok


def test_arxiv_problem():
    assert arxiv_problem("https://arxiv.org/pdf/2206.00927v3", "2206.00927") is None
    assert arxiv_problem("https://arxiv.org/abs/2206.00927", None) is None
    assert "2206.00927" in arxiv_problem("https://arxiv.org/abs/2206.00927", "2211.01095")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                          check=True, capture_output=True, text=True).stdout


def test_changed_since_checks_only_changed_records(empty_root, server):
    server.expect_request("/p").respond_with_data("x")
    for rid in ("old-2020", "edited-2020"):
        record(empty_root, rid, {"paper": server.url_for(f"/p?{rid}")})
    git(empty_root, "init", "-q", "-b", "main")
    git(empty_root, "add", "-A")
    git(empty_root, "commit", "-q", "-m", "base")
    git(empty_root, "checkout", "-q", "-b", "topic")
    record(empty_root, "edited-2020", {"paper": server.url_for("/p?edited-2020"), "project": server.url_for("/p?new-link")})
    git(empty_root, "commit", "-q", "-am", "edit")
    record(empty_root, "untracked-2020", {"paper": server.url_for("/p?untracked")})
    record(empty_root, "old-2020", {"paper": server.url_for("/p?old-2020"), "code": server.url_for("/p?uncommitted")})
    collected = collect_links(empty_root, changed_since="main")
    assert sorted({r.owner for r in collected.refs}) == ["edited-2020", "old-2020", "untracked-2020"]
    git(empty_root, "stash", "-u")
    assert sorted({r.owner for r in collect_links(empty_root, changed_since="main").refs}) == ["edited-2020"]


def test_changed_since_with_a_bad_ref_says_what_to_do(empty_root, capsys):
    git(empty_root, "init", "-q")
    assert main(["check-links", "--root", str(empty_root), "--changed-since", "origin/nope"]) == 2
    assert "git fetch" in capsys.readouterr().err


# -- output --------------------------------------------------------------------------------


def test_markdown_report_is_grouped_by_status(catalog):
    md = run(catalog).to_markdown()
    assert md.startswith("## Link check: 1 link(s) to fix")
    sections = [line for line in md.splitlines() if line.startswith("### ")]
    assert sections == ["### broken (1)", "### blocked (1)", "### redirected (1)"]
    assert "| File | URL | Status | Detail |" in md
    assert "| papers/rotten-2020.yaml:6 |" in md
    assert "2 link(s) ok (not listed)." in md


def test_json_and_text_reports(catalog):
    report = run(catalog)
    data = json.loads(report.to_json())
    assert data["summary"]["broken"] == 1 and data["summary"]["excluded"] == 2
    assert {row["status"] for row in data["results"]} == {"ok", "broken", "blocked", "redirected"}
    moved = next(row for row in data["results"] if row["status"] == "redirected")
    assert moved["new_url"].endswith("/ok")
    text = report.format_text()
    assert "papers/rotten-2020.yaml:6: broken: links.paper:" in text
    assert "/ok\n" not in text.split("\n")[0]  # working links only with -v


def test_progress_plain_lines_without_a_terminal():
    stream = io.StringIO()
    progress = Progress(2, stream, tty=False)
    progress(LinkResult("https://a.org/", "ok"))
    progress(LinkResult("https://b.org/", "broken", "404 Not Found"))
    assert stream.getvalue().splitlines() == ["[1/2] ok         https://a.org/", "[2/2] broken     https://b.org/  404 Not Found"]


def test_progress_bar_on_a_terminal():
    stream = io.StringIO()
    progress = Progress(2, stream, tty=True)
    progress(LinkResult("https://a.org/", "ok"))
    progress.close()
    assert "check-links" in stream.getvalue() and "[1/2]" not in stream.getvalue()


def test_no_test_can_resolve_a_public_name():
    with pytest.raises(AssertionError, match="tests reach only 127.0.0.1"):
        socket.getaddrinfo("example.org", 443)


def test_retry_after_forms():
    assert retry_after("120") == 120.0
    now = 1445412480.0  # Wed, 21 Oct 2015 07:28:00 GMT
    assert retry_after("Wed, 21 Oct 2015 07:29:00 GMT", now=now) == 60.0
    assert retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now=now) == 0.0
    assert retry_after("soon") is None and retry_after(None) is None


def test_parse_duration():
    assert parse_duration("1d") == 86400 and parse_duration("12h") == 43200 and parse_duration("90") == 90
    with pytest.raises(ValueError):
        parse_duration("soon")


def test_cli_exit_codes(catalog, tmp_path, capsys):
    common = ["check-links", "--root", str(catalog), "--allow-private", "--timeout", "2", "--backoff", "0.01",
              "--cache", str(tmp_path / "c.json"), "--exclude", "^https://github.com/", "-q"]
    paywalled, good = str(catalog / "papers/paywalled-2020.yaml"), str(catalog / "papers/good-2020.yaml")
    assert main(common) == 1  # a 404
    out = capsys.readouterr().out
    assert "broken" in out and "5 link(s) in 4 file(s)" in out
    assert main(common + [paywalled]) == 0  # blocked does not fail...
    assert main(common + [paywalled, "--strict"]) == 1  # ...unless --strict
    assert main(common + ["--format", "markdown", good]) == 0
    assert capsys.readouterr().out.count("## Link check: no broken link") == 1
    assert main(common + [str(catalog / "papers/nope-2020.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(common + ["--exclude", "(unclosed"])
    assert "not a regular expression" in capsys.readouterr().err


def test_cli_refuses_loopback_without_allow_private(catalog, tmp_path, capsys, server):
    args = ["check-links", "--root", str(catalog), "--cache-ttl", "0", "--cache", str(tmp_path / "c.json"),
            "-q", "--format", "json", str(catalog / "papers/good-2020.yaml"), "--exclude", "github"]
    assert main(args) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["results"][0]["status"] == "invalid" and "loopback" in data["results"][0]["detail"]
    assert server.log == []


class TricklingServer:
    """Answers every request with a status line, then one header byte every `gap` seconds, for at
    most `limit` seconds (then it ends the headers: a client without a total deadline waits all along)."""

    def __init__(self, gap: float = 0.1, limit: float = 20.0):
        self.gap, self.limit = gap, limit
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        self.bytes_sent = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self.listener.settimeout(0.1)
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                end = time.monotonic() + self.limit
                while time.monotonic() < end and not self.stopped.is_set():
                    conn.sendall(b"a")
                    self.bytes_sent += 1
                    time.sleep(self.gap)
                conn.sendall(b"\r\nContent-Length: 0\r\n\r\n")
            except OSError:  # the client hung up
                pass

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()


def test_a_server_trickling_its_headers_is_a_timeout_at_the_deadline():
    srv = TricklingServer()
    try:
        start = time.monotonic()
        result = checker(timeout=1.0, retries=0).check_url(srv.url("/slow"))
        elapsed = time.monotonic() - start
    finally:
        srv.close()
    assert result.status == "timeout" and result.detail == "no answer within 1 s"
    # every byte came well within the socket timeout: only a deadline for the whole request ends it
    assert elapsed < 3, f"{elapsed:.1f} s"


def test_check_links_timeout_is_a_total_deadline(empty_root, capsys):
    srv = TricklingServer()
    try:
        record = empty_root / "papers" / "slow-2020.yaml"
        from conftest import VALID_RECORD

        record.write_text(VALID_RECORD.format(id="slow-2020", title="Slow").replace(
            "https://openreview.net/forum?id=slow-2020", srv.url("/paper")), encoding="utf-8")
        start = time.monotonic()
        code = main(["check-links", "--root", str(empty_root), "--allow-private", "--timeout", "2", "--retries", "0",
                     "--strict", "--quiet", "--cache", str(empty_root / "links.json")])
        elapsed = time.monotonic() - start
    finally:
        srv.close()
    out = capsys.readouterr().out
    assert code == 1 and "no answer within 2 s" in out, out
    assert elapsed < 6, f"{elapsed:.1f} s"
