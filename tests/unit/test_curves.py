"""core.curves: the live view's smoothed curves — bounded length, fed in pieces equal to fed at once, and at the
kept steps exactly the exponential moving average of every step."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.curves import SmoothedCurve


def moving_average(values: list[float], span: int) -> list[float]:
    """From scratch: s_t = α x_t + (1 − α) s_{t−1}, s_{−1} = x_0, α = 2/(span + 1) (1 for span ≤ 1)."""
    alpha = 2.0 / (span + 1.0) if span > 1 else 1.0
    out, s = [], values[0] if values else 0.0
    for x in values:
        s = alpha * x + (1.0 - alpha) * s
        out.append(s)
    return out


def fed(values: np.ndarray, span: int, max_points: int, pieces: list[int]) -> SmoothedCurve:
    """A curve of (values, 1 − values) fed in pieces of the given lengths, then the rest."""
    curve = SmoothedCurve(span, series=2, max_points=max_points)
    start = 0
    for n in [*pieces, len(values)]:
        end = min(len(values), start + n)
        curve.extend(values[start:end], 1.0 - values[start:end])
        start = end
    return curve


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 3000), st.integers(1, 60), st.integers(1, 50), st.lists(st.integers(0, 700), max_size=8),
    st.integers(0, 2**32 - 1),
)
def test_fed_in_pieces_it_is_bounded_and_exact(
    n: int, span: int, max_points: int, pieces: list[int], seed: int
) -> None:
    values = np.random.default_rng(seed).random(n)
    curve = fed(values, span, max_points, pieces)
    steps, (loss, accuracy) = curve.points()
    at_once = fed(values, span, max_points, [])
    assert (steps, [loss, accuracy]) == at_once.points()  # incremental == from scratch, bit for bit
    assert curve.count == n and len(steps) == len(loss) == len(accuracy) <= max_points + 1
    if not n:
        assert steps == []
        return
    assert steps[0] == 0 and steps[-1] == n - 1 and steps == sorted(set(steps))
    assert all(t % curve.stride == 0 for t in steps[:-1])  # every stride-th step, and the latest
    expected = moving_average(values.tolist(), span), moving_average((1.0 - values).tolist(), span)
    assert loss == [expected[0][t] for t in steps]  # the exact float64 values of the full average
    assert accuracy == [expected[1][t] for t in steps]


def test_the_stride_doubles_and_drops_every_other_kept_step() -> None:
    curve = SmoothedCurve(span=1, series=1, max_points=4)
    curve.extend(np.arange(5.0))  # 0 1 2 3 4: five kept steps are one too many
    assert curve.stride == 2 and curve.points() == ([0, 2, 4], [[0.0, 2.0, 4.0]])
    curve.extend([5.0])  # 5 is not a multiple of 2: only drawn as the latest
    assert curve.points() == ([0, 2, 4, 5], [[0.0, 2.0, 4.0, 5.0]])
    curve.extend([6.0, 7.0, 8.0])  # 6, 8 kept: 0 2 4 6 8 is too many again
    assert curve.stride == 4 and curve.points() == ([0, 4, 8], [[0.0, 4.0, 8.0]])


def test_span_one_is_not_smoothed_and_a_long_span_lags() -> None:
    steps = np.r_[np.ones(10), np.zeros(10)]
    raw = SmoothedCurve(span=1, series=1)
    raw.extend(steps)
    assert raw.points()[1][0] == steps.tolist()
    slow = SmoothedCurve(span=9, series=1)  # α = 0.2
    slow.extend(steps)
    assert slow.points()[1][0][10] == pytest.approx(0.8, rel=1e-12)


def test_series_must_come_together() -> None:
    curve = SmoothedCurve(span=3, series=2)
    with pytest.raises(ValueError, match="need 2 series of one length"):
        curve.extend([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="need 2 series"):
        curve.extend([1.0])
    with pytest.raises(ValueError, match="at least one series and one point"):
        SmoothedCurve(span=3, max_points=0)
