"""The checks of the catalog's data: one record against the schema, the taxonomy and the venues;
across records (duplicates, cross-references); frameworks.yaml. Catalog.load runs them."""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from itertools import chain
from typing import Any

from pydantic import BaseModel, ValidationError
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from .model import ID_RE, METRIC_VALUE_TAGS, CodeStats, Framework, FrameworkLinks, Hardware, Links, Paper, Protocol, Reading, Result, Source, Speedup, arxiv_year
from .problems import Problem
from .text import normalize_title
from .urls import url_key
from .vocab import Vocab
from .yamlsrc import YamlDoc, dotted

# which model describes the mapping found at a location, for "unknown field" hints
_NESTED: dict[str, type[BaseModel]] = {"links": Links, "code_stats": CodeStats, "results": Result}
# the models nested in a result, by field name
_IN_RESULT: dict[str, type[BaseModel]] = {"protocol": Protocol, "hardware": Hardware, "speedup": Speedup, "source": Source,
                                          "original_source": Source}




def _model_at(root_model: type[BaseModel], loc: tuple) -> type[BaseModel]:
    model = root_model
    for part in loc:
        if isinstance(part, str) and part in _NESTED and model in (Paper,):
            model = _NESTED[part]
        elif isinstance(part, str) and model is Result and part in _IN_RESULT:
            model = _IN_RESULT[part]
        elif isinstance(part, str) and model is Result and part == "metrics":
            model = Reading
        elif isinstance(part, str) and model is Framework and part == "links":
            model = FrameworkLinks
    return model


def pydantic_problems(exc: ValidationError, doc: YamlDoc, display: str, root_model: type[BaseModel] = Paper,
                      prefix: tuple = ()) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = prefix + tuple(err["loc"])
        # a metric value's union tag ('number', 'reading') is no field of the file
        loc = tuple(p for i, p in enumerate(loc) if not (p in METRIC_VALUE_TAGS and i >= 2 and loc[i - 2] == "metrics"))
        kind = err["type"]
        ctx = err.get("ctx") or {}
        hint = str(ctx.get("hint") or "")
        field = dotted(loc)
        if kind == "extra_forbidden":
            name = loc[-1]
            line, col = doc.where(loc, key=True)
            fields = list(_model_at(root_model, err["loc"][:-1]).model_fields)
            guess = process.extractOne(str(name), fields, scorer=fuzz.ratio, score_cutoff=60)
            hint = f"did you mean '{guess[0]}'?" if guess else f"allowed fields: {', '.join(fields)}"
            message = f"unknown field '{name}'"
        elif kind == "missing":
            line, col = doc.where(loc[:-1])
            message = f"required field '{loc[-1]}' is missing"
            model = _model_at(root_model, err["loc"][:-1])
            info = model.model_fields.get(str(loc[-1]))
            if info is not None and info.description:
                hint = info.description
        else:
            line, col = doc.where(loc)
            message = err["msg"]
            if kind in ("int_type", "string_type", "list_type", "bool_type", "date_type", "date_from_datetime_parsing",
                        "date_parsing", "model_type", "dict_type", "model_attributes_type"):
                message = f"{message}, got {type(err.get('input')).__name__} {_short(err.get('input'))}"
        problems.append(Problem(display, line, col, "error", field, message, hint))
    return problems


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def check_record(doc: YamlDoc, display: str, stem: str, vocab: Vocab) -> tuple[Paper | None, list[Problem]]:
    """Validate one parsed file. Returns the paper when it has no error."""
    if not isinstance(doc.data, dict):
        return None, [Problem(display, *doc.where(()), "error", "", "a record must be a mapping of fields (title: ..., venue: ...)")]
    problems: list[Problem] = []
    paper = None
    try:
        paper = Paper.model_validate(doc.data, context={"vocab": vocab})
    except ValidationError as exc:
        problems.extend(pydantic_problems(exc, doc, display))
    data = doc.data
    record_id = data.get("id")
    if isinstance(record_id, str) and record_id != stem and ID_RE.match(record_id):
        problems.append(Problem(display, *doc.where(("id",)), "error", "id",
                                f"id '{record_id}' differs from the file name '{stem}'",
                                f"rename the file to {record_id}.yaml or set id: {stem}"))
    problems.extend(_semantic_problems(data, doc, display, vocab))
    return (paper if not any(p.severity == "error" for p in problems) else None), problems


