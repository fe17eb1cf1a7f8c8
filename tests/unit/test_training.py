"""core.training: gradients, reproducibility, optimizers, divergence, the threaded run, the step plan, which run is
handed on as "the trained model" and how it is described, the CLI, real accuracy."""

from __future__ import annotations

import dataclasses
import gc
import math
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from core.data import load_fashion_mnist
from core.losses import cross_entropy_from_logits, cross_entropy_grad_logits, mse_from_logits, mse_grad_logits
from core.model import SoftmaxRegression
from core.training import (
    OPTIMIZERS,
    Snapshot,
    Trainer,
    TrainingConfig,
    TrainingData,
    TrainingRun,
    epoch_batches,
    model_status,
    step_plan,
    stop_all,
    trained_model_index,
)

ROOT = Path(__file__).resolve().parents[2]
PATIENCE = 60.0  # seconds before a wait for a background thread gives up (a hang guard, not a speed check)


def synthetic_images(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Noisy images whose class k lights a block at its own place; pixel (0, 0) encodes the label as 20·k."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    images = rng.integers(0, 60, (n, 28, 28), dtype=np.uint8)
    for k in range(10):
        row, col = divmod(k, 5)
        images[labels == k, 4 + 10 * row: 10 + 10 * row, 2 + 5 * col: 6 + 5 * col] = 220
    images[:, 0, 0] = labels * 20
    return images, labels


@pytest.fixture(scope="module")
def synthetic() -> TrainingData:
    return TrainingData.from_images(*synthetic_images(512, 0), *synthetic_images(256, 1))


def training_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("TrainingRun-")]


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, "the background run never got there"
        time.sleep(0.002)


def wait_for_steps(run: TrainingRun, steps: int) -> None:
    wait_until(lambda: run.snapshot().step >= steps)


@pytest.fixture(scope="module")
def noisy() -> TrainingData:
    """Like `synthetic` but with random labels: no θ fits them, so a huge step makes the loss explode."""
    images, _ = synthetic_images(512, 0)
    return TrainingData.from_images(images, np.random.default_rng(99).integers(0, 10, 512), *synthetic_images(256, 1))


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> Iterator[None]:
    yield
    wait_until(lambda: not training_threads())


MakeRun = Callable[..., TrainingRun]


@pytest.fixture
def make_run() -> Iterator[MakeRun]:
    """TrainingRuns that are stopped after the test, even a failed one."""
    runs: list[TrainingRun] = []

    def make(*args: object, **kwargs: object) -> TrainingRun:
        runs.append(TrainingRun(*args, **kwargs))
        return runs[-1]

    yield make
    stop_all(runs)


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


