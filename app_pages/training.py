"""Live training: learn θ of f(x, θ) = softmax(Wx + b) on Fashion-MNIST with an iterative solver, live."""

from __future__ import annotations

import io

import streamlit as st

from core.data import CLASS_NAMES
from core.evaluation import cell_examples, confusion_matrix, worst_confusions
from core.numbers import fmt
from core.optimizers import OPTIMIZERS
from core.trainer import SCHEDULES, Snapshot, TrainingConfig, TrainingData, trained_model_index
from core.training_run import TERMINAL_STATES
from ui import charts, layout
from ui import model as models
from ui import training as session
from ui.data import dataset, get_data_panel

OPTIMIZER_NAMES = {"gd": "Gradient descent", "sgd": "SGD", "momentum": "Momentum", "adam": "Adam"}
LEARNING_RATES = [1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0]
BATCH_SIZES = [16, 32, 64, 128, 256, 512, 1024, 4096]
WEIGHT_DECAYS = [0.0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]
INIT_SCALES = [0.01, 0.03, 0.1, 0.3, 1.0]
DEFAULT = TrainingConfig()

TITLE = "Live training"
INTRO = (
    "**Learning θ on Fashion-MNIST.** Minimising the loss over all 60 000 training images has **no closed-form "
    "solution — we need iterative solvers**. Gradient descent starts from a small random W (and b = 0) and "
    "repeatedly steps against the gradient, θ ← θ − η ∇𝓛(θ); stochastic variants estimate ∇𝓛 on a minibatch of "
    "B images. Press **Start new run** and watch the loss fall, the accuracy rise and the ten rows of W turn into "
    "pictures of what each class looks like."
)


def controls() -> dict:
    """The training settings, bound to the URL, as plain values."""
    top = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")  # wraps, never cuts a label
    optimizer = top.segmented_control(
        "Optimizer", OPTIMIZERS, default=DEFAULT.optimizer, format_func=OPTIMIZER_NAMES.get, key="train_opt",
        bind="query-params", required=True,
        help="Gradient descent: one step an epoch, on all 60 000 training images. SGD, Momentum and Adam: one step "
        "per minibatch of B images.",
    )  # fmt: skip
    loss = top.segmented_control(
        "Loss 𝓛", ["ce", "mse"], default=DEFAULT.loss, format_func=session.LOSS_NAMES.get, key="train_loss",
        bind="query-params", required=True,
    )  # fmt: skip
    compare = top.toggle(
        "Squared error vs CE", key="train_compare", bind="query-params",
        help="Train both losses, squared error and cross-entropy, side by side from identical initial weights.",
    )  # fmt: skip
    c4, c5, c6, c7 = st.columns(4)
    lr = c4.select_slider("Learning rate η", LEARNING_RATES, value=DEFAULT.learning_rate, key="train_lr",
                          format_func=fmt, bind="query-params")  # fmt: skip
    batch = c5.select_slider("Batch size B", BATCH_SIZES, value=DEFAULT.batch_size, key="train_batch",
                             bind="query-params", disabled=optimizer == "gd")  # fmt: skip
    epochs = c6.slider("Epochs", 1, 30, DEFAULT.epochs, key="train_epochs", bind="query-params")
    decay = c7.select_slider("Weight decay λ", WEIGHT_DECAYS, value=DEFAULT.weight_decay, key="train_wd",
                             format_func=fmt, bind="query-params")  # fmt: skip
    c8, c9, c10, c11 = st.columns([1.1, 1, 1.2, 0.8], vertical_alignment="bottom")
    schedule = c8.segmented_control(
        "η schedule", SCHEDULES, default=DEFAULT.schedule, key="train_schedule", bind="query-params", required=True,
        format_func={"constant": "constant", "linear": "linear → 0"}.get, wrap=True,
        help="Linear: η_t = η (1 − t/T) falls from η at the first step to η/T at the last of the T steps, which "
        "settles θ; constant: η_t = η, the textbook update.",
    )  # fmt: skip
    scale = c9.select_slider(
        "Initial weight scale σ₀", INIT_SCALES, value=INIT_SCALES[0], key="train_init", format_func=fmt,
        bind="query-params", help="W starts as N(0, σ₀²) noise, b as 0. A large σ₀ makes f confidently wrong at "
        "the start.",
    )  # fmt: skip
    full_speed = c10.toggle(
        "Full speed", key="train_fast", bind="query-params",
        help="Off: slowed to about 10 s an epoch so a class can watch it learn. On: as fast as this machine goes.",
    )  # fmt: skip
    seed = c11.number_input("Seed", 0, 2**31 - 1, DEFAULT.seed, key="train_seed", bind="query-params")
    return {
        "optimizer": optimizer or DEFAULT.optimizer, "loss": loss or DEFAULT.loss, "compare": compare,
        "learning_rate": float(lr), "batch_size": int(batch), "epochs": int(epochs), "weight_decay": float(decay),
        "schedule": schedule or DEFAULT.schedule, "seed": int(seed), "init_scale": float(scale),
        "watchable": not full_speed,
    }  # fmt: skip


