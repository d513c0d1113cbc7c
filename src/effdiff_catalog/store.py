"""Reading record files and writing them back in canonical form, atomically."""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable

import yaml

from .errors import DataError, EffdiffError, UsageError
from .model import Paper

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]  # the pure-Python class under the C one's name

PAPERS_DIR = "papers"


class _CanonicalDumper(_Dumper):
    """Block style; multi-line strings as literal blocks; no line wrapping."""


def _represent_str(dumper: Any, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_CanonicalDumper.add_representer(str, _represent_str)


class RecordExists(DataError, FileExistsError):
    pass


def record_files(root: Path, paths: Iterable[Path] | None = None) -> list[Path]:
    """Every record file under root/papers (sorted), or the given files and directories."""
    if paths is None:
        base = root / PAPERS_DIR
        if not base.is_dir():
            return []
        return sorted((p for p in base.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()), key=str)
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.suffix in (".yaml", ".yml") and q.is_file()))
        else:
            out.append(p)
    return out


def display_path(path: Path, root: Path) -> str:
    """The path as reported: relative to the catalog root, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def canonical_data(paper: Paper) -> dict:
    """The record as plain data in the model's field order, without empty values."""

    def prune(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: prune(v) for k, v in value.items() if v is not None and v != [] and v != {}}
        if isinstance(value, list):
            return [prune(v) for v in value]
        return value

    return prune(paper.model_dump(mode="python"))


SCHEMA_HEADER = "# yaml-language-server: $schema=../schema/paper.schema.json\n"


def dump_record(paper: Paper) -> str:
    """The canonical text of a record: the editor schema line, then the fields in the model's
    order, block style, UTF-8, final newline."""
    return SCHEMA_HEADER + yaml.dump(
        canonical_data(paper), Dumper=_CanonicalDumper, sort_keys=False, allow_unicode=True,
        default_flow_style=False, width=100_000, indent=2,
    )


def write_text_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same directory and os.replace: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def record_path(root: Path, record_id: str) -> Path:
    return root / PAPERS_DIR / f"{record_id}.yaml"


def write_record(root: Path, paper: Paper, *, overwrite: bool = False) -> Path:
    """Write papers/<id>.yaml. Refuses to replace an existing file unless overwrite is set."""
    path = record_path(root, paper.id)
    if path.exists() and not overwrite:
        raise RecordExists(f"{display_path(path, root)} already exists; refusing to overwrite it")
    write_text_atomic(path, dump_record(paper))
    return path


def venues_text(current: str, new: list[Any]) -> str:
    """venues.yaml with new venues (venues.Venue) added: the file's own text, comments included,
    is kept; the new entries go in before the closing `arXiv` entry (else at the end), sorted by
    name, each in the file's form (name, full, kind, aliases as a flow list)."""
    if not new:
        return current
    blocks = []
    for venue in sorted(new, key=lambda v: v.name.lower()):
        entry = {"name": venue.name, "full": venue.full, "kind": venue.kind, "aliases": list(venue.aliases)}
        text = yaml.dump([entry], Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=None,
                         width=100_000, indent=2)
        # '- name: X\n  full: ...' -> indented under `venues:` like the rest of the file
        blocks.append("".join("  " + line for line in text.splitlines(keepends=True)))
    marker = "\n  - name: arXiv\n"
    at = current.find(marker)
    if at == -1:
        return current.rstrip("\n") + "\n" + "".join(blocks)
    return current[: at + 1] + "".join(blocks) + current[at + 1:]


def add_venues(root: Path, new: list[Any]) -> Path:
    """Add venues to root/venues.yaml, atomically (see venues_text)."""
    path = root / "venues.yaml"
    write_text_atomic(path, venues_text(path.read_text(encoding="utf-8"), new))
    return path


# -- outputs a user names: never delete or replace what effdiff did not write -----------------------

SITE_MARKER = ".effdiff-site"  # written into every built site; its presence lets the next build replace the folder
# a site built before the marker existed holds all of these (effdiff's own data files and the theme's sitemap)
_LEGACY_SITE_FILES = ("index.html", "papers.json", "feed.xml", "sitemap.xml")


