"""The survey's taxonomy (taxonomy.yaml): nodes, aliases and facet vocabularies."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from rapidfuzz import fuzz, process

from .problems import Problem
from .text import normalize_heading, normalize_title
from .yamlsrc import ConfigError, load_plain

# The node whose entries are frameworks.yaml's libraries and engines, not paper records.
FRAMEWORKS = "frameworks"
# Nodes that hold no paper records: a paper that presents a framework is filed on the leaf of its technique.
NOT_FOR_PAPERS = (FRAMEWORKS,)


# '... for Diffusion Models', '... in diffusion', '... of DiTs': the field a heading adds after a node's name
FIELD_SUFFIX = re.compile(r" (for|of|in|on) (efficient )?(latent |video |text to image )?"
                          r"(diffusion|dit|dits)( models?| transformers?| llms?| language models?)?$")


@dataclass
class Node:
    id: str
    title: str
    section: str
    description: str
    aliases: list[str] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)
    parent: "Node | None" = field(default=None, repr=False)
    extends_survey: bool = False  # a node the catalog adds; the survey has no such part
    keywords: list[str] = field(default_factory=list)  # phrases that find its papers (effdiff discover, the classifier)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def takes_papers(self) -> bool:
        """Whether paper records may be filed here (every node but the frameworks list)."""
        return self.id not in NOT_FOR_PAPERS

    @property
    def depth(self) -> int:
        return self.id.count(".")

    def ancestors(self) -> list["Node"]:
        out, node = [], self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out[::-1]

    def walk(self) -> Iterator["Node"]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Facet:
    id: str
    title: str
    family: str = ""
    axis: str = ""


class Taxonomy:
    def __init__(self, roots: list[Node], facets: dict[str, list[Facet]]):
        self.roots = roots
        self.facets = facets
        self.nodes: dict[str, Node] = {n.id: n for root in roots for n in root.walk()}
        self._aliases: dict[str, str] = {}
        for node in self.nodes.values():
            for name in [node.title, node.id.rsplit(".", 1)[-1].replace("_", " "), *node.aliases]:
                self._aliases.setdefault(normalize_heading(name), node.id)

    @classmethod
    def load(cls, path: Path) -> "Taxonomy":
        doc = load_plain(path, path.name)
        data = doc.data if isinstance(doc.data, dict) else {}
        problems: list[Problem] = []
        seen: set[str] = set()
        keyword_owner: dict[str, str] = {}  # normalized keyword -> the node that has it

        def build(raw: dict, parent: Node | None, loc: tuple) -> Node | None:
            line, col = doc.where(loc)
            missing = [k for k in ("id", "title", "description") if not isinstance(raw.get(k), str)]
            if missing:
                problems.append(Problem(path.name, line, col, "error", ".".join(map(str, loc)), f"node lacks {', '.join(missing)}"))
                return None
            expected_prefix = f"{parent.id}." if parent else ""
            if not raw["id"].startswith(expected_prefix) or raw["id"] in seen:
                problems.append(Problem(path.name, line, col, "error", "id",
                                        f"node id '{raw['id']}' must be unique and start with '{expected_prefix}'"))
            seen.add(raw["id"])
            extends = raw.get("extends_survey", False)
            if not isinstance(extends, bool):
                problems.append(Problem(path.name, line, col, "error", "extends_survey", "extends_survey must be true or false"))
                extends = False
            keywords = _keywords(raw.get("keywords"), doc.where(loc + ("keywords",)), keyword_owner, raw["id"], problems, path.name)
            node = Node(raw["id"], raw["title"], str(raw.get("section") or ""), raw["description"],
                        list(raw.get("aliases") or []), [], parent, extends, keywords)
            for i, child in enumerate(raw.get("children") or []):
                built = build(child, node, loc + ("children", i))
                if built:
                    node.children.append(built)
            return node

        roots = [n for i, raw in enumerate(data.get("nodes") or []) if (n := build(raw, None, ("nodes", i)))]
        if problems:
            raise ConfigError(problems)
        facets = {
            name: [Facet(str(v["id"]), str(v.get("title", v["id"])), str(v.get("family", "")), str(v.get("axis", ""))) for v in values]
            for name, values in (data.get("facets") or {}).items()
        }
        return cls(roots, facets)

    # -- queries -----------------------------------------------------------------------------

    def keywords(self) -> list[tuple[str, str]]:
        """(keyword, node id) for every node's keywords, in the survey's order."""
        return [(k, n.id) for n in self.ordered() for k in n.keywords]

    def __contains__(self, node_id: str) -> bool:
        return node_id in self.nodes

    def __getitem__(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def ordered(self) -> list[Node]:
        """All nodes in the survey's order (depth first)."""
        return [n for root in self.roots for n in root.walk()]

    def facet_ids(self, name: str) -> list[str]:
        return [f.id for f in self.facets.get(name, [])]

    def resolve_heading(self, heading: str) -> str | None:
        """Map a list heading ('Noise Schedule', '🔢 Algorithm-Level Optimization') to a node id. A heading
        that names the field after the node ('Quantization for Diffusion Models', 'Efficient Sampling of
        Diffusion Models') is read as the node."""
        key = normalize_heading(heading)
        found = self._aliases.get(key)
        if found is None:
            short = FIELD_SUFFIX.sub("", key)
            found = self._aliases.get(short) if short != key else None
        return found

    def near_heading(self, heading: str) -> tuple[str, str] | None:
        """(node id, the heading it was read as) for a misspelt heading ('Post-Traning-Quantization'):
        the one name of a node within a typo or two, clearly nearer than any other node's name."""
        key = normalize_heading(heading)
        if len(key) < NEAR_MIN_CHARS:
            return None
        found = process.extract(key, list(self._aliases), scorer=fuzz.ratio, score_cutoff=NEAR_HEADING, limit=None)
        if not found:
            return None
        best, score, _ = found[0]
        node = self._aliases[best]
        rivals = [s for name, s, _ in found[1:] if self._aliases[name] != node]
        if rivals and score - rivals[0] < NEAR_MARGIN:
            return None
        return node, best

    def suggest(self, value: str) -> str | None:
        """A hint for a category that is not an id: an old heading, a bare leaf name, or a near miss."""
        resolved = self.resolve_heading(value)
        if resolved is None and "." in value:
            resolved = self.resolve_heading(value.rsplit(".", 1)[-1])
        if resolved:
            return resolved
        # compare the whole id, and the last segment with every name a node goes by
        whole = process.extractOne(value, list(self.nodes), scorer=fuzz.ratio, score_cutoff=75)
        last = normalize_heading(value.rsplit(".", 1)[-1])
        part = process.extractOne(last, list(self._aliases), scorer=fuzz.ratio, score_cutoff=75)
        best = max((m for m in (whole and (whole[1], whole[0]), part and (part[1], self._aliases[part[0]])) if m), default=None)
        return best[1] if best else None


