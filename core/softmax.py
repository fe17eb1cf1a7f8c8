"""Softmax: ℝⁿ → Δⁿ⁻¹, the map from logits z to a probability vector f.

softmax(z)_i = e^{z_i / T} / Σ_j e^{z_j / T}, computed in the numerically stable form
(subtract max_j z_j first, which leaves the result unchanged: shift invariance).
Logits may be −inf (a class ruled out); NaN logits propagate to NaN outputs rather than raising,
so a diverging model shows up as NaN where it happens.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from core.probability import SUM_TOL

# Corners of the probability simplex Δ² drawn as an equilateral triangle in the plane.
SIMPLEX_CORNERS: NDArray[np.float64] = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3.0) / 2.0]])


def _check_temperature(temperature: ArrayLike) -> NDArray[np.float64]:
    """T as a float array, after checking that every T is a positive finite number."""
    t = np.asarray(temperature, dtype=np.float64)
    if not np.all(np.isfinite(t)) or np.any(t <= 0):
        raise ValueError(f"temperature T must be a positive finite number, got {temperature!r}")
    return t


def _logits(z: ArrayLike) -> NDArray[np.floating]:
    """z as a floating array (float32 stays float32, anything else becomes float64)."""
    z = np.asarray(z)
    return z if np.issubdtype(z.dtype, np.floating) else z.astype(np.float64)


def shifted_logits(z: ArrayLike, temperature: float = 1.0, axis: int = -1) -> NDArray[np.floating]:
    """(z − max_j z_j) / T, the exponents of the stable softmax: all ≤ 0, the largest exactly 0.

    So every e^{…} lies in (0, 1] and their sum in [1, n]: no overflow, no 0/0. Shifting before
    dividing means a tiny T cannot overflow z / T either.
    """
    t = _check_temperature(temperature)
    z = _logits(z)
    with np.errstate(invalid="ignore"):
        return (z - np.max(z, axis=axis, keepdims=True)) / t.astype(z.dtype)


def log_softmax(z: ArrayLike, temperature: float = 1.0, axis: int = -1) -> NDArray[np.floating]:
    """log softmax(z / T) along `axis`: (z − max)/T − log Σ_j e^{(z_j − max)/T}."""
    s = shifted_logits(z, temperature, axis)
    return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))


def softmax(z: ArrayLike, temperature: float = 1.0, axis: int = -1) -> NDArray[np.floating]:
    """f = softmax(z / T) along `axis`, stable for any finite logits; each slice sums to 1."""
    e = np.exp(shifted_logits(z, temperature, axis))
    return e / np.sum(e, axis=axis, keepdims=True)


def naive_softmax(z: ArrayLike, temperature: float = 1.0, axis: int = -1) -> NDArray[np.floating]:
    """The textbook form e^{z_i/T} / Σ_j e^{z_j/T} without the max shift: overflows to inf/NaN.

    Kept only to show on the softmax page why the stable form is needed.
    """
    z = _logits(z)
    s = z / _check_temperature(temperature).astype(z.dtype)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        e = np.exp(s)
        return e / np.sum(e, axis=axis, keepdims=True)


def temperature_path(z: ArrayLike, temperatures: ArrayLike) -> NDArray[np.float64]:
    """softmax(z / T) for each T in `temperatures`: rows run from near one-hot (small T) to uniform (large T)."""
    t = _check_temperature(temperatures).reshape(-1, 1)
    z = np.asarray(z, dtype=np.float64)
    return softmax((z - np.max(z))[None, :] / t)


def logit_path(z: ArrayLike, i: int, values: ArrayLike, temperature: float = 1.0) -> NDArray[np.float64]:
    """softmax(z / T) with the logit z_i replaced by each of `values` in turn, the others held fixed."""
    v = np.asarray(values, dtype=np.float64)
    rows = np.repeat(np.asarray(z, dtype=np.float64)[None, :], v.size, axis=0)
    rows[:, i] = v
    return softmax(rows, temperature)


def logits_of(f: ArrayLike) -> NDArray[np.float64]:
    """z = log f: one set of logits whose softmax is f (any z + c is another); f_i = 0 gives z_i = −inf."""
    with np.errstate(divide="ignore"):
        return np.log(np.asarray(f, dtype=np.float64))


def sigmoid(t: ArrayLike) -> NDArray[np.float64]:
    """σ(t) = 1 / (1 + e^{−t}), without overflow for any t.

    For n = 2: softmax(z / T) = (σ((z₁ − z₂)/T), σ((z₂ − z₁)/T)), so f₁ is the sigmoid and f₂ = 1 − f₁.
    """
    t = np.asarray(t, dtype=np.float64)
    with np.errstate(over="ignore"):
        e = np.exp(-np.abs(t))  # ≤ 1: never overflows
    return np.where(t >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


@dataclass(frozen=True)
class ProbabilityCheck:
    """Whether a vector v could be a probability vector (a point of Δⁿ⁻¹): entries below 0 or above 1, the sum.

    `sums_to_one` is the app's one probability-vector tolerance: |Σ vᵢ − 1| ≤ `core.probability.SUM_TOL`.
    """

    negative: tuple[int, ...]
    above_one: tuple[int, ...]
    total: float
    sums_to_one: bool

    @property
    def is_probability_vector(self) -> bool:
        """Every vᵢ ≥ 0 and Σ vᵢ = 1 (then every vᵢ ≤ 1 follows)."""
        return not self.negative and self.sums_to_one


def probability_check(v: ArrayLike) -> ProbabilityCheck:
    """Why raw scores z = Wx + b are not probabilities, and softmax(z) is: the same check on both.

    The sum is taken in float64 whatever v's type, so a float32 f sums to 1 within float32 rounding.
    """
    wide = _logits(v).ravel().astype(np.float64)
    total = float(np.sum(wide))
    return ProbabilityCheck(
        negative=tuple(int(i) for i in np.flatnonzero(wide < 0)),
        above_one=tuple(int(i) for i in np.flatnonzero(wide > 1)),
        total=total,
        sums_to_one=bool(abs(total - 1.0) <= SUM_TOL),
    )


def saturated(f: ArrayLike) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(indices with f_i exactly 0, indices with f_i exactly 1): impossible for softmax in real numbers, where
    0 < f_i < 1, but what float rounding gives at small T (e^{…} underflows to 0, or 1 + 1e-174 rounds to 1)."""
    f = np.asarray(f).ravel()
    return tuple(int(i) for i in np.flatnonzero(f == 0)), tuple(int(i) for i in np.flatnonzero(f == 1))


def simplex_xy(p: ArrayLike) -> NDArray[np.float64]:
    """Barycentric → Cartesian: a point p ∈ Δ² (last axis of length 3) as (x, y) in the triangle."""
    p = np.asarray(p, dtype=np.float64)
    if p.shape[-1] != 3:
        raise ValueError(f"simplex_xy needs 3 probabilities on the last axis, got shape {p.shape}")
    return p @ SIMPLEX_CORNERS
