"""`effdiff fmt`: rewrite records in canonical form, losing nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .checks import check_record
from .model import RAW_TEXT_FIELDS
from .problems import Problem
from .store import PAPERS_DIR, SCHEMA_HEADER, display_path, dump_record, record_files, sweep_temp_files, write_text_atomic
from .vocab import load_vocab
from .yamlsrc import read_yaml


@dataclass
class FmtResult:
    changed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _comment_lines(text: str) -> list[int]:
    """Lines holding a YAML comment other than the schema line (a '#' inside a quoted value is
    found by parsing tokens, so URLs with '#' fragments do not count)."""
    import yaml

    lines = set()
    spans = []
    try:
        for token in yaml.scan(text, Loader=yaml.CSafeLoader):
            if isinstance(token, yaml.ScalarToken):
                spans.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError:
        return []
    spans.sort()
    for m in re.finditer(r"#", text):
        i = m.start()
        if any(a <= i < b for a, b in spans):
            continue
        if i == 0 or text[i - 1] in " \t\n":
            line = text.count("\n", 0, i) + 1
            lines.add(line)
    header_lines = {1} if text.startswith(SCHEMA_HEADER) else set()
    return sorted(lines - header_lines)


def format_files(root: Path, paths: Iterable[Path] | None = None, check: bool = False) -> FmtResult:
    """Rewrite each valid record canonically (or, with check, only list what would change).
    A file with errors or with comments of its own is left alone and reported."""
    vocab = load_vocab(root)
    result = FmtResult()
    if not check:
        sweep_temp_files(root / PAPERS_DIR)
    for path in record_files(root, paths):
        display = display_path(path, root)
        doc, problems = read_yaml(path, display, RAW_TEXT_FIELDS)
        if doc is None or problems:
            result.problems.extend(problems)
            continue
        paper, record_problems = check_record(doc, display, path.stem, vocab)
        if paper is None:
            result.problems.extend(p for p in record_problems if p.severity == "error")
            continue
        canonical = dump_record(paper)
        if doc.text == canonical:
            continue
        comments = _comment_lines(doc.text)
        if comments:
            result.problems.append(Problem(display, comments[0], 1, "error", "",
                                           f"comment on line(s) {', '.join(map(str, comments))} would be lost",
                                           "move what the comment says into `notes`, then run fmt again"))
            continue
        if not check:
            try:
                write_text_atomic(path, canonical)
            except OSError as exc:  # a read-only folder or file, a full disk: reported, and the others go on
                result.problems.append(Problem(display, 1, 1, "error", "", f"cannot rewrite the file: {exc.strerror or exc}",
                                               "make the file and its folder writable, then run fmt again"))
                continue
        result.changed.append(display)
    return result
