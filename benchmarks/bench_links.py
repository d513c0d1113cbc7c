"""Benchmark: `effdiff check-links` against linkchecker on the same 1,000 URLs.

Ten loopback servers (127.0.0.1 to 127.0.0.10, one port) answer every request after 50 ms and
count, per host, the connections and the requests open at the same time. The same URLs are
checked by `effdiff check-links --per-host 4` (as records of a scratch catalog) and by linkchecker
(over an HTML page listing them), one after the other, in one run.

Run by hand:  python benchmarks/bench_links.py [--urls 1000] [--linkchecker /tmp/lc-venv/bin/linkchecker]
linkchecker is not a project dependency: python3 -m venv /tmp/lc-venv && /tmp/lc-venv/bin/pip install linkchecker
Goal: effdiff >= 400 URLs/s with at most --per-host requests open per host (the ceiling is
hosts x per-host / delay = 10 x 4 / 0.05 s = 800 URLs/s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class Servers:
    """Ten asyncio HTTP/1.1 keep-alive servers in a thread of their own; per-host counters."""

    def __init__(self, hosts: int, delay: float):
        self.addresses = [f"127.0.0.{i}" for i in range(1, hosts + 1)]
        self.delay = delay
        self.port = _free_port()
        self.loop = asyncio.new_event_loop()
        self.reset()
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait(10)

    def reset(self) -> None:
        self.open_connections = defaultdict(int)
        self.peak_connections = defaultdict(int)
        self.open_requests = defaultdict(int)
        self.peak_requests = defaultdict(int)
        self.paths = defaultdict(set)
        self.requests = 0

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)

        async def start():
            for address in self.addresses:
                await asyncio.start_server(lambda r, w, a=address: self._serve(a, r, w), address, self.port, backlog=512)

        self.loop.run_until_complete(start())
        ready.set()
        self.loop.run_forever()

    async def _serve(self, host: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open_connections[host] += 1
        self.peak_connections[host] = max(self.peak_connections[host], self.open_connections[host])
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    break
                method, target = head.split(b" ", 2)[:2]
                self.requests += 1
                self.paths[host].add(target)
                self.open_requests[host] += 1
                self.peak_requests[host] = max(self.peak_requests[host], self.open_requests[host])
                await asyncio.sleep(self.delay)
                self.open_requests[host] -= 1
                body = b"<html><body>ok</body></html>\n"
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body)
                             + (b"" if method == b"HEAD" else body))
                await writer.drain()
                if b"connection: close" in head.lower():
                    break
        except ConnectionError:
            pass
        finally:
            self.open_connections[host] -= 1
            writer.close()

    def urls(self, n: int) -> list[str]:
        return [f"http://{self.addresses[i % len(self.addresses)]}:{self.port}/paper/{i}" for i in range(n)]

    def checked(self, urls: list[str]) -> int:
        """How many of the URLs were requested (robots.txt and the like not counted)."""
        wanted = {(u.split("/")[2].split(":")[0], "/" + u.split("/", 3)[3]) for u in urls}
        return sum(1 for host, paths in self.paths.items() for p in paths if (host, p.decode()) in wanted)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scratch_catalog(root: Path, urls: list[str]) -> None:
    """Records with two links each (paper, project), as check-links reads them."""
    for name in ("taxonomy.yaml", "venues.yaml"):
        shutil.copy(REPO / name, root / name)
    papers = root / "papers"
    papers.mkdir()
    for i in range(0, len(urls), 2):
        links = f"  paper: {urls[i]}\n" + (f"  project: {urls[i + 1]}\n" if i + 1 < len(urls) else "")
        (papers / f"bench-{i}-2024.yaml").write_text(
            f"id: bench-{i}-2024\ntitle: Bench {i}\nvenue: ICLR\nyear: 2024\nlinks:\n{links}"
            "categories:\n- algorithm.efficient_sampling.efficient_solver.ode_solver\nadded: 2026-11-23\n", encoding="utf-8")


def effdiff_command() -> list[str]:
    script = Path(sys.executable).with_name("effdiff")
    return [str(script)] if script.exists() else [sys.executable, "-c", "import sys; from effdiff_catalog.cli import main; sys.exit(main())"]


def run_effdiff(root: Path, per_host: int, concurrency: int) -> tuple[float, dict]:
    cmd = effdiff_command() + ["check-links", "--root", str(root), "--allow-private", "--per-host", str(per_host),
                               "--concurrency", str(concurrency), "--cache-ttl", "0", "--cache", str(root / "cache.json"),
                               "--format", "json", "--quiet"]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"effdiff check-links failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, json.loads(done.stdout)["summary"]


def run_linkchecker(binary: str, page: Path, threads: int, timeout: float) -> float:
    cmd = [binary, "--check-extern", "--threads", str(threads), "--no-status", "--no-warnings", "-o", "none",
           "--timeout", "20", page.as_uri()]
    start = time.perf_counter()
    try:
        subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"  linkchecker stopped after {timeout:.0f} s", file=sys.stderr)
    return time.perf_counter() - start


def report(name: str, servers: Servers, urls: list[str], elapsed: float, extra: str = "") -> dict:
    checked = servers.checked(urls)
    row = {"tool": name, "urls": checked, "seconds": round(elapsed, 2), "urls_per_s": round(checked / elapsed, 1),
           "peak_requests_per_host": max(servers.peak_requests.values(), default=0),
           "peak_connections_per_host": max(servers.peak_connections.values(), default=0),
           "requests": servers.requests}
    print(f"{name:<26} {checked:>5} URLs in {elapsed:6.2f} s = {row['urls_per_s']:7.1f} URLs/s; peak per host: "
          f"{row['peak_requests_per_host']} requests, {row['peak_connections_per_host']} connections; "
          f"{servers.requests} requests in all{extra}")
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds each answer takes")
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--linkchecker", default="/tmp/lc-venv/bin/linkchecker")
    parser.add_argument("--linkchecker-threads", type=int, default=100)
    parser.add_argument("--linkchecker-timeout", type=float, default=300)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    servers = Servers(args.hosts, args.delay)
    urls = servers.urls(args.urls)
    rows = []
    print(f"{args.urls} URLs on {args.hosts} loopback hosts answering after {args.delay * 1000:.0f} ms; "
          f"ceiling at {args.per_host} per host: {args.hosts * args.per_host / args.delay:.0f} URLs/s")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        scratch_catalog(root, urls)
        elapsed, summary = run_effdiff(root, args.per_host, args.concurrency)
        rows.append(report(f"effdiff --per-host {args.per_host}", servers, urls, elapsed,
                           f"; {summary['ok']} ok; {summary['elapsed']:.2f} s inside the command"))
        if Path(args.linkchecker).exists():
            servers.reset()
            page = root / "links.html"
            page.write_text("<!doctype html><html><body>\n" + "\n".join(f'<a href="{u}">{u}</a>' for u in urls)
                            + "\n</body></html>\n", encoding="utf-8")
            page.chmod(0o644)
            root.chmod(0o755)  # linkchecker running as root drops to nobody, who must read the page
            elapsed = run_linkchecker(args.linkchecker, page, args.linkchecker_threads, args.linkchecker_timeout)
            rows.append(report(f"linkchecker --threads {args.linkchecker_threads}", servers, urls, elapsed))
        else:
            print(f"linkchecker not found at {args.linkchecker}: python3 -m venv /tmp/lc-venv && /tmp/lc-venv/bin/pip install linkchecker")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    ok = rows[0]["urls"] == args.urls and rows[0]["urls_per_s"] >= 400 and rows[0]["peak_requests_per_host"] <= args.per_host
    print("goal (>= 400 URLs/s, per-host limit held): " + ("met" if ok else "NOT met"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
