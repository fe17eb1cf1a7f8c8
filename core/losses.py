"""Losses between a target distribution y (or P) and a prediction f (or Q), over the last axis.

Classes are indexed k = 1…n (in code 0…n−1); images, where they appear, i = 1…N. Natural log throughout.
Terms with P_k = 0 contribute 0 (the limit of p log p as p → 0); a Q_k = 0 where P_k > 0 gives +inf, as the
definitions say (log 0 = −∞).
Gradients are taken with respect to the logits z, where f = softmax(z).
A zero loss is +0.0, never −0.0 (written 0.0 − x rather than −x), so it prints as 0.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from core.probability import SUM_TOL, check_distribution
from core.softmax import log_softmax, logits_of, softmax

# The lecture's loss example is Shirt vs Bag, f = [P(Shirt | x), P(Bag | x)]. More classes join in this order:
# the tops a Shirt is most often mistaken for first (T-shirt/top, Pullover, Coat), then the rest.
EXAMPLE_CLASSES: tuple[str, ...] = (
    "Shirt", "Bag", "T-shirt/top", "Pullover", "Coat", "Dress", "Trouser", "Sneaker", "Sandal", "Ankle boot",
)  # fmt: skip


def example_classes(n: int) -> list[str]:
    """The n classes of the lecture's loss example: Shirt, Bag, then T-shirt/top, Pullover, Coat, …"""
    if not 1 <= n <= len(EXAMPLE_CLASSES):
        raise ValueError(f"n must be between 1 and {len(EXAMPLE_CLASSES)} classes, got {n}")
    return list(EXAMPLE_CLASSES[:n])


def true_class(y: ArrayLike) -> int | None:
    """The (0-based) index k of the true class when the label y is one-hot (y_k = 1, every other entry 0), else None."""
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 1 or np.count_nonzero(y) != 1:
        return None
    k = int(np.argmax(y))
    return k if abs(y[k] - 1.0) <= SUM_TOL else None


def _pair(p: ArrayLike, q: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(P, Q) checked as distributions over the same number of classes."""
    p, q = check_distribution(p, "P"), check_distribution(q, "Q")
    if p.shape[-1] != q.shape[-1]:
        raise ValueError(f"P and Q differ in length: {p.shape[-1]} vs {q.shape[-1]} classes")
    return p, q


def _p_log(p: NDArray[np.float64], x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Σ_k p_k log x_k over the last axis, with 0 · log(anything) = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(np.where(p > 0, x, 1.0)), 0.0)
    return np.sum(terms, axis=-1)


def entropy(p: ArrayLike) -> NDArray[np.float64]:
    """H(P) = −Σ_k P_k log P_k."""
    p = check_distribution(p, "P")
    return 0.0 - _p_log(p, p)


def cross_entropy(p: ArrayLike, q: ArrayLike) -> NDArray[np.float64]:
    """H(P, Q) = −Σ_k P_k log Q_k; with P = y one-hot this is −log f_true."""
    p, q = _pair(p, q)
    return 0.0 - _p_log(p, q)


def kl_divergence(p: ArrayLike, q: ArrayLike) -> NDArray[np.float64]:
    """KL(P‖Q) = Σ_k P_k log(P_k / Q_k) = H(P, Q) − H(P) ≥ 0, and 0 iff P = Q."""
    p, q = _pair(p, q)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1.0)) - np.log(q)), 0.0)
    return np.maximum(np.sum(terms, axis=-1), 0.0)  # ≥ 0 by Gibbs' inequality; drops rounding just below 0


def kl_split(p: ArrayLike, q: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The two sums of KL(P‖Q) = Σ_k P_k log P_k − Σ_k P_k log Q_k, i.e. (−H(P), −H(P, Q)).

    The first is finite (≤ 0); the second is −inf when Q_k = 0 for some P_k > 0 (log 0 = −∞), and then
    KL = first − (−∞) = +∞.
    """
    p, q = _pair(p, q)
    return 0.0 + _p_log(p, p), 0.0 + _p_log(p, q)


def mse(p: ArrayLike, q: ArrayLike) -> NDArray[np.float64]:
    """The squared error 𝓛_SE = Σ_k (P_k − Q_k)², a SUM over the classes (f=[0.6,0.4], y=[1,0] → 0.32).

    The name is kept for the code that calls it, but this is not a mean: the mean over the n classes, the
    mean squared error, is `mean_squared_error` (0.16 for the same f and y).
    """
    p, q = _pair(p, q)
    return np.sum((p - q) ** 2, axis=-1)


def mean_squared_error(p: ArrayLike, q: ArrayLike) -> NDArray[np.float64]:
    """MSE = 𝓛_SE / n = (1/n) Σ_k (P_k − Q_k)², the mean over the n classes (f=[0.6,0.4], y=[1,0] → 0.16)."""
    p, q = _pair(p, q)
    return np.mean((p - q) ** 2, axis=-1)


def _target_and_logits(y: ArrayLike, z: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(y, z) with y checked as a distribution over as many classes as z has logits."""
    y = check_distribution(y, "y")
    z = np.asarray(z, dtype=np.float64)
    if y.shape[-1] != z.shape[-1]:
        raise ValueError(f"y has {y.shape[-1]} classes but z has {z.shape[-1]} logits")
    return y, z


def cross_entropy_from_logits(y: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
    """𝓛_CE(z) = −Σ_k y_k log softmax(z)_k from log_softmax (finite for finite z; y_k = 0 terms are 0)."""
    y, z = _target_and_logits(y, z)
    with np.errstate(invalid="ignore"):
        return 0.0 - np.sum(np.where(y > 0, y * log_softmax(z), 0.0), axis=-1)


def mse_from_logits(y: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
    """The squared error 𝓛_SE(z) = Σ_k (softmax(z)_k − y_k)², a sum over the classes like `mse`."""
    y, z = _target_and_logits(y, z)
    return mse(y, softmax(z))


def cross_entropy_grad_logits(y: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
    """∂𝓛_CE/∂z = f − y (y sums to 1): its true-class entry f_true − 1 → −1, not 0, when f_true → 0."""
    y, z = _target_and_logits(y, z)
    return softmax(z) - y


def mse_grad_logits(y: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
    """∂𝓛_SE/∂z = Jᵀ · 2(f − y) with J = diag(f) − f fᵀ, i.e. f_k (g_k − Σ_j f_j g_j), g = 2(f − y).

    The factor f_k makes it vanish when f is confidently wrong (f_true → 0).
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
    """Loss and ∂𝓛/∂z_true of cross-entropy and squared error (through the softmax) against the true class's probability p_true.

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
