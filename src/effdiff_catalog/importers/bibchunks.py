"""Reading a large BibTeX file on two cores: cut it between blocks, read the parts at once.

bibtexparser reads a file in one pass of pure Python, and turning its entries into records takes
as long again. Here the text is cut where a line starts a block (`@type{`); a forked worker
parses and converts the second part while the parent does the first (and the importer plans the
first part's entries while the second is still on its way). The parts are joined as if the whole
file had been read in one pass:

- line numbers count from the start of the file;
- a key already used in an earlier part is a duplicate, as bibtexparser would report it;
- `@string` macros of every part serve every entry: an entry converted with the macros of its own
  part is converted again when a macro it looked up reads differently in the whole file;
- a file with crossref fields is read in one pass (an entry may inherit from any other).

When the cut falls inside a block (the first part ends in a failed block), the file is read again
in one pass; when the worker fails, the parent reads the second part itself; without two cores,
Linux's fork, or for a small file, there is one pass from the start. The result is the same every
way, only the time differs: tests/test_importers_bibchunks.py compares them on every BibTeX
fixture and on generated files, and benchmarks/bench_import.py on 5,000 entries.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from queue import Empty
from typing import TYPE_CHECKING, Any, Callable, Iterator

import bibtexparser
from bibtexparser.model import Block, DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, ParsingFailedBlock, String

if TYPE_CHECKING:
    import multiprocessing.process
    import multiprocessing.queues

PARENT_TYPES = ("proceedings", "book", "collection")  # the types a crossref may point to
PARALLEL_MIN_CHARS = 300_000  # two parts paid from ~80 kB on generated files, but real exports of 100-150 kB
# were as often slower (a fork costs more in a larger process); from 300 kB they win (measured on 11 real .bib files)
_BLOCK_START = re.compile(r"\n(?=@\w*[ \t]*[{(])")
_CROSSREF = re.compile(r"crossref\s*=", re.I)
# the worker's share of the file. The parent also plans every entry, but real exports spend most of
# their time in the parse (abstracts, fields not read): half and half was best on a 3 MB DBLP-style
# list and a 0.8 MB JabRef export, and as good as 0.55-0.65 on benchmarks/bench_import.py
WORKER_SHARE = 0.5
WORKER_PIECES = 8  # the worker sends its share in pieces: the parent plans one while the worker reads the next
_FAILED_KEY = re.compile(r"\s*@\s*\w+\s*[{(]\s*([^,\s]+)")


@dataclass
class RawEntry:
    """An entry as the file has it: fields not yet unenclosed, lines counted from 1."""

    key: str
    entry_type: str
    line: int
    fields: dict[str, str]  # lower-case field name -> value as written (only the fields an import reads)
    notes: tuple[str, ...] = ()

    # pickled as its values only: thousands cross from the worker process
    def __reduce__(self) -> tuple[type[RawEntry], tuple[str, str, int, dict[str, str], tuple[str, ...]]]:
        return (RawEntry, (self.key, self.entry_type, self.line, self.fields, self.notes))


@dataclass
class Failed:
    line: int
    key: str
    detail: str  # what bibtexparser said about a block it could not read
    duplicate_of: str = ""  # 'entry' or 'string' for a key used twice


@dataclass
class Part:
    """What one part of the file holds, in file order."""

    blocks: list[Any] = field(default_factory=list)  # RawEntry | Failed | ('string', key, raw value, line)
    converted: dict[int, tuple[Any, dict[str, str | None]]] = field(default_factory=dict)
    # ^ index in blocks -> (conversion result, the macros it looked up and what they read in this part)
    cut: bool = False  # the part ends inside a block


Convert = Callable[[RawEntry, Callable[[str], str | None]], Any]


def _file_line(block: Block, first_line: int) -> int:
    """The line (from 1) in the whole file of a block read from a part that starts after line first_line."""
    assert block.start_line is not None  # bibtexparser.parse_string sets it on every block it reads
    return first_line + block.start_line + 1


def _raw_entry(entry: Entry, first_line: int, read_fields: frozenset[str]) -> RawEntry:
    """The fields an import reads; a field named twice (in any case) keeps its first value, as in
    BibTeX, with a note when the values differ."""
    fields: dict[str, str] = {}
    notes = []
    for f in entry.fields:
        name = f.key.lower()
        if name in read_fields:
            if name not in fields:
                fields[name] = f.value
            elif f.value != fields[name]:
                notes.append(f"field '{name}' is given twice; the first value was used, as BibTeX does: "
                             f"{fields[name]} (not {f.value})")
    return RawEntry(entry.key, entry.entry_type.lower(), _file_line(entry, first_line), fields, tuple(notes))


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
        if isinstance(block, Entry):  # nearly every block: tested first
            part.blocks.append(_raw_entry(block, first_line, read_fields))
        elif isinstance(block, DuplicateFieldKeyBlock):  # a field given twice: read as BibTeX does, the first counts
            duplicated = block.ignore_error_block
            assert isinstance(duplicated, Entry)  # bibtexparser keeps the entry, with its first field of each name
            part.blocks.append(_raw_entry(duplicated, first_line, read_fields))
        elif isinstance(block, DuplicateBlockKeyBlock):
            dup = block.ignore_error_block
            part.blocks.append(Failed(_file_line(block, first_line), str(getattr(dup, "key", "") or block.key),
                                      "", "string" if isinstance(dup, String) else "entry"))
        elif isinstance(block, ParsingFailedBlock):
            raw = block.raw or ""
            detail = str(block.error or "").strip()
            m = _FAILED_KEY.match(raw)
            key = getattr(block.ignore_error_block, "key", "") or (m.group(1) if m else "")
            part.blocks.append(Failed(_file_line(block, first_line), str(key or ""), detail))
        elif isinstance(block, String):
            part.blocks.append(("string", block.key, block.value, _file_line(block, first_line)))
            strings[block.key.lower()] = block.value
    last = library.blocks[-1] if library.blocks else None
    # a part that ends in a failed block may have been cut inside it, and a block that fails at the
    # end of a part fails in another way (or not at all) in the whole file: the caller reads it whole
    part.cut = isinstance(last, ParsingFailedBlock) and not isinstance(last, (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock))
    if convert is not None:
        for i, block in enumerate(part.blocks):
            if isinstance(block, RawEntry) and not (crossrefs and ("crossref" in block.fields or block.entry_type in PARENT_TYPES)):
                looked: dict[str, str | None] = {}

                def lookup(name: str, _looked: dict[str, str | None] = looked) -> str | None:
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


def _worker(queue: multiprocessing.queues.Queue[Any], text: str, start: int, read_fields: frozenset[str],
            convert: Convert) -> None:
    """Read text[start:] in pieces and put each on the queue as ("part", part, where it ends), then
    ("done", None, len(text)); ("error", message, None) if anything fails."""
    try:
        line = text.count("\n", 0, start)
        bounds = [start + p for p in split_points(text[start:], (1 / WORKER_PIECES,) * WORKER_PIECES)] + [len(text)]
        for a, b in zip(bounds, bounds[1:]):
            part = read_part(text[a:b], line, read_fields, convert, slim=True, crossrefs=False)
            if part.cut and b < len(text):  # this cut split a block: read the rest whole
                queue.put(("part", read_part(text[a:], line, read_fields, convert, slim=True, crossrefs=False), len(text)))
                break
            queue.put(("part", part, b))
            line += text.count("\n", a, b)
        queue.put(("done", None, len(text)))
    except BaseException as exc:  # noqa: BLE001 - report anything; the parent reads the rest itself then
        queue.put(("error", repr(exc), None))
    finally:
        queue.close()
        queue.join_thread()  # every piece is in the pipe before the process ends


def _answers(queue: multiprocessing.queues.Queue[Any],
             worker: multiprocessing.process.BaseProcess) -> Iterator[tuple[str, Any, Any]]:
    """What the worker puts on the queue; ("error", ...) when it ends without a last word."""
    while True:
        try:
            yield queue.get(timeout=0.2)
        except Empty:
            if not worker.is_alive() and queue.empty():
                yield "error", f"the worker process ended without an answer (exit code {worker.exitcode})", None
                return


def iter_parts(text: str, read_fields: frozenset[str], convert: Convert, jobs: int | None = None) -> Iterator[Part]:
    """The parts of the file in order, read in one pass or two at once (see the module's
    docstring). The first part is yielded while the worker still reads the rest, which comes in
    pieces, so that the caller can go on with each as soon as it is there."""
    crossrefs = uses_crossref(text)
    points = split_points(text, (1 - WORKER_SHARE, WORKER_SHARE)) if workers_for(text, jobs, crossrefs) > 1 else [0]
    if len(points) < 2:
        yield read_part(text, 0, read_fields, convert, crossrefs=crossrefs)
        return
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    worker = context.Process(target=_worker, args=(queue, text, points[1], read_fields, convert), daemon=True)
    worker.start()
    finished = False
    try:
        first = read_part(text[:points[1]], 0, read_fields, convert, crossrefs=False)
        if first.cut:  # the cut may have split a block: read the file whole
            yield read_part(text, 0, read_fields, convert, crossrefs=False)
            return
        yield first
        done_to = points[1]  # the text up to here has been yielded
        for kind, payload, end in _answers(queue, worker):
            if kind == "part":
                yield payload
                done_to = end
            elif kind == "done":
                break
            else:  # the parts so far ended between blocks, so the rest can be read on its own here
                yield read_part(text[done_to:], text.count("\n", 0, done_to), read_fields, convert, crossrefs=False)
                break
        finished = True
    finally:
        if not finished:
            worker.terminate()  # its parts are not wanted any more
        worker.join()
        queue.close()
