"""Learning θ = (W, b) of f(x, θ) = softmax(Wx + b) on Fashion-MNIST: the trainer's math, synchronously.

"There is no closed-form solution — we need iterative solvers": full-batch gradient descent, minibatch SGD,
SGD with momentum, and Adam (`core.optimizers`). Each step lowers, on its batch of m images (all N for gradient
descent),

    𝓛(θ) = (1/m) Σ_i 𝓛_i + (λ/2)‖W‖²,  with
    𝓛_CE = −log f_y(x, θ)                    (cross-entropy, y the true class), or
    𝓛_SE = Σ_k (f_k(x, θ) − y_k)²            (squared error on the softmax output, summed over the 10 classes,
                                              y one-hot; the config value is "mse"),

the weight-decay term λ/2‖W‖² on W only (not b), added once per step outside the batch mean. The recorded
losses leave this penalty out.

- `TrainingConfig`: the hyper-parameters of one run, validated up front.
- `TrainingData`: the standardised feature matrices, built once and shared read-only by every run.
- `StepPlan`/`step_plan`: how a config steps through the data (batch size, steps per epoch, evaluations).
- `Trainer`: ``step()`` is one update of θ, ``run()`` trains every epoch; ``snapshot()`` is an immutable
  `Snapshot` of its state and history, O(1) whatever the run's length (the history is append-only).
- `trained_model_index`, `model_status`: which run's θ is handed on as "the trained model", and what it is.

The background thread that runs a `Trainer` is `core.training_run`; the command line is `core.training`.

Minibatches: `TrainingData` shuffles the training rows once; each epoch then cuts them into contiguous
batches from a fresh random offset (wrapping around the end) and visits the batches in a fresh random
order. Every example is used exactly once per epoch, and batches are views of the shared matrix — copying
rows out for each batch would cost about as much as the two matrix products of the step.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from core.data import load_fashion_mnist
from core.model import N_CLASSES, N_PIXELS, SoftmaxRegression, as_images, standardize
from core.numbers import fmt
from core.optimizers import OPTIMIZERS, Optimizer, make_optimizer

Loss = Literal["ce", "mse"]
Schedule = Literal["constant", "linear"]
LOSSES: tuple[str, ...] = ("ce", "mse")
SCHEDULES: tuple[str, ...] = ("constant", "linear")

LOSS_CEILING = 1e6  # a batch loss above this, or above 100× the first one, counts as divergence
_SHUFFLE_SEED = 0  # the one-time shuffle of the training rows, shared by every run
_CHUNK_ROWS = 2048  # images per chunk when building the features: small temporaries
_BLOCK = 512  # examples per logits product: narrower products run faster than one 10 000-wide product
_FIRST_CAPACITY = 1024  # entries of a history series before its first doubling


def require_int(name: str, value: object, minimum: int = 1) -> None:
    """A clear ValueError unless ``value`` is an integer ≥ ``minimum`` (a bool is not one)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer ≥ {minimum}, got {value!r}")


def require_float(name: str, value: object, positive: bool = False) -> None:
    """A clear ValueError unless ``value`` is a finite number ≥ 0 (> 0 with ``positive``)."""
    ok = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (positive and value == 0):
        kind = "a positive" if positive else "a non-negative"
        raise ValueError(f"{name} must be {kind} finite number, got {value!r}")


