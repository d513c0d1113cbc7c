"""What a paper record is: the one pydantic model behind validation, the JSON Schema and the docs.

Checks that need the taxonomy or the venue list read them from the validation context
(`Paper.model_validate(data, context={"vocab": vocab})`); without a context the model checks only
the shape of the data.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Callable, Literal, Optional, Union
from urllib.parse import urlsplit

from pydantic import (AfterValidator, BaseModel, ConfigDict, Discriminator, Field, PlainValidator, Tag, ValidationInfo, WithJsonSchema,
                      model_validator)
from pydantic_core import PydanticCustomError

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*-(?:19|20)\d\d$")
ARXIV_RE = re.compile(r"^(?:(\d{2})(0[1-9]|1[0-2])\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/(\d{2})(0[1-9]|1[0-2])\d{3})$")
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9+.\-]*$")
SOURCE_RE = re.compile(r"\b(Table|Tab\.|Figure|Fig\.|Section|Sec\.|Appendix|Algorithm|Eq\.|Equation)\s*[A-Z0-9IVX\"'“‘(]", re.I)
MIN_YEAR = 1950


def _error(kind: str, message: str, hint: str = "", **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, {"hint": hint.format(**ctx) if ctx else hint, **ctx})


def _vocab(info: ValidationInfo) -> Any:
    return (info.context or {}).get("vocab") if info else None


# -- field checks ----------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


def _one_line(value: str) -> str:
    if not value:
        raise _error("empty", "must not be empty")
    if _CONTROL.search(value):
        raise _error("one_line", "must be one line without control characters")
    return value


def _record_id(value: str) -> str:
    if not ID_RE.match(value):
        raise _error("bad_id", "id '{value}' does not follow the id rule",
                     "lowercase words joined by '-' and ending in the year, e.g. 'q-diffusion-2023'", value=value)
    return value


def arxiv_year(arxiv: str) -> int | None:
    m = ARXIV_RE.match(arxiv)
    if not m:
        return None
    yy = int(m.group(1) or m.group(3))
    return (1900 if yy >= 91 else 2000) + yy


def _arxiv(value: str) -> str:
    if not ARXIV_RE.match(value):
        hint = "write the bare id without 'arXiv:', URL or version, e.g. '2206.00927'"
        m = re.search(r"(\d{4}\.\d{4,5})(v\d+)?", value)
        if m:
            hint = f"did you mean '{m.group(1)}'?"
        raise _error("bad_arxiv", "'{value}' is not an arXiv id", hint, value=value)
    return value


def _doi(value: str) -> str:
    if not DOI_RE.match(value):
        hint = "write the bare DOI, e.g. '10.1609/aaai.v38i5.28226'"
        m = re.search(r"10\.\d{4,9}/\S+", value)
        if m:
            hint = f"did you mean '{m.group(0)}'?"
        raise _error("bad_doi", "'{value}' is not a DOI", hint, value=value)
    return value


_PLAIN_URL = re.compile(r"https?://[a-z0-9](?:[a-z0-9.\-]*[a-z0-9])?(?::\d{1,5})?(?:[/?#][^\s\x00-\x1f\x7f]*)?")


def check_url(value: str) -> str:
    if _PLAIN_URL.fullmatch(value):
        return value  # the common shape, which check_url_fully accepts as well (a property test says so)
    return check_url_fully(value)


def check_url_fully(value: str) -> str:
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if not scheme or (scheme not in ("http", "https") and "." in scheme):
        raise _error("url_scheme", "'{value}' has no http(s):// scheme", "write https://{value}", value=value)
    if scheme not in ("http", "https"):
        raise _error("url_scheme", "'{scheme}:' links are not allowed; only http and https",
                     "use the https:// address of the page", scheme=scheme)
    if not parts.hostname or _SPACE_OR_CONTROL.search(value):
        raise _error("bad_url", "'{value}' is not a valid URL", "a link looks like https://host/path, without spaces", value=value)
    return value


def check_year(value: int) -> int:
    if value < MIN_YEAR:
        raise _error("year_range", "year {value} is before {low}", "give the year of the venue", value=value, low=MIN_YEAR)
    if value > dt.date.today().year + 1:
        raise _error("year_range", "year {value} is in the future", "give the year of the venue", value=value)
    return value


def _venue(value: str, info: ValidationInfo) -> str:
    vocab = _vocab(info)
    if vocab is not None and value not in vocab.venues:
        resolved = vocab.venues.resolve(value)
        if resolved and not resolved.corrected:
            hint = f"'{value}' is a spelling of {resolved.name}: write venue: {resolved.name}"
        elif resolved:
            hint = f"did you mean '{resolved.name}'? (or add the venue to venues.yaml)"
        else:
            guess = vocab.venues.suggest(value)
            hint = f"did you mean '{guess}'? (or add the venue to venues.yaml)" if guess else "add the venue to venues.yaml"
        raise _error("unknown_venue", "venue '{value}' is not in venues.yaml", hint, value=value)
    return value


def _category(value: str, info: ValidationInfo) -> str:
    vocab = _vocab(info)
    if vocab is not None and value not in vocab.taxonomy:
        guess = vocab.taxonomy.suggest(value)
        if guess and vocab.taxonomy.resolve_heading(value) == guess:
            hint = f"'{value}' is a heading name; the category id is '{guess}'"
        else:
            hint = f"did you mean '{guess}'?" if guess else "see taxonomy.yaml for the ids"
        raise _error("unknown_category", "category '{value}' is not in taxonomy.yaml", hint, value=value)
    return value


def _facet(name: str) -> Callable[[str, ValidationInfo], str]:
    def check(value: str, info: ValidationInfo) -> str:
        vocab = _vocab(info)
        if vocab is not None:
            allowed = vocab.taxonomy.facet_ids(name)
            if value not in allowed:
                from rapidfuzz import process

                guess = process.extractOne(value, allowed, score_cutoff=60) if allowed else None
                hint = f"did you mean '{guess[0]}'?" if guess else f"one of: {', '.join(allowed)}"
                raise _error(f"unknown_{name}", "'{value}' is not a {facet} in taxonomy.yaml", hint, value=value, facet=name)
        return value

    return check


def _tag(value: str) -> str:
    if not TAG_RE.match(value):
        raise _error("bad_tag", "tag '{value}' must be lowercase words joined by '-'", "e.g. 'text-to-image'", value=value)
    return value


def _unique(values: list) -> list:
    seen = set()
    for v in values:
        if v in seen:
            raise _error("duplicate_item", "'{value}' is listed twice", value=v)
        seen.add(v)
    return values


def _source(value: str) -> str:
    if not SOURCE_RE.search(value):
        raise _error("bad_source", "source '{value}' does not name a table or figure",
                     "say where the number is printed, e.g. 'Table 3' or 'Figure 5'", value=value)
    return value


def _number(value: Any) -> Union[int, float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _error("not_number", "must be a number", "write the figure as printed, without units: value: 4.7, unit: x")
    if isinstance(value, float) and not math.isfinite(value):
        # .nan and .inf are YAML floats; JSON has no such numbers (papers.json would not parse)
        raise _error("not_finite", "{value} is not a finite number", "write the figure as printed", value=value)
    if isinstance(value, int) and abs(value) > 1e300:
        raise _error("too_large", "the number is too large", "write the figure as printed")
    return value


def _none_if_empty(value: Any) -> Any:
    return value or None


Line = Annotated[str, AfterValidator(_one_line)]
Url = Annotated[str, AfterValidator(check_url), Field(json_schema_extra={"format": "uri", "pattern": "^https?://"})]
Number = Annotated[Union[int, float], PlainValidator(_number), WithJsonSchema({"type": "number"})]
_UNIQUE_ITEMS = Field(json_schema_extra={"uniqueItems": True})  # what _unique checks, told to editors


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Links(_Model):
    """Where to read and run the paper. Only http(s) links."""

    paper: Url = Field(description="The paper itself: the venue's page, OpenReview, or the arXiv abstract page.")
    pdf: Optional[Url] = Field(None, description="A direct link to the PDF, when it differs from `paper`.")
    openreview: Optional[Url] = Field(None, description="The paper's OpenReview page, when `paper` points elsewhere.")
    code: Optional[Url] = Field(None, description="The authors' official code repository (not a re-implementation).")
    project: Optional[Url] = Field(None, description="The project page.")
    demo: Optional[Url] = Field(None, description="An online demo.")
    video: Optional[Url] = Field(None, description="A talk or video about the paper.")
    data: Optional[Url] = Field(None, description="Released data or model weights.")


class CodeStats(_Model):
    """A snapshot of the code repository's activity, filled by `effdiff enrich` from GitHub."""

    stars: Annotated[int, Field(strict=True, ge=0)] = Field(description="Stars of the repository when `checked`.")
    last_commit: dt.date = Field(description="Date of the newest commit on the default branch when `checked`.")
    checked: dt.date = Field(description="Date the figures were read from GitHub.")