def configs(c: dict) -> list[TrainingConfig]:
    """One config, or the cross-entropy / squared-error pair when comparing."""
    losses = ["ce", "mse"] if c["compare"] else [c["loss"]]
    fields = {k: v for k, v in c.items() if k not in ("compare", "loss", "init_scale", "watchable")}
    return [TrainingConfig(loss=loss, **fields) for loss in losses]


def formulas(data: TrainingData, chosen: list[TrainingConfig]) -> None:
    """The model, the objective of the selected loss(es) and the update of the selected optimizer, as trained."""
    c = chosen[0]
    plan = session.plan(c, data)
    st.latex(r"f(x,\theta)=\operatorname{softmax}(Wx+b)")
    # Stacked, not in columns: a column of the 800 px layout or of lecture mode is too narrow for the formulas.
    st.markdown("**The objective 𝓛 of each step**")
    for config in chosen:
        st.latex(session.objective_latex(config.loss, c.optimizer, c.weight_decay))
    st.markdown(session.objective_text([config.loss for config in chosen], plan, c.weight_decay, len(data.y_train)))
    st.markdown(f"**Each step: {OPTIMIZER_NAMES[c.optimizer]}**")
    st.latex(session.update_latex(c.optimizer))
    st.latex(session.rate_latex(c.schedule, plan, c.learning_rate))
    if c.weight_decay:
        st.markdown(session.update_text(c.optimizer, c.weight_decay))


def buttons(data: TrainingData, settings: dict) -> None:
    """Start / Pause–Resume / Step / Reset, acting on the runs started together last."""
    act = session.active()
    states = {r.run.state for r in act}
    running = "running" in states
    paused = "paused" in states or "ready" in states
    b1, b2, b3, b4 = st.columns(4)
    b1.button("▶ Start new run", key="train_start", type="primary", width="stretch",
              on_click=session.start,
              args=(data, configs(settings), settings["init_scale"], settings["watchable"]))  # fmt: skip
    if running:
        b2.button("⏸ Pause", key="train_pause", on_click=session.pause, width="stretch")
    else:
        b2.button("▶ Resume", key="train_resume", on_click=session.resume, width="stretch", disabled=not paused)
    b3.button("Step +1", key="train_step", on_click=session.step, width="stretch",
              disabled=not act or states <= TERMINAL_STATES,
              help="One more (mini)batch update of θ, then pause.")  # fmt: skip
    b4.button("Reset", key="train_reset", on_click=session.reset, width="stretch", disabled=not session.runs())


def status(run: session.Run, s: Snapshot) -> None:
    """One run's state line, progress and messages (a wait for a training slot, divergence explained)."""
    total = s.total_steps
    acc = f" · test accuracy {fmt(100 * s.epoch_test_accuracy[-1])}%" if len(s.epoch_test_accuracy) else ""
    state = s.state if s.queue_position is None else "waiting for a training slot"
    st.progress(
        min(1.0, s.step / total),
        text=f"**{run.name}** — {state}: epoch {s.epoch}/{s.config.epochs}, step {s.step}/{total}, "
        f"{fmt(s.elapsed, 3)} s{acc}",
    )
    if s.queue_position is not None:
        st.info(session.queue_message(s.queue_position, session.slots().capacity), icon="⏳")
    if s.state in ("diverged", "failed"):
        layout.error(s.message)


