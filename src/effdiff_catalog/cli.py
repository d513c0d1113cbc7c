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


def cmd_import_markdown(args: argparse.Namespace) -> int:
    """Import an awesome-list markdown file into papers/ (one record per paper; repeats are merged).

    Example: effdiff import-markdown list.md --dry-run
    """
    from .catalog import Catalog
    from .importers.markdown import ImportError_, import_markdown

    catalog = Catalog.load(args.root)
    if catalog.errors:
        for p in catalog.errors:
            print(p.format(), file=sys.stderr)
        print("error: fix the catalog before importing into it", file=sys.stderr)
        return 1
    try:
        report, _ = import_markdown(args.file, catalog, dry_run=args.dry_run, added=args.added)
    except (ImportError_, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(report.format_text(verbose=args.verbose))
    if args.report:
        from .store import write_text_atomic

        write_text_atomic(args.report, report.to_json())
    if args.dry_run:
        print("dry run: nothing was written")
    return 0


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
        if result.readme_changed:
            print("README.md is out of date: it differs from what the data renders; run effdiff build and commit it")
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

    p = add("import-markdown", cmd_import_markdown)
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")
    p.add_argument("--report", type=Path, help="write the line-by-line report as JSON to this file")
    p.add_argument("--added", type=dt.date.fromisoformat, default=None, help="date for new records (default: today)")
    p.add_argument("-v", "--verbose", action="store_true", help="also list headings and prose lines")

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