def check_output_file(path: Path, what: str = "--out", error: type[EffdiffError] = UsageError) -> None:
    """Refuse an output file that cannot be written safely: a folder, a symbolic link (it would be
    replaced by a file, not followed), a device, pipe or socket (never turned into a regular file),
    or a path whose folder is a file."""
    try:
        info = path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        info = None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise error(f"{what} {path} is a folder; give a file name")
        if stat.S_ISLNK(info.st_mode):
            raise error(f"{what} {path} is a symbolic link; refusing to replace it (give the path it points to)")
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{what} {path} is not a regular file (a device, pipe or socket); refusing to replace it")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise error(f"{what} {path}: {parent} is a file, not a folder")
            break


def write_output_file(path: Path, text: str, what: str = "--out") -> None:
    """A file the user named: checked (check_output_file), then written atomically."""
    check_output_file(path, what)
    write_text_atomic(path, text)


def check_site_folder(path: Path, what: str = "--out") -> None:
    """The site's output folder may be replaced only when it is absent, empty, or a site that
    effdiff built (it holds SITE_MARKER, or every file of an older build). Else a UsageError names
    the folder and the reason, and nothing is touched."""
    if path.is_symlink():
        raise UsageError(f"{what} {path} is a symbolic link; refusing to replace it (give the folder it points to)")
    if not path.exists():
        check_output_file(path / "index.html", what)  # a file on the way is refused
        return
    if not path.is_dir():
        raise UsageError(f"{what} {path} is a file, not a folder; give a folder for the site")
    entries = sorted(p.name for p in path.iterdir())
    if not entries or SITE_MARKER in entries or all(name in entries for name in _LEGACY_SITE_FILES):
        return
    shown = ", ".join(entries[:5]) + (f" and {len(entries) - 5} more" if len(entries) > 5 else "")
    raise UsageError(f"{what} {path} holds files that effdiff build did not write ({shown}); "
                     "give a new or empty folder, or one an earlier effdiff build wrote")


def staging_folder(target: Path) -> Path:
    """A fresh folder beside the target (same file system, so the swap is a rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".building", dir=target.parent))


def replace_folder(staging: Path, target: Path) -> None:
    """Put the built folder in place of the target (checked by check_site_folder): mark it, move
    the old one aside, rename the new one in, then delete the old one."""
    (staging / SITE_MARKER).write_text("This folder was written by effdiff build; the next build replaces it.\n",
                                       encoding="utf-8")
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        os.rmdir(old)
        os.rename(target, old)
    os.rename(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# write_text_atomic's temporary files: '.<name>.<random>.tmp' beside the file it writes
_TEMP_NAME = re.compile(r"^\.[^/]+\.[A-Za-z0-9_]{6,}\.tmp$")
STALE_AFTER_S = 60.0  # a temporary file this old was left by a killed process, not one still writing


def sweep_temp_files(folder: Path, now: float | None = None) -> list[Path]:
    """Remove the temporary files a killed writer left in `folder` (only write_text_atomic's
    pattern, only when older than STALE_AFTER_S). Every writing command calls it once."""
    removed: list[Path] = []
    now = time.time() if now is None else now
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if entry.is_file(follow_symlinks=False) and _TEMP_NAME.match(entry.name):
            try:
                if now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S:
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
            except OSError:
                pass
    return removed


FRAMEWORKS_HEADER = """\
# Frameworks for efficient diffusion: one entry per library or engine.
# training / fine_tuning / inference: what it serves; features: one line in our own words.
"""


def dump_frameworks(frameworks: list[Any]) -> str:
    """frameworks.yaml in canonical form (model.Framework entries, in their order)."""
    from .model import FrameworkList

    data = FrameworkList(frameworks=frameworks).model_dump(mode="python", exclude_none=True)
    for fw in data["frameworks"]:
        if not fw.get("listed_in"):
            fw.pop("listed_in", None)
    body = yaml.dump(data, Dumper=_CanonicalDumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100_000)
    return FRAMEWORKS_HEADER + body
