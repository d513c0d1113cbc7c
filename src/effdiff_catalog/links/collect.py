"""Which links to check: the links of the records and frameworks.yaml, and the offline checks
that need no request (the URL's form, the arXiv id against the record, GitHub's OWNER/REPO)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence
from urllib.parse import urlsplit

from ..errors import UsageError
from ..model import RAW_TEXT_FIELDS, check_url
from ..store import display_path, record_files
from ..urls import arxiv_id, is_github
from ..yamlsrc import YamlDoc, read_yaml

FRAMEWORKS_FILE = "frameworks.yaml"


class LinkCheckError(UsageError):
    """The check cannot run as asked (a bad git ref, an unreadable cache path...)."""


# -- what is checked -----------------------------------------------------------------------


@dataclass(frozen=True)
class LinkRef:
    """One link in one file."""

    file: str
    line: int
    field: str
    url: str
    owner: str = ""  # the record id or the framework's name
    problem: Optional[str] = None  # an offline check failed: why


@dataclass
class LinkResult:
    """What checking one URL found."""

    url: str
    status: str
    detail: str = ""
    http_status: Optional[int] = None
    new_url: Optional[str] = None
    checked: float = 0.0
    cached: bool = False


_GITHUB_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_GITHUB_REPO = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_GITHUB_NOT_OWNERS = frozenset({
    "about", "apps", "collections", "enterprise", "explore", "features", "login", "marketplace", "notifications",
    "orgs", "pricing", "search", "settings", "sponsors", "topics", "trending", "users",
})


def github_problem(url: str) -> str | None:
    """Why a github.com code link is not a repository (https://github.com/OWNER/REPO, or a folder
    of one: .../tree/BRANCH/DIR), or None."""
    parts = urlsplit(url)
    if not is_github(url):
        return None
    segments = [s for s in parts.path.split("/") if s]
    form = "a code link is https://github.com/OWNER/REPO (or .../tree/BRANCH/DIR for a folder)"
    if len(segments) < 2:
        return f"not a repository: {form}"
    owner, repo = segments[:2]
    if owner.lower() in _GITHUB_NOT_OWNERS or not _GITHUB_OWNER.match(owner) or not _GITHUB_REPO.match(repo) or repo in (".", ".."):
        return f"'{owner}/{repo}' is not an OWNER/REPO pair: {form}"
    if repo.endswith(".git"):
        return f"drop '.git': https://github.com/{owner}/{repo[:-4]}"
    if len(segments) > 2 and segments[2] != "tree":
        return f"points inside the repository ('/{'/'.join(segments[2:])}'): link https://github.com/{owner}/{repo}"
    return None


def arxiv_problem(url: str, record_arxiv: object) -> str | None:
    """Why an arxiv.org link disagrees with the record's `arxiv`, or None."""
    found = arxiv_id(url)
    if found and isinstance(record_arxiv, str) and record_arxiv and found != record_arxiv:
        return f"the link is arXiv {found} but the record's arxiv is {record_arxiv}"
    return None


def url_problem(url: str) -> str | None:
    """Why a URL cannot be requested at all (not http(s), no host, spaces), or None."""
    try:
        check_url(url)
    except Exception as exc:  # pydantic's PydanticCustomError
        message = exc.message() if hasattr(exc, "message") else str(exc)
        return str(message)
    return None


def _refs_of_links(links: object, loc: tuple, display: str, doc: YamlDoc, owner: str, arxiv: object,
                   prefix: str) -> list[LinkRef]:
    if not isinstance(links, dict):
        return []
    out = []
    for name, url in links.items():
        if not isinstance(url, str):
            continue
        url = url.strip()
        problem = url_problem(url) or arxiv_problem(url, arxiv)
        if not problem and name == "code":
            problem = github_problem(url)
        line, _ = doc.where(loc + (name,))
        out.append(LinkRef(display, line, f"{prefix}links.{name}", url, owner, problem))
    return out


def links_in_file(path: Path, root: Path) -> tuple[list[LinkRef], bool]:
    """The links of one record file or of frameworks.yaml, and whether the file could be read."""
    display = display_path(path, root)
    doc, _ = read_yaml(path, display, RAW_TEXT_FIELDS)
    if doc is None or not isinstance(doc.data, dict):
        return [], False
    data = doc.data
    if path.name == FRAMEWORKS_FILE:
        out: list[LinkRef] = []
        for i, fw in enumerate(data.get("frameworks") or []):
            if isinstance(fw, dict):
                out += _refs_of_links(fw.get("links"), ("frameworks", i, "links"), display, doc,
                                      str(fw.get("name") or ""), None, f"frameworks[{i}].")
        return out, True
    return _refs_of_links(data.get("links"), ("links",), display, doc, str(data.get("id") or path.stem), data.get("arxiv"), ""), True


def changed_files(root: Path, ref: str) -> list[Path]:
    """Record files and frameworks.yaml changed since `ref` (its merge base with HEAD), committed
    or not, plus new untracked records. Deleted files are left out."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True)
        except FileNotFoundError as exc:
            raise LinkCheckError("--changed-since needs git on the PATH") from exc
        except subprocess.CalledProcessError as exc:
            raise LinkCheckError(f"--changed-since {ref}: git {args[0]} failed: {exc.stderr.strip()}"
                                 " (in CI, fetch the base first: git fetch origin main)") from exc
        return done.stdout

    git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    try:
        base = git("merge-base", ref, "HEAD").strip() or ref
    except LinkCheckError:
        base = ref  # a shallow clone may lack the merge base: compare with the ref itself
    spec = ["--", "papers", FRAMEWORKS_FILE]
    names = git("diff", "--name-only", "--relative", "--diff-filter=d", base, *spec).splitlines()
    names += git("ls-files", "--others", "--exclude-standard", *spec).splitlines()
    return sorted({root / n for n in names if n.endswith((".yaml", ".yml")) and (root / n).is_file()})


@dataclass
class Collected:
    refs: list[LinkRef]
    files: list[str]  # the files read, as displayed
    unreadable: list[str]  # files that are not YAML mappings: effdiff validate tells why


def collect_links(root: Path, paths: Sequence[Path] | None = None, changed_since: str | None = None) -> Collected:
    """The links to check. Default: every record and frameworks.yaml; `paths` limits to those
    files or folders; `changed_since` to the files changed since a git ref."""
    root = Path(root)
    if paths:
        absent = [str(p) for p in paths if not Path(p).exists()]
        if absent:
            raise LinkCheckError(f"no such file or folder: {', '.join(absent)}")
        files = record_files(root, [Path(p) for p in paths])
    else:
        files = record_files(root)
        if (root / FRAMEWORKS_FILE).is_file():
            files.append(root / FRAMEWORKS_FILE)
    if changed_since is not None:
        changed = {p.resolve() for p in changed_files(root, changed_since)}
        files = [p for p in files if p.resolve() in changed]
    collected = Collected([], [], [])
    for path in dict.fromkeys(files):
        found, ok = links_in_file(path, root)
        collected.refs += found
        collected.files.append(display_path(path, root))
        if not ok:
            collected.unreadable.append(display_path(path, root))
    return collected


