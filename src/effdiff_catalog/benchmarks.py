"""The vocabularies of structured results: benchmarks.yaml, metrics.yaml and models.yaml.

Each is a controlled list at the top of the repository, checked like venues.yaml: a broken entry is a
ConfigError that names the file, line and column. A catalog without these files has empty lists (no
result can then name a benchmark, a metric or a base model).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from rapidfuzz import fuzz, process

from .problems import Problem
from .yamlsrc import ConfigError, YamlDoc, dotted, load_plain

if TYPE_CHECKING:
    from .taxonomy import Taxonomy

BENCHMARKS_FILE = "benchmarks.yaml"
METRICS_FILE = "metrics.yaml"
MODELS_FILE = "models.yaml"
OTHER = "other"  # the benchmark of a row that is on none of the list's, or cannot be established

VOCAB_ID_RE = re.compile(r"^[a-z0-9]+(?:[a-z0-9.]*[a-z0-9])?(?:[-_][a-z0-9]+(?:[a-z0-9.]*[a-z0-9])?)*$")

Direction = Literal["lower", "higher"]
MetricKind = Literal["quality", "fidelity", "cost", "speedup"]
Conditioning = Literal["none", "class", "text", "image", "segmentation"]
Modality = Literal["image", "video", "text"]
Guidance = Literal["none", "cfg", "classifier"]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str

    @field_validator("id", check_fields=False)
    @classmethod
    def _id(cls, value: str) -> str:
        if not VOCAB_ID_RE.match(value) or value == OTHER:
            raise ValueError(f"id '{value}' must be lowercase words joined by '-' or '_' (and not '{OTHER}')")
        return value


class Metric(_Entry):
    """One metric of metrics.yaml."""

    id: str = Field(description="What records write, e.g. 'fid', 'latency_s'.")
    label: str = Field(description="How tables and plots name it.")
    unit: str = Field(description="The unit values are stored in ('' for a pure number).")
    direction: Direction = Field(description="Which is better: lower or higher.")
    kind: MetricKind = Field(description="quality, fidelity, cost or speedup.")
    min: Optional[float] = Field(None, description="The smallest value allowed.")
    max: Optional[float] = Field(None, description="The largest value allowed.")
    log: bool = Field(False, description="Plot on a log axis.")
    reference: bool = Field(False, description="A sample statistic: samples and reference statistics matter.")
    hardware: bool = Field(False, description="Depends on the machine: needs hardware, compares on one GPU only.")
    units: dict[str, float] = Field(default_factory=dict, description="Other units and the factor to `unit`.")

    @property
    def lower_is_better(self) -> bool:
        return self.direction == "lower"

    def to_unit(self, value: float, unit: str | None) -> float:
        """The value in this metric's unit (unit None or equal to `unit`: as it is)."""
        if unit is None or unit == self.unit:
            return value
        return value * self.units[unit]

    def allowed_units(self) -> list[str]:
        return [self.unit, *self.units]


