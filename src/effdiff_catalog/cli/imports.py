"""Commands that bring papers in: import-markdown, import-bib, add."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ._common import Add

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..importers.report import ImportReport


def _load_clean_catalog(root: Path, doing: str) -> Catalog:
    """The catalog. Nothing is added to a broken catalog: its errors are printed and a DataError raised."""
    from ..catalog import Catalog
    from ..errors import DataError

    catalog = Catalog.load(root)
    if catalog.errors:
        for p in catalog.errors:
            print(p.format(), file=sys.stderr)
        raise DataError(f"fix the catalog before {doing} it")
    return catalog


def _run_import(args: argparse.Namespace, run: Callable[[Catalog], ImportReport], verbose: bool = False) -> int:
    """What both importers do around the import itself: refuse a broken catalog, report, write JSON."""
    from ..store import check_output_file, write_output_file

    if args.report:
        check_output_file(args.report, "--report")  # before anything is imported, not after
    from ..importers.report import ImportStopped

    catalog = _load_clean_catalog(args.root, "importing into")
    try:
        report = run(catalog)
    except ImportStopped as exc:  # what was done is reported all the same, then the error
        sys.stdout.write(exc.report.format_text(verbose=verbose))
        if args.report:
            write_output_file(args.report, exc.report.to_json(), "--report")
        raise
    sys.stdout.write(report.format_text(verbose=verbose))
    if args.report:
        write_output_file(args.report, report.to_json(), "--report")
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
    from ..importers.markdown import import_markdown, load_heading_map

    def run(catalog: Catalog) -> ImportReport:
        heading_map = load_heading_map(args.map, catalog.taxonomy) if args.map else None
        return import_markdown(args.file, catalog, dry_run=args.dry_run, added=args.added, prefer=args.prefer,
                               heading_map=heading_map, category=args.category, new_venues=not args.no_new_venues)[0]

    return _run_import(args, run, verbose=args.verbose)


def cmd_import_bib(args: argparse.Namespace) -> int:
    """Import BibTeX files (Zotero, JabRef, Google Scholar, DBLP exports) into papers/, merging with what is there.

    Every entry is reported as created, merged (with the fields it added), conflict (both values;
    the record is left as it was unless --prefer import) or skipped (why, with its line number).

    Example: effdiff import-bib refs.bib --category algorithm.efficient_sampling.efficient_solver.ode_solver --dry-run
    """
    from ..importers.bibtex import import_bib

    return _run_import(args, lambda catalog: import_bib(args.files, catalog, category=args.category, dry_run=args.dry_run,
                                                         prefer=args.prefer, added=args.added, jobs=args.jobs,
                                                         new_venues=not args.no_new_venues)[0])


def cmd_add(args: argparse.Namespace) -> int:
    """Add one paper: from arXiv (--arxiv), Crossref (--doi), a BibTeX entry (--bibtex FILE, - for stdin) or by hand (--offline).

    Flags given by hand win over fetched facts. What is still missing is asked for on a terminal
    (with a pick list of taxonomy nodes and venues); without a terminal the missing flag is named.
    Without --category, a classifier trained on the catalog suggests nodes from the title (and
    arXiv's abstract): the pick list starts with them, and without a terminal the error names the
    best one.
    A paper already in the catalog is refused, naming its file. The APIs are asked through the same
    polite, cached client as `effdiff enrich` (EFFDIFF_ARXIV_API and EFFDIFF_CROSSREF_API replace
    their base URLs).

    Example: effdiff add --arxiv 2206.00927 --category algorithm.efficient_sampling.efficient_solver.ode_solver --code https://github.com/LuChengTHU/dpm-solver
    """
    from ..add import AddError, Facts, add, from_bibtex, from_found, suggest_nodes
    from ..catalog import Catalog
    from ..errors import EnvironmentProblem, UsageError
    from ..importers.bibtex import decode_bib

    if args.bibtex is not None and args.offline:
        raise UsageError("give --bibtex FILE or --offline, not both")
    if not (args.arxiv or args.doi or args.bibtex is not None or args.offline):
        raise UsageError("say where the facts come from: --arxiv ID, --doi DOI, --bibtex FILE or --offline")
    catalog = _load_clean_catalog(args.root, "adding to")
    # --bibtex and --offline take the facts from the entry or the flags; then --arxiv and --doi are facts too
    fetch = args.bibtex is None and not args.offline
    facts = Facts()
    if fetch:
        from ..apis import ApiConfig, ApiError, MetadataClient

        client = MetadataClient(ApiConfig.from_env(), args.root / ".effdiff-cache" / "api")
        try:
            found = client.arxiv(args.arxiv) if args.arxiv else client.crossref_work(args.doi)
        except ApiError as exc:
            raise EnvironmentProblem(f"the API did not answer: {exc}") from None
        finally:
            client.close()
        if found is None:
            raise AddError(f"{'arXiv' if args.arxiv else 'Crossref'} knows no paper {args.arxiv or args.doi}")
        facts = from_found(found, catalog.venues)
    elif args.bibtex is not None:
        text = sys.stdin.read() if str(args.bibtex) == "-" else decode_bib(args.bibtex.read_bytes(), args.bibtex)
        facts = from_bibtex(text, catalog)
    facts.update(Facts(title=args.title, authors=[a.strip() for a in args.authors.split(";")] if args.authors else None,
                       venue=args.venue, year=args.year, arxiv=args.arxiv, doi=args.doi, paper=args.paper,
                       code=args.code, project=args.project, categories=args.category or []))
    ask = input if (sys.stdin.isatty() and str(args.bibtex) != "-") else None
    suggestions = suggest_nodes(catalog, facts) if not facts.categories else []
    paper, path = add(catalog, facts, record_id=args.id, ask=ask, dry_run=args.dry_run, suggestions=suggestions)
    for note in facts.notes:
        print(f"note: {note}")
    from ..store import display_path, dump_record

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


def _import_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")
    p.add_argument("--report", type=Path, help="write the report as JSON to this file")
    p.add_argument("--added", type=dt.date.fromisoformat, default=None, help="date for new records (default: today)")
    p.add_argument("--prefer", choices=("catalog", "import"), default="catalog",
                   help="on a conflict keep the record's value (default) or take the imported one")
    p.add_argument("--no-new-venues", action="store_true",
                   help="skip entries whose venue venues.yaml lacks (default: add the venue to venues.yaml and report it)")


def register(add: Add) -> None:
    p = add("import-markdown", cmd_import_markdown)
    p.add_argument("file", type=Path)
    _import_options(p)
    p.add_argument("--map", type=Path, metavar="FILE", help="YAML file mapping the list's headings to taxonomy nodes")
    p.add_argument("--category", metavar="NODE", help="node for entries under headings that map to none")
    p.add_argument("-v", "--verbose", action="store_true", help="also list headings and prose lines")

    p = add("import-bib", cmd_import_bib)
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--category", metavar="NODE", help="taxonomy node for new records (else taken from the entry's keywords)")
    p.add_argument("--jobs", type=int, metavar="N", choices=(1, 2), default=None,
                   help="read a file in N parts at once (default: 2 for files over 300 kB on a machine with two cores "
                        "and Linux; 1 reads it in one pass)")
    _import_options(p)

    p = add("add", cmd_add)
    source = p.add_argument_group("where the facts come from")
    source.add_argument("--arxiv", metavar="ID", help="arXiv id, e.g. 2206.00927, looked up on arXiv (a fact with --bibtex/--offline)")
    source.add_argument("--doi", metavar="DOI", help="DOI, looked up on Crossref (a fact with --bibtex/--offline)")
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
