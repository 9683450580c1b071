"""At this pace: the year an area reaches its target if the trend of its reported values goes on.

The rule, shown on the plans page in both languages (pace_rule_text in kpis/core/locales/*.toml) and
tested in tests/figures/test_pace.py with fixed series:

- The points are the area's reported quarters for the indicator, each valued as the product values
  that quarter (each unit's latest figure of the year up to that quarter, counts summed).
- met: the latest point is at or above the target.
- too_few: fewer than two points, or all in one quarter: no trend to follow.
- The trend is the least-squares straight line through the points (value against quarter).
- not_by: the line does not rise, or reaches the target only after the last quarter of HORIZON.
- Otherwise the year of the first quarter after the latest point where the line is at or above the
  target ("at this pace Mường Chà reaches 80 % in 2031").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from kpis.core.periods import Quarter

HORIZON = 2035  # the last target year a plan may set (the plan rules accept 2024-2035)
PaceKind = Literal["met", "year", "not_by", "too_few"]


@dataclass(frozen=True)
class Pace:
    kind: PaceKind
    year: int | None = None  # with kind "year": the year the target is reached


def _index(quarter: Quarter) -> int:
    return quarter[0] * 4 + quarter[1] - 1


def pace(points: Sequence[tuple[Quarter, float]], target_pct: float, horizon: int = HORIZON) -> Pace:
    """The pace of one area and indicator: points are (quarter, value 0-100), in any order."""
    if not points:
        return Pace("too_few")
    ordered = sorted(points)
    if ordered[-1][1] >= target_pct:
        return Pace("met")
    xs = [float(_index(q)) for q, _ in ordered]
    ys = [float(v) for _, v in ordered]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if len(ordered) < 2 or spread == 0:
        return Pace("too_few")
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    if slope <= 0:
        return Pace("not_by")
    intercept = mean_y - slope * mean_x
    reach = (target_pct - intercept) / slope  # the quarter index where the line meets the target
    first = max(int(xs[-1]) + 1, math.ceil(reach))
    year = first // 4
    return Pace("year", year) if year <= horizon else Pace("not_by")