def _semantic_problems(data: dict, doc: YamlDoc, display: str, vocab: Vocab) -> list[Problem]:
    """Checks that involve several fields; they run on the raw data so they report even when other fields fail."""
    out = []
    venue, year, arxiv = data.get("venue"), data.get("year"), data.get("arxiv")
    if venue == "arXiv" and not arxiv:
        out.append(Problem(display, *doc.where(("venue",)), "error", "arxiv", "a preprint (venue: arXiv) needs its arxiv id",
                           "add arxiv: 'YYMM.NNNNN' from the paper's arXiv page"))
    if isinstance(arxiv, str) and isinstance(year, int) and not isinstance(year, bool):
        first = arxiv_year(arxiv)
        if first is not None:
            if venue == "arXiv" and year != first:
                out.append(Problem(display, *doc.where(("year",)), "warning", "year",
                                   f"year {year} contradicts arXiv id {arxiv} (posted in {first})",
                                   f"a preprint's year is the year of its arXiv id: year: {first}"))
            elif venue != "arXiv" and (year < first - 1 or year > first + 3):
                out.append(Problem(display, *doc.where(("year",)), "warning", "year",
                                   f"year {year} is far from arXiv id {arxiv} (posted in {first})",
                                   "check the venue year on the proceedings page"))
    categories = data.get("categories")
    if isinstance(categories, list):
        for i, cat in enumerate(categories):
            if not isinstance(cat, str) or cat not in vocab.taxonomy:
                continue  # the schema check reports it
            node = vocab.taxonomy[cat]
            if not node.takes_papers:
                out.append(Problem(display, *doc.where(("categories", i)), "error", f"categories[{i}]",
                                   f"'{cat}' lists the libraries of frameworks.yaml, not papers",
                                   "file the paper on the leaf of the technique it packages (e.g. system.parallel_computing, "
                                   "system.caching) and add the framework itself to frameworks.yaml"))
            elif not node.is_leaf:
                children = ", ".join(c.id.rsplit(".", 1)[-1] for c in node.children)
                out.append(Problem(display, *doc.where(("categories", i)), "warning", f"categories[{i}]",
                                   f"'{cat}' is an inner node of the taxonomy",
                                   f"move the paper to the sub-node that fits: {children}"))
    out.extend(result_problems(data, doc, display, vocab))
    if "authors" not in data or not data.get("authors"):
        out.append(Problem(display, *doc.where(("title",)), "warning", "authors", "record has no authors yet",
                           "add all authors in order from the paper's page"))
    return out


OLD_RESULT_FIELDS = {"metric", "value", "unit", "setting", "baseline", "model"}


# A method label that begins with "Ours" or "Proposed" (the table's word for "this paper's method") says
# nothing once the row is read beside other papers' rows: the label must begin with the method's name.
UNNAMED_METHOD = re.compile(r"(?i)\s*(ours|our (method|model|approach)|(the )?proposed( method)?)\b")


