"""Losses between a target distribution y (or P) and a prediction f (or Q), over the last axis.

Natural log throughout. Terms with P_i = 0 contribute 0 (the limit of p log p as p → 0);
a Q_i = 0 where P_i > 0 gives +inf, as the definitions say.
Gradients are taken with respect to the logits z, where f = softmax(z).
A zero loss is +0.0, never −0.0 (written 0.0 − x rather than −x), so it prints as 0.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from core.probability import check_distribution
from core.softmax import log_softmax, logits_of, softmax


def _pair(p: ArrayLike, q: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(P, Q) checked as distributions over the same number of classes."""
    p, q = check_distribution(p, "P"), check_distribution(q, "Q")
    if p.shape[-1] != q.shape[-1]:
        raise ValueError(f"P and Q differ in length: {p.shape[-1]} vs {q.shape[-1]} classes")
    return p, q


def _p_log(p: NDArray[np.float64], x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Σ_i p_i log x_i over the last axis, with 0 · log(anything) = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(np.where(p > 0, x, 1.0)), 0.0)
    return np.sum(terms, axis=-1)


def entropy(p: ArrayLike) -> NDArray[np.float64]:
    """H(P) = −Σ_i P_i log P_i."""
    p = check_distribution(p, "P")
    return 0.0 - _p_log(p, p)


def cross_entropy(p: ArrayLike, q: ArrayLike) -> NDArray[np.float64]:
    """H(P, Q) = −Σ_i P_i log Q_i; with P = y one-hot this is −log f_true."""
    p, q = _pair(p, q)
    return 0.0 - _p_log(p, q)


def kl_divergence(p: ArrayLike, q: ArrayLike) -> NDArray[np.float64]:
    """KL(P‖Q) = Σ_i P_i log(P_i / Q_i) = H(P, Q) − H(P) ≥ 0, and 0 iff P = Q."""
    p, q = _pair(p, q)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1.0)) - np.log(q)), 0.0)
    return np.maximum(np.sum(terms, axis=-1), 0.0)  # ≥ 0 by Gibbs' inequality; drops rounding just below 0


def mse(p: ArrayLike, q: ArrayLike) -> NDArray[np.float64]:
    """Σ_i (P_i − Q_i)², the lecture's squared error: f=[0.6,0.4], y=[1,0] → 0.32."""
    p, q = _pair(p, q)
    return np.sum((p - q) ** 2, axis=-1)


def _target_and_logits(y: ArrayLike, z: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(y, z) with y checked as a distribution over as many classes as z has logits."""
    y = check_distribution(y, "y")
    z = np.asarray(z, dtype=np.float64)
    if y.shape[-1] != z.shape[-1]:
        raise ValueError(f"y has {y.shape[-1]} classes but z has {z.shape[-1]} logits")
    return y, z


def cross_entropy_from_logits(y: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
    """𝓛_CE(z) = −Σ_i y_i log softmax(z)_i from log_softmax (finite for finite z; y_i = 0 terms are 0)."""
    y, z = _target_and_logits(y, z)
    with np.errstate(invalid="ignore"):
        return 0.0 - np.sum(np.where(y > 0, y * log_softmax(z), 0.0), axis=-1)


def mse_from_logits(y: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
    """𝓛_MSE(z) = Σ_i (softmax(z)_i − y_i)²."""
    y, z = _target_and_logits(y, z)
    return mse(y, softmax(z))


def cross_entropy_grad_logits(y: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
    """∂𝓛_CE/∂z = f − y (y sums to 1): its true-class entry f_true − 1 → −1, not 0, when f_true → 0."""
    y, z = _target_and_logits(y, z)
    return softmax(z) - y


def mse_grad_logits(y: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
    """∂𝓛_MSE/∂z = Jᵀ · 2(f − y) with J = diag(f) − f fᵀ, i.e. f_i (g_i − Σ_j f_j g_j).

    The factor f_i makes it vanish when f is confidently wrong (f_true → 0).
    """
    y, z = _target_and_logits(y, z)
    f = softmax(z)
    g = 2.0 * (f - y)
    return f * (g - np.sum(f * g, axis=-1, keepdims=True))


def spread_prediction(p_true: ArrayLike, n: int) -> NDArray[np.float64]:
    """f over n classes with the true class first: f_0 = p_true, the other n − 1 share 1 − p_true equally."""
    p = np.asarray(p_true, dtype=np.float64)[..., None]
    f = np.repeat((1.0 - p) / (n - 1), n, axis=-1)
    f[..., 0] = p[..., 0]
    return f


def curves_vs_p_true(p_true: ArrayLike, n: int) -> dict[str, NDArray[np.float64]]:
    """Loss and ∂𝓛/∂z_true of CE and MSE-through-softmax against the true class's probability p_true.

    The prediction is `spread_prediction(p_true, n)`, its logits z = log f, the target y one-hot on class 0.
    """
    z = logits_of(spread_prediction(p_true, n))
    y = np.eye(n)[0]
    return {
        "ce": cross_entropy_from_logits(y, z),
        "mse": mse_from_logits(y, z),
        "ce_grad": cross_entropy_grad_logits(y, z)[..., 0],
        "mse_grad": mse_grad_logits(y, z)[..., 0],
    }
