"""The `effdiff` command: a thin layer over the library."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Callable, Sequence

from . import __version__

Command = Callable[[argparse.Namespace], int]


def _root_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=Path("."), help="catalog root holding papers/, taxonomy.yaml, venues.yaml (default: .)")


def cmd_validate(args: argparse.Namespace) -> int:
    """Check every record against the schema, the taxonomy and the venues, and across files.

    Example: effdiff validate --strict
    """
    from .catalog import Catalog
    from .problems import count, to_json

    catalog = Catalog.load(args.root, args.paths or None)
    problems = catalog.problems
    errors, warnings = count(problems)
    if args.format == "json":
        sys.stdout.write(to_json(problems))
    else:
        for p in problems:
            print(p.format())
        checked = len(catalog.papers) + len({p.path for p in problems if p.severity == "error"})
        print(f"{checked} record(s) checked: {errors} error(s), {warnings} warning(s)"
              + (" (--strict: warnings fail)" if args.strict and warnings else ""))
    return 1 if errors or (args.strict and warnings) else 0


def cmd_stats(args: argparse.Namespace) -> int:
    """Print papers per taxonomy node, venue and year, and how many have authors, code, arXiv ids, results.

    Example: effdiff stats
    """
    from .catalog import Catalog
    from .stats import format_stats

    catalog = Catalog.load(args.root)
    sys.stdout.write(format_stats(catalog))
    if catalog.errors:
        print(f"note: {len(catalog.errors)} error(s) in the catalog; run effdiff validate", file=sys.stderr)
    return 0


def _run_import(args: argparse.Namespace, run, verbose: bool = False) -> int:
    """What both importers do around the import itself: refuse a broken catalog, report, write JSON."""
    from .catalog import Catalog
    from .importers.report import ImportFailed
    from .store import write_text_atomic

    catalog = Catalog.load(args.root)
    if catalog.errors:
        for p in catalog.errors:
            print(p.format(), file=sys.stderr)
        print("error: fix the catalog before importing into it", file=sys.stderr)
        return 1
    try:
        report = run(catalog)
    except (ImportFailed, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(report.format_text(verbose=verbose))
    if args.report:
        write_text_atomic(args.report, report.to_json())
    if args.dry_run:
        print("dry run: nothing was written")
    return 0


def cmd_import_markdown(args: argparse.Namespace) -> int:
    """Import an awesome-list markdown file into papers/ (one record per paper; repeats are merged).

    Reads the common list formats (venue tags, [Title](url) links, tables, multi-line entries,
    HTML anchors). Headings map to taxonomy nodes through taxonomy.yaml's aliases and --map.
    Every line is reported as entry, heading, skipped (with the reason) or text.

    Example: effdiff import-markdown list.md --map headings.yaml --dry-run --report report.json
    """
    from .importers.markdown import import_markdown, load_heading_map

    def run(catalog):
        heading_map = load_heading_map(args.map, catalog.taxonomy) if args.map else None
        return import_markdown(args.file, catalog, dry_run=args.dry_run, added=args.added, prefer=args.prefer,
                               heading_map=heading_map, category=args.category)[0]

    return _run_import(args, run, verbose=args.verbose)


def cmd_import_bib(args: argparse.Namespace) -> int:
    """Import BibTeX files (Zotero, JabRef, Google Scholar, DBLP exports) into papers/, merging with what is there.

    Every entry is reported as created, merged (with the fields it added), conflict (both values;
    the record is left as it was unless --prefer import) or skipped (why, with its line number).

    Example: effdiff import-bib refs.bib --category algorithm.efficient_sampling.efficient_solver.ode_solver --dry-run
    """
    from .importers.bibtex import import_bib

    return _run_import(args, lambda catalog: import_bib(args.files, catalog, category=args.category, dry_run=args.dry_run,
                                                         prefer=args.prefer, added=args.added)[0])


def cmd_fmt(args: argparse.Namespace) -> int:
    """Rewrite records in canonical form (the store's writer); with --check, list the files it would change and exit 1.

    Lossless: a file with errors, or with comments of its own, is reported and left alone.

    Example: effdiff fmt --check
    """
    from .fmt import format_files

    result = format_files(args.root, args.paths or None, check=args.check)
    for p in result.problems:
        print(p.format(), file=sys.stderr)
    verb = "would reformat" if args.check else "reformatted"
    for name in result.changed:
        print(f"{verb} {name}")
    print(f"{len(result.changed)} file(s) {verb}" + (f", {len(result.problems)} problem(s)" if result.problems else ""))
    return 1 if result.problems or (args.check and result.changed) else 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Write the JSON Schema of a paper record (taxonomy ids, venues and facets as enums) for editors.

    Example: effdiff schema --out schema/paper.schema.json
    """
    from .catalog import load_vocab
    from .schema import dump_schema
    from .store import write_text_atomic

    text = dump_schema(load_vocab(args.root))
    if args.out is None:
        sys.stdout.write(text)
        return 0
    out = args.out if args.out.is_absolute() else args.root / args.out
    if args.check:
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            print(f"{args.out} is stale: run effdiff schema --out {args.out}", file=sys.stderr)
            return 1
        return 0
    write_text_atomic(out, text)
    print(f"wrote {args.out}")
    return 0


def _import_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")
    p.add_argument("--report", type=Path, help="write the report as JSON to this file")
    p.add_argument("--added", type=dt.date.fromisoformat, default=None, help="date for new records (default: today)")
    p.add_argument("--prefer", choices=("catalog", "import"), default="catalog",
                   help="on a conflict keep the record's value (default) or take the imported one")
def cmd_check_links(args: argparse.Namespace) -> int:
    """Check that the links of the records (and frameworks.yaml) still work; exit 1 on broken or invalid links.

    Statuses: ok, redirected (moved permanently: the report gives the new URL), broken (404, 410,
    DNS failure, refused connection), blocked (403/429 from sites that turn away bots: fails only
    with --strict), timeout (fails only with --strict), invalid (not http(s), a private address,
    an arXiv id that disagrees with the record, a GitHub code link that is not OWNER/REPO).

    Example: effdiff check-links --changed-since origin/main --format markdown
    """
    from .links import CheckOptions, LinkCheckError, Progress, check_links

    options = CheckOptions(concurrency=args.concurrency, per_host=args.per_host, timeout=args.timeout,
                           retries=args.retries, backoff=args.backoff, retry_after_cap=args.retry_after_cap,
                           allow_private=args.allow_private)
    cache = args.cache if args.cache is not None else args.root / ".effdiff-cache" / "links.json"
    try:
        report = check_links(args.root, args.paths or None, changed_since=args.changed_since, options=options,
                             exclude=args.exclude, cache_path=cache, cache_ttl=args.cache_ttl,
                             progress=None if args.quiet else Progress)
    except LinkCheckError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        sys.stdout.write(report.to_json())
    elif args.format == "markdown":
        sys.stdout.write(report.to_markdown())
    else:
        sys.stdout.write(report.format_text(verbose=args.verbose))
    return report.exit_code(strict=args.strict)


def cmd_add(args: argparse.Namespace) -> int:
    """Add one paper: from arXiv (--arxiv), Crossref (--doi), a BibTeX entry (--bibtex FILE, - for stdin) or by hand (--offline).

    Flags given by hand win over fetched facts. What is still missing is asked for on a terminal
    (with a pick list of taxonomy nodes and venues); without a terminal the missing flag is named.
    A paper already in the catalog is refused, naming its file. The APIs are asked through the same
    polite, cached client as `effdiff enrich` (EFFDIFF_ARXIV_API and EFFDIFF_CROSSREF_API replace
    their base URLs).

    Example: effdiff add --arxiv 2206.00927 --category algorithm.efficient_sampling.efficient_solver.ode_solver --code https://github.com/LuChengTHU/dpm-solver
    """
    from .add import AddError, Facts, add, from_bibtex, from_found
    from .catalog import Catalog
    from .importers.report import ImportFailed

    catalog = Catalog.load(args.root)
    if catalog.errors:
        for p in catalog.errors:
            print(p.format(), file=sys.stderr)
        print("error: fix the catalog before adding to it", file=sys.stderr)
        return 1
    sources = [bool(args.arxiv), bool(args.doi), args.bibtex is not None, args.offline]
    if sum(sources) != 1:
        print("error: give exactly one of --arxiv ID, --doi DOI, --bibtex FILE or --offline", file=sys.stderr)
        return 2
    try:
        facts = Facts()
        if args.arxiv or args.doi:
            from .importers.metadata import ApiConfig, ApiError, MetadataClient

            client = MetadataClient(ApiConfig.from_env(), args.root / ".effdiff-cache" / "api")
            try:
                found = client.arxiv(args.arxiv) if args.arxiv else client.crossref_work(args.doi)
            except ApiError as exc:
                raise AddError(f"the API did not answer: {exc}") from None
            finally:
                client.close()
            if found is None:
                raise AddError(f"{'arXiv' if args.arxiv else 'Crossref'} knows no paper {args.arxiv or args.doi}")
            facts = from_found(found, catalog.venues)
        elif args.bibtex is not None:
            text = sys.stdin.read() if str(args.bibtex) == "-" else args.bibtex.read_text(encoding="utf-8")
            facts = from_bibtex(text, catalog)
        facts.update(Facts(title=args.title, authors=[a.strip() for a in args.authors.split(";")] if args.authors else None,
                           venue=args.venue, year=args.year, arxiv=args.arxiv, doi=args.doi, paper=args.paper,
                           code=args.code, project=args.project, categories=args.category or []))
        ask = input if (sys.stdin.isatty() and str(args.bibtex) != "-") else None
        paper, path = add(catalog, facts, record_id=args.id, ask=ask, dry_run=args.dry_run)
    except (AddError, ImportFailed, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for note in facts.notes:
        print(f"note: {note}")
    from .store import display_path, dump_record

    shown = display_path(path, args.root)
    if args.dry_run:
        sys.stdout.write(dump_record(paper))
        print(f"dry run: {shown} was not written")
        return 0
    print(f"wrote {shown}")
    checked = Catalog.load(args.root)
    problems = [p for p in checked.problems if p.path == shown]
    for p in problems:
        print(p.format())
    print(f"{shown}: {sum(p.severity == 'error' for p in problems)} error(s), {sum(p.severity == 'warning' for p in problems)} warning(s)")
    return 1 if any(p.severity == "error" for p in problems) else 0


def cmd_enrich(args: argparse.Namespace) -> int:
    """Fill missing authors, DOI, venue and year, arXiv id and GitHub stars from public APIs (opt-in).

    A field that is set is never changed without --overwrite; a preprint's venue (venue: arXiv) is
    replaced only by a venue that maps to a name in venues.yaml. Responses are cached under
    .effdiff-cache/api/. Set EFFDIFF_MAILTO for Crossref's polite pool and GITHUB_TOKEN for GitHub's
    higher rate limit; EFFDIFF_ARXIV_API, EFFDIFF_CROSSREF_API, EFFDIFF_SEMANTICSCHOLAR_API and
    EFFDIFF_GITHUB_API replace the APIs' base URLs.

    Example: effdiff enrich q-diffusion-2023 --source arxiv,github --dry-run
    """
    from .importers.metadata import EnrichError, enrich_catalog

    try:
        return enrich_catalog(args.root, args.ids, sources=args.source, dry_run=args.dry_run,
                              overwrite=args.overwrite, cache_dir=args.cache_dir, out=sys.stdout)
    except EnrichError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _duration(text: str) -> float:
    from .links import parse_duration

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
    from .importers.metadata import SOURCES

    names = [s.strip().lower() for s in text.split(",") if s.strip()]
    unknown = [n for n in names if n not in SOURCES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown source {', '.join(unknown) or text!r}; choose from {','.join(SOURCES)}")
    return names
def cmd_build(args: argparse.Namespace) -> int:
    """Build README.md, the downloads (papers.bib, papers.json, feed.xml) and the site from the catalog.

    Steps: load and validate the catalog, render README, write site sources (site/build/), write data
    files, run the site build (mkdocs, into site/public/ or --out). An invalid catalog is refused with
    its validate errors. --check writes nothing and exits 1 when README.md is not what the data renders.

    Example: effdiff build --no-site
    """
    from .build import BuildFailed, build
    from .catalog import CatalogError

    log = (lambda message: print(message, file=sys.stderr)) if args.check else print
    try:
        result = build(args.root, args.out, check=args.check, site=not args.no_site, log=log)
    except CatalogError as exc:
        for p in exc.problems:
            print(p.format(), file=sys.stderr)
        print(f"error: {exc}; fix it (effdiff validate) before building", file=sys.stderr)
        return 1
    except BuildFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.check:
        stale = (["README.md"] if result.readme_changed else []) + result.stale
        for name in stale:
            print(f"{name} is out of date: it differs from what the data renders; run effdiff build and commit it")
        if stale:
            return 1
        print("README.md is up to date")
        return 0
    if result.site:
        print(f"site built in {result.site}")
    return 0


def cmd_export_bib(args: argparse.Namespace) -> int:
    """Write BibTeX for the whole catalog (sorted by id) or for the given record ids.

    Example: effdiff export-bib dpm-solver-2022 --out refs.bib
    """
    from .catalog import Catalog, CatalogError
    from .render.bibtex import export_bibtex

    try:
        catalog = Catalog.load_valid(args.root)
    except CatalogError as exc:
        for p in exc.problems:
            print(p.format(), file=sys.stderr)
        print(f"error: {exc}; fix it (effdiff validate) before exporting", file=sys.stderr)
        return 1
    unknown = [i for i in args.ids if i not in catalog.papers]
    if unknown:
        from rapidfuzz import process

        for i in unknown:
            guess = process.extractOne(i, list(catalog.papers), score_cutoff=70)
            hint = f"; did you mean '{guess[0]}'?" if guess else ""
            print(f"error: no record with id '{i}'{hint}", file=sys.stderr)
        return 1
    text = export_bibtex(catalog, args.ids or None)
    if args.out:
        from .store import write_text_atomic

        write_text_atomic(args.out, text)
        print(f"{len(args.ids) or len(catalog.papers)} entries written to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="effdiff", description="The efficient diffusion models catalog.",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-V", "--version", action="version", version=f"effdiff {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, func: Command, **kwargs) -> argparse.ArgumentParser:
        doc = (func.__doc__ or "").strip()
        p = sub.add_parser(name, help=doc.splitlines()[0], description=doc,
                           formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs)
        _root_option(p)
        p.set_defaults(func=func)
        return p

    p = add("validate", cmd_validate)
    p.add_argument("paths", nargs="*", type=Path, help="record files or directories (default: all of papers/)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--strict", action="store_true", help="warnings fail too")

    add("stats", cmd_stats)

    p = add("fmt", cmd_fmt)
    p.add_argument("paths", nargs="*", type=Path, help="record files or directories (default: all of papers/)")
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is not canonical")

    p = add("schema", cmd_schema)
    p.add_argument("--out", type=Path, nargs="?", const=Path("schema/paper.schema.json"), default=None,
                   help="file to write (default: stdout; without a value: schema/paper.schema.json)")
    p.add_argument("--check", action="store_true", help="exit 1 if --out differs from what the model generates")

    p = add("import-markdown", cmd_import_markdown)
    p.add_argument("file", type=Path)
    _import_options(p)
    p.add_argument("--map", type=Path, metavar="FILE", help="YAML file mapping the list's headings to taxonomy nodes")
    p.add_argument("--category", metavar="NODE", help="node for entries under headings that map to none")
    p.add_argument("-v", "--verbose", action="store_true", help="also list headings and prose lines")

    p = add("import-bib", cmd_import_bib)
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--category", metavar="NODE", help="taxonomy node for new records (else taken from the entry's keywords)")
    _import_options(p)

    p = add("check-links", cmd_check_links)
    p.add_argument("paths", nargs="*", type=Path, help="record files or folders, or frameworks.yaml (default: all records and frameworks.yaml)")
    p.add_argument("--changed-since", metavar="GIT_REF", help="only the records changed since this git ref, e.g. origin/main")
    p.add_argument("--concurrency", type=int, default=32, help="requests under way at once (default: 32)")
    p.add_argument("--per-host", type=int, default=4, help="requests under way at once to one host (default: 4)")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for a connection or an answer (default: 20)")
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

    p = add("add", cmd_add)
    source = p.add_argument_group("where the facts come from (one of)")
    source.add_argument("--arxiv", metavar="ID", help="arXiv id, e.g. 2206.00927")
    source.add_argument("--doi", metavar="DOI", help="DOI, looked up on Crossref")
    source.add_argument("--bibtex", type=Path, metavar="FILE", help="a file with one BibTeX entry, or - for stdin (no network)")
    source.add_argument("--offline", action="store_true", help="no network: every fact from the flags below")
    p.add_argument("--category", action="append", metavar="NODE", help="taxonomy node id (repeatable)")
    p.add_argument("--title")
    p.add_argument("--authors", help="all authors in order, separated by ';'")
    p.add_argument("--venue", help="canonical venue name from venues.yaml (arXiv for a preprint)")
    p.add_argument("--year", type=int)
    p.add_argument("--paper", metavar="URL", help="link to the paper (default: the arXiv or DOI page)")
    p.add_argument("--code", metavar="URL", help="the official code repository")
    p.add_argument("--project", metavar="URL", help="the project page")
    p.add_argument("--id", help="record id (default: by the id rule)")
    p.add_argument("--dry-run", action="store_true", help="print the record; write nothing")

    p = add("enrich", cmd_enrich)
    p.add_argument("ids", nargs="*", help="record ids (default: every record)")
    p.add_argument("--source", type=_sources, default=None, metavar="LIST",
                   help="APIs to ask, in order of preference (default: arxiv,crossref,semanticscholar,github)")
    p.add_argument("--dry-run", action="store_true", help="print the changes as a diff; write nothing")
    p.add_argument("--overwrite", action="store_true", help="replace fields that are already set")
    p.add_argument("--cache-dir", type=Path, default=None, help="response cache (default: .effdiff-cache/api under --root)")
    p = add("build", cmd_build)
    p.add_argument("--out", type=Path, default=None, help="where the site goes (default: ROOT/site/public)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if README.md is out of date")
    p.add_argument("--no-site", action="store_true", help="render README.md only; skip the site and downloads")

    p = add("export-bib", cmd_export_bib)
    p.add_argument("ids", nargs="*", metavar="ID", help="record ids (default: every paper)")
    p.add_argument("--out", type=Path, default=None, help="write to this file instead of standard output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