@dataclass(frozen=True)
class TrainingConfig:
    """Hyper-parameters of one run. ``"gd"`` uses the whole training set as one batch (``batch_size`` unused).

    ``schedule``: the learning rate η stays ``"constant"`` or decays ``"linear"``-ly, η_t = η (1 − t/T) over
    the T steps of all epochs. ``eval_every``: steps between evaluations on the first ``eval_subset`` test
    images (0: every ⌊S/5⌋ steps, and at least every step, for S steps per epoch); the full test set is
    evaluated at the end of every epoch. See `step_plan`.
    The defaults reach ≈ 0.845 test accuracy on Fashion-MNIST in 5 epochs.
    """

    optimizer: Optimizer = "adam"
    loss: Loss = "ce"
    learning_rate: float = 0.003
    batch_size: int = 256
    epochs: int = 5
    weight_decay: float = 0.0
    seed: int = 0
    schedule: Schedule = "linear"
    eval_every: int = 0
    eval_subset: int = 2000

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {self.optimizer!r}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be 'ce' (cross-entropy) or 'mse'; got {self.loss!r}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be 'constant' or 'linear'; got {self.schedule!r}")
        require_float("learning_rate", self.learning_rate, positive=True)
        require_float("weight_decay", self.weight_decay)
        require_int("batch_size", self.batch_size)
        require_int("epochs", self.epochs)
        require_int("seed", self.seed, minimum=0)
        require_int("eval_every", self.eval_every, minimum=0)
        require_int("eval_subset", self.eval_subset)


