"""What an import did with every line or entry: created, merged, conflict, skipped, heading."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

Kind = Literal["entry", "heading", "skipped", "text"]
Status = Literal["created", "merged", "unchanged", "conflict", "skipped", "framework", ""]


@dataclass
class LineReport:
    line: int
    kind: Kind
    status: Status = ""
    reason: str = ""
    text: str = ""
    record: str = ""
    fields: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    source: str
    lines: list[LineReport] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for item in self.lines:
            key = item.status or item.kind
            out[key] = out.get(key, 0) + 1
        return dict(sorted(out.items()))

    def to_json(self) -> str:
        return json.dumps({"source": self.source, "counts": self.counts(), "lines": [asdict(x) for x in self.lines]},
                          indent=2, ensure_ascii=False) + "\n"

    def format_text(self, verbose: bool = False) -> str:
        out = []
        for item in self.lines:
            if item.kind == "text" and not verbose:
                continue
            if item.kind == "heading" and not item.reason and not verbose:
                continue
            label = item.status or item.kind
            target = f" -> {item.record}" if item.record else ""
            detail = f" ({', '.join(item.fields)})" if item.fields else ""
            reason = f": {item.reason}" if item.reason else ""
            out.append(f"{self.source}:{item.line}: {label}{target}{detail}{reason}")
            for note in item.notes:
                out.append(f"    note: {note}")
        summary = ", ".join(f"{n} {k}" for k, n in self.counts().items())
        out.append(f"{self.source}: {summary}")
        return "\n".join(out) + "\n"
