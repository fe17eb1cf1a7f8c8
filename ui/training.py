"""Training runs bound to a Streamlit session: the shared features, this session's runs, their curves.

The float32 feature matrices are built once per process (`st.cache_resource`) from the cached raw images and
shared read-only by every session and run. A session keeps its runs in `st.session_state` and records them in
the process's registry (`ui.server`): when the session ends (its tab closed, and not reopened within
`server.disconnectedSessionTTL` seconds), the registry's reaper stops them. A run at full speed trains while it
holds one of the server's training slots, and waits in their queue meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from core.curves import SmoothedCurve
from core.model import SoftmaxRegression
from core.numbers import fmt
from core.optimizers import ADAM_BETAS, ADAM_EPS, MOMENTUM
from core.trainer import Snapshot, StepPlan, TrainingConfig, TrainingData, model_status, step_plan
from core.training_run import TrainingRun, TrainingSlots, stop_all
from ui import charts
from ui.data import dataset
from ui.server import register, training_server

RUNS_KEY = "train_runs"
COUNT_KEY = "train_run_count"  # runs started by this session since its last Reset: numbers and colours them
MAX_RUNS = 6
STEP_PATIENCE = 10.0  # seconds "Step +1" waits for its step (a full-batch step takes ~0.1 s)
LOSS_NAMES = {"ce": "cross-entropy", "mse": "squared error"}  # what the user reads; "mse" is the config value


@st.cache_resource(show_spinner="Standardising 70 000 images into the feature matrix …")
def _features(_train: tuple, _test: tuple) -> TrainingData:
    """Built once per process (the arguments are the process-wide cached arrays, not hashed)."""
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
    """One run of this session: a name for the legend, its colour, the background `TrainingRun`, the runs
    started with it (``group``), its smoothed training curves so far and its latest snapshot."""

    name: str
    colour: str
    run: TrainingRun
    group: int
    curve: SmoothedCurve = field(repr=False)
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
    return f"{config.optimizer} · {LOSS_NAMES[config.loss]} · η={fmt(config.learning_rate)}{batch}"


def plan(config: TrainingConfig, data: TrainingData) -> StepPlan:
    """How a run of ``config`` steps through ``data`` (`core.trainer.step_plan`, what the `Trainer` follows)."""
    return step_plan(config, len(data.y_train), len(data.y_test))


def watchable_pace(config: TrainingConfig, data: TrainingData) -> float:
    """Steps per second for about 10 s per epoch (at least 2 steps/s, for full-batch gradient descent)."""
    return max(2.0, plan(config, data).steps_per_epoch / 10.0)


def slots() -> TrainingSlots:
    """The server's training slots, shared by every session."""
    return training_server().slots


def start(data: TrainingData, configs: list[TrainingConfig], init_scale: float, watchable: bool) -> None:
    """Start one run per config, all from the same θ₀ (W ~ N(0, σ₀²) from the first config's seed, b = 0).

    Runs are numbered, and coloured, by this session's count of runs started (`COUNT_KEY`): the oldest of more
    than `MAX_RUNS` are stopped and dropped, the numbers go on.
    """
    existing = runs()
    group = existing[-1].group + 1 if existing else 0
    theta0 = SoftmaxRegression.initial(data.mean, data.std, seed=configs[0].seed, scale=init_scale)
    for config in configs:
        number = st.session_state.get(COUNT_KEY, 0) + 1
        st.session_state[COUNT_KEY] = number
        colour = charts.RUN_COLOURS[(number - 1) % len(charts.RUN_COLOURS)]
        pace = watchable_pace(config, data) if watchable else None
        run = TrainingRun(data, config, initial=theta0, steps_per_second=pace, slots=slots())
        curve = SmoothedCurve(smoothing_span(plan(config, data).steps_per_epoch))
        existing.append(Run(f"#{number} {describe(config)}", colour, run, group, curve))
        register(run)
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
    """Stop and forget every run of this session; the next run is #1 again."""
    stop_all(r.run for r in runs())
    runs().clear()
    st.session_state[COUNT_KEY] = 0


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