def result_problems(data: dict, doc: YamlDoc, display: str, vocab: Vocab) -> list[Problem]:
    """The checks of results that need metrics.yaml and models.yaml: metric ids (with did-you-mean),
    units, value ranges, hardware with every latency and throughput, and the base model of
    training-free methods. On the raw data, so each problem points at its line."""
    results = data.get("results")
    rv = getattr(vocab, "results", None)
    if not isinstance(results, list) or rv is None:
        return []
    categories = [c for c in data.get("categories") or [] if isinstance(c, str)] if isinstance(data.get("categories"), list) else []
    needs_base = rv.needs_base_model(categories)
    out: list[Problem] = []

    def problem(loc: tuple, message: str, hint: str = "", key: bool = False) -> None:
        out.append(Problem(display, *doc.where(loc, key=key), "error", dotted(loc), message, hint))

    for i, row in enumerate(results):
        if not isinstance(row, dict):
            continue
        at = ("results", i)
        old = sorted(OLD_RESULT_FIELDS & set(row))
        if old and "metrics" not in row:
            problem(at + (old[0],), "this result is in the old free-text form (metric, value, setting)",
                    "write one row of the table: benchmark, method, role, metrics: {fid: ..., nfe: ...}, source: {table: ...}"
                    " (CONTRIBUTING.md, 'Results')", key=True)
            continue
        method = row.get("method")
        if isinstance(method, str) and UNNAMED_METHOD.match(method):
            problem(at + ("method",), f"'{method}' does not say which method the row is: on a leaderboard beside "
                    "other papers' rows it names nothing",
                    "begin with the method's name and keep the paper's word, e.g. 'DeepCache (Ours), N=5'")
        hardware = isinstance(row.get("hardware"), dict)
        metrics = row.get("metrics")
        for name, raw in (metrics.items() if isinstance(metrics, dict) else ()):
            loc = at + ("metrics", name)
            metric = rv.metrics.get(name)
            if name == "speedup":
                problem(loc, "a speed-up is not a metric of the row", "write speedup: {value: 2.8, basis: latency, vs: BASELINE}", key=True)
                continue
            if metric is None:
                guess = rv.suggest("metric", str(name))
                problem(loc, f"metric '{name}' is not in metrics.yaml",
                        f"did you mean '{guess}'?" if guess else "use an id of metrics.yaml (or add the metric there)", key=True)
                continue
            value, unit = (raw.get("value"), raw.get("unit")) if isinstance(raw, dict) else (raw, None)
            if unit is not None and unit not in metric.allowed_units():
                problem(loc + ("unit",), f"{metric.label} is not given in '{unit}'",
                        f"units of {name}: {', '.join(repr(u) for u in metric.allowed_units())}")
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                canonical = metric.to_unit(value, unit)
                unit_text = f" {metric.unit}" if metric.unit else ""
                if metric.min is not None and canonical < metric.min:
                    problem(loc, f"{metric.label} {canonical:g}{unit_text} is below {metric.min:g}",
                            "check the value and its unit in the table")
                elif metric.max is not None and canonical > metric.max:
                    problem(loc, f"{metric.label} {canonical:g}{unit_text} is above {metric.max:g}",
                            "check the value and its unit in the table"
                            + (" (a 0-1 value: write {value: V, unit: fraction})" if "fraction" in metric.units else ""))
            if metric.hardware and not hardware:
                problem(loc, f"a {metric.label.lower()} needs the hardware it was measured on",
                        "add hardware: {gpu: A100, count: 1} as the paper states it", key=True)
        speedup = row.get("speedup")
        if isinstance(speedup, dict) and speedup.get("basis") in ("latency", "throughput") and not hardware:
            problem(at + ("speedup", "basis"), f"a {speedup['basis']}-based speed-up needs the hardware it was measured on",
                    "add hardware: {gpu: A100, count: 1} as the paper states it")
        if needs_base and row.get("role") == "proposed" and row.get("benchmark") not in (None, "other") and not row.get("base_model"):
            problem(at + ("benchmark",), "this paper's method runs on a pretrained model: the result needs base_model",
                    "add base_model: an id of models.yaml (e.g. sd-1.5, flux-1-dev, dit-xl-2)")
    return out


def check_cross_references(papers: dict[str, Paper], locations: dict[str, tuple[str, YamlDoc]]) -> list[Problem]:
    out = []
    for pid, paper in papers.items():
        display, doc = locations[pid]
        for i, result in enumerate(paper.results):
            if result.reported_in and result.reported_in not in papers:
                out.append(Problem(display, *doc.where(("results", i, "reported_in")), "error", f"results[{i}].reported_in",
                                   f"no record with id '{result.reported_in}'", "give the id of the record that reports the figure"))
            if result.reported_in == pid:
                out.append(Problem(display, *doc.where(("results", i, "reported_in")), "error", f"results[{i}].reported_in",
                                   "reported_in names this record itself", "leave reported_in out for the paper's own tables"))
    return out


