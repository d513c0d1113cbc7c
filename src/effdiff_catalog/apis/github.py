"""GitHub's REST API: a repository and its newest commit, parsed."""

from __future__ import annotations

import datetime as dt

from .found import Found


def parse_github(repo: dict, commits: list | None) -> Found:
    """GitHub's repository object and the first page of its commits on the default branch."""
    last = None
    if commits:
        stamp = ((commits[0].get("commit") or {}).get("committer") or {}).get("date")
        if stamp:
            last = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).date()
    stars = repo.get("stargazers_count")
    return Found("github", stars=stars if isinstance(stars, int) else None, last_commit=last)
