"""Commands that speak HTTP: check-links and enrich."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._common import Add


def cmd_check_links(args: argparse.Namespace) -> int:
    """Check that the links of the records (and frameworks.yaml) still work; exit 1 on broken or invalid links.

    Statuses: ok, redirected (moved permanently: the report gives the new URL), broken (404, 410,
    DNS failure, refused connection), blocked (403/429 from sites that turn away bots: fails only
    with --strict), timeout (fails only with --strict), invalid (not http(s), a private address,
    an arXiv id that disagrees with the record, a GitHub code link that is not OWNER/REPO).

    Example: effdiff check-links --changed-since origin/main --format markdown
    """
    from ..links import CheckOptions, Progress, check_links

    options = CheckOptions(concurrency=args.concurrency, per_host=args.per_host, timeout=args.timeout,
                           retries=args.retries, backoff=args.backoff, retry_after_cap=args.retry_after_cap,
                           allow_private=args.allow_private)
    cache = args.cache if args.cache is not None else args.root / ".effdiff-cache" / "links.json"
    report = check_links(args.root, args.paths or None, changed_since=args.changed_since, options=options,
                         exclude=args.exclude, cache_path=cache, cache_ttl=args.cache_ttl,
                         progress=None if args.quiet else Progress)
    if args.format == "json":
        sys.stdout.write(report.to_json())
    elif args.format == "markdown":
        sys.stdout.write(report.to_markdown())
    else:
        sys.stdout.write(report.format_text(verbose=args.verbose))
    return report.exit_code(strict=args.strict)


def cmd_enrich(args: argparse.Namespace) -> int:
    """Fill missing authors, DOI, venue and year, arXiv id and GitHub stars from public APIs (opt-in).

    A field that is set is never changed without --overwrite; a preprint's venue (venue: arXiv) is
    replaced only by a venue that maps to a name in venues.yaml. Responses are cached under
    .effdiff-cache/api/. Set EFFDIFF_MAILTO for Crossref's polite pool and GITHUB_TOKEN for GitHub's
    higher rate limit; EFFDIFF_ARXIV_API, EFFDIFF_CROSSREF_API, EFFDIFF_SEMANTICSCHOLAR_API and
    EFFDIFF_GITHUB_API replace the APIs' base URLs.

    Example: effdiff enrich q-diffusion-2023 --source arxiv,github --dry-run
    """
    from ..enrich import enrich_catalog

    result = enrich_catalog(args.root, args.ids, sources=args.source, dry_run=args.dry_run, overwrite=args.overwrite,
                            cache_dir=args.cache_dir, progress=lambda outcome: sys.stdout.write(outcome.format()))
    for note in result.notes:
        print(f"note: {note}")
    print(result.summary())
    return result.exit_code


def _duration(text: str) -> float:
    from ..links import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _regex(text: str) -> str:
    import re

    try:
        re.compile(text)
    except re.error as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a regular expression: {exc}") from exc
    return text


def _sources(text: str) -> list[str]:
    from ..apis import SOURCES

    names = [s.strip().lower() for s in text.split(",") if s.strip()]
    unknown = [n for n in names if n not in SOURCES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown source {', '.join(unknown) or text!r}; choose from {','.join(SOURCES)}")
    return names


def register(add: Add) -> None:
    p = add("check-links", cmd_check_links)
    p.add_argument("paths", nargs="*", type=Path, help="record files or folders, or frameworks.yaml (default: all records and frameworks.yaml)")
    p.add_argument("--changed-since", metavar="GIT_REF", help="only the records changed since this git ref, e.g. origin/main")
    p.add_argument("--concurrency", type=int, default=32, help="requests under way at once (default: 32)")
    p.add_argument("--per-host", type=int, default=4, help="requests under way at once to one host (default: 4)")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds one request may take in all: connection, headers and body (default: 20)")
    p.add_argument("--retries", type=int, default=2, help="retries after a timeout, connection error, 429 or 5xx (default: 2)")
    p.add_argument("--backoff", type=float, default=1.0, help="seconds before the first retry, doubled for each next one (default: 1)")
    p.add_argument("--retry-after-cap", type=float, default=30.0, help="longest Retry-After honoured, in seconds (default: 30)")
    p.add_argument("--cache", type=Path, metavar="FILE", help="result cache (default: .effdiff-cache/links.json under --root)")
    p.add_argument("--cache-ttl", type=_duration, default=86400.0, metavar="DURATION",
                   help="reuse cached results this long: 1d, 12h, 30m; 0 checks everything again (default: 1d)")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--exclude", action="append", default=[], type=_regex, metavar="REGEX",
                   help="skip URLs matching this regular expression (repeatable)")
    p.add_argument("--allow-private", action="store_true", help="also check hosts on private, loopback or link-local addresses")
    p.add_argument("--strict", action="store_true", help="blocked and timed-out links fail too")
    p.add_argument("-v", "--verbose", action="store_true", help="also list the links that work (text format)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or progress lines")

    p = add("enrich", cmd_enrich)
    p.add_argument("ids", nargs="*", help="record ids (default: every record)")
    p.add_argument("--source", type=_sources, default=None, metavar="LIST",
                   help="APIs to ask, in order of preference (default: arxiv,crossref,semanticscholar,github)")
    p.add_argument("--dry-run", action="store_true", help="print the changes as a diff; write nothing")
    p.add_argument("--overwrite", action="store_true", help="replace fields that are already set")
    p.add_argument("--cache-dir", type=Path, default=None, help="response cache (default: .effdiff-cache/api under --root)")