def duplicate_problems(records: list[tuple[str, YamlDoc]]) -> list[Problem]:
    """The same paper in two files: same arXiv id, DOI, paper URL or normalized title (errors);
    near-equal titles (ratio >= 95) are warnings naming both files.

    The error goes to the record added later (by `added`), which is the copy; when both were added
    the same day neither can be told to be the original, so both files get it, each naming the other."""
    out: list[Problem] = []
    seen: dict[tuple[str, str], tuple[str, YamlDoc, tuple, object]] = {}
    pairs: set[tuple[str, str]] = set()
    titles: list[tuple[str, str, YamlDoc]] = []

    def report(display: str, doc: YamlDoc, loc: tuple, label: str, other: str, both: bool) -> None:
        hint = ("keep the record that was there first, merge what the other adds into it, and delete the other"
                if both else f"merge what this record adds into {other} and delete this file")
        out.append(Problem(display, *doc.where(loc), "error", dotted(loc),
                           f"same {label} as {other}: this paper is already in the catalog", hint))

    for display, doc in records:
        data = doc.data if isinstance(doc.data, dict) else {}
        raw_links = data.get("links")
        links = raw_links if isinstance(raw_links, dict) else {}
        title_key = normalize_title(data["title"]) if isinstance(data.get("title"), str) else None
        added = data.get("added")
        doi = data.get("doi")
        keys = [
            ("arxiv", "arXiv id", data.get("arxiv"), ("arxiv",)),
            ("doi", "DOI", doi.lower() if isinstance(doi, str) else None, ("doi",)),
            ("url", "paper URL", url_key(links["paper"]) if isinstance(links.get("paper"), str) else None, ("links", "paper")),
            ("title", "title", title_key, ("title",)),
        ]
        for kind, label, value, loc in keys:
            if not isinstance(value, str) or not value:
                continue
            first = seen.get((kind, value))
            if first is None:
                seen[(kind, value)] = (display, doc, loc, added)
                continue
            other, other_doc, other_loc, other_added = first
            if other == display or (other, display) in pairs:
                continue
            pairs.add((other, display))
            try:
                order = (added > other_added) - (added < other_added)  # type: ignore[operator]  # YAML values: see except
            except TypeError:
                order = 0
            if order >= 0:
                report(display, doc, loc, label, other, both=order == 0)
            if order <= 0:
                report(other, other_doc, other_loc, label, display, both=order == 0)
        if title_key is not None:
            titles.append((title_key, display, doc))
    out.extend(_near_titles(titles, {p.path for p in out}))
    return out


def _near_titles(titles: list[tuple[str, str, YamlDoc]], already: set[str]) -> list[Problem]:
    """Near-equal titles (near_title_pairs), a warning on the second file of each pair."""
    out = []
    for a, b, score in near_title_pairs([title for title, _, _ in titles]):
        _, da, doc_a = titles[a]
        _, db, doc_b = titles[b]
        if da == db:
            continue
        first, second, doc = (da, db, doc_b) if da < db else (db, da, doc_a)
        out.append(Problem(second, *doc.where(("title",)), "warning", "title",
                           f"title is nearly the same as in {first} (similarity {score:.0f}%)",
                           "if both are the same paper, merge them; otherwise ignore this warning"))
    return out


NEAR_RATIO = 95.0
SMALL_BLOCK = 64  # blocks up to this size compare every pair
_Q = 3  # characters per gram of the index of a large block


def near_title_pairs(titles: list[str]) -> list[tuple[int, int, float]]:
    """(i, j, ratio), i < j, for the pairs of different normalized titles whose fuzz.ratio is
    NEAR_RATIO or more, among the pairs that share their first or their last three words (a
    near-duplicate differs in a few characters, so it keeps at least one of the two ends).

    Those blocks are small in a real catalog, and their pairs are compared one by one; a large block
    (thousands of titles sharing one ending) gets the same answer through an index (_block_pairs),
    so neither time nor memory grows with the square of the block."""
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, title in enumerate(titles):
        words = title.split()
        blocks[("head", " ".join(words[:3]))].append(i)
        blocks[("tail", " ".join(words[-3:]))].append(i)
    found: dict[tuple[int, int], float] = {}
    for members in blocks.values():
        if len(members) <= SMALL_BLOCK:
            for x, a in enumerate(members):
                ta = titles[a]
                for b in members[x + 1:]:
                    tb = titles[b]
                    if ta != tb and (a, b) not in found:  # equal titles are errors, reported elsewhere
                        score = fuzz.ratio(ta, tb, score_cutoff=NEAR_RATIO)
                        if score:
                            found[(a, b)] = score
        else:
            for x, y, score in _block_pairs([titles[i] for i in members]):
                found[(members[x], members[y])] = score
    return sorted((a, b, score) for (a, b), score in found.items())