class Protocol(BaseModel):
    """The default protocol of a benchmark."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    samples: Optional[int] = Field(None, description="Samples generated for the metric.")
    reference: Optional[str] = Field(None, description="The reference statistics they are compared with.")
    guidance: Optional[Guidance] = Field(None, description="none, cfg or classifier.")


class Benchmark(_Entry):
    """One benchmark of benchmarks.yaml."""

    id: str
    title: str
    task: str
    dataset: str
    split: str
    resolution: str
    conditioning: Conditioning
    modality: Modality
    protocol: Protocol = Field(default_factory=lambda: Protocol.model_validate({}))
    quality: str = Field(description="The main quality metric, an id of metrics.yaml.")
    featured: bool = False


class BaseModelEntry(_Entry):
    """One base model of models.yaml."""

    id: str
    name: str
    modality: Modality
    conditioning: Literal["none", "class", "text", "image"]
    paper: Optional[str] = None


@dataclass
class ResultVocab:
    """What results are checked against."""

    benchmarks: dict[str, Benchmark] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)
    models: dict[str, BaseModelEntry] = field(default_factory=dict)
    required_for: tuple[str, ...] = ()

    def needs_base_model(self, categories: list[str]) -> bool:
        """Whether a paper filed under these nodes must name the base model of its results.

        Judged by the main node (the first), the one whose method the results measure: a paper that
        trains a model (main node under efficient training) and names caching as a second place
        reports results of its own model, not of a pretrained one it accelerates."""
        main = categories[0] if categories else None
        return main is not None and any(main == node or main.startswith(node + ".") for node in self.required_for)

    def suggest(self, kind: str, value: str) -> str | None:
        """'did you mean' for an unknown benchmark, metric or model id."""
        ids = {"benchmark": [*self.benchmarks, OTHER], "metric": list(self.metrics), "model": list(self.models)}[kind]
        if not ids:
            return None
        # short ids ('fid', 'nfe') are told apart by the plain ratio; long ones by the weighted one
        match = process.extractOne(value, ids, scorer=fuzz.ratio, score_cutoff=60) or process.extractOne(
            value, ids, scorer=fuzz.WRatio, score_cutoff=70)
        return match[0] if match else None


def _entries(doc: YamlDoc, display: str, key: str, model: type[_Entry], problems: list[Problem]) -> list[Any]:
    raw = doc.data.get(key) if isinstance(doc.data, dict) else None
    if not isinstance(raw, list):
        problems.append(Problem(display, *doc.where(()), "error", key, f"{display} needs a '{key}' list"))
        return []
    out: list[_Entry] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(raw):
        try:
            entry = model.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = (key, i, *err["loc"])
                extra = err["type"] == "extra_forbidden"
                message = f"unknown field '{loc[-1]}'" if extra else (
                    f"required field '{loc[-1]}' is missing" if err["type"] == "missing" else err["msg"])
                problems.append(Problem(display, *doc.where(loc if not err["type"] == "missing" else loc[:-1], key=extra),
                                        "error", dotted(loc), message))
            continue
        entry_id = entry.id
        if entry_id in seen:
            problems.append(Problem(display, *doc.where((key, i, "id")), "error", f"{key}[{i}].id",
                                    f"id '{entry_id}' is listed twice (first as {key}[{seen[entry_id]}])"))
            continue
        seen[entry_id] = i
        out.append(entry)
    return out


def load_result_vocab(root: Path, taxonomy: "Taxonomy | None" = None) -> ResultVocab:
    """benchmarks.yaml, metrics.yaml and models.yaml of a catalog root (those that exist), checked
    against each other and the taxonomy; ConfigError with every problem located."""
    problems: list[Problem] = []
    vocab = ResultVocab()
    docs: dict[str, YamlDoc] = {}
    for name in (METRICS_FILE, BENCHMARKS_FILE, MODELS_FILE):
        path = root / name
        if path.exists():
            docs[name] = load_plain(path, name)
    if METRICS_FILE in docs:
        vocab.metrics = {m.id: m for m in _entries(docs[METRICS_FILE], METRICS_FILE, "metrics", Metric, problems)}
    if BENCHMARKS_FILE in docs:
        doc = docs[BENCHMARKS_FILE]
        for i, bench in enumerate(_entries(doc, BENCHMARKS_FILE, "benchmarks", Benchmark, problems)):
            metric = vocab.metrics.get(bench.quality)
            if metric is None or metric.kind not in ("quality", "fidelity"):
                problems.append(Problem(BENCHMARKS_FILE, *doc.where(("benchmarks", i, "quality")), "error",
                                        f"benchmarks[{i}].quality",
                                        f"'{bench.quality}' is not a quality metric of {METRICS_FILE}"))
            vocab.benchmarks[bench.id] = bench
    if MODELS_FILE in docs:
        doc = docs[MODELS_FILE]
        vocab.models = {m.id: m for m in _entries(doc, MODELS_FILE, "models", BaseModelEntry, problems)}
        required = doc.data.get("required_for") if isinstance(doc.data, dict) else None
        for i, node in enumerate(required or []):
            if not isinstance(node, str) or (taxonomy is not None and node not in taxonomy):
                problems.append(Problem(MODELS_FILE, *doc.where(("required_for", i)), "error", f"required_for[{i}]",
                                        f"'{node}' is not a node of taxonomy.yaml"))
        vocab.required_for = tuple(n for n in (required or []) if isinstance(n, str))
    if problems:
        raise ConfigError(problems)
    return vocab
