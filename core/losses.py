"""Losses between a target distribution y (or P) and a prediction f (or Q), over the last axis.

Natural log throughout. Terms with P_i = 0 contribute 0 (the limit of p log p as p → 0);
a Q_i = 0 where P_i > 0 gives +inf, as the definitions say.
Gradients are taken with respect to the logits z, where f = softmax(z).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from core.softmax import log_softmax, softmax


def _p_log(p: NDArray[np.float64], x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Σ_i p_i log x_i over the last axis, with 0 · log(anything) = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(np.where(p > 0, x, 1.0)), 0.0)
    return np.sum(terms, axis=-1)


def _as_distributions(*arrays: ArrayLike) -> list[NDArray[np.float64]]:
    out = [np.asarray(a, dtype=np.float64) for a in arrays]
    for a in out:
        if np.any(a < 0) or not np.all(np.isfinite(a)):
            raise ValueError("probabilities must be finite and non-negative")
    if len(out) > 1 and out[0].shape[-1] != out[1].shape[-1]:
        raise ValueError(f"distributions differ in length: {out[0].shape[-1]} vs {out[1].shape[-1]}")
    return out


def entropy(p: ArrayLike) -> NDArray[np.float64]:
    """H(P) = −Σ_i P_i log P_i."""
    (p,) = _as_distributions(p)
    return -_p_log(p, p)


def cross_entropy(p: ArrayLike, q: ArrayLike) -> NDArray[np.float64]:
    """H(P, Q) = −Σ_i P_i log Q_i; with P = y one-hot this is −log f_true."""
    p, q = _as_distributions(p, q)
    return -_p_log(p, q)


def kl_divergence(p: ArrayLike, q: ArrayLike) -> NDArray[np.float64]:
    """KL(P‖Q) = Σ_i P_i log(P_i / Q_i) = H(P, Q) − H(P) ≥ 0, and 0 iff P = Q."""
    p, q = _as_distributions(p, q)
    with np.errstate(divide="ignore"):
        return _p_log(p, p) - _p_log(p, q)


def mse(p: ArrayLike, q: ArrayLike) -> NDArray[np.float64]:
    """Σ_i (P_i − Q_i)², the lecture's squared error: f=[0.6,0.4], y=[1,0] → 0.32."""
    p, q = _as_distributions(p, q)
    return np.sum((p - q) ** 2, axis=-1)


def cross_entropy_from_logits(y: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
    """𝓛_CE(z) = −Σ_i y_i log softmax(z)_i, computed from log_softmax (finite for any finite z)."""
    y = np.asarray(y, dtype=np.float64)
    return -np.sum(y * log_softmax(np.asarray(z, dtype=np.float64)), axis=-1)


def mse_from_logits(y: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
    """𝓛_MSE(z) = Σ_i (softmax(z)_i − y_i)²."""
    return mse(y, softmax(np.asarray(z, dtype=np.float64)))


def cross_entropy_grad_logits(y: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
    """∂𝓛_CE/∂z = f − y (for y summing to 1): never small while the model is wrong."""
    return softmax(np.asarray(z, dtype=np.float64)) - np.asarray(y, dtype=np.float64)


def mse_grad_logits(y: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
    """∂𝓛_MSE/∂z = Jᵀ · 2(f − y) with J = diag(f) − f fᵀ, i.e. f_i (g_i − Σ_j f_j g_j).

    The factor f_i makes it vanish when f is confidently wrong (f_true → 0).
    """
    f = softmax(np.asarray(z, dtype=np.float64))
    g = 2.0 * (f - np.asarray(y, dtype=np.float64))
    return f * (g - np.sum(f * g, axis=-1, keepdims=True))
