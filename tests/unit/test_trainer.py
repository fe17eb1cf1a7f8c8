"""core.trainer: the config, the features, minibatches, gradients, reproducibility, learning, divergence, the step
plan, the history and its snapshots, the wrap-around buffer, which run is handed on as "the trained model" and how it
is described, real accuracy."""

from __future__ import annotations

import dataclasses
import math
import tracemalloc
from collections.abc import Callable

import numpy as np
import pytest

from core.losses import cross_entropy_from_logits, cross_entropy_grad_logits, mse_from_logits, mse_grad_logits
from core.model import SoftmaxRegression
from core.optimizers import OPTIMIZERS
from core.trainer import (
    Snapshot,
    Trainer,
    TrainingConfig,
    TrainingData,
    epoch_batches,
    model_status,
    step_plan,
    trained_model_index,
)
from tests.unit.training_support import synthetic_images


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"optimizer": "rmsprop"}, "optimizer must be one of gd, sgd, momentum, adam"),
        ({"loss": "hinge"}, "loss must be 'ce'"),
        ({"learning_rate": 0.0}, "learning_rate must be a positive finite number"),
        ({"learning_rate": math.nan}, "learning_rate"),
        ({"weight_decay": -1.0}, "weight_decay must be a non-negative"),
        ({"batch_size": 0}, "batch_size must be an integer ≥ 1"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"epochs": True}, "epochs"),
        ({"seed": -1}, "seed must be an integer ≥ 0"),
    ],
)
def test_config_is_validated_up_front(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrainingConfig(**kwargs)


def test_training_data_features(synthetic: TrainingData) -> None:
    images, labels = synthetic_images(512, 0)
    pixels = images / 255.0
    assert synthetic.mean == pytest.approx(pixels.mean(), rel=1e-12)
    assert synthetic.std == pytest.approx(pixels.std(), rel=1e-12)
    assert synthetic.X_train.shape == (512, 785) and synthetic.X_train.dtype == np.float32
    np.testing.assert_array_equal(synthetic.X_train[:, 784], 1.0)
    for array in (synthetic.X_train, synthetic.y_train, synthetic.X_test, synthetic.y_test):
        assert not array.flags.writeable
    # Training rows are shuffled once, each row staying with its label (pixel (0, 0) encodes it).
    decoded = np.rint((synthetic.X_train[:, 0] * synthetic.std + synthetic.mean) * 255 / 20)
    np.testing.assert_array_equal(decoded, synthetic.y_train)
    assert not np.array_equal(synthetic.y_train, labels)
    np.testing.assert_array_equal(synthetic.y_test, synthetic_images(256, 1)[1])


def test_training_data_rejects_bad_labels() -> None:
    images, labels = synthetic_images(20, 0)
    with pytest.raises(ValueError, match="train_labels must be 20 integer class indices"):
        TrainingData.from_images(images, labels[:-1], images, labels)
    with pytest.raises(ValueError, match="test_labels"):
        TrainingData.from_images(images, labels, images, labels + 10)


@pytest.mark.parametrize(("n", "batch_size"), [(10, 3), (60000, 256), (7, 7), (5, 10), (513, 64)])
def test_epoch_batches_use_every_example_once(n: int, batch_size: int) -> None:
    rng = np.random.default_rng(0)
    for _ in range(3):
        plan = epoch_batches(n, batch_size, rng)
        assert len(plan) == -(-n // batch_size) and all(0 < m <= batch_size for _, m in plan)
        used = np.concatenate([np.arange(start, start + m) % n for start, m in plan])
        np.testing.assert_array_equal(np.sort(used), np.arange(n))


def reference_objective(X: np.ndarray, y: np.ndarray, loss: str, decay: float) -> Callable[..., float]:
    """Batch mean of core.losses' 𝓛 in float64, plus (λ/2)‖W‖²."""
    Y = np.eye(10)[y]
    per_example = cross_entropy_from_logits if loss == "ce" else mse_from_logits

    def objective(W: np.ndarray, b: np.ndarray) -> float:
        return float(np.mean(per_example(Y, X @ W.T + b)) + 0.5 * decay * np.sum(W**2))

    return objective


@pytest.mark.parametrize("decay", [0.0, 0.3])
@pytest.mark.parametrize("loss", ["ce", "mse"])
def test_gradients_match_finite_differences(synthetic: TrainingData, loss: str, decay: float) -> None:
    rng = np.random.default_rng(5)
    theta0 = SoftmaxRegression(rng.normal(0, 0.05, (10, 784)), rng.normal(0, 1, 10), synthetic.mean, synthetic.std)
    trainer = Trainer(synthetic, TrainingConfig(loss=loss, weight_decay=decay), initial=theta0)
    X, y = synthetic.X_train[:16], synthetic.y_train[:16]
    value, grad_W, grad_b = trainer.loss_and_gradient(X, y)
    X64 = X[:, :784].astype(np.float64)
    W, b = theta0.W.astype(np.float64), theta0.b.astype(np.float64)
    objective = reference_objective(X64, y, loss, decay)
    assert value == pytest.approx(objective(W, b), rel=1e-5)

    h = 1e-5
    for i, j in zip(rng.integers(0, 10, 40), rng.integers(0, 784, 40), strict=True):
        E = np.zeros_like(W)
        E[i, j] = h
        numeric = (objective(W + E, b) - objective(W - E, b)) / (2 * h)
        assert grad_W[i, j] == pytest.approx(numeric, rel=1e-3, abs=1e-6), (i, j)
    for k in range(10):
        e = np.zeros(10)
        e[k] = h
        numeric = (objective(W, b + e) - objective(W, b - e)) / (2 * h)
        assert grad_b[k] == pytest.approx(numeric, rel=1e-3, abs=1e-6), k

    # All of it agrees with core.losses' gradients w.r.t. the logits: ∂𝓛/∂W = Gᵀ X, G = (∂𝓛/∂z)/m.
    grad_logits = cross_entropy_grad_logits if loss == "ce" else mse_grad_logits
    G = grad_logits(np.eye(10)[y], X64 @ W.T + b) / len(y)
    np.testing.assert_allclose(grad_W, G.T @ X64 + decay * W, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(grad_b, G.sum(axis=0), rtol=1e-4, atol=1e-6)


def test_same_seed_gives_bit_identical_weights(synthetic: TrainingData) -> None:
    config = TrainingConfig(epochs=3, batch_size=64, seed=11)
    first, second = Trainer(synthetic, config).run(), Trainer(synthetic, config).run()
    np.testing.assert_array_equal(first.W, second.W)
    np.testing.assert_array_equal(first.b, second.b)
    np.testing.assert_array_equal(first.step_loss, second.step_loss)
    np.testing.assert_array_equal(first.eval_accuracy, second.eval_accuracy)
    other = Trainer(synthetic, TrainingConfig(epochs=3, batch_size=64, seed=12)).run()
    assert not np.array_equal(other.W, first.W)


def test_same_seed_gives_identical_initial_weights_for_every_loss_and_optimizer(synthetic: TrainingData) -> None:
    initial = [
        Trainer(synthetic, TrainingConfig(loss=loss, optimizer=optimizer, seed=3)).snapshot()
        for loss in ("ce", "mse") for optimizer in OPTIMIZERS
    ]
    for shot in initial[1:]:
        np.testing.assert_array_equal(shot.W, initial[0].W)
        np.testing.assert_array_equal(shot.b, initial[0].b)
    assert initial[0].state == "ready" and initial[0].step == 0


def test_initial_model_must_match_the_data(synthetic: TrainingData) -> None:
    model = SoftmaxRegression.initial(synthetic.mean, synthetic.std, seed=9)
    np.testing.assert_array_equal(Trainer(synthetic, TrainingConfig(), initial=model).model().W, model.W)
    with pytest.raises(ValueError, match="standardises with"):
        Trainer(synthetic, TrainingConfig(), initial=SoftmaxRegression.initial(0.5, 0.25))


@pytest.mark.parametrize(
    ("optimizer", "learning_rate", "epochs"),
    [("gd", 2.0, 40), ("sgd", 0.2, 4), ("momentum", 0.05, 4), ("adam", 0.01, 4)],
)
@pytest.mark.parametrize("loss", ["ce", "mse"])
def test_every_optimizer_and_loss_learns(
    synthetic: TrainingData, optimizer: str, learning_rate: float, epochs: int, loss: str
) -> None:
    config = TrainingConfig(optimizer=optimizer, loss=loss, learning_rate=learning_rate, epochs=epochs, batch_size=32)
    trainer = Trainer(synthetic, config)
    result = trainer.run()
    assert result.state == "finished" and result.epoch == epochs
    assert result.step == len(result.step_loss) == epochs * trainer.steps_per_epoch
    assert len(result.epoch_test_accuracy) == epochs == len(result.epoch_seconds)
    assert all(step % trainer.eval_every == 0 for step in result.eval_step)
    assert result.epoch_test_accuracy[-1] >= 0.9
    assert result.epoch_train_loss[-1] < result.step_loss[0]
    if optimizer == "gd":
        assert trainer.batch_size == len(synthetic.y_train) and trainer.steps_per_epoch == 1


def test_epoch_test_accuracy_is_what_the_model_predicts(synthetic: TrainingData) -> None:
    result = Trainer(synthetic, TrainingConfig(epochs=2, batch_size=32, learning_rate=0.01)).run()
    images, labels = synthetic_images(256, 1)
    # Two float32 BLAS paths (the trainer's θ x̃ blocks, the model's x Wᵀ) may break a near-tie between two
    # logits differently: allow one image either way rather than demand bit-equal logits.
    assert np.mean(result.model().predict(images) == labels) == pytest.approx(
        result.epoch_test_accuracy[-1], abs=1.01 / len(labels)
    )


def test_accuracy_breaks_ties_like_predict(synthetic: TrainingData) -> None:
    """With θ = 0 every logit ties; like argmax (and predict), the first class wins, so accuracy = P(y = 0)."""
    zero = SoftmaxRegression(np.zeros((10, 784)), np.zeros(10), synthetic.mean, synthetic.std)
    trainer = Trainer(synthetic, TrainingConfig(optimizer="gd", epochs=1), initial=zero)
    trainer.step()
    np.testing.assert_array_equal(trainer.snapshot().step_accuracy, [np.mean(synthetic.y_train == 0)])


def all_history(shot: Snapshot) -> list[float]:
    return [*shot.step_loss, *shot.step_accuracy, *shot.eval_loss, *shot.eval_accuracy, *shot.epoch_train_loss,
            *shot.epoch_train_accuracy, *shot.epoch_test_loss, *shot.epoch_test_accuracy]


@pytest.mark.parametrize(
    ("kwargs", "advice"),
    [
        ({"optimizer": "sgd", "learning_rate": 100.0}, "exploded"),
        ({"optimizer": "sgd", "learning_rate": 1e4}, "it is 1e+04 now, try 100"),  # core.numbers.fmt
        ({"optimizer": "gd", "learning_rate": 1e37}, "it is 1e+37 now, try 1e+35"),
        ({"optimizer": "sgd", "learning_rate": 1.0, "weight_decay": 10.0}, "Lower the weight decay too"),
    ],
)
def test_divergence_stops_the_run_and_explains(noisy: TrainingData, kwargs: dict[str, object], advice: str) -> None:
    config = TrainingConfig(epochs=50, batch_size=32, **kwargs)
    result = Trainer(noisy, config).run()
    assert result.state == "diverged"
    assert "diverged" in result.message and "Lower the learning rate" in result.message and advice in result.message
    assert result.step < result.total_steps
    assert all(math.isfinite(v) for v in all_history(result)), "no NaN or inf reaches the history"
    assert np.all(np.isfinite(result.W)) and np.all(np.isfinite(result.b))


@pytest.mark.parametrize(
    "kwargs",
    [{"optimizer": "momentum", "learning_rate": 1.0},  # the test loss explodes at step 21: θ after 20 steps
     {"optimizer": "momentum", "learning_rate": 3.0},  # the training loss, at step 6: θ after 4
     {"optimizer": "gd", "learning_rate": 20.0},  # the training loss of θ after 2 steps: θ after 1
     {"optimizer": "sgd", "learning_rate": 20.0}],  # at once: θ₀
)
def test_divergence_hands_on_the_rolled_back_theta(noisy: TrainingData, kwargs: dict[str, object]) -> None:
    """After a divergence θ is θ after ``theta_step`` updates (one fewer than ``step``): replaying that many
    steps of the same run gives bit-identical W and b, and `model_status` says so."""
    config = TrainingConfig(epochs=50, batch_size=32, schedule="constant", **kwargs)
    result = Trainer(noisy, config).run()
    assert result.state == "diverged" and result.theta_step == max(0, result.step - 1)
    replay = Trainer(noisy, config)
    for _ in range(result.theta_step):
        assert replay.step()
    np.testing.assert_array_equal(replay.snapshot().W, result.W)  # the same code path, step for step: exact
    np.testing.assert_array_equal(replay.snapshot().b, result.b)
    status = model_status(result)
    if result.theta_step:
        assert status.startswith(f"rolled back after divergence: θ after step {result.theta_step} of "
                                 f"{result.total_steps} (")
    else:
        assert status == "diverged at the first step: θ is still θ₀, the initial weights"


@pytest.mark.parametrize(
    ("optimizer", "batch_size", "n", "expected"),
    [
        ("gd", 256, 60000, (60000, 1, 60000, 1)),  # full batch: one step an epoch, evaluated after it
        ("sgd", 256, 60000, (256, 235, 96, 47)),
        ("adam", 1024, 60000, (1024, 59, 608, 11)),
        ("momentum", 4096, 60000, (4096, 15, 2656, 3)),
        ("sgd", 64, 100, (64, 2, 36, 1)),  # fewer than 5 steps an epoch: evaluated after every step
        ("sgd", 500, 100, (100, 1, 100, 1)),  # B larger than the data: one batch of all of it
    ],
)
def test_step_plan(optimizer: str, batch_size: int, n: int, expected: tuple[int, int, int, int]) -> None:
    p = step_plan(TrainingConfig(optimizer=optimizer, batch_size=batch_size, epochs=3), n, 10000)
    assert (p.batch_size, p.steps_per_epoch, p.last_batch, p.eval_every) == expected
    assert p.total_steps == 3 * p.steps_per_epoch and p.eval_rows == 2000
    assert p.batch_size * (p.steps_per_epoch - 1) + p.last_batch == n
    assert step_plan(TrainingConfig(eval_subset=5000), 60000, 300).eval_rows == 300
    with pytest.raises(ValueError, match="n_train"):
        step_plan(TrainingConfig(), 0, 10)


@pytest.mark.parametrize(
    ("steps", "every", "epochs", "expected"),
    [(1, 1, 30, (1, 1)), (235, 47, 5, (5, 5)), (59, 11, 1, (5, 5)), (59, 11, 3, (5, 6)), (118, 23, 4, (5, 5)), (118, 23, 10, (5, 6)),
     (7, 1, 2, (7, 7)), (10, 4, 4, (2, 3))],
)
def test_evaluations_per_epoch_count_the_multiples(steps: int, every: int, epochs: int, expected: tuple) -> None:
    p = dataclasses.replace(step_plan(TrainingConfig(epochs=epochs), 60000, 10000), steps_per_epoch=steps,
                            eval_every=every, epochs=epochs, total_steps=steps * epochs)  # fmt: skip
    per_epoch = np.bincount([(t - 1) // steps for t in range(1, steps * epochs + 1) if t % every == 0],
                            minlength=epochs)  # fmt: skip
    assert p.evaluations_per_epoch() == expected == (per_epoch.min(), per_epoch.max())


@pytest.mark.parametrize(("optimizer", "batch_size"), [("gd", 32), ("sgd", 32), ("adam", 100), ("sgd", 256)])
def test_the_trainer_follows_its_step_plan(synthetic: TrainingData, optimizer: str, batch_size: int) -> None:
    config = TrainingConfig(optimizer=optimizer, batch_size=batch_size, epochs=3, learning_rate=0.01)
    trainer = Trainer(synthetic, config)
    p = step_plan(config, len(synthetic.y_train), len(synthetic.y_test))
    assert (trainer.batch_size, trainer.steps_per_epoch, trainer.eval_every, trainer.eval_rows) == (
        p.batch_size, p.steps_per_epoch, p.eval_every, p.eval_rows)
    result = trainer.run()
    assert result.step == p.total_steps == result.total_steps
    per_epoch = np.bincount([(t - 1) // p.steps_per_epoch for t in result.eval_step], minlength=3)
    low, high = p.evaluations_per_epoch()
    assert low <= per_epoch.min() and per_epoch.max() <= high
    np.testing.assert_array_equal(result.eval_step, range(p.eval_every, p.total_steps + 1, p.eval_every))


def shot(base: Snapshot, state: str, step: int, theta_step: int | None = None) -> Snapshot:
    return dataclasses.replace(base, state=state, step=step, theta_step=step if theta_step is None else theta_step,
                               epoch=step // base.steps_per_epoch)  # fmt: skip


@pytest.fixture(scope="module")
def base(synthetic: TrainingData) -> Snapshot:
    """A ready snapshot of a 3-epoch run of 16 steps an epoch (512 images, B = 32)."""
    return Trainer(synthetic, TrainingConfig(epochs=3, batch_size=32)).snapshot()


def test_model_status_says_what_theta_is(base: Snapshot) -> None:
    assert base.steps_per_epoch == 16 and base.total_steps == 48
    assert model_status(shot(base, "finished", 48)) == "finished: all 3 epochs, 48 steps"
    one = dataclasses.replace(base, config=dataclasses.replace(base.config, epochs=1))
    assert model_status(shot(one, "finished", 16)) == "finished: 1 epoch, 16 steps"
    assert model_status(shot(base, "paused", 20)) == "paused after step 20 of 48 (in epoch 2 of 3)"
    assert model_status(shot(base, "paused", 32)) == "paused after step 32 of 48 (the end of epoch 2 of 3)"
    assert model_status(shot(base, "stopped", 5)) == "stopped after step 5 of 48 (in epoch 1 of 3)"
    assert model_status(shot(base, "diverged", 17, 16)) == (
        "rolled back after divergence: θ after step 16 of 48 (the end of epoch 1 of 3), the last before the loss "
        "blew up")
    assert model_status(shot(base, "diverged", 1, 0)) == "diverged at the first step: θ is still θ₀, the initial weights"
    assert model_status(shot(base, "running", 3)) == "still training: step 3 of 48 (in epoch 1 of 3)"
    assert model_status(shot(base, "failed", 3)) == "stopped by an error after step 3 of 48"
    assert model_status(base) == "not trained yet: θ₀, the initial weights (48 steps planned)"


def test_which_run_becomes_the_trained_model(base: Snapshot) -> None:
    finished, paused = shot(base, "finished", 48), shot(base, "paused", 20)
    running, failed = shot(base, "running", 7), shot(base, "failed", 9)
    diverged, diverged_at_once = shot(base, "diverged", 3, 2), shot(base, "diverged", 1, 0)
    assert trained_model_index([], []) is None
    assert trained_model_index([finished, paused], [False, True]) == 1  # the newest that is not training
    assert trained_model_index([finished, running], [False, True]) is None  # the last Start is still training
    assert trained_model_index([running, finished], [False, True]) == 1  # an older run training does not block
    assert trained_model_index([finished, running], [False, False]) == 0
    assert trained_model_index([finished, diverged], [False, True]) == 1  # rolled back, still a trained θ
    assert trained_model_index([finished, diverged_at_once], [False, True]) == 0  # θ₀ is no trained model
    assert trained_model_index([finished, failed], [False, True]) == 0  # never a run an error interrupted
    assert trained_model_index([finished, None], [False, True]) == 0  # not drawn yet
    assert trained_model_index([base, shot(base, "paused", 0)], [True, True]) is None  # no step yet
    assert trained_model_index([finished, shot(base, "stopped", 4)], [False, False]) == 1
    with pytest.raises(ValueError, match="one active flag per snapshot"):
        trained_model_index([finished], [])


def test_default_training_on_the_real_data(fashion_data: TrainingData) -> None:
    result = Trainer(fashion_data, TrainingConfig()).run()
    assert result.state == "finished"
    assert result.epoch_test_accuracy[-1] >= 0.84


HISTORY = ("step_loss", "step_accuracy", "eval_step", "eval_loss", "eval_accuracy", "epoch_train_loss",
           "epoch_train_accuracy", "epoch_test_loss", "epoch_test_accuracy", "epoch_seconds")  # fmt: skip


def test_snapshots_are_read_only_views_that_later_steps_never_change(synthetic: TrainingData) -> None:
    """A snapshot holds views of the append-only history, not copies (so taking one costs the same at any length):
    later steps — past the arrays' first doubling at 1 024 entries — leave every earlier snapshot as it was."""
    trainer = Trainer(synthetic, TrainingConfig(optimizer="sgd", batch_size=1, epochs=3, learning_rate=0.01))
    assert trainer.steps_per_epoch == 512
    early = []
    for steps in (1, 700, 1024):
        while trainer.steps < steps:
            trainer.step()
        shot = trainer.snapshot()
        early.append((shot, {name: np.array(getattr(shot, name)) for name in HISTORY}))
    final = trainer.run()
    assert final.step == 1536 and len(final.step_loss) == 1536
    for shot, copies in early:
        for name, copy in copies.items():
            view = getattr(shot, name)
            assert not view.flags.writeable and not view.flags.owndata, name
            np.testing.assert_array_equal(view, copy)  # unchanged by the 512 to 1 535 steps that followed
            np.testing.assert_array_equal(view, getattr(final, name)[: len(view)])  # a prefix of the final history
    assert final.eval_step.dtype == np.int64 and final.step_loss.dtype == np.float64
    assert not final.W.flags.writeable


@pytest.mark.parametrize(
    "kwargs",
    [{"optimizer": "momentum", "learning_rate": 1.0},  # the test loss explodes: θ rolled back after a recorded step
     {"optimizer": "momentum", "learning_rate": 3.0}],  # the training loss explodes before its step is recorded
)
def test_a_divergence_rolls_back_theta_but_never_the_history(noisy: TrainingData, kwargs: dict[str, object]) -> None:
    trainer = Trainer(noisy, TrainingConfig(epochs=50, batch_size=32, schedule="constant", **kwargs))
    shots = [trainer.snapshot()]
    while trainer.step():
        shots.append(trainer.snapshot())
    final = trainer.snapshot()
    assert final.state == "diverged"
    for shot in [*shots, final]:
        for name in HISTORY:
            view = getattr(shot, name)
            np.testing.assert_array_equal(view, getattr(final, name)[: len(view)], err_msg=name)
    assert len(final.step_loss) == final.step  # one entry per update made, the rolled-back one included


def _allocated(make: Callable[[], object]) -> int:
    """Peak bytes allocated (NumPy's arrays included) while ``make()`` runs."""
    tracemalloc.start()
    try:
        make()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_only_a_batch_that_can_wrap_gets_a_wrap_around_buffer(synthetic: TrainingData) -> None:
    """Full-batch gradient descent never cuts a batch across the end of the rows: it reserves no copy of them."""
    features = synthetic.X_train.nbytes
    assert _allocated(lambda: Trainer(synthetic, TrainingConfig(optimizer="gd"))) < features / 2
    sgd = Trainer(synthetic, TrainingConfig(optimizer="sgd", batch_size=300, epochs=4, learning_rate=0.01))
    assert sgd.steps_per_epoch == 2
    result = sgd.run()  # batches of 300 and 212 from a random offset: almost every epoch cuts one across the end
    assert result.state == "finished" and result.epoch_test_accuracy[-1] >= 0.9