def live(data: TrainingData) -> None:
    """Curves, status and W templates, redrawn from thread-safe snapshots while a run trains."""
    polling = any(r.run.state == "running" for r in session.active())

    @st.fragment(run_every=0.25 if polling else None)
    def view() -> None:
        all_runs = session.runs()
        st.caption(session.server_caption())
        if not all_runs:
            st.info("No run yet: choose the settings and press **Start new run**.")
            return
        snaps = session.snapshots(all_runs)
        for run, s in snaps:
            run.snapshot = s
        for run, s in snaps:
            if run.group == all_runs[-1].group:
                status(run, s)
        series = [session.curve_series(r.name, r.colour, s, r.curve) for r, s in snaps]
        latest, s = snaps[-1]
        # While polling, light static drawings (a Plotly re-plot 4× a second costs the browser ~0.2 s a chart and
        # the training thread its CPU); the interactive charts come back as soon as the run stops.
        if polling:
            st.image(charts.curves_svg(series), width="stretch",
                     alt="Live loss and accuracy curves of the runs, train and test, against the training step")
        else:
            layout.plot(charts.training_curves(series), key="train_curves")
        st.caption(session.curves_caption([(r.name, s) for r, s in snaps], data))
        st.subheader(f"The rows of W as images — {latest.name}")
        if polling:
            st.image(charts.weights_svg(s.W, list(CLASS_NAMES)), width="stretch",
                     alt="The ten rows of W drawn as 28 by 28 images, one per class")
        else:
            layout.plot(charts.weight_templates(s.W, list(CLASS_NAMES)), key="train_templates")
        up, down = charts.WEIGHT_COLOURS
        st.caption(f"{up.capitalize()}: W_k,i > 0, {down}: W_k,i < 0 (one colour scale for all ten, "
                   f"±{fmt(float(abs(s.W).max()), 3)}). In z_k = W_k·x + b_k a bright pixel (x_i > 0) where W_k,i > 0 "
                   f"raises z_k; the black background, x_i = −μ/σ = {fmt(-data.mean / data.std)} after "
                   "standardising, flips the sign.")  # fmt: skip
        if polling and not any(r.run.state == "running" for r in session.active()):
            st.rerun()

    view()


def confusion(run: session.Run) -> None:
    """Confusion matrix of the handed-over run on the test set; a click on a cell opens its images."""
    test, _ = dataset("test")
    if test is None or run.snapshot is None:
        return
    proba = session.probabilities_on_test_set(run.snapshot)
    labels = test[1]
    matrix = confusion_matrix(labels, proba.argmax(axis=1))
    st.subheader(f"Confusion matrix on the 10 000 test images — {run.name}")

    def select_cell() -> None:
        points = st.session_state["train_cm"].selection.points
        if points and {points[0].get("y"), points[0].get("x")} <= set(CLASS_NAMES):  # a cell: (true, predicted)
            st.session_state["train_true"], st.session_state["train_pred"] = points[0]["y"], points[0]["x"]

    true_name = st.session_state.get("train_true", CLASS_NAMES[6])
    pred_name = st.session_state.get("train_pred", CLASS_NAMES[0])
    fig = charts.confusion_heatmap(matrix, list(CLASS_NAMES), (CLASS_NAMES.index(true_name),
                                                               CLASS_NAMES.index(pred_name)))  # fmt: skip
    charts.scale_for_lecture(fig, layout.is_lecture())
    layout.chart_alt(fig)
    st.plotly_chart(fig, key="train_cm", on_select=select_cell, selection_mode="points", width="stretch",
                    config=layout.PLOTLY_CONFIG, theme=None)  # fmt: skip
    worst = ", ".join(f"{CLASS_NAMES[i]} → {CLASS_NAMES[j]} ({n})" for i, j, n in worst_confusions(matrix, 3))
    st.caption(f"Rows: true class; columns: predicted. Click a cell to open its images. Most confused: {worst}.")
    c1, c2 = st.columns(2)
    true_name = c1.selectbox("True class", CLASS_NAMES, index=6, key="train_true", bind="query-params")
    pred_name = c2.selectbox("Predicted as", CLASS_NAMES, index=0, key="train_pred", bind="query-params")
    i, j = CLASS_NAMES.index(true_name), CLASS_NAMES.index(pred_name)
    idx = cell_examples(labels, proba, i, j, limit=16)
    what = "correctly classified" if i == j else "misclassified"
    st.markdown(f"**{matrix[i, j]}** {true_name} images {what} as **{pred_name}**"
                + (f"; the {len(idx)} most confident, with f({pred_name}):" if len(idx) else "."))  # fmt: skip
    if len(idx):
        layout.plot(charts.image_grid(test[0][idx], [f"{fmt(100 * proba[k, j], 2)}%" for k in idx], columns=8),
                    key="train_cell_images")  # fmt: skip


