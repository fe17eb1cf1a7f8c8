"""Softmax: ℝⁿ → Δⁿ⁻¹, the map from logits z to a probability vector f.

softmax(z)_i = e^{z_i / T} / Σ_j e^{z_j / T}, computed in the numerically stable form
(subtract max_j z_j first, which leaves the result unchanged: shift invariance).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Corners of the probability simplex Δ² drawn as an equilateral triangle in the plane.
SIMPLEX_CORNERS: NDArray[np.float64] = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3.0) / 2.0]])


def _scaled_logits(z: ArrayLike, temperature: float) -> NDArray[np.floating]:
    """z / T as a float array, after checking that T is a positive finite number."""
    if not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be a positive finite number, got {temperature!r}")
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    return z / temperature


def log_softmax(z: ArrayLike, temperature: float = 1.0, axis: int = -1) -> NDArray[np.floating]:
    """log softmax(z / T) along `axis`: z/T − max − log Σ e^{z/T − max}."""
    s = _scaled_logits(z, temperature)
    shifted = s - np.max(s, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(z: ArrayLike, temperature: float = 1.0, axis: int = -1) -> NDArray[np.floating]:
    """f = softmax(z / T) along `axis`, stable for any finite logits; each slice sums to 1."""
    s = _scaled_logits(z, temperature)
    e = np.exp(s - np.max(s, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def naive_softmax(z: ArrayLike, temperature: float = 1.0, axis: int = -1) -> NDArray[np.floating]:
    """The textbook form e^{z_i} / Σ_j e^{z_j} without the max shift: overflows to inf/NaN.

    Kept only to show on the softmax page why the stable form is needed.
    """
    s = _scaled_logits(z, temperature)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        e = np.exp(s)
        return e / np.sum(e, axis=axis, keepdims=True)


def simplex_xy(p: ArrayLike) -> NDArray[np.float64]:
    """Barycentric → Cartesian: a point p ∈ Δ² (last axis of length 3) as (x, y) in the triangle."""
    p = np.asarray(p, dtype=np.float64)
    if p.shape[-1] != 3:
        raise ValueError(f"simplex_xy needs 3 probabilities on the last axis, got shape {p.shape}")
    return p @ SIMPLEX_CORNERS