VERSION_RE = re.compile(r"^v[1-9]\d*$")
COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")
SPEEDUP_BASES = ("latency", "throughput", "flops", "macs", "nfe")


def _benchmark(value: str, info: ValidationInfo) -> str:
    vocab = _vocab(info)
    results = getattr(vocab, "results", None) if vocab is not None else None
    if results is not None and value != "other" and value not in results.benchmarks:
        guess = results.suggest("benchmark", value)
        hint = f"did you mean '{guess}'?" if guess else "use an id of benchmarks.yaml, or 'other' (kept out of leaderboards)"
        raise _error("unknown_benchmark", "benchmark '{value}' is not in benchmarks.yaml", hint, value=value)
    return value


def _base_model(value: str, info: ValidationInfo) -> str:
    vocab = _vocab(info)
    results = getattr(vocab, "results", None) if vocab is not None else None
    if results is not None and value not in results.models:
        guess = results.suggest("model", value)
        hint = f"did you mean '{guess}'?" if guess else "use an id of models.yaml (or add the model there)"
        raise _error("unknown_base_model", "base model '{value}' is not in models.yaml", hint, value=value)
    return value


def _version(value: str) -> str:
    if not VERSION_RE.match(value):
        raise _error("bad_version", "'{value}' is not an arXiv version", "write the version you read, e.g. 'v2'", value=value)
    return value


