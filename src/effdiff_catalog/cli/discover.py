"""The command that looks for new papers: discover."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ._common import Add


def cmd_discover(args: argparse.Namespace) -> int:
    """List new arXiv papers the catalog may want, ranked, with suggested taxonomy nodes; --write adds chosen ones.

    Queries the arXiv API (cs.CV, cs.LG, cs.AI, cs.CL, eess.IV, eess.AS, cs.DC, cs.AR) for papers
    submitted from --since (default: the newest `added` date in the catalog) to --until (default:
    today) whose abstracts name diffusion and one of taxonomy.yaml's node keywords, through the same
    polite, cached client as `effdiff enrich` (3 s between requests; EFFDIFF_ARXIV_API replaces the
    base URL). Papers the catalog has (same arXiv id, DOI, link or title) are left out; the rest are
    scored by a classifier trained on the catalog at run time and ranked: those above the relevance
    threshold first. Each comes with its top three nodes, the keywords it matched, the code
    repository its abstract names and the command that writes its record.

    --write ID... asks arXiv for those papers only and writes papers/<id>.yaml for each (venue arXiv,
    the suggested node); a paper already in the catalog is refused and no file is overwritten.

    Example: effdiff discover --since 2026-06-01 --format markdown --out candidates.md
    """
    from ..apis import ApiConfig, ApiError, MetadataClient
    from ..errors import EnvironmentProblem, UsageError
    from .imports import _load_clean_catalog

    catalog = _load_clean_catalog(args.root, "adding to" if args.write else "discovering papers for")
    cache = args.cache_dir if args.cache_dir is not None else args.root / ".effdiff-cache" / "api"
    client = MetadataClient(ApiConfig.from_env(), cache)
    try:
        if args.write:
            from ..discover import write_records

            outcomes = write_records(catalog, client, args.write)
            for outcome in outcomes:
                print(outcome.format())
            return 0 if all(o.status == "written" for o in outcomes) else 1

        from ..discover import discover, latest_added

        since = args.since or latest_added(catalog)
        if since is None:
            raise UsageError("the catalog has no records to date the last discovery: give --since DATE")
        until = args.until or dt.date.today()
        if args.out:
            from ..store import check_output_file

            check_output_file(args.out)
        result = discover(catalog, client, since=since, until=until, limit=args.max)
    except ApiError as exc:
        raise EnvironmentProblem(f"the arXiv API did not answer: {exc}") from None
    finally:
        client.close()
    text = {"json": result.to_json, "markdown": result.format_markdown}.get(args.format, result.format_text)()
    if args.out:
        from ..store import write_output_file

        write_output_file(args.out, text)
        print(result.summary())
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-06-01") from None


def _arxiv_id(text: str) -> str:
    from ..model import ARXIV_RE
    from ..urls import arxiv_id

    found = arxiv_id(text)
    if not found or not ARXIV_RE.match(found):
        raise argparse.ArgumentTypeError(f"{text!r} is not an arXiv id like 2606.31026")
    return found


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number")
    return int(text)


def register(add: Add) -> None:
    p = add("discover", cmd_discover)
    p.add_argument("--since", type=_date, metavar="DATE", help="first submission date (default: the newest `added` date in the catalog)")
    p.add_argument("--until", type=_date, metavar="DATE", help="last submission date (default: today)")
    p.add_argument("--max", type=_positive, default=300, metavar="N", help="at most N results per arXiv query (default: 300)")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    p.add_argument("--out", type=Path, metavar="FILE", help="write the list to FILE instead of standard output")
    p.add_argument("--write", nargs="+", type=_arxiv_id, metavar="ID", help="write records for these arXiv ids (no search)")
    p.add_argument("--cache-dir", type=Path, default=None, help="response cache (default: .effdiff-cache/api under --root)")
