"""What an import did with every line or entry: created, merged, conflict, skipped; headings."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from ..errors import DataError, EnvironmentProblem


class ImportFailed(DataError):
    """Input that cannot be imported at all: not text, not BibTeX, not a list, a bad option."""


class ImportStopped(EnvironmentProblem):
    """The import stopped while writing; `report` says what it did and what was written."""

    def __init__(self, report: "ImportReport"):
        self.report = report
        super().__init__(report.stopped)


Kind = Literal["entry", "heading", "skipped", "text"]
Status = Literal["created", "merged", "conflict", "skipped", "framework", ""]


@dataclass(slots=True)
class LineReport:
    line: int
    kind: Kind
    status: Status = ""
    reason: str = ""
    text: str = ""
    record: str = ""
    fields: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    label: str = ""
    source: str = ""
    conflicts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class NewVenue:
    """A venue the import adds to venues.yaml, and the entries that name it."""

    name: str
    full: str
    kind: str
    entries: list[str]


@dataclass
class ImportReport:
    source: str
    lines: list[LineReport] = field(default_factory=list)
    new_venues: list[NewVenue] = field(default_factory=list)
    written: bool = False  # whether the records and venues were written (not a dry run)
    stopped: str = ""  # why writing stopped part-way ("" when it did not)

    def writing_stopped(self, written: list[str], reason: str) -> None:
        """Writing stopped part-way: say so on every planned record that was not written."""
        self.stopped, done = reason, set(written)
        for item in self.lines:
            if item.record and item.status in ("created", "merged") and item.record not in done:
                item.notes.append("not written: the import stopped before this record")

    def add_new_venues(self, planned: dict[str, tuple[Any, list[str]]]) -> None:
        """From merge.Planner.new_venues: name -> (venues.Venue, entry labels)."""
        self.new_venues = [NewVenue(v.name, v.full, v.kind, list(entries)) for v, entries in
                           sorted(planned.values(), key=lambda item: item[0].name.lower())]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for item in self.lines:
            key = item.status or item.kind
            out[key] = out.get(key, 0) + 1
        return dict(sorted(out.items()))

    def to_json(self) -> str:
        return json.dumps({"source": self.source, "counts": self.counts(), "items": [asdict(x) for x in self.lines],
                           "new_venues": [asdict(v) for v in self.new_venues], "stopped": self.stopped},
                          indent=2, ensure_ascii=False, default=str) + "\n"

    def format_text(self, verbose: bool = False) -> str:
        out = []
        for item in self.lines:
            if item.line == 0:  # a note on the whole input
                out.append(f"{item.source or self.source}: note: {item.reason}")
                continue
            if item.kind == "text" and not (verbose or item.status):
                continue
            if item.kind == "heading" and not item.reason and not verbose:
                continue
            label = item.status or item.kind
            name = f" [{item.label}]" if item.label and item.label != item.record else ""
            target = f" -> {item.record}" if item.record else ""
            detail = f" ({', '.join(item.fields)})" if item.fields else ""
            reason = f": {item.reason}" if item.reason else ""
            out.append(f"{item.source or self.source}:{item.line}: {label}{name}{target}{detail}{reason}")
            for c in item.conflicts:
                out.append(f"    {c['field']}: record has {c['record']!r}, import has {c['import']!r}")
            for note in item.notes:
                out.append(f"    note: {note}")
        verb = "added to" if self.written else "to add to"
        for venue in self.new_venues:
            out.append(f"{self.source}: new venue '{venue.name}' ({venue.kind}; {venue.full}) {verb} venues.yaml, "
                       f"for {len(venue.entries)} entr{'y' if len(venue.entries) == 1 else 'ies'}: {', '.join(venue.entries)}")
        summary = ", ".join(f"{n} {k}" for k, n in self.counts().items())
        if self.new_venues:
            summary += f"; {len(self.new_venues)} new venue(s)"
        out.append(f"{self.source}: {summary}")
        if self.stopped:
            out.append(f"{self.source}: STOPPED: {self.stopped}")
        return "\n".join(out) + "\n"
