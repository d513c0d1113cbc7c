"""What validation and importers report: one problem, located in a file, with a hint."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: int
    severity: Severity
    field: str
    message: str
    hint: str = ""

    def format(self) -> str:
        field = f"{self.field}: " if self.field else ""
        text = f"{self.path}:{self.line}:{self.column}: {self.severity}: {field}{self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.column, p.severity, p.field, p.message))


def count(problems: Iterable[Problem]) -> tuple[int, int]:
    errors = warnings = 0
    for p in problems:
        if p.severity == "error":
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def to_json(problems: Iterable[Problem]) -> str:
    return json.dumps([asdict(p) for p in problems], indent=2, ensure_ascii=False) + "\n"
