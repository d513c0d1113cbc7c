"""Suggesting taxonomy leaves for a paper, learned from the catalog itself.

Trained at run time from papers/ (no model file is kept): each record's title, notes, tags and
modality, plus one text per leaf from taxonomy.yaml (title, description, aliases, keywords), become
TF-IDF vectors (words and word pairs); each leaf is the normalized mean of its vectors (a nearest
centroid). A paper is scored by the cosine similarity of its text (title and abstract) to every
leaf. Records hold no abstracts, so a candidate's abstract is only ever scored, never learned.

Given the same catalog and taxonomy the result is the same: the records are read in id order and
nothing is random. `benchmarks/bench_classify.py` measures leave-one-out accuracy on the shipped
catalog and how the relevance threshold below separates efficiency papers from other diffusion work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TYPE_CHECKING, Iterable, Sequence

from .text import normalize_title

if TYPE_CHECKING:  # pragma: no cover
    from .catalog import Catalog
    from .model import Paper
    from .taxonomy import Node, Taxonomy

# Leaves whose papers are in the catalog but are not efficiency work: a candidate close only to
# them is not relevant.
NOT_EFFICIENCY = ("foundations",)
# A candidate whose best similarity to an efficiency leaf is below this is listed after the others
# as probably not efficiency work. Chosen with benchmarks/bench_classify.py on held-out negatives
# (the catalog's foundations records and diffusion papers that are not efficiency work): among the
# thresholds that keep at least 90% of the catalog's efficiency records (leave-one-out) above them,
# the one with the best Youden index. On the shipped catalog (929 records, 2026-12-01) it keeps 92.6%
# of those records and lets through 14 of 26 foundations records and 3 of 15 other negatives (0.18,
# chosen on 646 records, kept only 87.8% once the catalog grew: re-run the benchmark after large imports).
RELEVANCE_THRESHOLD = 0.16


@dataclass(frozen=True)
class Suggestion:
    node: str
    score: float  # cosine similarity of the paper's text to the leaf, 0..1

    def format(self) -> str:
        return f"{self.node} {self.score:.2f}"


def paper_text(paper: "Paper") -> str:
    """What the classifier learns from a record: title, notes, tags and modality."""
    tags = " ".join(t.replace("-", " ") for t in paper.tags)
    return " . ".join(part for part in (paper.title, paper.notes or "", tags, " ".join(paper.modality)) if part)


def node_text(node: "Node") -> str:
    """What the classifier learns from a leaf itself: its title, description, aliases and keywords."""
    return " . ".join([node.title, node.description, " . ".join(node.aliases), " . ".join(node.keywords)])


def candidate_text(title: str, abstract: str | None = None) -> str:
    return f"{title} . {abstract}" if abstract else title


def leaves(taxonomy: "Taxonomy") -> list[str]:
    """The leaves a paper can be suggested for, in the survey's order."""
    return [n.id for n in taxonomy.ordered() if n.is_leaf and n.takes_papers]


class Classifier:
    """Nearest-centroid classifier over the taxonomy's leaves."""

    def __init__(self, vectorizer: Any, centroids: Any, classes: list[str], trained_on: int) -> None:
        self._vectorizer = vectorizer
        self._centroids = centroids  # one L2-normalized row per class
        self.classes = classes
        self.trained_on = trained_on  # number of records

    @classmethod
    def train(cls, papers: Iterable["Paper"], taxonomy: "Taxonomy") -> "Classifier":
        """Learn from the records (in id order) and the leaves' own texts."""
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize

        classes = leaves(taxonomy)
        index = {leaf: i for i, leaf in enumerate(classes)}
        docs: list[str] = []
        labels: list[int] = []
        count = 0
        for paper in sorted(papers, key=lambda p: p.id):
            count += 1
            for category in paper.categories:
                if category in index:
                    docs.append(paper_text(paper))
                    labels.append(index[category])
        for leaf in classes:
            docs.append(node_text(taxonomy[leaf]))
            labels.append(index[leaf])
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english", strip_accents="unicode")
        matrix = vectorizer.fit_transform(docs)
        label_array = np.asarray(labels)
        centroids = np.vstack([np.asarray(matrix[label_array == i].mean(axis=0)) for i in range(len(classes))])
        return cls(vectorizer, normalize(centroids), classes, count)

    @classmethod
    def from_catalog(cls, catalog: "Catalog") -> "Classifier":
        return cls.train(catalog.papers.values(), catalog.taxonomy)

    def scores(self, text: str) -> list[float]:
        """Similarity of the text to every class, in `classes` order."""
        vector = self._vectorizer.transform([text])
        return [float(x) for x in (vector @ self._centroids.T).ravel()]

    def rank(self, text: str) -> list[Suggestion]:
        """Every leaf, best first (ties in the survey's order)."""
        scores = self.scores(text)
        order = sorted(range(len(scores)), key=lambda i: (-round(scores[i], 12), i))
        return [Suggestion(self.classes[i], scores[i]) for i in order]

    def suggest(self, title: str, abstract: str | None = None, k: int = 3) -> list[Suggestion]:
        """The k leaves that fit the paper best."""
        return self.rank(candidate_text(title, abstract))[:k]

    def relevance(self, title: str, abstract: str | None = None) -> float:
        """How much the paper looks like efficiency work: its best similarity to a leaf other than
        those of NOT_EFFICIENCY."""
        return relevance_of(self.rank(candidate_text(title, abstract)))


def relevance_of(ranked: Sequence[Suggestion]) -> float:
    return max((s.score for s in ranked if s.node not in NOT_EFFICIENCY), default=0.0)


def keyword_hits(taxonomy: "Taxonomy", text: str) -> list[str]:
    """The taxonomy keywords a text contains (whole words, case and punctuation aside), in the survey's order."""
    haystack = f" {normalize_title(text)} "
    return [k for k, _node in taxonomy.keywords() if f" {normalize_title(k)} " in haystack]