def hand_over(run: session.Run) -> None:
    """Say which model this is, offer it as a .npz (loadable with SoftmaxRegression.load) and hand it to the
    classify page."""
    s = run.snapshot
    about = session.run_model_status(run, s)
    st.subheader("This model, for the Classify page and as a file")
    st.markdown(f"**{about}.** The *Classify an upload* page uses this θ as “From Live training”; the file "
                "below holds the same θ.")  # fmt: skip
    buffer = io.BytesIO()
    model = s.model()
    model.save(buffer)
    st.download_button("Download this model (.npz)", buffer.getvalue(), mime="application/octet-stream",
                       file_name=f"softmax_regression_{s.config.loss}_{s.state}_step{s.theta_step}.npz",
                       key="train_save", help=about)  # fmt: skip
    models.hand_over(model, about)


def main() -> None:
    layout.header(TITLE, INTRO)
    data, _ = session.training_data()
    if data is None:
        get_data_panel("train", "Training")
        return
    layout.presets(
        "train",
        {
            "Full-batch gradient descent": {"train_opt": "gd", "train_lr": 1.0, "train_epochs": 30,
                                            "train_schedule": "constant", "train_compare": False,
                                            "train_loss": "ce", "train_init": 0.01},
            "Adam, fast": {"train_opt": "adam", "train_lr": DEFAULT.learning_rate, "train_batch": 256,
                           "train_epochs": 5, "train_schedule": "linear", "train_compare": False,
                           "train_loss": "ce", "train_init": 0.01},
            "Squared error vs CE, confidently wrong start": {"train_opt": "sgd", "train_lr": 0.1, "train_batch": 256,
                                                             "train_epochs": 3, "train_schedule": "constant",
                                                             "train_compare": True, "train_init": 0.3},
            "Too large η: divergence": {"train_opt": "sgd", "train_lr": 100.0, "train_batch": 256,
                                        "train_compare": False, "train_loss": "ce", "train_init": 0.01},
        },
    )  # fmt: skip
    settings = controls()
    chosen = configs(settings)
    formulas(data, chosen)
    if settings["compare"]:
        layout.prose(
            "**Squared error vs cross-entropy** train side by side from the *same* θ₀. From a small random start "
            "(σ₀ = 0.01) both learn well on this linear model. Start *confidently wrong* (σ₀ = 0.3: the preset) and "
            "the squared error's gradient through the softmax, 2J(f − y) with J = diag(f) − f fᵀ, nearly vanishes on "
            "the images f gets confidently wrong (f close to one-hot makes J ≈ 0) — exactly the ones it should learn "
            "from — so the squared error lags while cross-entropy's gradient f − y keeps pushing."
        )
    buttons(data, settings)
    live(data)
    runs = session.runs()
    active = [r.group == runs[-1].group for r in runs]
    chosen_run = trained_model_index([r.snapshot for r in runs], active)
    if chosen_run is not None:
        confusion(runs[chosen_run])
        hand_over(runs[chosen_run])


main()
