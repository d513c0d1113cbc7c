"""Checking the links of the catalog: which URLs still answer, which moved, which rotted.

`check_links(root, ...)` is what `effdiff check-links` runs, in four steps that can each be used
alone: `collect` the links of the records and frameworks.yaml (with the offline checks), take what
it can from the result `cache`, check the rest with the `checker`'s `LinkChecker`, and return a
`report` that formats itself as text, JSON or markdown.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

from .cache import LinkCache, parse_duration
from .checker import BOT_BLOCKING_HOSTS, CheckOptions, HostLimiter, LinkChecker, host_key
from .collect import (
    FRAMEWORKS_FILE,
    Collected,
    LinkCheckError,
    LinkRef,
    LinkResult,
    arxiv_problem,
    changed_files,
    collect_links,
    github_problem,
    links_in_file,
    url_problem,
)
from .report import FAILING, FAILING_STRICT, STATUSES, Progress, Report

__all__ = [
    "BOT_BLOCKING_HOSTS", "FAILING", "FAILING_STRICT", "FRAMEWORKS_FILE", "STATUSES", "CheckOptions", "Collected",
    "HostLimiter", "LinkCache", "LinkCheckError", "LinkChecker", "LinkRef", "LinkResult", "Progress", "Report",
    "arxiv_problem", "changed_files", "check_links", "collect_links", "github_problem", "host_key", "links_in_file",
    "parse_duration", "url_problem",
]


def check_links(root: Path | str = ".", paths: Sequence[Path] | None = None, *, changed_since: str | None = None,
                options: CheckOptions | None = None, exclude: Sequence[str] = (), cache_path: Path | None = None,
                cache_ttl: float = 86400.0, progress: Callable[[int], Callable[[LinkResult], None]] | None = None,
                checker: LinkChecker | None = None) -> Report:
    """Collect, check and report the links of a catalog. `progress(total)` returns the callback
    that sees each fresh result; cached results are not shown to it."""
    start = time.perf_counter()
    root = Path(root)
    options = options or CheckOptions()
    patterns = [re.compile(p) for p in exclude]
    collected = collect_links(root, paths, changed_since)
    report = Report(files=len(collected.files), unreadable=collected.unreadable)
    kept: list[LinkRef] = []
    for ref in collected.refs:
        (report.excluded if any(p.search(ref.url) for p in patterns) else kept).append(ref)

    cache = LinkCache(cache_path, cache_ttl)
    results: dict[str, LinkResult] = {}
    wanted = list(dict.fromkeys(r.url for r in kept if not r.problem))
    todo = []
    for url in wanted:
        hit = cache.get(url, options.allow_private)
        if hit is not None:
            results[url] = hit
        else:
            todo.append(url)
    report.cached = len(results)
    report.checked = len(todo)
    if todo:
        callback = progress(len(todo)) if progress else None
        own = checker is None
        checker = checker or LinkChecker(options)
        try:
            fresh = checker.check(todo, callback)
        finally:
            if own:
                checker.close()
            close = getattr(callback, "close", None)
            if close:
                close()
        for url, result in fresh.items():
            results[url] = result
            cache.put(result, options.allow_private)
        try:
            cache.save()
        except OSError as exc:
            print(f"warning: could not write the link cache {cache_path}: {exc}", file=sys.stderr)
    for ref in kept:
        if ref.problem:
            report.entries.append((ref, LinkResult(ref.url, "invalid", ref.problem, checked=time.time())))
        else:
            report.entries.append((ref, results[ref.url]))
    report.elapsed = time.perf_counter() - start
    return report
