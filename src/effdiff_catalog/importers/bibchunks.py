"""Reading a large BibTeX file on two cores: split it between blocks, parse the parts at once.

bibtexparser reads a file in one pass of pure Python; a bibliography of thousands of entries keeps
one core busy for a while, and the conversion of its entries to records another while. Here the
text is cut where a line starts a block (`@type{`), the parts are parsed (and their entries
converted) at the same time, one in a forked worker process, and the results are joined as if
the whole file had been read in one pass:

- line numbers count from the start of the file;
- a key already used in an earlier part is a duplicate, as bibtexparser would report it;
- `@string` macros of every part serve every entry: an entry converted with the macros of its own
  part only is converted again when a macro it looked up reads differently in the whole file;
- entries that need the whole file (crossref children and their possible parents) are converted
  only after the join.

When a cut falls inside a block (its part ends in an unfinished block), when the worker fails, or
when the machine or the platform does not allow it, the file is read in one pass instead: the
result is the same, only slower. `tests/test_importers_bibtex.py` compares both ways on every
BibTeX fixture and on generated files.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock, String

PARENT_TYPES = ("proceedings", "book", "collection")  # the types a crossref may point to
PARALLEL_MIN_CHARS = 400_000  # below this, forking costs more than it saves
_BLOCK_START = re.compile(r"\n(?=@\w*[ \t]*[{(])")
_CROSSREF = re.compile(r"crossref\s*=", re.I)
# the worker's share of the file: it reads at the parent's pace, then sends its part back, while the
# parent plans the entries of the first part (timelines measured with benchmarks/bench_import.py)
WORKER_SHARE = 0.5
_FAILED_KEY = re.compile(r"\s*@\s*\w+\s*[{(]\s*([^,\s]+)")


@dataclass
class RawEntry:
    """An entry as the file has it: fields not yet unenclosed, lines counted from 1."""

    key: str
    entry_type: str
    line: int
    fields: dict[str, str]  # lower-case field name -> value as written (only the fields an import reads)

    def __reduce__(self):  # pickled as its values only: thousands cross from the worker process
        return (RawEntry, (self.key, self.entry_type, self.line, self.fields))


@dataclass
class Failed:
    line: int
    key: str
    reason: str
    duplicate_of: str = ""  # 'entry' or 'string' for a key used twice


@dataclass
class Part:
    """What one part of the file holds, in file order."""

    blocks: list[Any] = field(default_factory=list)  # RawEntry | Failed | ('string', key, raw value, line)
    converted: dict[int, tuple[Any, dict[str, str | None]]] = field(default_factory=dict)
    # ^ index in blocks -> (conversion result, the macros it looked up and what they read in this part)
    cut: bool = False  # the part ends inside a block


Convert = Callable[[RawEntry, Callable[[str], str | None]], Any]


def split_points(text: str, shares: tuple[float, ...]) -> list[int]:
    """Offsets where parts begin: each at a line that starts a block, after its share of the text."""
    points = [0]
    done = 0.0
    for share in shares[:-1]:
        done += share
        m = _BLOCK_START.search(text, max(points[-1] + 1, int(len(text) * done)))
        if not m:
            break
        points.append(m.end())
    return points


def read_part(text: str, first_line: int, read_fields: frozenset[str], convert: Convert | None,
              slim: bool = False, crossrefs: bool = True) -> Part:
    """Parse one part with bibtexparser; convert the entries that do not need the whole file.
    `crossrefs` (the file may use them): crossref children and entries of the types a crossref may
    point to are left for the caller. `slim` (a part sent from the worker): drop the fields of
    converted entries that looked up no macro, the caller will not need them."""
    library = bibtexparser.parse_string(text, parse_stack=[])
    part = Part()
    strings = {}
    for block in library.blocks:
        if isinstance(block, DuplicateBlockKeyBlock):
            dup = block.ignore_error_block
            part.blocks.append(Failed(first_line + block.start_line + 1, str(getattr(dup, "key", "") or block.key),
                                      "", "string" if isinstance(dup, String) else "entry"))
        elif isinstance(block, ParsingFailedBlock):
            raw = block.raw or ""
            detail = str(block.error or "").strip()
            m = _FAILED_KEY.match(raw)
            key = getattr(block.ignore_error_block, "key", "") or (m.group(1) if m else "")
            part.blocks.append(Failed(first_line + block.start_line + 1, str(key or ""), detail))
        elif isinstance(block, Entry):
            fields = {}
            for f in block.fields:
                name = f.key.lower()
                if name in read_fields:
                    fields[name] = f.value
            part.blocks.append(RawEntry(block.key, block.entry_type.lower(), first_line + block.start_line + 1, fields))
        elif isinstance(block, String):
            part.blocks.append(("string", block.key, block.value, first_line + block.start_line + 1))
            strings[block.key.lower()] = block.value
    last = library.blocks[-1] if library.blocks else None
    # a part that ends in a failed block may have been cut inside it, and a block that fails at the
    # end of a part fails in another way (or not at all) in the whole file: the caller reads it whole
    part.cut = isinstance(last, ParsingFailedBlock) and not isinstance(last, DuplicateBlockKeyBlock)
    if convert is not None:
        for i, block in enumerate(part.blocks):
            if isinstance(block, RawEntry) and not (crossrefs and ("crossref" in block.fields or block.entry_type in PARENT_TYPES)):
                looked: dict[str, str | None] = {}

                def lookup(name: str, _looked=looked) -> str | None:
                    value = strings.get(name)
                    _looked[name] = value
                    return value

                part.converted[i] = (convert(block, lookup), looked)
                if slim and not looked:
                    block.fields = {}
    return part


def uses_crossref(text: str) -> bool:
    """Whether a field may be a crossref (a case-blind substring test first: the regex is slower)."""
    return "crossref" in text.lower() and bool(_CROSSREF.search(text))


def workers_for(text: str, jobs: int | None, crossrefs: bool | None = None) -> int:
    """How many parts to read at once: 2 for a large file without crossref fields, on Linux (fork),
    on a machine with two free cores, when no other thread runs (a fork copies a lock another
    thread may hold); 1 otherwise. `jobs` (1 or 2) decides instead of the size, the cores and the
    threads: the caller vouches for them."""
    if crossrefs is None:
        crossrefs = uses_crossref(text)
    if crossrefs or not (sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()):
        return 1  # crossref: an entry may inherit from any other, so the file is read whole
    if jobs is not None:
        return min(max(1, jobs), 2)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return 2 if cores >= 2 and len(text) >= PARALLEL_MIN_CHARS and threading.active_count() == 1 else 1


def _worker(conn, text: str, first_line: int, read_fields, convert) -> None:
    try:
        conn.send(("ok", read_part(text, first_line, read_fields, convert, slim=True, crossrefs=False)))
    except BaseException as exc:  # noqa: BLE001 - report anything; the parent reads the part itself then
        conn.send(("error", repr(exc)))
    finally:
        conn.close()


def iter_parts(text: str, read_fields: frozenset[str], convert: Convert, jobs: int | None = None) -> Iterator[Part]:
    """The parts of the file in order, read in one pass or two at once (see the module's
    docstring). The first part is yielded while the worker still reads the second, so that the
    caller can go on with it."""
    crossrefs = uses_crossref(text)
    points = split_points(text, (1 - WORKER_SHARE, WORKER_SHARE)) if workers_for(text, jobs, crossrefs) > 1 else [0]
    if len(points) < 2:
        yield read_part(text, 0, read_fields, convert, crossrefs=crossrefs)
        return
    second, second_line = text[points[1]:], text.count("\n", 0, points[1])
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_worker, args=(sender, second, second_line, read_fields, convert), daemon=True)
    worker.start()
    sender.close()
    answered = False
    try:
        first = read_part(text[:points[1]], 0, read_fields, convert, crossrefs=False)
        if first.cut:  # the cut may have split a block: read the file whole
            yield read_part(text, 0, read_fields, convert, crossrefs=False)
            return
        yield first
        try:
            status, payload = receiver.recv()
        except (EOFError, OSError):
            status, payload = "error", "the worker process ended without an answer"
        answered = True
        # the first part ended between blocks, so the second can be read on its own here as well
        yield payload if status == "ok" else read_part(second, second_line, read_fields, convert, crossrefs=False)
    finally:
        receiver.close()
        if not answered:
            worker.terminate()  # its part is not wanted any more
        worker.join()