def test_same_seed_gives_bit_identical_weights(make_run: MakeRun, synthetic: TrainingData) -> None:
    config = TrainingConfig(epochs=3, batch_size=64, seed=11)
    first, second = Trainer(synthetic, config).run(), Trainer(synthetic, config).run()
    np.testing.assert_array_equal(first.W, second.W)
    np.testing.assert_array_equal(first.b, second.b)
    assert first.step_loss == second.step_loss and first.eval_accuracy == second.eval_accuracy
    runs = [make_run(synthetic, config) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        assert run.wait(PATIENCE)
    for run in runs:
        np.testing.assert_array_equal(run.snapshot().W, first.W)
    other = Trainer(synthetic, TrainingConfig(epochs=3, batch_size=64, seed=12)).run()
    assert not np.array_equal(other.W, first.W)


def test_same_seed_gives_identical_initial_weights_for_every_loss_and_optimizer(
    make_run: MakeRun, synthetic: TrainingData
) -> None:
    initial = [
        make_run(synthetic, TrainingConfig(loss=loss, optimizer=optimizer, seed=3)).snapshot()
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
    assert trainer.snapshot().step_accuracy == (float(np.mean(synthetic.y_train == 0)),)


def all_history(shot) -> list[float]:
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
def test_divergence_stops_the_run_and_explains(
    make_run: MakeRun, noisy: TrainingData, kwargs: dict[str, object], advice: str
) -> None:
    config = TrainingConfig(epochs=50, batch_size=32, **kwargs)
    result = Trainer(noisy, config).run()
    assert result.state == "diverged"
    assert "diverged" in result.message and "Lower the learning rate" in result.message and advice in result.message
    assert result.step < result.total_steps
    assert all(math.isfinite(v) for v in all_history(result)), "no NaN or inf reaches the history"
    assert np.all(np.isfinite(result.W)) and np.all(np.isfinite(result.b))
    run = make_run(noisy, config)
    run.start()
    assert run.wait(PATIENCE)
    shot = run.snapshot()
    assert shot.state == "diverged" and shot.message == result.message
    run.stop()


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
    assert result.eval_step == tuple(range(p.eval_every, p.total_steps + 1, p.eval_every))


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


def test_pause_step_resume_stop(make_run: MakeRun, synthetic: TrainingData) -> None:
    run = make_run(synthetic, TrainingConfig(epochs=10**6, batch_size=32))
    assert run.state == "ready"
    run.start()
    wait_for_steps(run, 5)
    run.pause()
    assert run.wait(PATIENCE)
    paused = run.snapshot()
    assert paused.state == "paused"
    time.sleep(0.05)
    assert run.snapshot().step == paused.step
    run.step(3)
    assert run.wait(PATIENCE)
    stepped = run.snapshot()
    assert stepped.state == "paused" and stepped.step == paused.step + 3
    assert len(stepped.step_loss) == stepped.step
    run.resume()
    wait_for_steps(run, stepped.step + 5)
    assert run.state == "running"
    run.stop()
    assert run.state == "stopped" and not training_threads()
    stopped_at = run.snapshot().step
    run.start()
    run.resume()
    run.step()
    assert run.state == "stopped" and run.snapshot().step == stopped_at


def test_step_from_ready_starts_paused(make_run: MakeRun, synthetic: TrainingData) -> None:
    run = make_run(synthetic, TrainingConfig(epochs=100, batch_size=32))
    run.step(2)
    assert run.wait(PATIENCE)
    shot = run.snapshot()
    assert (shot.state, shot.step) == ("paused", 2)
    run.stop()
    assert run.state == "stopped"


def test_a_run_finishes_and_its_thread_ends(make_run: MakeRun, synthetic: TrainingData) -> None:
    run = make_run(synthetic, TrainingConfig(epochs=2, batch_size=64))
    run.start()
    assert run.wait(PATIENCE)
    shot = run.snapshot()
    assert shot.state == "finished" and shot.epoch == 2 and len(shot.epoch_test_accuracy) == 2
    wait_until(lambda: not training_threads())
    run.stop()
    assert run.state == "finished"


def test_stop_before_start(make_run: MakeRun, synthetic: TrainingData) -> None:
    run = make_run(synthetic, TrainingConfig())
    run.stop()
    run.start()
    assert run.state == "stopped" and not training_threads()


def test_dropping_a_run_stops_its_thread(synthetic: TrainingData) -> None:
    run = TrainingRun(synthetic, TrainingConfig(epochs=10**6, batch_size=32))
    run.start()
    wait_for_steps(run, 1)
    assert training_threads()
    del run
    gc.collect()
    wait_until(lambda: not training_threads())


def test_a_paced_run_waits_between_steps_yet_stops_at_once(make_run: MakeRun, synthetic: TrainingData) -> None:
    run = make_run(synthetic, TrainingConfig(epochs=10**6, batch_size=32), steps_per_second=0.5)
    run.start()
    wait_for_steps(run, 1)
    started = time.monotonic()
    time.sleep(0.3)
    steps = run.snapshot().step
    # At 0.5 steps/s at most one more step can begin in the time that passed (the first one began at once).
    assert steps <= 2 + int((time.monotonic() - started) * 0.5)
    run.pause()
    assert run.wait(PATIENCE) and run.state == "paused"
    paused_at = run.snapshot().step
    run.step(2)  # single steps are not paced
    assert run.wait(PATIENCE) and run.snapshot().step == paused_at + 2
    run.resume()
    run.stop()
    assert run.state == "stopped" and not training_threads()


def test_pace_must_be_positive(synthetic: TrainingData) -> None:
    with pytest.raises(ValueError, match="steps_per_second"):
        TrainingRun(synthetic, TrainingConfig(), steps_per_second=0)


def test_stop_all_stops_a_sessions_runs(make_run: MakeRun, synthetic: TrainingData) -> None:
    runs = [make_run(synthetic, TrainingConfig(loss=loss, epochs=10**6, batch_size=32)) for loss in ("ce", "mse")]
    for run in runs:
        run.start()
    for run in runs:
        wait_for_steps(run, 1)
    stop_all(runs)
    assert [run.state for run in runs] == ["stopped", "stopped"] and not training_threads()


def test_snapshots_are_immutable_copies(make_run: MakeRun, synthetic: TrainingData) -> None:
    run = make_run(synthetic, TrainingConfig(epochs=3, batch_size=32))
    run.step(4)
    assert run.wait(PATIENCE)
    before = run.snapshot()
    W = before.W.copy()
    assert isinstance(before.step_loss, tuple) and not before.W.flags.writeable
    run.resume()
    assert run.wait(PATIENCE)
    after = run.snapshot()
    assert after.step > before.step and len(before.step_loss) == 4
    np.testing.assert_array_equal(before.W, W)
    assert not np.array_equal(after.W, W)
    assert before.model().W.shape == (10, 784)


def test_an_unexpected_error_is_reported_not_swallowed(
    make_run: MakeRun, synthetic: TrainingData, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(self: Trainer) -> bool:
        raise RuntimeError("boom")

    monkeypatch.setattr(Trainer, "step", boom)
    run = make_run(synthetic, TrainingConfig())
    run.start()
    assert run.wait(PATIENCE)
    shot = run.snapshot()
    assert shot.state == "failed" and "RuntimeError: boom" in shot.message


def test_cli_rejects_bad_arguments() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "core.training", "--lr", "0"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2 and "learning_rate must be a positive finite number" in result.stderr


def test_cli_trains_prints_and_saves(fashion_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "model.npz"
    result = subprocess.run(
        [sys.executable, "-m", "core.training", "--epochs", "2", "--limit", "3000", "--optimizer", "momentum",
         "--lr", "0.01", "--batch-size", "128", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    epochs = [line for line in lines if re.match(r"\[[#.]{20}\] epoch \d/2  train loss \d\.\d{4} acc", line)]
    assert [line.split()[2] for line in epochs] == ["1/2", "2/2"]
    final = re.search(r"^final test accuracy: (0\.\d{4})$", result.stdout, re.MULTILINE)
    assert final, result.stdout
    images, labels = load_fashion_mnist("test")
    accuracy = np.mean(SoftmaxRegression.load(out).predict(images) == labels)
    assert accuracy == pytest.approx(float(final.group(1)), abs=2e-4)
    assert accuracy > 0.7


def test_default_training_on_the_real_data(fashion_data: TrainingData) -> None:
    result = Trainer(fashion_data, TrainingConfig()).run()
    assert result.state == "finished"
    assert result.epoch_test_accuracy[-1] >= 0.84
