"""Reading one YAML file safely, keeping the line and column of every value.

PyYAML's C parser composes the file into nodes (which carry their position); we build the
Python data from those nodes ourselves, in one walk, so duplicate keys, aliases and unsafe tags are
caught with their exact location and no second pass over the data is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import DataError
from .problems import Problem

try:  # the C loader is required for speed; the pure-Python one is a fallback, never silent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]  # the pure-Python class under the C one's name

MAX_BYTES = 1_000_000
MAX_DEPTH = 32  # a record nests three levels; deeper is a mistake or an attack, refused before it recurses
MAX_DIGITS = 100  # digits of a number: a figure or a year, not a 5,000-digit integer
Path_ = tuple  # a location inside the data: ("links", "paper") or ("results", 0, "source")

_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_SAFE_SCALAR_TAGS = {
    _STR_TAG,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


@dataclass
class YamlDoc:
    """The data of one file, plus its node tree to find where any value or key sits.

    Positions are looked up on demand (only problems need them), so reading a valid file costs
    no more than building its data."""

    data: Any
    text: str = ""
    _root: Any = None

    @property
    def root(self) -> Any:
        # composed again only when a problem needs a position: keeping every file's node tree
        # alive would make loading a large catalog several times slower
        if self._root is None and self.text:
            self._root = yaml.compose(self.text, Loader=_Loader)
        return self._root

    def _node(self, loc: Path_, key: bool) -> Any:
        node, found = self.root, self.root
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                match = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
                if match is None:
                    return found
                found = match[0] if key and part == loc[-1] else match[1]
                node = match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = found = node.value[part]
            else:
                return found
        return found

    def where(self, loc: Path_, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at `loc` (of its key when key=True), or of the
        nearest ancestor that exists."""
        if self.root is None:
            return (1, 1)
        mark = self._node(tuple(loc), key).start_mark
        return (mark.line + 1, mark.column + 1)


class _Builder:
    def __init__(self, loader: Any, display: str, raw_text_keys: frozenset[str]):
        self.loader = loader
        self.display = display
        self.raw_text_keys = raw_text_keys
        self.problems: list[Problem] = []
        self.seen: set[int] = set()

    def problem(self, mark: Any, field: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.display, mark.line + 1, mark.column + 1, "error", field, message, hint))

    def build(self, node: Any, path: Path_) -> Any:
        if len(path) > MAX_DEPTH:
            self.problem(node.start_mark, dotted(path[:MAX_DEPTH]), f"values are nested more than {MAX_DEPTH} levels deep",
                         "a record nests a few levels at most: is this the right file?")
            raise _TooDeep
        if id(node) in self.seen:  # the composer hands out the same node for every alias
            self.problem(node.start_mark, dotted(path), "YAML aliases are not allowed", "write the value out in full")
            return None
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                self.problem(node.start_mark, dotted(path), f"tag {node.tag} is not allowed")
            return [item.value if item.tag == _STR_TAG and isinstance(item, yaml.ScalarNode) else self.build(item, path + (i,))
                    for i, item in enumerate(node.value)]
        return self.build_scalar(node, path)

    def build_mapping(self, node: Any, path: Path_) -> dict:
        if node.tag != _MAP_TAG:
            self.problem(node.start_mark, dotted(path), f"tag {node.tag} is not allowed")
        out: dict = {}
        first_line: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node.start_mark, dotted(path), "keys must be plain words")
                continue
            key = key_node.value
            if key in first_line:
                self.problem(
                    key_node.start_mark,
                    dotted(path + (key,)),
                    f"duplicate key '{key}' (first at line {first_line[key]})",
                    "keep one of the two; YAML would silently use the last one",
                )
                continue
            first_line[key] = key_node.start_mark.line + 1
            if isinstance(value_node, yaml.ScalarNode):
                if value_node.tag == _STR_TAG:  # the common case, inline
                    out[key] = value_node.value
                    continue
                if not path and key in self.raw_text_keys and value_node.tag in _NUMBER_TAGS:
                    # `arxiv: 2310.03270` would become the float 2310.0327: keep the text as written
                    out[key] = value_node.value
                    continue
            out[key] = self.build(value_node, path + (key,))
        return out

    def build_scalar(self, node: Any, path: Path_) -> Any:
        if node.tag == _STR_TAG:
            return node.value
        if node.tag not in _SAFE_SCALAR_TAGS:
            self.problem(node.start_mark, dotted(path), f"tag {node.tag} is not allowed")
            return None
        if node.tag in _NUMBER_TAGS and sum(c.isdigit() for c in node.value) > MAX_DIGITS:
            self.problem(node.start_mark, dotted(path), f"number with {sum(c.isdigit() for c in node.value):,} digits",
                         f"a figure or a year has at most {MAX_DIGITS} digits")
            return None
        try:
            return self.loader.construct_object(node)
        except (yaml.YAMLError, ValueError) as exc:
            self.problem(node.start_mark, dotted(path), f"cannot read value: {exc}")
            return None


