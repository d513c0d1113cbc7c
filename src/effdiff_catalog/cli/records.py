"""Commands on the records themselves: validate, stats, fmt, schema."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._common import Add


def cmd_validate(args: argparse.Namespace) -> int:
    """Check every record against the schema, the taxonomy and the venues, and across files.

    Example: effdiff validate --strict
    """
    from ..catalog import Catalog
    from ..problems import count, to_json

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
    from ..catalog import Catalog
    from ..stats import format_stats

    catalog = Catalog.load(args.root)
    sys.stdout.write(format_stats(catalog))
    if catalog.errors:
        print(f"note: {len(catalog.errors)} error(s) in the catalog; run effdiff validate", file=sys.stderr)
    return 0


def cmd_fmt(args: argparse.Namespace) -> int:
    """Rewrite records in canonical form (the store's writer); with --check, list the files it would change and exit 1.

    Lossless: a file with errors, or with comments of its own, is reported and left alone.

    Example: effdiff fmt --check
    """
    from ..fmt import format_files

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
    from ..schema import dump_schema
    from ..store import write_output_file
    from ..vocab import load_vocab

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
    write_output_file(out, text)
    print(f"wrote {args.out}")
    return 0


def register(add: Add) -> None:
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
