"""Training runs bound to a Streamlit session: the shared features, this session's runs, their curves.

The float32 feature matrices are built once per process (`st.cache_resource`) from the cached raw images and
shared read-only by every session and run. A session keeps its runs in `st.session_state`; when the session
ends (tab closed), the runs are dropped and `TrainingRun`'s finaliser stops their threads.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import numpy as np
import streamlit as st
from threadpoolctl import threadpool_limits

from core.evaluation import smoothed, thinned
from core.model import SoftmaxRegression
from core.training import Snapshot, TrainingConfig, TrainingData, TrainingRun, stop_all
from ui import charts
from ui.data import dataset

RUNS_KEY = "train_runs"
MAX_RUNS = 6
# Seconds a Python thread may hold the GIL before another that waits gets it (CPython's default: 0.005).
# The training thread drops the GIL in every NumPy call and must win it back each time; while the live view
# runs Python in the server thread, a shorter interval keeps it from waiting 5 ms each time.
SWITCH_INTERVAL = 0.0005
STEP_PATIENCE = 10.0  # seconds "Step +1" waits for its step (a full-batch step takes ~0.1 s)
LOSS_NAMES = {"ce": "cross-entropy", "mse": "MSE"}


@st.cache_resource(show_spinner="Standardising 70 000 images into the feature matrix …")
def _features(_train: tuple, _test: tuple) -> TrainingData:
    """Built once per process (the arguments are the process-wide cached arrays, not hashed).

    Also limits BLAS to one thread for the process: each run is one thread, and on a small server two runs
    (or two sessions) then share the cores instead of fighting over them (see bench/bench_training.py).
    """
    threadpool_limits(1, "blas")
    sys.setswitchinterval(SWITCH_INTERVAL)
    return TrainingData.from_images(_train[0], _train[1], _test[0], _test[1])


def training_data() -> tuple[TrainingData | None, str]:
    """The shared `TrainingData`, or (None, how to get Fashion-MNIST)."""
    train, message = dataset("train")
    test, test_message = dataset("test")
    if train is None or test is None:
        return None, message or test_message
    return _features(train, test), ""


@dataclass
class Run:
    """One run of this session: a name for the legend, its colour, the background `TrainingRun`."""

    name: str
    colour: str
    run: TrainingRun
    group: int
    snapshot: Snapshot | None = field(default=None, repr=False)


def runs() -> list[Run]:
    """This session's runs, oldest first."""
    return st.session_state.setdefault(RUNS_KEY, [])


def active() -> list[Run]:
    """The runs started together by the last Start (one, or the MSE/CE pair)."""
    all_runs = runs()
    return [r for r in all_runs if r.group == all_runs[-1].group] if all_runs else []


def describe(config: TrainingConfig) -> str:
    """A short legend name: optimizer, loss, η (and batch size where it applies)."""
    batch = "" if config.optimizer == "gd" else f", B={config.batch_size}"
    return f"{config.optimizer} · {LOSS_NAMES[config.loss]} · η={config.learning_rate:g}{batch}"


def watchable_pace(config: TrainingConfig, data: TrainingData) -> float:
    """Steps per second for about 10 s per epoch (at least 2 steps/s, for full-batch gradient descent)."""
    steps_per_epoch = 1 if config.optimizer == "gd" else -(-len(data.y_train) // config.batch_size)
    return max(2.0, steps_per_epoch / 10.0)


def start(data: TrainingData, configs: list[TrainingConfig], init_scale: float, watchable: bool) -> None:
    """Start one run per config, all from the same θ₀ (W ~ N(0, σ₀²) from the first config's seed, b = 0)."""
    existing = runs()
    group = existing[-1].group + 1 if existing else 0
    theta0 = SoftmaxRegression.initial(data.mean, data.std, seed=configs[0].seed, scale=init_scale)
    for config in configs:
        colour = charts.RUN_COLOURS[len(existing) % len(charts.RUN_COLOURS)]
        pace = watchable_pace(config, data) if watchable else None
        run = TrainingRun(data, config, initial=theta0, steps_per_second=pace)
        existing.append(Run(f"#{len(existing) + 1} {describe(config)}", colour, run, group))
        run.start()
    dropped = existing[:-MAX_RUNS]
    del existing[:-MAX_RUNS]
    stop_all(r.run for r in dropped)


def pause() -> None:
    """Pause the active runs."""
    for r in active():
        r.run.pause()


def resume() -> None:
    """Resume the active runs."""
    for r in active():
        r.run.resume()


def step(n: int = 1) -> None:
    """n more steps of the active runs (they stay paused); returns once they are done, so the rerun shows them."""
    for r in active():
        r.run.pause()
        r.run.step(n)
    for r in active():
        r.run.wait(STEP_PATIENCE)


def reset() -> None:
    """Stop and forget every run of this session."""
    stop_all(r.run for r in runs())
    runs().clear()


def snapshots(which: list[Run]) -> list[tuple[Run, Snapshot]]:
    """A consistent snapshot of each run."""
    return [(r, r.run.snapshot()) for r in which]


@st.cache_data(max_entries=MAX_RUNS, show_spinner=False)
def _probabilities_on_test_set(W: np.ndarray, b: np.ndarray, mean: float, std: float) -> np.ndarray:
    test, _ = dataset("test")
    return SoftmaxRegression(W, b, mean, std).predict_proba(test[0])


def probabilities_on_test_set(s: Snapshot) -> np.ndarray:
    """f(x, θ) of a snapshot's θ on the 10 000 test images, computed once per θ (not on every rerun)."""
    return _probabilities_on_test_set(s.W, s.b, s.mean, s.std)


def curve_series(name: str, colour: str, s: Snapshot) -> dict:
    """A run's curves for `charts.training_curves` / `charts.curves_svg`: smoothed per-step train metrics and
    the test evaluations, against epochs; ``epochs`` is the run's planned length."""
    per_epoch = s.steps_per_epoch
    steps = [(i + 1) / per_epoch for i in range(len(s.step_loss))]
    span = max(1, per_epoch // 10)
    train_x, train_loss = thinned(steps, smoothed(s.step_loss, span))
    _, train_accuracy = thinned(steps, smoothed(s.step_accuracy, span))
    test_x = [k / per_epoch for k in s.eval_step]
    return {
        "name": name, "colour": colour, "epochs": s.config.epochs, "train_x": train_x, "train_loss": train_loss,
        "train_accuracy": train_accuracy, "test_x": test_x, "test_loss": list(s.eval_loss),
        "test_accuracy": list(s.eval_accuracy),
    }  # fmt: skip
