"""The `effdiff` command: a thin layer over the library, one module per group of commands."""

from __future__ import annotations

import argparse
import inspect
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from .. import __version__
from ..errors import EXIT_ENVIRONMENT, EXIT_USAGE, EffdiffError, exit_codes_help
from . import discover, imports, network, outputs, records, results
from ._common import Command

GROUPS = (records, imports, discover, network, outputs, results)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="effdiff", description="The efficient diffusion models catalog.",
                                     epilog=exit_codes_help(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-V", "--version", action="version", version=f"effdiff {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, func: Command, **kwargs: Any) -> argparse.ArgumentParser:
        doc = inspect.cleandoc(func.__doc__ or "")
        p = sub.add_parser(name, help=doc.splitlines()[0] if doc else "", description=doc, epilog=exit_codes_help(),
                           formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs)
        p.add_argument("--root", type=Path, default=Path("."),
                       help="catalog root holding papers/, taxonomy.yaml, venues.yaml (default: .)")
        p.set_defaults(func=func)
        return p

    for group in GROUPS:
        group.register(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. The one place where errors become messages and exit codes (errors.py):
    `effdiff: error: ...` on stderr; 1 data, 2 usage (argparse's own), 3 network or environment."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args)
    except EffdiffError as exc:
        for problem in getattr(exc, "problems", None) or []:  # a catalog's or a file's problems, one per line
            print(problem.format(), file=sys.stderr)
        return fail(str(exc), exc.exit_code)
    except BrokenPipeError:  # `effdiff results ... | head`: the reader has what it wanted; nothing to report
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the interpreter's final flush does not fail again
        return 0
    except OSError as exc:  # a file that cannot be read or written, a full disk
        return fail(str(exc), EXIT_ENVIRONMENT)
    except KeyboardInterrupt:
        return fail("interrupted", 130)


def fail(message: str, code: int) -> int:
    print(f"effdiff: error: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
