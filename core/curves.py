"""Live training curves: per-step values smoothed and thinned incrementally, at a bounded cost per update.

A run records 𝓛 and the accuracy of every step's batch; the live view redraws them several times a second while
the run adds thousands of steps. `SmoothedCurve` is fed only the steps it has not seen yet, so an update costs
O(new steps), and keeps a bounded number of points, so drawing them costs O(1) — whatever the run's length.
"""

from __future__ import annotations

from itertools import accumulate

import numpy as np
from numpy.typing import ArrayLike

MAX_POINTS = 400  # kept steps per curve, at most (plus the latest)


class SmoothedCurve:
    """The exponential moving average of one or more per-step series x_t (t = 0, 1, …) at a bounded set of t.

    s_t = α x_t + (1 − α) s_{t−1}, with s_{−1} = x_0 and α = 2/(span + 1), the usual span (span ≤ 1: α = 1, s = x,
    not smoothed). Kept: every ``stride``-th step, t = 0, stride, 2·stride, …, and the latest one. The stride starts
    at 1 and doubles whenever more than ``max_points`` steps are kept, which drops every other kept step, so at
    most ``max_points`` + 1 points are drawn. Fed in pieces (`extend`) it holds exactly what it holds when fed
    the same values at once: the same steps, the same float64 values.
    """

    def __init__(self, span: int, series: int = 2, max_points: int = MAX_POINTS) -> None:
        if max_points < 1 or series < 1:
            raise ValueError(f"need at least one series and one point, got {series} and {max_points}")
        self.alpha = 2.0 / (span + 1.0) if span > 1 else 1.0
        self.max_points = max_points
        self.stride = 1
        self.count = 0  # steps seen so far
        self._last = [0.0] * series  # s_t of the latest step
        self._steps: list[int] = []
        self._values: list[list[float]] = [[] for _ in range(series)]

    def extend(self, *new: ArrayLike) -> None:
        """Feed the next values of each series (one array per series, all of one length)."""
        columns = [np.asarray(v, dtype=np.float64).tolist() for v in new]
        if len(columns) != len(self._values) or len({len(c) for c in columns}) > 1:
            raise ValueError(f"need {len(self._values)} series of one length, got lengths {[len(c) for c in columns]}")
        n = len(columns[0])
        if not n:
            return
        a, b = self.alpha, 1.0 - self.alpha
        smoothed = []
        for j, values in enumerate(columns):  # one plain-float loop per series: s_t = α x_t + (1 − α) s_{t−1}
            start = self._last[j] if self.count else values[0]
            smoothed.append(list(accumulate(values, lambda s, x: a * x + b * s, initial=start))[1:])
            self._last[j] = smoothed[j][-1]
        first, end = self.count, self.count + n
        t = -(-first // self.stride) * self.stride  # the first multiple of the stride not yet seen
        while t < end:
            self._steps.append(t)
            for kept, values in zip(self._values, smoothed, strict=True):
                kept.append(values[t - first])
            if len(self._steps) > self.max_points:  # kept steps are 0, stride, 2·stride, …: keep every other
                self.stride *= 2
                self._steps = self._steps[::2]
                self._values = [kept[::2] for kept in self._values]
            t = (t // self.stride + 1) * self.stride
        self.count = end

    def points(self) -> tuple[list[int], list[list[float]]]:
        """The kept steps t (and the latest one) and s_t of each series there, as new lists."""
        steps, values = list(self._steps), [list(kept) for kept in self._values]
        if self.count and (not steps or steps[-1] != self.count - 1):
            steps.append(self.count - 1)
            for column, last in zip(values, self._last, strict=True):
                column.append(last)
        return steps, values
