"""Tiny inline-SVG charts for the HTML report (no plotting library: the report must open anywhere,
offline, and the benchmark Lambda's layer has no room for one)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

PROJECT, REFERENCE, BASELINE = "#1f6feb", "#9a6700", "#8c959f"
VERDICT_COLOURS = {"PASS": "#1a7f37", "FAIL": "#cf222e", "INFO": "#8c959f"}


def _title(text: str) -> str:
    """A hover tooltip (SVG <title>): the exact figure behind a mark."""
    return f"<title>{escape(text)}</title>"


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q))


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{escape(label)}">' + "".join(body) + "</svg>")  # fmt: skip


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 11) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}">{escape(text)}</text>'


@dataclass(frozen=True)
class _LogFrame:
    """A plot area with a log-spaced x axis from ``low`` to ``high``."""

    low: float
    high: float
    left: float
    bottom: float
    width: float
    height: float

    def x_of(self, value: float) -> float:
        span = math.log10(self.high) - math.log10(self.low)
        return self.left + self.width * (math.log10(max(value, self.low)) - math.log10(self.low)) / span


def histogram(project: Sequence[float], reference: Sequence[float] | None, unit: str, label: str,
              width: int = 420, height: int = 120, bins: int = 40) -> str:  # fmt: skip
    """Both distributions on one log-spaced axis (latencies span orders of magnitude in their tails)."""
    values = [v for v in [*project, *(reference or [])] if v > 0]
    if not values:
        return ""
    low, high = min(values), max(values)
    frame = _LogFrame(low, high if high > low else low * 1.01, 8, height - 18, width - 16, height - 30)
    series = [(project, PROJECT)] + ([(reference, REFERENCE)] if reference else [])
    edges = np.geomspace(frame.low, frame.high, bins + 1)
    counts = [np.histogram([v for v in s if v > 0], edges)[0] / max(1, len(s)) for s, _ in series]
    peak = max(float(c.max()) for c in counts) or 1.0
    body = [_area(frame, count, color, peak) for (_, color), count in zip(series, counts, strict=True)]
    body += _markers(frame, series, unit)
    body += _ticks(frame, height, unit)
    med = _percentile(project, 50) if project else 0.0
    p99 = _percentile(project, 99) if project else 0.0
    body.append(_text(frame.left + frame.width, 10, f"project median {med:.4g}, p99 {p99:.4g} {unit} (log x)",
                      "end", 10))  # fmt: skip
    return _svg(width, height, body, label)


def _area(frame: _LogFrame, count: np.ndarray, color: str, peak: float) -> str:
    bins = len(count)
    points = [f"{frame.left:.1f},{frame.bottom:.1f}"]
    for i, c in enumerate(count):
        y = frame.bottom - frame.height * float(c) / peak
        points += [f"{frame.left + frame.width * i / bins:.1f},{y:.1f}",
                   f"{frame.left + frame.width * (i + 1) / bins:.1f},{y:.1f}"]  # fmt: skip
    points.append(f"{frame.left + frame.width:.1f},{frame.bottom:.1f}")
    return f'<polygon points="{" ".join(points)}" fill="{color}" fill-opacity="0.35" stroke="{color}"/>'


def _markers(frame: _LogFrame, series: Sequence[tuple[Sequence[float] | None, str]], unit: str) -> list[str]:
    """Median (solid) and p99 (dashed) of each series, with their values on hover and in the label."""
    out = []
    for (samples, color), name in zip(series, ("project", "reference"), strict=False):
        if not samples:
            continue
        for q, dash in ((50, ""), (99, ' stroke-dasharray="3 2"')):
            value = _percentile(samples, q)
            xm = frame.x_of(value)
            out.append(f'<line x1="{xm:.1f}" y1="{frame.bottom - frame.height:.1f}" x2="{xm:.1f}" '
                       f'y2="{frame.bottom:.1f}" stroke="{color}" stroke-width="1.5"{dash} data-marker="{name}-p{q}">'
                       + _title(f"{name} {'median' if q == 50 else 'p99'} {value:.4g} {unit}") + "</line>")  # fmt: skip
    return out


def _ticks(frame: _LogFrame, height: int, unit: str) -> list[str]:
    """The ends and three log-spaced values between, so values can be read off."""
    out = []
    for i in range(5):
        value = frame.low * (frame.high / frame.low) ** (i / 4)
        xt = frame.x_of(value)
        out.append(f'<line x1="{xt:.1f}" y1="{frame.bottom:.1f}" x2="{xt:.1f}" y2="{frame.bottom + 3:.1f}" '
                   'stroke="#57606a"/>')  # fmt: skip
        anchor = "start" if i == 0 else "end" if i == 4 else "middle"
        out.append(_text(xt, height - 4, f"{value:.3g}" + (f" {unit}" if i in (0, 4) else ""), anchor, 10))
    return out


def ratio_bars(rows: Sequence[tuple[str, float, str]], width: int = 720) -> str:
    """Horizontal bars of project/reference on a log axis, with the 1x line, coloured by the
    measurement's verdict (PASS green, FAIL red, INFO grey): a ratio that passes its target is green
    even above 1x (many targets allow 2x the reference). ``rows``: (name, ratio, verdict)."""
    rows = [(name, r, v) for name, r, v in rows if r and r > 0]
    if not rows:
        return ""
    row_h, label_w = 20, 260
    height = row_h * len(rows) + 24
    lo = min(0.5, *(r for _, r, _ in rows))
    hi = max(2.0, *(r for _, r, _ in rows))
    span = math.log10(hi) - math.log10(lo)

    def x(value: float) -> float:
        return label_w + (width - label_w - 90) * (math.log10(value) - math.log10(lo)) / span

    body = [
        f'<line x1="{x(1):.1f}" y1="0" x2="{x(1):.1f}" y2="{height - 16}" stroke="#333" stroke-dasharray="3 3"/>'
    ]
    for i, (name, r, verdict) in enumerate(rows):
        y = i * row_h + 4
        start, end = sorted((x(1), x(r)))
        color = VERDICT_COLOURS.get(verdict, PROJECT)
        body.append(_text(label_w - 6, y + 12, name, "end"))
        body.append(
            f'<rect x="{start:.1f}" y="{y}" width="{max(1.0, end - start):.1f}" height="{row_h - 6}" fill="{color}" '
            f'data-verdict="{escape(verdict)}">{_title(f"{name}: {r:.4g}x the reference, {verdict}")}</rect>'
        )
        body.append(_text(max(start, end) + 4, y + 12, f"{r:.3g}x {verdict}"))
    body.append(_text(x(1), height - 4, "1x = same as the reference", "middle"))
    return _svg(width, height, body, "ratios to same-run references")


def history_line(points: Sequence[tuple[str, float]], baseline: float | None, unit: str, label: str,
                 width: int = 320, height: int = 90) -> str:  # fmt: skip
    """Median per saved run, oldest first; the baseline's median dashed."""
    if not points:
        return ""
    values = [v for _, v in points] + ([baseline] if baseline is not None else [])
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    low, high = low - pad, high + pad
    left, right, top, bottom = 8, width - 8, 8, height - 18

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (right - left) * (i / max(1, len(points) - 1))
        return x, bottom - (bottom - top) * (v - low) / (high - low)

    body = []
    if baseline is not None:
        y = xy(0, baseline)[1]
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{BASELINE}" stroke-dasharray="4 3"/>'
        )
    coords = [xy(i, v) for i, (_, v) in enumerate(points)]
    body.append('<polyline fill="none" stroke="{}" stroke-width="1.5" points="{}"/>'.format(
        PROJECT, " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)))  # fmt: skip
    body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PROJECT}">{_title(f"{when}: {v:.4g} {unit}")}</circle>'
             for (x, y), (when, v) in zip(coords, points, strict=True)]  # fmt: skip
    body.append(_text(right, top + 8, f"{high - pad:.3g}", "end", 10))
    body.append(_text(right, bottom, f"{low + pad:.3g}", "end", 10))
    if baseline is not None:
        body[0] = body[0].replace("/>", f">{_title(f'baseline median {baseline:.4g} {unit}')}</line>")
    body.append(_text(left, height - 4, f"{len(points)} runs; last {points[-1][1]:.3g} {unit}"))
    return _svg(width, height, body, label)
