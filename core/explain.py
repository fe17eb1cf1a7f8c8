"""Why f(x, θ) = softmax(Wx + b) says what it says: the logits z = Wx + b taken apart pixel by pixel.

Each logit is a sum over the 784 pixels plus a bias, z_k = Σ_i W_ki x_i + b_k, so the map W_k ⊙ x (one
number per pixel) shows which pixels push z_k up (W_ki x_i > 0) and which push it down. Softmax only compares
logits (shift invariance), so "why class k and not class j?" is answered by

    z_k − z_j = Σ_i (W_ki − W_ji) x_i + (b_k − b_j),

the difference map (W_k − W_j) ⊙ x summed, plus the difference of the biases. Everything here is float64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.imaging import SIDE, STEP_NAMES, TRIM_LEVEL, Preprocessed
from core.model import IMAGE_SHAPE, N_CLASSES, N_PIXELS, SoftmaxRegression
from core.numbers import fmt
from core.softmax import softmax

LOW_CONFIDENCE = 0.5  # a top probability below this: the model is unsure
MOSTLY_OBJECT = 0.9  # more of the picture than this differs from its background: no plain background


@dataclass(frozen=True, eq=False)
class LogitGap:
    """z_k − z_j = Σ_i (W_ki − W_ji) x_i + (b_k − b_j) for two classes k and j.

    ``difference``: the map (W_k − W_j) ⊙ x as (28, 28); ``pixels`` its sum; ``bias`` = b_k − b_j.
    """

    k: int
    j: int
    difference: np.ndarray
    pixels: float
    bias: float
    z_k: float
    z_j: float

    @property
    def total(self) -> float:
        """Σ_i (W_ki − W_ji) x_i + (b_k − b_j): equals z_k − z_j."""
        return self.pixels + self.bias


@dataclass(frozen=True, eq=False)
class Explanation:
    """The logits of one input x, split into per-pixel contributions.

    ``x``: (784,) the model's input; ``contributions``: (10, 784) W ⊙ x, row k being W_k ⊙ x;
    ``b``: (10,); ``z``: (10,) z_k = Σ_i W_ki x_i + b_k, summed from ``contributions``.
    """

    x: np.ndarray
    W: np.ndarray
    contributions: np.ndarray
    b: np.ndarray
    z: np.ndarray

    @classmethod
    def build(cls, W: object, b: object, x: object) -> Explanation:
        """From θ = (W (10, 784), b (10,)) and an input x (784,), all taken as float64."""
        W = np.asarray(W, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        x = np.asarray(x, dtype=np.float64)
        if W.shape != (N_CLASSES, N_PIXELS) or b.shape != (N_CLASSES,) or x.shape != (N_PIXELS,):
            raise ValueError(f"need W (10, 784), b (10,) and x (784,); got {W.shape}, {b.shape} and {x.shape}")
        contributions = W * x
        return cls(x, W, contributions, b, contributions.sum(axis=1) + b)

    def f(self, temperature: float = 1.0) -> np.ndarray:
        """f = softmax(z / T): the class probabilities (10,)."""
        return softmax(self.z, temperature)

    @property
    def predicted(self) -> int:
        """The class with the largest logit (whatever T is)."""
        return int(np.argmax(self.z))

    def runner_up(self, k: int | None = None) -> int:
        """The class with the largest logit other than k (default: other than the predicted class)."""
        k = self.predicted if k is None else k
        return int(max((j for j in range(N_CLASSES) if j != k), key=lambda j: self.z[j]))

    def contribution(self, k: int) -> np.ndarray:
        """W_k ⊙ x as a (28, 28) map: how much each pixel adds to z_k."""
        return self.contributions[k].reshape(IMAGE_SHAPE)

    def template(self, k: int) -> np.ndarray:
        """W_k as a (28, 28) image: what class k looks for."""
        return self.W[k].reshape(IMAGE_SHAPE)

    def gap(self, k: int, j: int) -> LogitGap:
        """Why class k and not class j: z_k − z_j as the sum of the difference map plus b_k − b_j."""
        difference = self.contributions[k] - self.contributions[j]
        return LogitGap(k, j, difference.reshape(IMAGE_SHAPE), float(difference.sum()),
                        float(self.b[k] - self.b[j]), float(self.z[k]), float(self.z[j]))  # fmt: skip


def explain(model: SoftmaxRegression, image: object) -> Explanation:
    """The explanation of the model's logits for one uint8 (28, 28) image, x = (image/255 − mean)/std."""
    x = model.preprocess(image)
    if x.ndim != 1:
        raise ValueError("explain() takes a single (28, 28) image")
    return Explanation.build(model.W, model.b, x)


def unlike_dataset(f: object, prepared: Preprocessed | None = None) -> list[str]:
    """Reasons why an input may look nothing like Fashion-MNIST (empty list: none found).

    ``f``: the model's probabilities at T = 1. ``prepared``: the upload's preprocessing, if it was one. Checks:
    the top probability is below `LOW_CONFIDENCE`; the object reaches all four edges of a picture larger than
    28×28 (no plain background around it); more than `MOSTLY_OBJECT` of the picture differs from its background.
    """
    reasons = []
    top = float(np.max(np.asarray(f)))
    if top < LOW_CONFIDENCE:
        reasons.append(f"the model is unsure: its top probability is only {fmt(top)} (below {fmt(LOW_CONFIDENCE)})")
    if prepared is not None:
        signal = dict(prepared.steps)[STEP_NAMES[2]]
        height, width = signal.shape
        if min(height, width) > SIDE and prepared.box == (0, 0, width, height):
            reasons.append("the object reaches all four edges of the picture, with no plain background around it")
        lit = float(np.mean(signal > TRIM_LEVEL))
        if lit > MOSTLY_OBJECT:
            reasons.append(f"{fmt(100 * lit, 2)}% of the picture differs from its background: it is mostly object")
    return reasons