@dataclass(frozen=True)
class StepPlan:
    """How a run of ``config`` steps through ``n_train`` training images and evaluates on the test set.

    ``batch_size`` m: images per step (all of them for "gd"); ``steps_per_epoch`` S = ⌈n_train/m⌉, of which one
    batch holds ``last_batch`` images (m when m divides n_train); ``total_steps`` T = S × epochs. Every
    ``eval_every`` steps (counted over the whole run, not per epoch) θ is evaluated on the first ``eval_rows``
    test images — the test curve; at the end of each epoch on the whole test set.
    """

    batch_size: int
    steps_per_epoch: int
    last_batch: int
    total_steps: int
    eval_every: int
    eval_rows: int
    epochs: int

    def evaluations_per_epoch(self) -> tuple[int, int]:
        """The fewest and the most test-subset evaluations that fall in one epoch of the run."""
        S, k = self.steps_per_epoch, self.eval_every
        counts = [(e + 1) * S // k - e * S // k for e in range(self.epochs)]
        return min(counts), max(counts)


def step_plan(config: TrainingConfig, n_train: int, n_test: int) -> StepPlan:
    """The `StepPlan` a `Trainer` follows for ``config`` on ``n_train`` training and ``n_test`` test images."""
    require_int("n_train", n_train)
    require_int("n_test", n_test)
    m = n_train if config.optimizer == "gd" else min(config.batch_size, n_train)
    steps = -(-n_train // m)
    return StepPlan(
        batch_size=m, steps_per_epoch=steps, last_batch=n_train - (steps - 1) * m, total_steps=steps * config.epochs,
        eval_every=config.eval_every or max(1, steps // 5), eval_rows=min(config.eval_subset, n_test),
        epochs=config.epochs,
    )


def _as_labels(labels: object, n: int, name: str) -> np.ndarray:
    y = np.asarray(labels)
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer) or (n and (y.min() < 0 or y.max() >= N_CLASSES)):
        raise ValueError(f"{name} must be {n} integer class indices 0..{N_CLASSES - 1}, got {y.dtype} {y.shape}")
    return y.astype(np.intp)


def _pixel_statistics(images: np.ndarray) -> tuple[float, float]:
    """Exact mean and (population) standard deviation of image/255 over all pixels, from a histogram."""
    counts = np.zeros(256, dtype=np.int64)
    flat = images.reshape(len(images), -1)
    for start in range(0, len(flat), _CHUNK_ROWS):
        counts += np.bincount(flat[start:start + _CHUNK_ROWS].ravel(), minlength=256)
    values = np.arange(256) / 255.0
    total = counts.sum()
    mean = float(counts @ values / total)
    return mean, float(np.sqrt(counts @ (values - mean) ** 2 / total))


def _features(images: np.ndarray, mean: float, std: float, order: np.ndarray | None = None) -> np.ndarray:
    """Rows x̃ = [x, 1] (standardised pixels and a constant 1 for the bias), in ``order`` if given.

    Filled chunk by chunk into one read-only float32 matrix (n, 785), so that z = θ x̃ with θ = [W b].
    """
    X = np.empty((len(images), N_PIXELS + 1), dtype=np.float32)
    for start in range(0, len(images), _CHUNK_ROWS):
        rows = slice(start, start + _CHUNK_ROWS)
        chunk = images[rows] if order is None else images[order[rows]]
        standardize(chunk, mean, std, out=X[rows, :N_PIXELS])
    X[:, N_PIXELS] = 1.0
    X.flags.writeable = False
    return X


@dataclass(frozen=True, eq=False)
class TrainingData:
    """Features and labels, shared read-only by every run.

    ``X_train``/``X_test`` rows are x̃ = [x, 1], float32 (n, 785): the standardised pixels
    x = (image/255 − mean)/std followed by a 1 that multiplies b. ``mean`` and ``std`` are the training
    set's pixel statistics. Training rows are shuffled once (fixed seed); test rows keep the official order,
    so ``X_test[i]`` is test image ``i``. ``y_*`` are class indices (intp).
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    mean: float
    std: float

    @classmethod
    def from_images(
        cls, train_images: object, train_labels: object, test_images: object, test_labels: object
    ) -> TrainingData:
        """Build the matrices from uint8 images (n, 28, 28) and labels 0..9."""
        train, test = as_images(train_images), as_images(test_images)
        if train.ndim != 3 or test.ndim != 3 or not len(train) or not len(test):
            raise ValueError("train and test images must each be a non-empty stack (n, 28, 28)")
        y_train = _as_labels(train_labels, len(train), "train_labels")
        y_test = _as_labels(test_labels, len(test), "test_labels")
        mean, std = _pixel_statistics(train)
        if std == 0:
            raise ValueError("the training images are all one colour: their pixel std is 0")
        order = np.random.default_rng(_SHUFFLE_SEED).permutation(len(train))
        y_train = y_train[order]
        for y in (y_train, y_test):
            y.flags.writeable = False
        return cls(_features(train, mean, std, order), y_train, _features(test, mean, std), y_test, mean, std)

    @classmethod
    def load(cls, limit: int | None = None) -> TrainingData:
        """Fashion-MNIST via `core.data.load_fashion_mnist`; ``limit`` keeps only the first training images."""
        train_images, train_labels = load_fashion_mnist("train")
        test_images, test_labels = load_fashion_mnist("test")
        if limit is not None:
            require_int("limit", limit)
            train_images, train_labels = train_images[:limit], train_labels[:limit]
        return cls.from_images(train_images, train_labels, test_images, test_labels)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """A run's state and history at one moment, immutable and safe to draw from any thread.

    Per step (batch, before the update): ``step_loss``, ``step_accuracy``.
    Every ``eval_every`` steps, on the test subset: ``eval_step``, ``eval_loss``, ``eval_accuracy``.
    Per epoch: ``epoch_train_loss``/``epoch_train_accuracy`` (means over the epoch's batches),
    ``epoch_test_loss``/``epoch_test_accuracy`` (full test set), ``epoch_seconds`` (training time so far).
    The history fields are read-only NumPy views (float64; ``eval_step`` int64) of append-only arrays: taking a
    snapshot costs the same after 10 steps as after 100 000, and later steps never change it.
    Losses are the configured 𝓛 without the weight-decay term. No entry is ever NaN.
    ``W``, ``b``: θ after ``theta_step`` updates — ``step``, or one fewer once a divergence rolled θ back.
    ``queue_position``: None, unless the run waits for a training slot (`core.training_run.TrainingSlots`);
    then how many runs are ahead of it in the queue.
    """

    state: str
    message: str
    config: TrainingConfig
    step: int
    epoch: int
    steps_per_epoch: int
    elapsed: float
    step_loss: np.ndarray
    step_accuracy: np.ndarray
    eval_step: np.ndarray
    eval_loss: np.ndarray
    eval_accuracy: np.ndarray
    epoch_train_loss: np.ndarray
    epoch_train_accuracy: np.ndarray
    epoch_test_loss: np.ndarray
    epoch_test_accuracy: np.ndarray
    epoch_seconds: np.ndarray
    theta_step: int
    W: np.ndarray = field(repr=False)
    b: np.ndarray = field(repr=False)
    mean: float
    std: float
    queue_position: int | None = None

    @property
    def total_steps(self) -> int:
        return self.steps_per_epoch * self.config.epochs

    def model(self) -> SoftmaxRegression:
        """The model with this snapshot's θ."""
        return SoftmaxRegression(self.W, self.b, self.mean, self.std)


class _Series:
    """An append-only array that doubles when full: entries below ``n`` never change, so ``view()`` is a
    snapshot that later appends leave alone (they write past its end, or into a new, longer array)."""

    def __init__(self, dtype: type = np.float64) -> None:
        self._data = np.empty(_FIRST_CAPACITY, dtype=dtype)
        self.n = 0

    def make_room(self) -> None:
        """Room for one more entry: a full array is copied into one twice as long."""
        if self.n == len(self._data):
            grown = np.empty(2 * len(self._data), dtype=self._data.dtype)
            grown[: self.n] = self._data
            self._data = grown

    def append(self, value: float) -> None:
        self.make_room()
        self._data[self.n] = value
        self.n += 1

    def view(self) -> np.ndarray:
        """The entries so far as a read-only view, in O(1)."""
        view = self._data[: self.n]
        view.flags.writeable = False
        return view


class _History:
    """A run's history, one `_Series` per `Snapshot` field. Only the training thread appends, under the
    trainer's lock, and at most one entry per series and step; ``make_room`` before the lock is taken keeps the
    doubling copies out of it."""

    FIELDS = ("step_loss", "step_accuracy", "eval_step", "eval_loss", "eval_accuracy", "epoch_train_loss",
              "epoch_train_accuracy", "epoch_test_loss", "epoch_test_accuracy", "epoch_seconds")  # fmt: skip

    def __init__(self) -> None:
        self.series = {name: _Series(np.int64 if name == "eval_step" else np.float64) for name in self.FIELDS}

    def make_room(self) -> None:
        for series in self.series.values():
            series.make_room()

    def append(self, **values: float) -> None:
        for name, value in values.items():
            self.series[name].append(value)

    def views(self) -> dict[str, np.ndarray]:
        """Every series as a read-only view, by field name."""
        return {name: series.view() for name, series in self.series.items()}


def epoch_batches(n: int, batch_size: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """One epoch's minibatches as (start, size) over n examples: cut from a random offset, wrapping around
    the end, and listed in random order; each example falls in exactly one batch."""
    count = -(-n // batch_size)
    if count == 1:
        return [(0, n)]
    offset = int(rng.integers(n))
    return [((offset + j * batch_size) % n, min(batch_size, n - j * batch_size)) for j in rng.permutation(count)]


class _Buffers:
    """Preallocated work arrays for up to ``size`` examples, one column per example (classes × examples).

    Logits Z, probabilities P and D = P − Y; ``true`` holds the flat position y_j·size + j of each
    example's true class, so ``np.take(Z, true)`` picks z_y without a per-batch allocation of indices.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.Z = np.empty((N_CLASSES, size), dtype=np.float32)
        self.P = np.empty_like(self.Z)
        self.D = np.empty_like(self.Z)
        self.P_flat, self.D_flat = self.P.reshape(-1), self.D.reshape(-1)
        self.row = np.empty((1, size), dtype=np.float32)
        self.true = np.empty(size, dtype=np.intp)
        self.columns = np.arange(size)


class Trainer:
    """Trains θ = (W, b) synchronously, one (mini)batch per ``step()``; deterministic for a given seed.

    θ₀ is ``initial``'s parameters, or `SoftmaxRegression.initial` from ``config.seed`` (same seed → same θ₀,
    whatever the loss or optimizer, so runs can be compared from identical weights). The batch order comes
    from an independent stream of the same seed. ``lock`` guards θ and the history (a
    `core.training_run.TrainingRun` shares it).
    """

    def __init__(self, data: TrainingData, config: TrainingConfig, initial: SoftmaxRegression | None = None):
        if initial is None:
            initial = SoftmaxRegression.initial(data.mean, data.std, seed=config.seed)
        elif (initial.mean, initial.std) != (data.mean, data.std):
            raise ValueError(
                f"the initial model standardises with mean={initial.mean}, std={initial.std}, "
                f"but the data with mean={data.mean}, std={data.std}"
            )
        self.data = data
        self.config = config
        self.lock = threading.Lock()
        self.plan = step_plan(config, len(data.y_train), len(data.y_test))
        self.batch_size = self.plan.batch_size
        self.steps_per_epoch = self.plan.steps_per_epoch
        self.eval_every = self.plan.eval_every
        self.eval_rows = self.plan.eval_rows
        self._ce = config.loss == "ce"
        # θ = [W b] as one (10, 785) array, so that z = θ x̃ and one optimizer update touches all of θ.
        self._theta = np.empty((N_CLASSES, N_PIXELS + 1), dtype=np.float32)
        self._W, self._b = self._theta[:, :N_PIXELS], self._theta[:, N_PIXELS]
        self._W[...] = initial.W
        self._b[...] = initial.b
        self._optimizer = make_optimizer(config.optimizer, self._theta.shape, config.learning_rate)
        self._grad = self._optimizer.grad
        self._decay = np.empty_like(self._W)
        self._previous = self._theta.copy()
        self._rng = np.random.default_rng([config.seed, 1])
        self._batch = _Buffers(self.batch_size)
        # Only a batch cut across the end of the rows is copied out (`_next_batch`); one batch an epoch (full-batch
        # gradient descent: 60 000 × 785 floats) never wraps, so it gets no such buffer.
        wraps = self.steps_per_epoch > 1
        self._wrapped = np.empty((self.batch_size if wraps else 0, N_PIXELS + 1), dtype=np.float32)
        self._wrapped_y = np.empty(self.batch_size if wraps else 0, dtype=np.intp)
        self._eval = _Buffers(len(data.y_test))
        self._history = _History()
        self._plan: list[tuple[int, int]] = []
        self._k = 0
        self._epoch_loss = 0.0
        self._epoch_correct = 0
        self._loss_limit = LOSS_CEILING
        self.steps = 0
        self.epoch = 0
        self.elapsed = 0.0
        self.diverged = False
        self.message = ""

    @property
    def done(self) -> bool:
        return self.diverged or self.epoch >= self.config.epochs

    def _forward(self, X: np.ndarray, y: np.ndarray, buf: _Buffers) -> tuple[float, int]:
        """P = f(x, θ) = softmax(θ x̃) for the rows of X into ``buf``; return (Σ 𝓛 over the rows, # correct).

        The formulas of `core.softmax` and `core.losses` (the tests check they agree), fused in place for speed.
        """
        m = len(y)
        Z, P, row, true = buf.Z[:, :m], buf.P[:, :m], buf.row[:, :m], buf.true[:m]
        for start in range(0, m, _BLOCK):  # z = θ x̃ for a block of examples per product
            np.matmul(self._theta, X[start:start + _BLOCK].T, out=Z[:, start:start + _BLOCK])
        np.multiply(y, buf.size, out=true)
        true += buf.columns[:m]
        np.maximum.reduce(Z, axis=0, keepdims=True, out=row)
        Z -= row
        z_true = np.take(buf.Z, true)  # z_y − max: 0 exactly where the true class has the largest logit
        if np.count_nonzero(Z == 0) == m:  # no ties for the largest logit: correct ⇔ z_y is the max
            correct = int(np.count_nonzero(z_true == 0))
        else:  # ties: break them like argmax (and predict) does
            correct = int(np.count_nonzero(np.argmax(Z, axis=0) == y))
        np.exp(Z, out=P)
        np.add.reduce(P, axis=0, keepdims=True, out=row)
        P /= row
        if self._ce:  # −log f_y = log Σ_k e^{z_k − max} − (z_y − max)
            np.log(row, out=row)
            return float(row.sum() - z_true.sum()), correct
        D = buf.D[:, :m]
        np.copyto(D, P)
        buf.D_flat[true] -= 1.0
        return float(np.vdot(D, D)), correct

    def _backward(self, X: np.ndarray, y: np.ndarray, buf: _Buffers) -> None:
        """∇θ of the batch mean of 𝓛 (+ λ/2 ‖W‖²) into the gradient buffer, from G = ∂𝓛/∂z per example:

        CE: G = (f − y)/m.  MSE: G = Jᵀ 2(f − y)/m with J = diag(f) − f fᵀ, i.e. f_k (g_k − Σ_j f_j g_j).
        Then ∂𝓛/∂θ = G X̃: ∂𝓛/∂W = G X and ∂𝓛/∂b = Σ_examples G.
        """
        m = len(y)
        if self._ce:
            G = buf.P[:, :m]
            buf.P_flat[buf.true[:m]] -= 1.0
            G *= 1.0 / m
        else:
            G, P, row = buf.D[:, :m], buf.P[:, :m], buf.row[:, :m]
            np.einsum("kj,kj->j", G, P, out=row[0])
            G -= row
            G *= P
            G *= 2.0 / m
        np.matmul(G, X, out=self._grad)
        if self.config.weight_decay:
            np.multiply(self._W, self.config.weight_decay, out=self._decay)
            self._grad[:, :N_PIXELS] += self._decay

    def loss_and_gradient(self, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """At the current θ, on rows x̃ = [x, 1] (m, 785) with labels y: the objective 𝓛 + (λ/2)‖W‖² (batch
        mean) and its gradients ∂/∂W (10, 784) and ∂/∂b (10,) — computed by the code every step uses.
        Not to be called while another thread is stepping this trainer."""
        X = np.ascontiguousarray(X, dtype=np.float32)
        y = _as_labels(y, len(X), "y")
        if X.shape != (len(y), N_PIXELS + 1):
            raise ValueError(f"X must hold rows x̃ = [x, 1] of shape (m, {N_PIXELS + 1}), got {X.shape}")
        buf = _Buffers(len(y))
        loss_sum, _ = self._forward(X, y, buf)
        self._backward(X, y, buf)
        penalty = 0.5 * self.config.weight_decay * float(np.sum(self._W.astype(np.float64) ** 2))
        return loss_sum / len(y) + penalty, self._grad[:, :N_PIXELS].copy(), self._grad[:, N_PIXELS].copy()

    def _next_batch(self) -> tuple[np.ndarray, np.ndarray]:
        """The next batch of this epoch's plan: a view of the data, or a copy only where it wraps around."""
        X, y = self.data.X_train, self.data.y_train
        if self._k == 0:
            self._plan = epoch_batches(len(y), self.batch_size, self._rng)
        start, m = self._plan[self._k]
        if start + m <= len(y):
            return X[start:start + m], y[start:start + m]
        positions = np.arange(start, start + m)
        return (np.take(X, positions, axis=0, mode="wrap", out=self._wrapped[:m]),
                np.take(y, positions, mode="wrap", out=self._wrapped_y[:m]))

    def _divergence(self, where: str, loss: float) -> bool:
        """If ``loss`` is NaN, infinite or exploding: roll θ back, record why, and return True."""
        if math.isfinite(loss) and loss <= self._loss_limit:
            return False
        if math.isnan(loss):
            what = "became NaN (not a number)"
        elif math.isinf(loss):
            what = "became infinite"
        else:
            what = (f"exploded to {fmt(loss, 3)} (limit {fmt(self._loss_limit, 3)}: 100× the first batch's loss, "
                    "at most 1e6)")
        lr, decay = self.config.learning_rate, self.config.weight_decay
        advice = f"Lower the learning rate: it is {fmt(lr)} now, try {fmt(lr / 100)}."
        if decay * lr >= 1:
            advice += f" Lower the weight decay too: λ·η = {fmt(decay * lr)} ≥ 1 makes W grow at every step."
        step = self.steps + (where == "training")  # a training loss is checked before its step's update
        with self.lock:
            self._theta[...] = self._previous
            self.diverged = True
            self.message = (
                f"Training diverged at step {step} (epoch {self.epoch + 1}): the {where} loss {what}. "
                f"{advice} θ is rolled back to its last value with a finite loss."
            )
        return True

    def _evaluate(self, subset_due: bool, epoch_end: bool) -> bool:
        """Evaluate θ on the test subset and, at an epoch's end, on the rest of the test set; record the
        results. The subset is computed once even when both are due. False if the test loss diverged."""
        started = time.perf_counter()
        X, y, rows, n_test = self.data.X_test, self.data.y_test, self.eval_rows, len(self.data.y_test)
        subset = full = self._forward(X[:rows], y[:rows], self._eval)
        if epoch_end and rows < n_test:
            rest = self._forward(X[rows:], y[rows:], self._eval)
            full = (subset[0] + rest[0], subset[1] + rest[1])
        if self._divergence("test", full[0] / (n_test if epoch_end else rows)):
            return False
        history, n = self._history, len(self.data.y_train)
        with self.lock:
            self.elapsed += time.perf_counter() - started
            if subset_due:
                history.append(eval_step=self.steps, eval_loss=subset[0] / rows, eval_accuracy=subset[1] / rows)
            if epoch_end:
                history.append(
                    epoch_train_loss=self._epoch_loss / n, epoch_train_accuracy=self._epoch_correct / n,
                    epoch_test_loss=full[0] / n_test, epoch_test_accuracy=full[1] / n_test, epoch_seconds=self.elapsed,
                )  # fmt: skip
                self.epoch += 1
                self._k = 0
                self._epoch_loss, self._epoch_correct = 0.0, 0
        return True

    def step(self) -> bool:
        """One update of θ on the next batch, plus any evaluation due. False once finished or diverged."""
        if self.done:
            return False
        with np.errstate(over="ignore", invalid="ignore"):  # overflow shows up as a NaN/inf loss: divergence
            return self._step()

    def _step(self) -> bool:
        started = time.perf_counter()
        Xb, yb = self._next_batch()
        m = len(yb)
        loss_sum, correct = self._forward(Xb, yb, self._batch)
        loss = loss_sum / m
        if self.steps == 0 and math.isfinite(loss):
            self._loss_limit = min(LOSS_CEILING, 100 * max(loss, 0.1))
        if self._divergence("training", loss):
            return False
        self._backward(Xb, yb, self._batch)
        if self.config.schedule == "linear":
            total = self.config.epochs * self.steps_per_epoch
            self._optimizer.lr = self.config.learning_rate * (1.0 - self.steps / total)
        self._history.make_room()  # for this step's entries, outside the lock
        with self.lock:
            self._previous[...] = self._theta
            self._optimizer.apply(self._theta)
            self.steps += 1
            self._k += 1
            self._history.append(step_loss=loss, step_accuracy=correct / m)
            self._epoch_loss += loss_sum
            self._epoch_correct += correct
            self.elapsed += time.perf_counter() - started
        subset_due = self.steps % self.eval_every == 0
        epoch_end = self._k == self.steps_per_epoch
        if (subset_due or epoch_end) and not self._evaluate(subset_due, epoch_end):
            return False
        return not self.done

    def snapshot_as(self, state: str, message: str, queue_position: int | None = None) -> Snapshot:
        """A `Snapshot` with the given run state, message and place in the slot queue; the caller holds
        ``lock``. O(1): views of the history, a copy of θ (10 × 785 floats)."""
        W, b = self._W.copy(), self._b.copy()
        W.flags.writeable = b.flags.writeable = False
        return Snapshot(
            state=state, message=message, config=self.config, step=self.steps, epoch=self.epoch,
            steps_per_epoch=self.steps_per_epoch, elapsed=self.elapsed, **self._history.views(), W=W, b=b,
            mean=self.data.mean, std=self.data.std, queue_position=queue_position,
            theta_step=self.steps - 1 if self.diverged and self.steps else self.steps,
        )

    @property
    def state(self) -> str:
        """"diverged", "finished", "running" (some steps done) or "ready"."""
        if self.diverged:
            return "diverged"
        if self.done:
            return "finished"
        return "running" if self.steps else "ready"

    def snapshot(self) -> Snapshot:
        """The state, history and θ now, immutable."""
        with self.lock:
            return self.snapshot_as(self.state, self.message)

    def model(self) -> SoftmaxRegression:
        """The current f(x, θ) as a standalone model."""
        with self.lock:
            return SoftmaxRegression(self._W, self._b, self.data.mean, self.data.std)

    def run(self, on_epoch: Callable[[Snapshot], None] | None = None) -> Snapshot:
        """Train until every epoch is done (or divergence); call ``on_epoch`` after each epoch."""
        while not self.done:
            epoch = self.epoch
            self.step()
            if on_epoch is not None and self.epoch != epoch:
                on_epoch(self.snapshot())
        return self.snapshot()


HANDED_OVER_STATES = frozenset({"paused", "finished", "stopped", "diverged"})  # states whose θ may be handed on


def trained_model_index(snapshots: Sequence[Snapshot | None], active: Sequence[bool]) -> int | None:
    """Which run's θ becomes "the trained model" (for the classify page and the download), or None.

    ``snapshots``: a session's runs, oldest first (None: not drawn yet); ``active[i]``: run i was started by the
    last Start. Nothing while an active run is still training; else the newest run that has made at least one
    update of θ and is paused, finished, stopped or diverged (θ rolled back) — never a failed one.
    """
    if len(snapshots) != len(active):
        raise ValueError(f"need one active flag per snapshot, got {len(active)} for {len(snapshots)}")
    if any(a and s is not None and s.state == "running" for s, a in zip(snapshots, active, strict=True)):
        return None
    for i in reversed(range(len(snapshots))):
        s = snapshots[i]
        if s is not None and s.state in HANDED_OVER_STATES and s.theta_step > 0:
            return i
    return None


def _position(s: Snapshot, step: int) -> str:
    """Where ``step`` falls in the run: "the end of epoch 2 of 5" or "in epoch 3 of 5"."""
    done, into = divmod(step, s.steps_per_epoch)
    if step == 0:
        return "before the first epoch"
    return f"the end of epoch {done} of {s.config.epochs}" if into == 0 else f"in epoch {done + 1} of {s.config.epochs}"


def model_status(s: Snapshot) -> str:
    """What θ of a snapshot is, in words: finished, paused or stopped at step k, or rolled back after divergence."""
    t, total, epochs = s.theta_step, s.total_steps, s.config.epochs
    if s.state == "finished":
        span = "1 epoch" if epochs == 1 else f"all {epochs} epochs"
        return f"finished: {span}, {total} step{'s' * (total != 1)}"
    if s.state == "diverged":
        if t == 0:
            return "diverged at the first step: θ is still θ₀, the initial weights"
        return (f"rolled back after divergence: θ after step {t} of {total} ({_position(s, t)}), "
                "the last before the loss blew up")
    if s.state in ("paused", "stopped"):
        return f"{s.state} after step {t} of {total} ({_position(s, t)})"
    if s.state == "running":
        return f"still training: step {t} of {total} ({_position(s, t)})"
    if s.state == "failed":
        return f"stopped by an error after step {t} of {total}"
    return f"not trained yet: θ₀, the initial weights ({total} steps planned)"
