"""Geometry of the staff page's charts, drawn as inline SVG by the template (no script, no
chart library). Every chart also comes with a table of the same figures for screen readers and
for copying, so the picture is never the only way to read them."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from candor.stats.selectors import DayCount, Row

WIDTH = 720
DAY_HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 10, 26
BAR_ROW = 26
LABEL_WIDTH = 250
VALUE_WIDTH = 60


def nice_ceiling(value: int) -> int:
    """A round number at or above ``value`` (at least 2, so half of it is a whole number too),
    for a readable axis: 1, 1.5, 2, 3, 4, 5, 6 or 8 times a power of ten."""
    if value <= 2:
        return 2
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 3, 4, 5, 6, 8, 10):
        top = int(step * power)
        if top >= value and top % 2 == 0:
            return top
    return 10 * power  # pragma: no cover - the loop always returns


@dataclass(frozen=True, slots=True)
class DayBar:
    day: dt.date
    x: float
    width: float
    views_y: float
    views_height: float
    uniques_y: float
    uniques_height: float
    views: int
    uniques: int


@dataclass(frozen=True, slots=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True, slots=True)
class DayChart:
    width: int
    height: int
    left: int
    right: float
    baseline: float
    bars: list[DayBar]
    ticks: list[Tick]
    labels: list[DayBar]  # the bars whose date is written under the axis


def day_chart(days: list[DayCount]) -> DayChart:
    plot_height = DAY_HEIGHT - TOP - BOTTOM
    baseline = float(DAY_HEIGHT - BOTTOM)
    top = nice_ceiling(max((d.views for d in days), default=0))
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)

    def height(value: int) -> float:
        return round(plot_height * value / top, 1)

    bars = []
    for i, d in enumerate(days):
        vh, uh = height(d.views), height(d.uniques)
        bars.append(
            DayBar(
                day=d.day,
                x=round(LEFT + i * slot + slot * 0.1, 1),
                width=round(max(slot * 0.8, 1.0), 1),
                views_y=round(baseline - vh, 1),
                views_height=vh,
                uniques_y=round(baseline - uh, 1),
                uniques_height=uh,
                views=d.views,
                uniques=d.uniques,
            )
        )
    ticks = [Tick(y=round(baseline - height(v), 1), value=v) for v in (0, top // 2, top)]
    every = max(1, math.ceil(len(bars) / 6))
    labels = [b for i, b in enumerate(bars) if i % every == 0]
    return DayChart(
        width=WIDTH,
        height=DAY_HEIGHT,
        left=LEFT,
        right=float(WIDTH - RIGHT),
        baseline=baseline,
        bars=bars,
        ticks=ticks,
        labels=labels,
    )


@dataclass(frozen=True, slots=True)
class HBar:
    label: str
    views: int
    y: float
    text_y: float
    width: float
    value_x: float


@dataclass(frozen=True, slots=True)
class HChart:
    width: int
    height: int
    bar_x: int
    bars: list[HBar]


def bar_chart(rows: list[Row]) -> HChart:
    biggest = max((r.views for r in rows), default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        HBar(
            label=r.label,
            views=r.views,
            y=i * BAR_ROW + 4,
            text_y=i * BAR_ROW + 18,
            width=round(max(span * r.views / biggest, 1.0), 1),
            value_x=round(LABEL_WIDTH + max(span * r.views / biggest, 1.0) + 6, 1),
        )
        for i, r in enumerate(rows)
    ]
    return HChart(
        width=WIDTH,
        height=max(len(rows), 1) * BAR_ROW + 4,
        bar_x=LABEL_WIDTH,
        bars=bars,
    )
