from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def repo_root() -> Path:
    return REPO


def new_root(root: Path, shipped: bool = False) -> Path:
    """A catalog root with the repository's taxonomy, venues and result vocabularies: no records, or
    (shipped) a copy of the shipped records and frameworks."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("taxonomy.yaml", "venues.yaml", "benchmarks.yaml", "metrics.yaml", "models.yaml",
                 *(("frameworks.yaml",) if shipped else ())):
        shutil.copy(REPO / name, root / name)
    if shipped:
        shutil.copytree(REPO / "papers", root / "papers")
    else:
        (root / "papers").mkdir(exist_ok=True)
    return root


@pytest.fixture
def empty_root(tmp_path: Path) -> Path:
    """A catalog root with the real taxonomy and venues and no records."""
    return new_root(tmp_path)


@pytest.fixture
def shipped_root(tmp_path: Path) -> Path:
    """A copy of the shipped catalog, to change without touching the repository."""
    return new_root(tmp_path, shipped=True)


VALID_RECORD = """\
id: {id}
title: {title}
authors: [Ada Lovelace, Alan Turing]
venue: ICLR
year: 2020
links:
  paper: https://openreview.net/forum?id={id}
categories:
- algorithm.efficient_sampling.efficient_solver.ode_solver
added: 2026-11-23
"""


@pytest.fixture
def loopback_only(monkeypatch):
    """Fail a test that would resolve a name other than the loopback's: no test may leave the machine."""
    import ipaddress
    import socket

    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        try:
            allowed = ipaddress.ip_address(name.strip("[]").split("%")[0]).is_loopback
        except ValueError:
            allowed = name == "localhost"
        if not allowed:
            raise AssertionError(f"a test tried to resolve {name!r}: tests reach only 127.0.0.1")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def write_record(root: Path, record_id: str, text: str | None = None, title: str | None = None) -> Path:
    path = root / "papers" / f"{record_id}.yaml"
    path.write_text(text if text is not None else VALID_RECORD.format(id=record_id, title=title or f"Title of {record_id}"),
                    encoding="utf-8")
    return path


def pytest_sessionfinish(session, exitstatus):
    """In CI (EFFDIFF_NO_SKIPS=1) a skipped test is a failure: a skip must never count as a pass."""
    import os

    if os.environ.get("EFFDIFF_NO_SKIPS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"EFFDIFF_NO_SKIPS=1: {len(skipped)} test(s) skipped; failing the run", red=True)
        session.exitstatus = 1


CATALOGS = DATA / "catalogs"


def make_catalog(root: Path, *names: str) -> Path:
    """A catalog root from fixture catalogs under tests/data/catalogs/ (papers merged, the first
    frameworks.yaml wins), with the repository's taxonomy.yaml and venues.yaml."""
    new_root(root)
    for name in names:
        source = CATALOGS / name
        for record in sorted((source / "papers").glob("*.yaml")):
            shutil.copy(record, root / "papers" / record.name)
        if (source / "frameworks.yaml").exists() and not (root / "frameworks.yaml").exists():
            shutil.copy(source / "frameworks.yaml", root / "frameworks.yaml")
    return root


@pytest.fixture
def small_root(tmp_path: Path) -> Path:
    return make_catalog(tmp_path / "small", "small")


@pytest.fixture
def hostile_root(tmp_path: Path) -> Path:
    return make_catalog(tmp_path / "hostile", "small", "hostile")


def base_catalog():
    """The frozen 2026-11-30 catalog (tests/data/catalogs/base), loaded once per test run."""
    global _BASE
    if _BASE is None:
        import tempfile

        from effdiff_catalog.catalog import Catalog

        _BASE = Catalog.load(make_catalog(Path(tempfile.mkdtemp(prefix="effdiff-base-")), "base"))
    return _BASE


_BASE = None


# -- tools that .ci/tools installs next to the checkout (npm ci into node_modules/, cffconvert into
# its own virtual environment under .tools/: its pins clash with check-jsonschema's jsonschema) --

NODE_MODULES = REPO / "node_modules"
CFFCONVERT = REPO / ".tools" / "cffconvert" / "bin" / "cffconvert"
ZENSICAL = REPO / ".tools" / "zensical" / "bin" / "zensical"
OFFLINE_FETCH = Path(__file__).resolve().parent / "offline.mjs"


def installed_tool(path: Path, what: str) -> Path:
    """A tool .ci/tools installs; without it the test is skipped (in CI, where a skip fails the run,
    .ci/run has installed it)."""
    if not path.exists():
        pytest.skip(f"{what} is not installed at {path}: run .ci/tools")
    return path


def node_command(script: Path) -> list[str]:
    """`node` running a script of node_modules/, with fetch() refused: no test leaves the machine."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (Node 18 or newer)")
    return [node, f"--import={OFFLINE_FETCH.as_uri()}", str(script)]
