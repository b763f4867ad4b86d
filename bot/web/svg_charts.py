"""Charts drawn on the server as SVG: columns, horizontal bars, a line and a funnel.

No chart service and no JavaScript: the page is readable printed, offline and
on a phone. Every label is escaped (topic names and announcement texts come
from staff); colours are SVG attributes, since the console's CSP allows no
inline style. Each chart's numbers are also in a table under it (the
template's job), so nothing is known only from a picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = ("#2f6f4f", "#d08c1f", "#b3382c", "#3b6ea8", "#7a5aa6", "#6b7b88")
WIDTH = 640
FONT = 12


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]


def _svg(title: str, height: int, body: list[str], width: int = WIDTH) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" font-size="{FONT}" font-family="sans-serif">'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, *, anchor: str = "start", fill: str = "#222") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}">{escape(text)}</text>'


def _legend(series: Sequence[Series], y: float) -> list[str]:
    out, x = [], 8.0
    for i, s in enumerate(series):
        out.append(
            f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>'
        )
        out.append(_text(x + 16, y, s.label))
        x += 24 + 7 * len(s.label)
    return out


def _nice_max(value: float) -> float:
    """The top of the axis: 1, 2 or 5 times a power of ten, at least `value`."""
    if value <= 0:
        return 1.0
    scale = 10 ** math.floor(math.log10(value))
    return float(next(m * scale for m in (1, 2, 5, 10) if m * scale >= value))


def _format(value: float, percent: bool) -> str:
    return f"{value * 100:.0f}%" if percent else f"{value:,.0f}".replace(",", ".")


def _axis(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}".replace(".", ",")


def columns(
    title: str, categories: Sequence[str], series: Sequence[Series], *, stacked: bool = True
) -> Markup:
    """Vertical columns per category (days, complaint categories), stacked or side by side."""
    height, top, bottom, left = 260, 24, 56, 44
    plot_w, plot_h = WIDTH - left - 8, height - top - bottom
    n = max(len(categories), 1)
    totals = [
        sum(s.values[i] for s in series) if stacked else max((s.values[i] for s in series), default=0)
        for i in range(len(categories))
    ]
    peak = _nice_max(max(totals, default=0))
    body = _legend(series, 14)
    for frac in (0, 0.5, 1):
        y = top + plot_h * (1 - frac)
        body.append(f'<line x1="{left}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        body.append(_text(left - 4, y + 4, _axis(peak * frac), anchor="end", fill="#555"))
    slot = plot_w / n
    every = max(1, n // 12)  # at most about a dozen labels under the axis
    for i, label in enumerate(categories):
        x0 = left + i * slot
        base: float = top + plot_h
        width = slot * 0.8 / (1 if stacked else max(len(series), 1))
        for j, s in enumerate(series):
            v = s.values[i]
            h = plot_h * v / peak
            x = x0 + slot * 0.1 + (0 if stacked else j * width)
            y = base - h
            colour = PALETTE[j % len(PALETTE)]
            tip = f"{label} – {s.label}: {_format(v, False)}"
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            if stacked:
                base = y
        if i % every == 0:
            body.append(_text(x0 + slot / 2, top + plot_h + 16, label, anchor="middle", fill="#555"))
    return _svg(title, height, body)


def hbars(title: str, items: Sequence[tuple[str, float]], *, percent: bool = False) -> Markup:
    """One horizontal bar per item (top topics, shares), the value written after it."""
    row, left = 26, 220
    height = 16 + row * max(len(items), 1)
    peak = 1.0 if percent else _nice_max(max((v for _, v in items), default=0))
    body = []
    for i, (label, value) in enumerate(items):
        y = 8 + i * row
        w = (WIDTH - left - 70) * (value / peak if peak else 0)
        short = label if len(label) <= 34 else label[:33] + "…"
        body.append(_text(left - 6, y + 15, short, anchor="end"))
        body.append(
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{row - 6}" fill="{PALETTE[0]}">'
            f"<title>{escape(label)}: {escape(_format(value, percent))}</title></rect>"
        )
        body.append(_text(left + w + 6, y + 15, _format(value, percent), fill="#333"))
    return _svg(title, height, body)


def line(title: str, points: Sequence[tuple[str, float | None]], *, percent: bool = True) -> Markup:
    """A line through the known points (a bucket without ratings leaves a gap)."""
    height, top, bottom, left = 200, 14, 40, 44
    plot_w, plot_h = WIDTH - left - 12, height - top - bottom
    n = max(len(points) - 1, 1)
    body = []
    for frac in (0, 0.5, 1):
        y = top + plot_h * (1 - frac)
        body.append(f'<line x1="{left}" x2="{WIDTH - 12}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        body.append(_text(left - 4, y + 4, _format(frac, percent), anchor="end", fill="#555"))
    path: list[str] = []
    every = max(1, len(points) // 10)
    for i, (label, value) in enumerate(points):
        x = left + plot_w * i / n
        if i % every == 0:
            body.append(_text(x, top + plot_h + 16, label, anchor="middle", fill="#555"))
        if value is None:
            if len(path) > 1:
                body.append(
                    f'<polyline points="{" ".join(path)}" fill="none" stroke="{PALETTE[3]}" stroke-width="2"/>'
                )
            path = []
            continue
        y = top + plot_h * (1 - value)
        path.append(f"{x:.1f},{y:.1f}")
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PALETTE[3]}">'
            f"<title>{escape(label)}: {escape(_format(value, percent))}</title></circle>"
        )
    if len(path) > 1:
        body.append(
            f'<polyline points="{" ".join(path)}" fill="none" stroke="{PALETTE[3]}" stroke-width="2"/>'
        )
    return _svg(title, height, body)


def funnel(title: str, stages: Sequence[tuple[str, int]]) -> Markup:
    """Stages of a walkthrough, each as wide as the people who got that far."""
    row = 26
    height = 8 + row * max(len(stages), 1)
    first = max((v for _, v in stages[:1]), default=0) or 1
    mid = WIDTH * 0.62
    body = []
    for i, (label, value) in enumerate(stages):
        w = (WIDTH * 0.5) * value / first
        y = 4 + i * row
        body.append(
            f'<rect x="{mid - w / 2:.1f}" y="{y}" width="{max(w, 1):.1f}" height="{row - 6}" '
            f'fill="{PALETTE[0 if i == 0 else (1 if i < len(stages) - 1 else 3)]}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        short = label if len(label) <= 26 else label[:25] + "…"
        body.append(_text(mid - WIDTH * 0.25 - 8, y + 14, short, anchor="end"))
        body.append(_text(mid + WIDTH * 0.25 + 8, y + 14, _format(value, False)))
    return _svg(title, height, body)
