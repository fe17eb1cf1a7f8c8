"""Softmax: ℝⁿ → Δⁿ⁻¹, the map from logits z to a probability vector f.

softmax(z)_i = e^{z_i / T} / Σ_j e^{z_j / T}, computed in the numerically stable form
(subtract max_j z_j first, which leaves the result unchanged: shift invariance).
Logits may be −inf (a class ruled out); NaN logits propagate to NaN outputs rather than raising,
so a diverging model shows up as NaN where it happens.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

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


def simplex_xy(p: ArrayLike) -> NDArray[np.float64]:
    """Barycentric → Cartesian: a point p ∈ Δ² (last axis of length 3) as (x, y) in the triangle."""
    p = np.asarray(p, dtype=np.float64)
    if p.shape[-1] != 3:
        raise ValueError(f"simplex_xy needs 3 probabilities on the last axis, got shape {p.shape}")
    return p @ SIMPLEX_CORNERS
