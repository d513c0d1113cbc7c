"""Scatter plots of quality against cost, drawn at build time as inline SVG: every point a link to its
row, the Pareto front a step line. No chart library; the same data always gives the same bytes.

Axes are oriented so that better is up and to the right: an axis whose metric is better when lower
runs from high to low. Costs that span orders of magnitude (NFE, latency, TFLOPs, bits) are on a log
axis (metrics.yaml `log: true`), and so is any axis whose values span more than WIDE_RANGE (FIDs from 2
to 300 would otherwise crowd into one corner).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..benchmarks import Metric
from ..results import format_value, metric_heading, pareto_front
from .common import h

WIDTH = 640
HEIGHT = 400
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 16, 52
RADIUS = 5
WIDE_RANGE = 30  # max / min above which a positive axis is drawn on a log scale


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # the tooltip: method, paper, values
    href: str  # the row on its paper's page (…/papers/<id>/#r3)
    proposed: bool = True


@dataclass(frozen=True)
class Axis:
    metric: Metric
    low: float
    high: float
    log: bool

    @classmethod
    def fit(cls, metric: Metric, values: list[float]) -> "Axis":
        positive = all(v > 0 for v in values)
        log = positive and (metric.log or max(values) / min(values) > WIDE_RANGE)
        low, high = min(values), max(values)
        if log:
            low, high = math.log10(low), math.log10(high)
        if high == low:
            pad = 0.5 if log else (abs(low) * 0.1 or 1.0)
        else:
            pad = (high - low) * 0.08
        return cls(metric, low - pad, high + pad, log)

    def position(self, value: float) -> float:
        """0 (worst end) to 1 (best end)."""
        v = math.log10(value) if self.log else value
        t = (v - self.low) / (self.high - self.low)
        return 1 - t if self.metric.lower_is_better else t

    def ticks(self) -> list[float]:
        """Tick values inside the axis: 1-2-5 steps on a log axis, round steps on a linear one."""
        if self.log:
            out = []
            for e in range(math.floor(self.low) - 1, math.ceil(self.high) + 1):
                for m in (1, 2, 5):
                    v = m * 10.0 ** e
                    if self.low <= math.log10(v) <= self.high:
                        out.append(v)
            if len(out) > 8:
                out = [v for v in out if f"{v:e}".startswith("1")]
            return out
        span = self.high - self.low
        step = 10 ** math.floor(math.log10(span / 5)) if span > 0 else 1
        for mult in (1, 2, 5, 10):
            if span / (step * mult) <= 6:
                step *= mult
                break
        first = math.ceil(self.low / step) * step
        return [round(first + k * step, 10) for k in range(int((self.high - first) / step) + 1)]


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def scatter_svg(points: list[Point], x: Metric, y: Metric, title: str) -> str:
    """An SVG scatter of y (quality) against x (cost); points link to their rows and carry a <title>
    tooltip; the Pareto front (computed here, pareto_front) is drawn as a step line."""
    xa = Axis.fit(x, [p.x for p in points])
    ya = Axis.fit(y, [p.y for p in points])
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(value: float) -> float:
        return LEFT + xa.position(value) * pw

    def sy(value: float) -> float:
        return TOP + (1 - ya.position(value)) * ph

    out = [f'<svg class="effdiff-plot" role="group" aria-label="{h(title)}" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
           f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">', f"<title>{h(title)}</title>",
           f'<rect class="effdiff-plot__frame" x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}"/>']
    for value in xa.ticks():
        px = _fmt(sx(value))
        out.append(f'<line class="effdiff-plot__grid" x1="{px}" y1="{TOP}" x2="{px}" y2="{TOP + ph}"/>'
                   f'<text class="effdiff-plot__tick" x="{px}" y="{TOP + ph + 16}" text-anchor="middle">{format_value(value)}</text>')
    for value in ya.ticks():
        py = _fmt(sy(value))
        out.append(f'<line class="effdiff-plot__grid" x1="{LEFT}" y1="{py}" x2="{LEFT + pw}" y2="{py}"/>'
                   f'<text class="effdiff-plot__tick" x="{LEFT - 6}" y="{py}" dy="4" text-anchor="end">{format_value(value)}</text>')
    x_text = f"{metric_heading(x)}{', log scale' if xa.log else ''} — better →"
    y_text = f"{metric_heading(y)}{', log scale' if ya.log else ''} — better →"
    out.append(f'<text class="effdiff-plot__axis" x="{LEFT + pw / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle">{h(x_text)}</text>')
    out.append(f'<text class="effdiff-plot__axis" transform="translate(14 {TOP + ph / 2:.1f}) rotate(-90)" '
               f'text-anchor="middle">{h(y_text)}</text>')
    front = pareto_front([(p.x, p.y) for p in points], x.lower_is_better, y.lower_is_better)
    if len(front) > 1:
        steps = sorted(((sx(points[i].x), sy(points[i].y)) for i in front))
        d = f"M{_fmt(steps[0][0])} {_fmt(steps[0][1])}"
        for step_x, step_y in steps[1:]:
            d += f" V{_fmt(step_y)} H{_fmt(step_x)}"
        out.append(f'<path class="effdiff-plot__front" d="{d}"/>')
    on_front = set(front)
    for i, p in enumerate(points):
        kind = "front" if i in on_front else "point"
        role = "" if p.proposed else " effdiff-plot__baseline"
        out.append(f'<a class="effdiff-plot__link" href="{h(p.href)}"><circle class="effdiff-plot__{kind}{role}" '
                   f'cx="{_fmt(sx(p.x))}" cy="{_fmt(sy(p.y))}" r="{RADIUS}"><title>{h(p.label)}</title></circle></a>')
    out.append("</svg>")
    return "".join(out)