def smoothing_span(steps_per_epoch: int) -> int:
    """Steps the training curves are smoothed over: a tenth of an epoch (1, not smoothed, below 20 steps)."""
    return max(1, steps_per_epoch // 10)


def curve_series(name: str, colour: str, s: Snapshot, curve: SmoothedCurve) -> dict:
    """A run's curves for `charts.training_curves` / `charts.curves_svg`: the per-step training 𝓛 and accuracy,
    smoothed, at a bounded number of steps (``curve``, fed here the steps of ``s`` it has not seen: the cost
    does not grow with the run's length), and the test evaluations, against epochs; ``epochs`` is the run's
    planned length. Step t (0-based) ends at epoch (t + 1)/S."""
    curve.extend(s.step_loss[curve.count:], s.step_accuracy[curve.count:])
    steps, (train_loss, train_accuracy) = curve.points()
    per_epoch = s.steps_per_epoch
    return {
        "name": name, "colour": colour, "epochs": s.config.epochs, "train_x": [(t + 1) / per_epoch for t in steps],
        "train_loss": train_loss, "train_accuracy": train_accuracy, "test_x": (s.eval_step / per_epoch).tolist(),
        "test_loss": s.eval_loss.tolist(), "test_accuracy": s.eval_accuracy.tolist(),
    }  # fmt: skip


def queue_message(position: int, capacity: int) -> str:
    """What a run waiting for a training slot is told, ``position`` runs being ahead of it in the queue."""
    ahead = "yours is next" if position == 0 else f"{position} run{'s' * (position != 1)} ahead of yours"
    return f"Waiting for a training slot: {ahead} (this server trains {capacity} at full speed at once)."


def server_caption() -> str:
    """How busy training is on this server, over every session: the slots in use (runs at full speed), the runs
    waiting for one, and the runs at the watchable pace, which need none."""
    server = training_server()
    s = server.slots
    paced = sum(1 for r in server.sessions.runs() if r.steps_per_second and r.state == "running")
    waiting = s.waiting
    return (f"This server, all sessions: {s.in_use} of {s.capacity} training slots in use (runs at full speed)"
            f"{f', {waiting} waiting for one' if waiting else ''}; {paced} run{'s' * (paced != 1)} at the watchable "
            "pace (no slot needed).")


# ---- what the page says about the runs: formulas and captions, from the trainer's own plan ---------------


def count(n: int) -> str:
    """An image or step count with thin thousands groups, as the lecture writes 60 000."""
    return f"{n:,}".replace(",", "\u202f")


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def objective_latex(loss: str, optimizer: str, weight_decay: float) -> str:
    """The objective the `Trainer` lowers at each step, for one loss: the batch mean of 𝓛_CE or 𝓛_SE, plus
    (λ/2)‖W‖² (on W only, once per step, outside the mean) when λ > 0. Two short rows, to fit a phone."""
    mean = r"\frac{1}{N}\sum_{i=1}^{N}" if optimizer == "gd" else r"\frac{1}{|\mathcal{B}|}\sum_{i\in\mathcal{B}}"
    name, per_image = {
        "ce": (r"\mathrm{CE}", r"-\log f_{y}(x,\theta)"),
        "mse": (r"\mathrm{SE}", r"\sum_{k=1}^{10}\big(f_k(x,\theta) - y_k\big)^2"),
    }[loss]
    penalty = r" \\ &\quad + \frac{\lambda}{2}\lVert W\rVert^2" if weight_decay else ""  # a row of its own
    return (rf"\begin{{aligned}} \mathcal{{L}}(\theta) &= {mean} \mathcal{{L}}_{{{name}}}(x_i, y_i){penalty} \\"
            rf" \mathcal{{L}}_{{{name}}}(x, y) &= {per_image} \end{{aligned}}")


def objective_text(losses: list[str], p: StepPlan, weight_decay: float, n_train: int) -> str:
    """In words, what the formula(s) of `objective_latex` average over and what the λ term is."""
    named = " and ".join(f"**{LOSS_NAMES[loss]}**" for loss in losses)
    if p.steps_per_epoch == 1:
        batch = f"over all N = {count(n_train)} training images (one step an epoch)"
    else:
        rest = "" if p.last_batch == p.batch_size else f"; one batch an epoch has the {count(p.last_batch)} left over"
        batch = f"over the step's minibatch 𝓑 of |𝓑| = B = {count(p.batch_size)} images{rest}"
    what = f"The trainer minimises the mean of the {named} {batch}; y is the image's true class"
    if "mse" in losses:
        what += (", written as a one-hot vector in the squared error, which is summed over the 10 classes, not "
                 "averaged over them")
    if weight_decay:
        what += (f". Weight decay adds (λ/2)‖W‖² with λ = {fmt(weight_decay)}: on W only (b is not decayed), once per "
                 "step, outside the mean. The loss curves leave this term out")
    return what + "."


def update_latex(optimizer: str) -> str:
    """The update of θ that the chosen optimizer makes at step t (t = 0, 1, …), one short row per assignment."""
    if optimizer == "momentum":
        return (r"\begin{aligned} v &\leftarrow \mu\, v + g \\ \theta &\leftarrow \theta - \eta_t\, v \\"
                rf" \mu &= {fmt(MOMENTUM, tex=True)},\; v = 0 \text{{ at first}} \end{{aligned}}")
    if optimizer == "adam":
        b1, b2 = (fmt(beta, tex=True) for beta in ADAM_BETAS)
        return (r"\begin{aligned} m &\leftarrow \beta_1 m + (1 - \beta_1)\, g \\"
                r" v &\leftarrow \beta_2 v + (1 - \beta_2)\, g^2 \\"
                r" \hat m &= \frac{m}{1 - \beta_1^{\,t+1}},\quad \hat v = \frac{v}{1 - \beta_2^{\,t+1}} \\"
                r" \theta &\leftarrow \theta - \eta_t\, \frac{\hat m}{\sqrt{\hat v} + \epsilon} \\"
                rf" \beta_1 &= {b1},\; \beta_2 = {b2},\; \epsilon = {fmt(ADAM_EPS, tex=True)} \\"
                r" m &= v = 0 \text{ at first} \end{aligned}")
    return r"\theta \leftarrow \theta - \eta_t\, g"


def rate_latex(schedule: str, p: StepPlan, learning_rate: float) -> str:
    """g, the gradient each step uses, and the step size η_t of the schedule (η the chosen learning rate)."""
    eta = fmt(learning_rate, tex=True)
    if schedule == "constant":
        return rf"g = \nabla_\theta \mathcal{{L}}(\theta), \qquad \eta_t = \eta = {eta}"
    return (rf"\begin{{aligned}} g &= \nabla_\theta \mathcal{{L}}(\theta) \\"
            rf" \eta_t &= \eta\,\Big(1 - \frac{{t}}{{T}}\Big),\; t = 0, \dots, T - 1 \\"
            rf" \eta &= {eta},\; T = {p.total_steps} \end{{aligned}}")


def update_text(optimizer: str, weight_decay: float) -> str:
    """What g holds, in words, when weight decay is on (and how it reaches Adam)."""
    if not weight_decay:
        return ""
    text = "g is the gradient of the whole objective: its W part includes λW from the weight decay"
    if optimizer == "adam":
        text += " — an L2 penalty that reaches Adam through g, not AdamW's decoupled decay"
    return text + "."


def eval_schedule(p: StepPlan) -> str:
    """When the test curve gets a point, from the trainer's plan."""
    if p.steps_per_epoch == 1:
        return "after every step, which is once an epoch: each step uses every training image"
    if p.eval_every == 1:
        return f"after every step ({_times(p.steps_per_epoch)} an epoch)"
    low, high = p.evaluations_per_epoch()
    times = _times(low) if low == high else f"{low} or {high} times"
    return f"every {p.eval_every} steps ({times} an epoch)"


def curves_caption(runs: list[tuple[str, Snapshot]], data: TrainingData) -> str:
    """The caption under the curves of ``runs`` (name, snapshot): what the solid and dashed lines are, run by
    run where the runs differ."""
    plans = [(name, plan(s.config, data), s) for name, s in runs]
    spans = {smoothing_span(s.steps_per_epoch) for _, _, s in plans}
    decay = any(s.config.weight_decay for _, _, s in plans)
    solid = "Solid: the loss 𝓛" + (" (without the λ/2‖W‖² term)" if decay else "") + (
        " and accuracy on each step's training batch, before its update")
    if spans == {1}:
        solid += " (not smoothed)"
    elif len(spans) == 1:
        solid += f", smoothed over about {spans.pop()} steps (exponential moving average)"
    else:
        solid += ", smoothed over about a tenth of an epoch (not at all when an epoch has fewer than 20 steps)"
    rows = {p.eval_rows for _, p, _ in plans}
    subset = f"the first {count(rows.pop())} test images" if len(rows) == 1 else "a subset of the test images"
    schedules: dict[str, list[str]] = {}
    for name, p, _ in plans:
        schedules.setdefault(eval_schedule(p), []).append(name.split(" ", 1)[0])
    if len(schedules) == 1:
        dashed = f"Dashed: {subset}, {next(iter(schedules))}"
    else:
        dashed = f"Dashed: {subset} — " + "; ".join(f"{', '.join(n)}: {when}" for when, n in schedules.items())
    whole = (f"The test accuracy in the status line: all {count(len(data.y_test))} test images, after the last "
             "full epoch.")
    return f"{solid}. {dashed}. {whole}"


def run_model_status(run: Run, s: Snapshot) -> str:
    """What the model of a run is: its name and `core.trainer.model_status`."""
    return f"{run.name} — {model_status(s)}"