def _commit(value: str) -> str:
    if not COMMIT_RE.match(value):
        raise _error("bad_commit", "'{value}' is not a full commit hash", "give the 40-character commit you read", value=value)
    return value


class Protocol(_Model):
    """How the row was measured, where it differs from the benchmark's default protocol."""

    steps: Optional[Annotated[int, Field(strict=True, ge=1)]] = Field(None, description="Sampling steps.")
    nfe: Optional[Annotated[int, Field(strict=True, ge=1)]] = Field(None, description="Network function evaluations.")
    sampler: Optional[Line] = Field(None, description="The sampler or solver, as printed (e.g. 'DDIM', 'DPM-Solver++(2M)').")
    guidance: Optional[Literal["none", "cfg", "classifier"]] = Field(
        None, description="Guidance: none, cfg (classifier-free) or classifier; the benchmark's default when left out.")
    cfg_scale: Optional[Number] = Field(None, description="The guidance scale, as printed.")
    samples: Optional[Annotated[int, Field(strict=True, ge=1)]] = Field(None, description="Samples generated for the metrics.")
    reference: Optional[Line] = Field(None, description="The reference statistics the samples are compared with.")
    sampling: Optional[Line] = Field(
        None, description="How the samples' classes or prompts are drawn, where not at random (e.g. 'class-balanced, 50 per class').")
    resolution: Optional[Line] = Field(None, description="Resolution, where the benchmark leaves it open (e.g. '1024x1024').")
    precision: Optional[Line] = Field(None, description="Numeric precision of the run, e.g. fp16, bf16, W8A8.")
    batch: Optional[Annotated[int, Field(strict=True, ge=1)]] = Field(None, description="Batch size of a latency or throughput.")


class Hardware(_Model):
    """The machine a latency or throughput was measured on."""

    gpu: Line = Field(description="The accelerator, as printed, e.g. 'A100 80GB', 'RTX 4090'.")
    count: Optional[Annotated[int, Field(strict=True, ge=1)]] = Field(
        None, description="How many of them, as the paper states; left out when it does not say.")


class Reading(_Model):
    """A value printed in another unit than the metric's (metrics.yaml lists the units it converts)."""

    value: Number = Field(description="The number as printed.")
    unit: Line = Field(description="Its unit as printed, one that metrics.yaml converts (e.g. ms for latency_s).")