def _block_pairs(titles: list[str]) -> list[tuple[int, int, float]]:
    """What comparing every pair of a block gives (i < j, different titles, ratio >= NEAR_RATIO),
    through an index of the titles' grams.

    The beginning and the ending that every title of the block shares are cut off first: an affix
    both titles have changes no distance. A ratio of 95 then allows at most tau = 5% of both
    (whole) lengths in insertions and deletions; each destroys at most _Q of a title's grams, so
    such titles share at least len(grams) - _Q * tau grams, and (prefix filter) one of their
    _Q * tau + 1 rarest grams: only titles that do are compared. A title too short for that is
    compared with every title of a near length, in rapidfuzz's C loop."""
    head = len(os.path.commonprefix(titles))
    tail = min(len(os.path.commonprefix([t[::-1] for t in titles])), min(map(len, titles)) - head)
    cores = [t[head:len(t) - tail] for t in titles]
    fulls = [len(t) for t in titles]
    grams = [_grams(core) for core in cores]
    df: Counter[str] = Counter()
    for g in grams:
        df.update(g)
    rarity = {gram: rank for rank, gram in enumerate(sorted(df, key=lambda gram: (df[gram], gram)))}.__getitem__
    index: dict[str, list[int]] = defaultdict(list)  # gram -> titles whose prefix has it
    short: dict[int, list[int]] = defaultdict(list)  # length -> titles too short for the filter
    by_length: dict[int, list[int]] = defaultdict(list)  # length -> titles
    cores_by_length: dict[int, list[str]] = defaultdict(list)  # their cores
    found = []
    for p, core in enumerate(cores):
        tau = _max_edits(fulls[p])
        near = range(fulls[p] - tau, fulls[p] + tau + 1)
        filtered = len(grams[p]) > _Q * tau  # then it shares a gram of its prefix with any near title
        prefix = sorted(grams[p], key=rarity)[:_Q * tau + 1] if filtered else []
        lists = [index[gram] for gram in prefix if gram in index]
        if filtered and sum(map(len, lists)) < sum(len(by_length.get(n, ())) for n in near):
            seen = {q for n in near for q in short.get(n, ())}
            for posting in lists:
                seen.update(posting)
            others = list(seen)
            choices = [cores[q] for q in others]
        else:  # no filter, or none better than every title of a near length (lists joined in C)
            others = list(chain.from_iterable(by_length.get(n, ()) for n in near))
            choices = list(chain.from_iterable(cores_by_length.get(n, ()) for n in near))
        for gram in prefix:
            index[gram].append(p)
        if not filtered:
            short[fulls[p]].append(p)
        by_length[fulls[p]].append(p)
        cores_by_length[fulls[p]].append(core)
        if not others:
            continue
        for _, _, k in process.extract(core, choices, scorer=Indel.distance, score_cutoff=tau, limit=None):
            q = others[k]
            if titles[q] != titles[p]:
                score = fuzz.ratio(titles[q], titles[p], score_cutoff=NEAR_RATIO)
                if score:
                    found.append((q, p, score))
    return found


def _max_edits(length: int) -> int:
    """The most insertions and deletions a title of this length can be from another title whose
    ratio with it is NEAR_RATIO or more (one more than the bound, for rounding)."""
    share = 1 - NEAR_RATIO / 100
    longest = int(((1 + share) * length + 1) / (1 - share)) + 1  # the longest title that near
    return int(share * (length + longest)) + 1


def _grams(title: str) -> list[str]:
    """The title's _Q-character grams, a repeated gram numbered (so that sets count repeats)."""
    grams = [title[k:k + _Q] for k in range(len(title) - _Q + 1)]
    if len(set(grams)) == len(grams):
        return grams
    seen: Counter[str] = Counter()
    out = []
    for gram in grams:
        out.append(f"{gram}\x00{seen[gram]}" if seen[gram] else gram)
        seen[gram] += 1
    return out


def check_frameworks(doc: YamlDoc, display: str) -> list[Problem]:
    from .model import FrameworkList

    if not isinstance(doc.data, dict):
        return [Problem(display, 1, 1, "error", "", "frameworks.yaml must be a mapping with a 'frameworks' list")]
    try:
        FrameworkList.model_validate(doc.data)
    except ValidationError as exc:
        return _framework_problems(exc, doc, display)
    return []


def _framework_problems(exc: ValidationError, doc: YamlDoc, display: str) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        line, col = doc.where(loc, key=err["type"] == "extra_forbidden")
        message = f"unknown field '{loc[-1]}'" if err["type"] == "extra_forbidden" else (
            f"required field '{loc[-1]}' is missing" if err["type"] == "missing" else err["msg"])
        out.append(Problem(display, line, col, "error", dotted(loc), message, str((err.get("ctx") or {}).get("hint") or "")))
    return out
