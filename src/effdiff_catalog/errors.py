"""Every error the library raises, under one base class, and the exit codes the CLI gives them.

    0  ok
    1  problems found in the data or the input (a record, a list, a .bib file, the catalog)
    2  usage error (a flag, an argument, an id that names nothing)
    3  network or environment error (an API that does not answer, a file that cannot be written,
       a tool that is missing)

The CLI has one handler (cli.main): it prints `effdiff: error: MESSAGE` on stderr and exits with the
error's code. Library code raises; it never prints or exits.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_ENVIRONMENT = 3

EXIT_CODES = (
    (EXIT_OK, "ok"),
    (EXIT_DATA, "problems found in the data or the input"),
    (EXIT_USAGE, "usage error"),
    (EXIT_ENVIRONMENT, "network or environment error"),
)


class EffdiffError(Exception):
    """The base of every error effdiff raises on purpose."""

    exit_code = EXIT_DATA


class DataError(EffdiffError):
    """The data or the input has problems (exit 1)."""

    exit_code = EXIT_DATA


class UsageError(EffdiffError):
    """The command was called wrongly (exit 2)."""

    exit_code = EXIT_USAGE


class EnvironmentProblem(EffdiffError):
    """The network or the machine let the command down (exit 3)."""

    exit_code = EXIT_ENVIRONMENT


def exit_codes_help() -> str:
    """The exit codes, as --help and the README write them."""
    return "exit codes:\n" + "\n".join(f"  {code}  {meaning}" for code, meaning in EXIT_CODES)