# a heading a typo away from a node's name ('post traning quantization'); the closest names of two
# different nodes ('sde solver' / 'ode solver') score 90, so a near match needs more, and a clear lead
NEAR_HEADING, NEAR_MARGIN, NEAR_MIN_CHARS = 92, 5, 10

_KEYWORD_CHARS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .+\-]*$")


def _keywords(raw: object, where: tuple[int, int], owner: dict[str, str], node_id: str, problems: list[Problem],
              file: str) -> list[str]:
    """A node's `keywords`: a list of short phrases, each on one node only. They become quoted
    phrases of arXiv API queries, so letters, digits, spaces, '.', '+' and '-' only."""
    if raw is None:
        return []
    line, col = where
    if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
        problems.append(Problem(file, line, col, "error", "keywords", f"{node_id}: keywords must be a list of phrases"))
        return []
    out = []
    for k in raw:
        phrase = " ".join(k.split())
        key = normalize_title(phrase)
        if not key or not _KEYWORD_CHARS.match(phrase) or len(phrase) > 60:
            problems.append(Problem(file, line, col, "error", "keywords",
                                    f"{node_id}: keyword {k!r} must be a phrase of letters, digits, spaces, '.', '+' or '-' (at most 60 characters)"))
        elif key in owner:
            problems.append(Problem(file, line, col, "error", "keywords",
                                    f"{node_id}: keyword {k!r} is also a keyword of {owner[key]}; a keyword names one node"))
        else:
            owner[key] = node_id
            out.append(phrase)
    return out
