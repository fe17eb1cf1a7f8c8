"""The updates of θ = [W b] that the iterative solvers make, given the gradient g = ∇θ 𝓛(θ) of a step.

- ``"gd"`` and ``"sgd"``: θ ← θ − η g (full batch or minibatch: the update is the same, the batch is not).
- ``"momentum"``: v ← μ v + g, θ ← θ − η v.
- ``"adam"``: bias-corrected running means of g and g², θ ← θ − η m̂ / (√v̂ + ε).

Each optimizer owns the float32 buffer ``grad`` that the trainer's backward pass fills, and may use it as scratch
in ``apply``, which updates θ in place. ``lr`` is η of the current step (a schedule may change it between steps).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

Optimizer = Literal["gd", "sgd", "momentum", "adam"]
OPTIMIZERS: tuple[str, ...] = ("gd", "sgd", "momentum", "adam")
MOMENTUM = 0.9
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8


class GradientStep:
    """Plain gradient step θ ← θ − η g (full-batch gradient descent and SGD)."""

    def __init__(self, shape: tuple[int, ...], learning_rate: float) -> None:
        self.lr = learning_rate
        self.grad = np.zeros(shape, dtype=np.float32)

    def apply(self, theta: np.ndarray) -> None:
        """θ ← θ − η g, in place."""
        self.grad *= -self.lr
        theta += self.grad


class Momentum(GradientStep):
    """v ← μ v + g, θ ← θ − η v (heavy ball, as in PyTorch's SGD with momentum)."""

    def __init__(self, shape: tuple[int, ...], learning_rate: float) -> None:
        super().__init__(shape, learning_rate)
        self.velocity = np.zeros(shape, dtype=np.float32)

    def apply(self, theta: np.ndarray) -> None:
        """v ← μ v + g, θ ← θ − η v, in place."""
        self.velocity *= MOMENTUM
        self.velocity += self.grad
        np.multiply(self.velocity, -self.lr, out=self.grad)
        theta += self.grad


class Adam(GradientStep):
    """Adam: running means m of g and v of g², bias-corrected: θ ← θ − η m̂ / (√v̂ + ε).

    m and v are stacked, as are g and g², so both moments update in the same few operations.
    """

    def __init__(self, shape: tuple[int, ...], learning_rate: float) -> None:
        self.lr = learning_rate
        self.pair = np.zeros((2, *shape), dtype=np.float32)
        self.grad = self.pair[0]
        self.moments = np.zeros((2, *shape), dtype=np.float32)
        self.rates = np.array([1.0 - ADAM_BETAS[0], 1.0 - ADAM_BETAS[1]], dtype=np.float32).reshape(2, 1, 1)
        self.t = 0

    def apply(self, theta: np.ndarray) -> None:
        """m ← β₁ m + (1 − β₁) g, v ← β₂ v + (1 − β₂) g², θ ← θ − η m̂ / (√v̂ + ε), in place."""
        self.t += 1
        pair, moments = self.pair, self.moments
        np.square(pair[0], out=pair[1])
        pair -= moments
        pair *= self.rates
        moments += pair  # m += (1 − β₁)(g − m), v += (1 − β₂)(g² − v)
        root_correction2 = math.sqrt(1.0 - ADAM_BETAS[1] ** self.t)
        step = pair[0]
        np.sqrt(moments[1], out=step)
        step += ADAM_EPS * root_correction2
        np.divide(moments[0], step, out=step)
        step *= -self.lr * root_correction2 / (1.0 - ADAM_BETAS[0] ** self.t)
        theta += step


_CLASSES: dict[str, type[GradientStep]] = {"gd": GradientStep, "sgd": GradientStep, "momentum": Momentum, "adam": Adam}


def make_optimizer(name: str, shape: tuple[int, ...], learning_rate: float) -> GradientStep:
    """The optimizer ``name`` (one of `OPTIMIZERS`) for a θ of ``shape``, starting with step size η."""
    if name not in _CLASSES:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {name!r}")
    return _CLASSES[name](shape, learning_rate)
