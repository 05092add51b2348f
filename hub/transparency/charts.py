"""Charts drawn on the server as SVG, so the portal needs no JavaScript and
a chart is as readable in a saved page as on screen. Each chart has a title
and a description for screen readers; the table beside it holds the same
figures. Markup is built with Markup/escape, so labels are never HTML."""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

COLOURS = ("#1f5fa8", "#c98a00", "#1e7a3c", "#a61b1b", "#6b4fa3", "#0f7c84", "#5d6b7a", "#b3541e")
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 240, 44, 40, 16


@dataclass(frozen=True)
class Series:
    name: str
    values: list[int]


def _ticks(top: int) -> list[int]:
    if top <= 0:
        return [0]
    step = max(1, 10 ** (len(str(top)) - 1))
    while top / step > 5:
        step *= 2
    return list(range(0, top + step, step))


def bar_chart(chart_id: str, title: str, labels: list[str], series: list[Series]) -> Markup:
    """Grouped vertical bars: one group per label, one bar per series."""
    top = max([v for s in series for v in s.values] + [0])
    ticks = _ticks(top)
    scale_top = ticks[-1] or 1
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    group = plot_w / max(len(labels), 1)
    bar = group * 0.8 / max(len(series), 1)
    parts = [f'<svg id="{escape(chart_id)}" class="chart" viewBox="0 0 {WIDTH} {HEIGHT + 18 * len(series)}" '
             f'role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
             'xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
             f'<desc id="{escape(chart_id)}-desc">{escape(_describe(labels, series))}</desc>']
    for tick in ticks:
        y = TOP + plot_h - plot_h * tick / scale_top
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5dbe2"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#3d4a57">'
                     f'{tick:,}</text>')
    for i, label in enumerate(labels):
        x0 = LEFT + group * i + group * 0.1
        for j, s in enumerate(series):
            value = s.values[i]
            height = plot_h * value / scale_top
            parts.append(f'<rect x="{x0 + bar * j:.1f}" y="{TOP + plot_h - height:.1f}" width="{max(bar - 1, 1):.1f}" '
                         f'height="{height:.1f}" fill="{COLOURS[j % len(COLOURS)]}"><title>{escape(label)}, '
                         f'{escape(s.name)}: {value:,}</title></rect>')
        parts.append(f'<text x="{LEFT + group * (i + 0.5):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                     f'font-size="11" fill="#3d4a57">{escape(label)}</text>')
    for j, s in enumerate(series):
        y = HEIGHT + 18 * j
        parts.append(f'<rect x="{LEFT}" y="{y - 10}" width="12" height="12" fill="{COLOURS[j % len(COLOURS)]}"/>'
                     f'<text x="{LEFT + 18}" y="{y}" font-size="12" fill="#1d2733">{escape(s.name)}</text>')
    parts.append("</svg>")
    # Every text in the SVG went through escape(); the rest is numbers.
    return Markup("".join(parts))  # nosec B704


def _describe(labels: list[str], series: list[Series]) -> str:
    totals = ", ".join(f"{s.name}: {sum(s.values):,}" for s in series) or "no figures"
    return f"{len(labels)} periods; totals {totals}. The table below holds every figure."


@dataclass(frozen=True)
class MapPoint:
    number: int
    latitude: float
    longitude: float
    label: str


def location_map(points: list[MapPoint], title: str = "Where the readers stand") -> Markup:
    """The readers as numbered dots on a plain background, north up, scaled
    to fit (no tiles are fetched: the hub works offline)."""
    size, pad = 480, 28
    parts = [f'<svg id="reader-map" class="chart" viewBox="0 0 {size} {size}" role="img" '
             'aria-labelledby="reader-map-title reader-map-desc" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="reader-map-title">{escape(title)}</title>',
             f'<desc id="reader-map-desc">{len(points)} readers; each dot carries the number of the reader '
             'in the table below.</desc>', f'<rect width="{size}" height="{size}" fill="#eef2f5"/>']
    if points:
        lats, lons = [p.latitude for p in points], [p.longitude for p in points]
        span = max(max(lats) - min(lats), max(lons) - min(lons), 0.005)
        mid_lat, mid_lon = (max(lats) + min(lats)) / 2, (max(lons) + min(lons)) / 2
        for p in points:
            x = size / 2 + (p.longitude - mid_lon) / span * (size - 2 * pad)
            y = size / 2 - (p.latitude - mid_lat) / span * (size - 2 * pad)
            parts.append(f'<g><title>{escape(p.label)}</title><circle cx="{x:.1f}" cy="{y:.1f}" r="10" '
                         f'fill="#1f5fa8" stroke="#fff" stroke-width="2"/><text x="{x:.1f}" y="{y + 4:.1f}" '
                         f'text-anchor="middle" font-size="10" fill="#fff">{p.number}</text></g>')
    parts.append(f'<text x="{size - 8}" y="18" text-anchor="end" font-size="12" fill="#1d2733">N ↑</text></svg>')
    # Every text in the SVG went through escape(); the rest is numbers.
    return Markup("".join(parts))  # nosec B704
