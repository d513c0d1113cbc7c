"""What a check found, as text, JSON or a markdown report; and the progress shown meanwhile."""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import TextIO

from .collect import LinkRef, LinkResult

# report order: what needs fixing first
STATUSES = ("broken", "invalid", "timeout", "blocked", "redirected", "ok")
FAILING = frozenset({"broken", "invalid"})
FAILING_STRICT = FAILING | {"blocked", "timeout"}


class Progress:
    """A progress bar on a terminal; one plain line per URL otherwise (CI logs)."""

    def __init__(self, total: int, stream: TextIO | None = None, tty: bool | None = None):
        self.stream = stream or sys.stderr
        self.total, self.done = total, 0
        self.tty = self.stream.isatty() if tty is None else tty
        self._bar = None
        if self.tty and total:
            from tqdm import tqdm

            self._bar = tqdm(total=total, file=self.stream, unit="url", desc="check-links", leave=False, dynamic_ncols=True)

    def __call__(self, result: LinkResult) -> None:
        self.done += 1
        if self._bar is not None:
            self._bar.update(1)
            if result.status not in ("ok", "redirected"):
                self._bar.write(f"{result.status}: {result.url} ({result.detail})", file=self.stream)
            return
        width = len(str(self.total))
        detail = f"  {result.detail}" if result.status != "ok" else ""
        self.stream.write(f"[{self.done:>{width}}/{self.total}] {result.status:<10} {result.url}{detail}\n")
        self.stream.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


# -- the report ----------------------------------------------------------------------------


@dataclass
class Report:
    entries: list[tuple[LinkRef, LinkResult]] = field(default_factory=list)
    files: int = 0
    excluded: list[LinkRef] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    checked: int = 0  # URLs requested in this run
    cached: int = 0  # URLs taken from the cache
    elapsed: float = 0.0

    def counts(self) -> Counter:
        return Counter(result.status for _, result in self.entries)

    def by_status(self) -> dict[str, list[tuple[LinkRef, LinkResult]]]:
        groups: dict[str, list] = defaultdict(list)
        for ref, result in sorted(self.entries, key=lambda e: (e[0].file, e[0].line, e[0].url)):
            groups[result.status].append((ref, result))
        return {s: groups[s] for s in STATUSES if groups.get(s)}

    def exit_code(self, strict: bool = False) -> int:
        failing = FAILING_STRICT if strict else FAILING
        return 1 if any(result.status in failing for _, result in self.entries) else 0

    def summary(self) -> str:
        counts = self.counts()
        parts = [f"{counts[s]} {s}" for s in STATUSES if counts.get(s)] or ["nothing to check"]
        urls = len({r.url for _, r in self.entries})
        extra = []
        if self.cached:
            extra.append(f"{self.cached} URL(s) from the cache")
        if self.excluded:
            extra.append(f"{len(self.excluded)} link(s) excluded")
        if self.unreadable:
            extra.append(f"{len(self.unreadable)} unreadable file(s) skipped: run effdiff validate")
        return (f"{len(self.entries)} link(s) in {self.files} file(s), {urls} URL(s): {', '.join(parts)}"
                + (f"; {'; '.join(extra)}" if extra else "") + f" ({self.elapsed:.1f} s)")

    def format_text(self, verbose: bool = False) -> str:
        lines = []
        for status, entries in self.by_status().items():
            if status == "ok" and not verbose:
                continue
            for ref, result in entries:
                lines.append(f"{ref.file}:{ref.line}: {status}: {ref.field}: {ref.url}" + (f"\n    {result.detail}" if result.detail else ""))
        lines.append(self.summary())
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        rows = []
        for ref, result in sorted(self.entries, key=lambda e: (STATUSES.index(e[1].status), e[0].file, e[0].line)):
            row = {"file": ref.file, "line": ref.line, "field": ref.field, "owner": ref.owner}
            row.update({k: v for k, v in asdict(result).items() if k != "checked"})
            rows.append(row)
        counts = self.counts()
        data = {"summary": {"links": len(self.entries), "files": self.files, "urls": len({r.url for _, r in self.entries}),
                            "requested": self.checked, "cached": self.cached, "excluded": len(self.excluded),
                            "unreadable": self.unreadable, "elapsed": round(self.elapsed, 3),
                            **{s: counts.get(s, 0) for s in STATUSES}},
                "results": rows}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        """A report to paste as a pull request comment or an issue body: one table per status,
        worst first; working links are only counted (a full sweep would not fit a comment)."""
        counts = self.counts()
        failing = sum(counts.get(s, 0) for s in FAILING)
        head = "## Link check: " + (f"{failing} link(s) to fix" if failing else "no broken link")
        out = [head, "", self.summary(), ""]
        for status, entries in self.by_status().items():
            if status == "ok":
                continue
            out += [f"### {status} ({len(entries)})", "", "| File | URL | Status | Detail |", "| --- | --- | --- | --- |"]
            for ref, result in entries:
                out.append(f"| {_md(f'{ref.file}:{ref.line}')} | {_md(ref.url)} | {status} | {_md(result.detail)} |")
            out.append("")
        if counts.get("ok"):
            out += [f"{counts['ok']} link(s) ok (not listed).", ""]
        return "\n".join(out)


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


