"""Bar charts drawn at build time as inline SVG: no chart library, nothing loaded from the network."""

from __future__ import annotations

from .common import h

ROW = 22
LABEL_WIDTH = 260
BAR_WIDTH = 360
COUNT_WIDTH = 48


def bar_chart(title: str, rows: list[tuple[str, int]], *, indent: list[int] | None = None) -> str:
    """A horizontal bar chart: one row per (label, value). Colours follow the site's palette."""
    top = max((v for _, v in rows), default=0) or 1
    width = LABEL_WIDTH + BAR_WIDTH + COUNT_WIDTH
    height = ROW * len(rows) + 8
    out = [f'<svg class="effdiff-chart" role="img" aria-label="{h(title)}" viewBox="0 0 {width} {height}" '
           f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
           f"<title>{h(title)}</title>"]
    for i, (label, value) in enumerate(rows):
        y = 4 + i * ROW
        pad = 12 * (indent[i] if indent else 0)
        bar = round(BAR_WIDTH * value / top, 1)
        out.append(f'<g><text x="{pad}" y="{y + 15}" class="effdiff-chart__label">{h(label)}</text>'
                   f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{bar}" height="{ROW - 6}" class="effdiff-chart__bar"/>'
                   f'<text x="{LABEL_WIDTH + bar + 6}" y="{y + 15}" class="effdiff-chart__value">{value}</text></g>')
    out.append("</svg>")
    return "".join(out)