# a value as printed in the metric's unit, or {value, unit} in another unit; told apart by shape, so an
# error names one of the two and not both
MetricValue = Annotated[Union[Annotated[Number, Tag("number")], Annotated[Reading, Tag("reading")]],
                        Discriminator(lambda v: "reading" if isinstance(v, (dict, Reading)) else "number")]
METRIC_VALUE_TAGS = ("number", "reading")


class Speedup(_Model):
    """A speed-up against a baseline row, with what it is measured in."""

    value: Number = Field(description="The speed-up as printed (2.8 for 2.8x).")
    basis: Literal["latency", "throughput", "flops", "macs", "nfe"] = Field(
        description="What the speed-up is a ratio of: latency, throughput, flops, macs or nfe.")
    vs: Line = Field(description="The baseline row: the `method` of another result of this paper, or the baseline as printed.")


class Source(_Model):
    """Where the row is printed: a table or figure of the paper (and the arXiv version read), or a file
    of a repository at a commit."""

    table: Optional[Annotated[Line, AfterValidator(_source)]] = Field(
        None, description="The table or figure that prints the row, e.g. 'Table 3'.")
    version: Optional[Annotated[str, AfterValidator(_version)]] = Field(None, description="The arXiv version read, e.g. 'v2'.")
    repository: Optional[Url] = Field(None, description="A repository whose file prints the row (its README's table).")
    commit: Optional[Annotated[str, AfterValidator(_commit)]] = Field(None, description="The commit read (40 hex digits).")
    path: Optional[Line] = Field(None, description="The file of the repository, e.g. README.md.")

    @model_validator(mode="after")
    def _where(self) -> "Source":
        repo = (self.repository, self.commit, self.path)
        if any(repo) and not all(repo):
            raise _error("incomplete_source", "a repository source needs repository, commit and path",
                         "give the repository URL, the 40-character commit and the file's path")
        if not self.table and not any(repo):
            raise _error("no_source", "the source names no table, figure or repository file",
                         "say where the row is printed: table: Table 3 (and version: v2), or repository, commit and path")
        return self


class Result(_Model):
    """One row of a paper's table: a method on a benchmark, with the values of that row."""

    benchmark: Annotated[str, AfterValidator(_benchmark)] = Field(
        description="An id of benchmarks.yaml, or 'other' for a row on none of them (kept out of leaderboards).")
    base_model: Optional[Annotated[str, AfterValidator(_base_model)]] = Field(
        None, description="The pretrained model the method runs on (an id of models.yaml); required for caching, "
        "quantization and other training-free methods.")
    method: Line = Field(description="The row's method label, as printed.")
    role: Literal["proposed", "baseline"] = Field(description="proposed (the paper's method) or baseline.")
    protocol: Optional[Protocol] = Field(None, description="Where the row's protocol differs from the benchmark's default.")
    hardware: Optional[Hardware] = Field(None, description="Required with a latency, throughput or latency-based speed-up.")
    metrics: dict[str, MetricValue] = Field(
        default_factory=dict, description="Metric ids of metrics.yaml and the row's values (several, from the same row).")
    speedup: Optional[Speedup] = Field(None, description="A speed-up against a baseline row, with its basis.")
    source: Source = Field(description="Where the row is printed.")
    reported_in: Optional[Annotated[str, AfterValidator(_record_id)]] = Field(
        None, description="Id of the record whose table `source` names, when it is not this paper's (e.g. a survey).")
    original_source: Optional[Source] = Field(
        None, description="With reported_in: where the original paper prints the number, once checked; only checked rows "
        "enter leaderboards.")
    digitised: Optional[bool] = Field(None, description="true when the values were read off a figure.")
    note: Optional[str] = Field(None, description="What the row's setting says beyond the fields, in a few words.")

    @model_validator(mode="after")
    def _has_values(self) -> "Result":
        if not self.metrics and self.speedup is None:
            raise _error("no_values", "the result has no metrics and no speedup",
                         "give the row's values: metrics: {fid: 3.2, nfe: 10}")
        if self.original_source is not None and not self.reported_in:
            raise _error("original_without_reported_in", "original_source is only for rows taken from another paper (reported_in)",
                         "make original_source the row's source")
        return self


