"""Commands that render the catalog: build and export-bib."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._common import Add


def cmd_build(args: argparse.Namespace) -> int:
    """Build README.md, the downloads (papers.bib, papers.json, feed.xml) and the site from the catalog.

    Steps: load and validate the catalog, render README, write site sources (site/build/), write data
    files, run the site build (mkdocs, into site/public/ or --out). An invalid catalog is refused with
    its validate errors. --check writes nothing and exits 1 when README.md is not what the data renders.

    Example: effdiff build --no-site
    """
    from ..build import build
    from ..catalog import CatalogError

    log = (lambda message: print(message, file=sys.stderr)) if args.check else print
    try:
        result = build(args.root, args.out, check=args.check, site=not args.no_site, log=log)
    except CatalogError as exc:
        exc.action = "building"
        raise
    if args.check:
        stale = (["README.md"] if result.readme_changed else []) + result.stale
        for name in stale:
            print(f"{name} is out of date: it differs from what the data renders; run effdiff build and commit it")
        if stale:
            return 1
        print("README.md and CITATION.cff are up to date")
        return 0
    if result.site:
        print(f"site built in {result.site}")
    return 0


def cmd_export_bib(args: argparse.Namespace) -> int:
    """Write BibTeX for the whole catalog (sorted by id) or for the given record ids.

    Example: effdiff export-bib dpm-solver-2022 --out refs.bib
    """
    from ..catalog import Catalog, CatalogError
    from ..errors import UsageError
    from ..render.bibtex import export_bibtex

    try:
        catalog = Catalog.load_valid(args.root)
    except CatalogError as exc:
        exc.action = "exporting"
        raise
    unknown = [i for i in args.ids if i not in catalog.papers]
    if unknown:
        from rapidfuzz import process

        messages = []
        for i in unknown:
            guess = process.extractOne(i, list(catalog.papers), score_cutoff=70)
            messages.append(f"no record with id '{i}'" + (f"; did you mean '{guess[0]}'?" if guess else ""))
        raise UsageError("\n".join(messages))
    text = export_bibtex(catalog, args.ids or None)
    if args.out:
        from ..store import write_output_file

        write_output_file(args.out, text)
        print(f"{len(args.ids) or len(catalog.papers)} entries written to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def register(add: Add) -> None:
    p = add("build", cmd_build)
    p.add_argument("--out", type=Path, default=None, help="where the site goes (default: ROOT/site/public)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if README.md is out of date")
    p.add_argument("--no-site", action="store_true", help="render README.md only; skip the site and downloads")

    p = add("export-bib", cmd_export_bib)
    p.add_argument("ids", nargs="*", metavar="ID", help="record ids (default: every paper)")
    p.add_argument("--out", type=Path, default=None, help="write to this file instead of standard output")
