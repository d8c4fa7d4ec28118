"""A KPI's small chart, drawn on the server as inline SVG (no script, no CDN):
the measured values over time against the baseline and the target."""
from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 320, 120
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 8, 8, 10, 18


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    label: str


@dataclass(frozen=True)
class KPIChart:
    width: int
    height: int
    points: list[Point]
    polyline: str
    baseline_y: float
    target_y: float
    latest: float | None
    progress: int | None  # percent of the way from baseline to target, as last measured
    first_label: str
    last_label: str


def _scale(low: float, high: float):
    span = (high - low) or 1.0
    inner = HEIGHT - PAD_TOP - PAD_BOTTOM
    return lambda v: round(PAD_TOP + inner * (1 - (v - low) / span), 1)


def kpi_chart(kpi, measurements: list) -> KPIChart:
    values = [m.value for m in measurements]
    low, high = min([kpi.baseline, kpi.target, *values]), max([kpi.baseline, kpi.target, *values])
    margin = (high - low) * 0.08 or 1.0
    y = _scale(low - margin, high + margin)
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    if measurements:
        start, end = measurements[0].measured_on, measurements[-1].measured_on
        days = max((end - start).days, 1)
        points = [
            Point(round(PAD_LEFT + (inner_w * (m.measured_on - start).days / days if len(measurements) > 1 else inner_w / 2), 1),
                  y(m.value), m.value, m.measured_on.isoformat())
            for m in measurements
        ]
    else:
        points = []
    latest = values[-1] if values else None
    progress = None
    if latest is not None and kpi.target != kpi.baseline:
        progress = round(100 * (latest - kpi.baseline) / (kpi.target - kpi.baseline))
    return KPIChart(
        width=WIDTH, height=HEIGHT, points=points, polyline=" ".join(f"{p.x},{p.y}" for p in points),
        baseline_y=y(kpi.baseline), target_y=y(kpi.target), latest=latest, progress=progress,
        first_label=points[0].label if points else "", last_label=points[-1].label if points else "",
    )
