"""`effdiff build` as named steps: load and validate the catalog, render the README and CITATION.cff,
write the site sources, write the data files, run the site build (and the search index beside it). Each
step is a function the CLI calls in turn."""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TypeVar

from .catalog import Catalog, CatalogError
from .errors import DataError, EnvironmentProblem
from .render.citation import CITATION_FILE, citation, citation_cff, citation_path
from .render.common import Resources
from .render.readme import readme_path, render_readme
from .render.site import (SitePaths, build_search_index, run_mkdocs, source_date_epoch, write_data_files,
                          write_site_sources)
from .store import check_output_file, check_site_folder, replace_folder, staging_folder, write_text_atomic

_T = TypeVar("_T")


class BuildFailed(EnvironmentProblem):
    """A step failed; the message says which and why."""


@dataclass
class BuildResult:
    readme_changed: bool = False
    stale: list[str] = field(default_factory=list)  # generated files that differ from what the data renders
    site: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)


Log = Callable[[str], None]


def load_catalog(root: Path) -> Catalog:
    """Load every record and refuse a catalog with errors (they are in CatalogError.problems)."""
    return Catalog.load_valid(root)


def render_readme_step(catalog: Catalog, resources: Resources, check: bool) -> bool:
    """Render README.md; write it, or with check only compare. True when the file differs."""
    path = readme_path(catalog.root)
    check_output_file(path, "the README", DataError)
    return _sync(path, render_readme(catalog, resources), check)


def render_citation_step(catalog: Catalog, resources: Resources, check: bool) -> bool:
    """Render CITATION.cff (GitHub's "Cite this repository"); write it, or with check only compare.
    True when the file differs."""
    path = citation_path(catalog.root)
    check_output_file(path, CITATION_FILE, DataError)
    return _sync(path, citation_cff(catalog, citation(catalog, resources)), check)


def _sync(path: Path, text: str, check: bool) -> bool:
    """A generated file: True when it differs from `text`; rewritten then, unless check."""
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if current == text:
        return False
    if not check:
        write_text_atomic(path, text)
    return True


def sync_contributor_files(catalog: Catalog, check: bool) -> list[str]:
    """The issue form's node list and the editors' JSON Schema follow taxonomy.yaml and venues.yaml;
    rewrite them where the repository has them (or with check, list those that differ)."""
    from .contrib import ISSUE_FORM_PATH, issue_form
    from .schema import SCHEMA_PATH, dump_schema

    stale = []
    for rel, render in ((ISSUE_FORM_PATH, issue_form), (SCHEMA_PATH, dump_schema)):
        path = catalog.root / rel
        if not path.exists():
            continue
        text = render(catalog.vocab)
        if path.read_text(encoding="utf-8") != text:
            stale.append(rel)
            if not check:
                write_text_atomic(path, text)
    return stale


def run_site_build(catalog: Catalog, paths: SitePaths, resources: Resources | None = None) -> None:
    """mkdocs build --strict into the output directory and, beside it (in a thread, while mkdocs
    runs in its own process), the search index, then moved into the output's pagefind/; their own
    messages when one fails."""
    resources = resources or Resources.find(catalog.root)
    search: list = []

    def index() -> None:
        try:
            search.append(build_search_index(catalog, resources, paths))
        except BaseException as exc:  # raised in the caller's thread below
            search.append(exc)

    thread = threading.Thread(target=index, name="effdiff-search-index")
    thread.start()
    try:
        result = run_mkdocs(paths, source_date_epoch(catalog))
    finally:
        thread.join()
    if result.returncode != 0:
        raise BuildFailed(f"mkdocs build failed:\n{result.stdout}{result.stderr}".rstrip())
    if isinstance(search[0], BaseException):
        raise search[0]
    if search[0].returncode != 0:
        raise BuildFailed(f"pagefind failed:\n{search[0].stdout}{search[0].stderr}".rstrip())
    shutil.move(str(paths.search_index), str(paths.out / "pagefind"))


def build(root: Path, out: Path | None = None, *, check: bool = False, site: bool = True, log: Log = print) -> BuildResult:
    """Run the steps. With check, write nothing and report whether README.md is out of date; without
    site, stop after the README."""
    result = BuildResult()
    root = Path(root)

    def step(name: str, func: Callable[[], _T]) -> _T:
        start = time.perf_counter()
        value = func()
        result.timings[name] = time.perf_counter() - start
        log(f"{name}: {_describe(name, value)} ({result.timings[name]:.2f} s)")
        return value

    catalog = step("load and validate the catalog", lambda: load_catalog(root))
    resources = Resources.find(root)
    result.readme_changed = bool(step("render README", lambda: render_readme_step(catalog, resources, check)))
    if step("render CITATION.cff", lambda: render_citation_step(catalog, resources, check)):
        result.stale.append(CITATION_FILE)
    result.stale += step("sync contributor files", lambda: sync_contributor_files(catalog, check))
    if check or not site:
        return result
    paths = SitePaths.for_root(root, out)
    check_site_folder(Path(out) if out else paths.out)  # before any work (and before a symbolic link is resolved): a folder of someone else's files is refused, untouched
    step("write site sources", lambda: write_site_sources(catalog, resources, paths))
    step("write data files", lambda: write_data_files(catalog, resources, paths))
    # built beside the target, which is replaced only when the build succeeded
    staging = staging_folder(paths.out)
    try:
        step("run the site build", lambda: run_site_build(catalog, SitePaths(paths.build, staging), resources))
        replace_folder(staging, paths.out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    result.site = paths.out
    return result


def _describe(name: str, value: object) -> str:
    if isinstance(value, Catalog):
        return f"{len(value.papers)} papers, {len(value.frameworks)} frameworks"
    if name == "render README":
        return "README.md differs" if value else "README.md up to date"
    if name == "render CITATION.cff":
        return "CITATION.cff differs" if value else "CITATION.cff up to date"
    if name == "sync contributor files" and isinstance(value, list):
        return ("differ: " + ", ".join(value)) if value else "up to date"
    if isinstance(value, int):
        return f"{value} files"
    if isinstance(value, list):
        return ", ".join(p.name for p in value)
    return "done"


__all__ = ["BuildFailed", "BuildResult", "CatalogError", "build"]
