"""Reading record files and writing them back in canonical form, atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

import yaml

from .errors import DataError
from .model import Paper

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]

PAPERS_DIR = "papers"


class _CanonicalDumper(_Dumper):  # type: ignore[misc, valid-type]
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
