"""core.optimizers: each update of θ against its formula, computed step by step in float64."""

from __future__ import annotations

import numpy as np
import pytest

from core.optimizers import ADAM_BETAS, ADAM_EPS, MOMENTUM, OPTIMIZERS, make_optimizer

SHAPE = (10, 785)


def reference(name: str, gradients: list[np.ndarray], theta: np.ndarray, rates: list[float]) -> np.ndarray:
    """θ after the optimizer's updates with gradients g_t and step sizes η_t, as the lecture writes them."""
    theta = theta.astype(np.float64)
    v = np.zeros_like(theta)
    m = np.zeros_like(theta)
    for t, (g, eta) in enumerate(zip(gradients, rates, strict=True)):
        if name in ("gd", "sgd"):
            theta = theta - eta * g
        elif name == "momentum":
            v = MOMENTUM * v + g
            theta = theta - eta * v
        else:
            b1, b2 = ADAM_BETAS
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g**2
            m_hat, v_hat = m / (1 - b1 ** (t + 1)), v / (1 - b2 ** (t + 1))
            theta = theta - eta * m_hat / (np.sqrt(v_hat) + ADAM_EPS)
    return theta


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_each_update_follows_its_formula(name: str) -> None:
    rng = np.random.default_rng(4)
    theta0 = rng.normal(0, 0.1, SHAPE).astype(np.float32)
    gradients = [rng.normal(0, 0.01, SHAPE).astype(np.float32) for _ in range(5)]
    rates = [0.003 * (1 - t / 5) for t in range(5)]  # a linear schedule: η_t changes between steps
    optimizer = make_optimizer(name, SHAPE, rates[0])
    theta = theta0.copy()
    for g, eta in zip(gradients, rates, strict=True):
        optimizer.lr = eta
        optimizer.grad[...] = g  # what the trainer's backward pass writes
        optimizer.apply(theta)
    assert theta.dtype == np.float32
    expected = reference(name, [g.astype(np.float64) for g in gradients], theta0, rates)
    np.testing.assert_allclose(theta, expected, rtol=1e-5, atol=1e-7)
    assert np.abs(theta - theta0).max() > 0


def test_an_unknown_optimizer_is_refused() -> None:
    with pytest.raises(ValueError, match="optimizer must be one of gd, sgd, momentum, adam"):
        make_optimizer("rmsprop", SHAPE, 0.1)