class Paper(_Model):
    """One paper of the catalog: one file `papers/<id>.yaml`."""

    id: Annotated[str, AfterValidator(_record_id)] = Field(
        json_schema_extra={"pattern": ID_RE.pattern},
        description="Permanent id, equal to the file name: the method's short name or the first significant "
        "title words, and the year of the paper's first public version, e.g. 'q-diffusion-2023'.")
    title: Line = Field(description="Full title as published, with the paper's own capitalisation.")
    authors: Annotated[Optional[list[Line]], AfterValidator(_none_if_empty)] = Field(
        None, description="All authors in order, 'First Last'. Leave out rather than guess.")
    venue: Annotated[str, AfterValidator(_venue)] = Field(
        description="Canonical venue name from venues.yaml ('NeurIPS', 'ICLR', ...); 'arXiv' for preprints.")
    # the schema says what it can for editors: the lowest year (the highest asks the clock, so only validate checks it)
    year: Annotated[int, Field(strict=True, json_schema_extra={"minimum": MIN_YEAR}), AfterValidator(check_year)] = Field(
        description="Year of the venue (or of the preprint).")
    arxiv: Optional[Annotated[str, AfterValidator(_arxiv), Field(json_schema_extra={"pattern": ARXIV_RE.pattern})]] = Field(
        None, description="arXiv id without version, e.g. '2206.00927'.")
    doi: Optional[Annotated[str, AfterValidator(_doi), Field(json_schema_extra={"pattern": DOI_RE.pattern})]] = Field(None, description="DOI without resolver prefix, e.g. '10.1609/aaai.v38i5.28226'.")
    links: Links = Field(description="Links to the paper, code and project page.")
    code_stats: Optional[CodeStats] = Field(
        None, description="Stars and last commit of the `links.code` repository (GitHub), with the date they were read.")
    categories: Annotated[list[Annotated[str, AfterValidator(_category)]], Field(min_length=1), AfterValidator(_unique), _UNIQUE_ITEMS] = Field(
        description="Taxonomy node ids from taxonomy.yaml, deepest that fits; several if the survey discusses the paper in several places.")
    modality: Annotated[list[Annotated[str, AfterValidator(_facet("modality"))]], AfterValidator(_unique), _UNIQUE_ITEMS] = Field(
        default_factory=list, description="What the model generates: ids from the `modality` facet of taxonomy.yaml.")
    strategies: Annotated[list[Annotated[str, AfterValidator(_facet("strategies"))]], AfterValidator(_unique), _UNIQUE_ITEMS] = Field(
        default_factory=list, description="Strategies of the vision survey (EDS and EPS ids from taxonomy.yaml).")
    tags: Annotated[list[Annotated[str, AfterValidator(_tag)]], AfterValidator(_unique), _UNIQUE_ITEMS] = Field(
        default_factory=list, description="Free keywords, lowercase and hyphenated, e.g. 'text-to-image'.")
    added: dt.date = Field(description="Date the record was added to the catalog (YYYY-MM-DD).")
    notes: Optional[str] = Field(None, description="A short note in our own words (never the abstract).")
    results: list[Result] = Field(default_factory=list, description="Rows of the paper's tables: benchmark, method, metrics, source.")


FIELD_ORDER = list(Paper.model_fields)
RAW_TEXT_FIELDS = frozenset({"id", "title", "venue", "arxiv", "doi", "notes"})


class FrameworkLinks(_Model):
    code: Url = Field(description="The framework's repository.")
    docs: Optional[Url] = Field(None, description="Its documentation.")
    project: Optional[Url] = Field(None, description="Its home page.")


class Framework(_Model):
    """A library or engine for efficient diffusion (frameworks.yaml)."""

    name: Line = Field(description="The framework's name.")
    links: FrameworkLinks = Field(description="Its repository, documentation and home page.")
    training: bool = Field(description="Serves efficient training.")
    fine_tuning: Optional[bool] = Field(None, description="Serves efficient fine-tuning (unknown when left out).")
    inference: bool = Field(description="Serves efficient inference.")
    features: Optional[Line] = Field(None, description="Key features, one line in our own words.")
    listed_in: list[Line] = Field(default_factory=list, description="Which versions of the survey's list name it.")
    notes: Optional[str] = Field(None, description="Caveats in our own words (e.g. development paused).")


class FrameworkList(_Model):
    frameworks: list[Framework] = Field(description="Every framework, in the order the lists give them.")