class _TooDeep(Exception):
    """Raised by _Builder.build past MAX_DEPTH; the problem is recorded before."""


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _mark_of_offset(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    col = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return line, col


def _check_text(raw: bytes, display: str) -> tuple[str | None, list[Problem]]:
    """Size, encoding and indentation checks that come before parsing."""
    if len(raw) > MAX_BYTES:
        return None, [
            Problem(display, 1, 1, "error", "", f"file is {len(raw):,} bytes; a record must be under {MAX_BYTES:,} bytes",
                    "a paper record is a few hundred bytes: is this the right file?")
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _mark_of_offset(raw, exc.start)
        return None, [
            Problem(display, line, col, "error", "", f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                    "save the file as UTF-8 (most editors: 'Save with encoding')")
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    problems = []
    if "\t" in text:
        for number, text_line in enumerate(text.split("\n"), 1):
            stripped = text_line.lstrip(" \t")
            indent = text_line[: len(text_line) - len(stripped)]
            if "\t" in indent:
                problems.append(
                    Problem(display, number, indent.index("\t") + 1, "error", "", "tab character in indentation",
                            "indent with spaces; YAML does not allow tabs")
                )
    return (None if problems else text), problems


def _anchor_problems(text: str, display: str) -> list[Problem]:
    problems = []
    for event in yaml.parse(text, Loader=_Loader):
        mark = event.start_mark
        assert mark is not None  # the parser marks every event it emits
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent):
            problems.append(Problem(display, mark.line + 1, mark.column + 1, "error", "",
                                    f"YAML alias '*{anchor}' is not allowed", "write the value out in full"))
        elif anchor:
            problems.append(Problem(display, mark.line + 1, mark.column + 1, "error", "",
                                    f"YAML anchor '&{anchor}' is not allowed", "remove the anchor; records do not share values"))
    return problems


def parse_yaml(raw: bytes, display: str, raw_text_keys: frozenset[str] = frozenset()) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse one file's bytes. Returns the document (None when unusable) and the problems found."""
    text, problems = _check_text(raw, display)
    if text is None:
        return None, problems
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            context = exc.context or ""
            if exc.context_mark is not None and exc.context_mark is not mark and context:
                context += f" (line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1})"
            message = " ".join(str(part) for part in (context, exc.problem) if part)
            return None, [Problem(display, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1,
                                  "error", "", f"YAML syntax: {message}",
                                  "check the indentation and quote values that contain ': ' or start with a special character")]
        except yaml.YAMLError as exc:
            return None, [Problem(display, 1, 1, "error", "", f"YAML syntax: {exc}")]
        if node is None:
            return None, [Problem(display, 1, 1, "error", "", "file is empty")]
        if "&" in text or "*" in text:  # only then can the file hold anchors; parse events to be sure
            anchor_problems = _anchor_problems(text, display)
            if anchor_problems:
                return None, anchor_problems
        builder = _Builder(loader, display, raw_text_keys)
        try:
            data = builder.build(node, ())
        except _TooDeep:
            return None, builder.problems
        return YamlDoc(data, text), builder.problems
    finally:
        loader.dispose()


def read_yaml(path: Path, display: str, raw_text_keys: frozenset[str] = frozenset()) -> tuple[YamlDoc | None, list[Problem]]:
    """Read and parse a file, refusing oversized files before reading them whole."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, [Problem(display, 1, 1, "error", "", f"file is {size:,} bytes; a record must be under {MAX_BYTES:,} bytes",
                                  "a paper record is a few hundred bytes: is this the right file?")]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(display, 1, 1, "error", "", f"cannot read file: {exc.strerror or exc}")]
    return parse_yaml(raw, display, raw_text_keys)


def load_plain(path: Path, display: str | None = None) -> Any:
    """Load a project configuration file (taxonomy.yaml, venues.yaml); errors raise with location."""
    display = display or str(path)
    doc, problems = read_yaml(path, display)
    if problems or doc is None:
        raise ConfigError(problems or [Problem(display, 1, 1, "error", "", "cannot read file")])
    return doc


class ConfigError(DataError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.format() for p in problems))
