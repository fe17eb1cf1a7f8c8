"""AppTest: the live training page — controls in the URL, start/pause/step/reset, squared error vs CE from one θ₀,
divergence explained, the confusion matrix and its cells, saving the model, and a missing dataset. Every formula
and statement the page makes about the training is pinned to what the trainer does: the objective of the selected
loss (with its λ/2‖W‖² term), the optimizer's update, when the test curve is measured, and what the model handed
to the classify page is (finished, paused, rolled back)."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.model import SoftmaxRegression
from core.numbers import fmt
from core.trainer import model_status
from core.training_run import stop_all
from tests.app.primer_app import figures, latex, open_page, texts
from ui import training as session

PAGE = "training"
PATIENCE = 120.0  # seconds a bounded wait may take on a loaded machine; never a pass/fail criterion


def runs(at: AppTest) -> list[session.Run]:
    return at.session_state.get(session.RUNS_KEY, [])


def wait_until_done(at: AppTest) -> None:
    """Rerun (as the live fragment would) until every run of the session has ended or paused."""
    deadline = time.monotonic() + PATIENCE
    while any(r.run.state == "running" for r in runs(at)):
        assert time.monotonic() < deadline, "training did not end"
        time.sleep(0.2)
    at.run()
    assert not at.exception, at.exception


def plotly_array(value: object) -> np.ndarray:
    """An array from a figure's JSON: a plain list, or Plotly's typed-array form {dtype, bdata, shape}."""
    if isinstance(value, dict):
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return flat.reshape([int(k) for k in str(value.get("shape", len(flat))).split(",")])
    return np.asarray(value)


def status_lines(at: AppTest) -> list[str]:
    return [p.proto.text for p in at.get("progress")]


@pytest.fixture()
def at(fashion_dir: Path) -> AppTest:
    page = open_page(PAGE, {"train_fast": "true", "train_epochs": "1"})
    yield page
    stop_all(r.run for r in runs(page))


def test_the_page_opens_with_the_lecture_defaults(at: AppTest) -> None:
    assert at.segmented_control(key="train_opt").value == "adam"
    assert at.segmented_control(key="train_loss").value == "ce"
    assert at.segmented_control(key="train_loss").options == ["cross-entropy", "squared error"]
    assert at.slider(key="train_epochs").value == 1  # from the URL
    assert at.title[0].value == "Live training"
    assert "no closed-form solution" in texts(at.markdown)
    assert "No run yet" in texts(at.info)
    # The lecture says only "iterative solvers": gradient descent is not called the lecture's method.
    assert "lecture" not in at.segmented_control(key="train_opt").help
    assert "Full-batch gradient descent" in [b.label for b in at.button]


def test_the_objective_follows_the_loss_control_and_the_weight_decay(at: AppTest) -> None:
    ce = r"\mathcal{L}_{\mathrm{CE}}(x, y) &= -\log f_{y}(x,\theta)"
    se = r"\mathcal{L}_{\mathrm{SE}}(x, y) &= \sum_{k=1}^{10}\big(f_k(x,\theta) - y_k\big)^2"
    batch_mean = r"\mathcal{L}(\theta) &= \frac{1}{|\mathcal{B}|}\sum_{i\in\mathcal{B}} "
    penalty = r"&\quad + \frac{\lambda}{2}\lVert W\rVert^2"  # its own row of the aligned objective
    assert ce in latex(at) and se not in latex(at) and penalty not in latex(at)
    assert batch_mean + r"\mathcal{L}_{\mathrm{CE}}(x_i, y_i) \\" in latex(at)
    words = texts(at.markdown)
    assert "minimises the mean of the **cross-entropy** over the step's minibatch 𝓑 of |𝓑| = B = 256 images" in words
    assert "one batch an epoch has the 96 left over" in words  # 60 000 = 234 × 256 + 96
    at.segmented_control(key="train_loss").set_value("mse").run()
    assert se in latex(at) and ce not in latex(at)
    assert batch_mean + r"\mathcal{L}_{\mathrm{SE}}(x_i, y_i) \\" in latex(at)
    words = texts(at.markdown)
    assert "mean of the **squared error**" in words and "summed over the 10 classes, not averaged" in words
    assert "MSE" not in words + latex(at)
    at.select_slider(key="train_wd").set_value(1e-3).run()
    assert batch_mean + r"\mathcal{L}_{\mathrm{SE}}(x_i, y_i) \\ " + penalty in latex(at)
    assert ("(λ/2)‖W‖² with λ = 0.001: on W only (b is not decayed), once per step, outside the mean. The loss "
            "curves leave this term out.") in texts(at.markdown)
    assert "its W part includes λW from the weight decay" in texts(at.markdown)
    at.toggle(key="train_compare").set_value(True).run()  # both losses: both formulas
    assert ce in latex(at) and se in latex(at) and latex(at).count(penalty) == 2
    assert "mean of the **cross-entropy** and **squared error**" in texts(at.markdown)


def test_the_update_rule_follows_the_optimizer_and_the_schedule(at: AppTest) -> None:
    adam = r"\theta &\leftarrow \theta - \eta_t\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}"
    assert adam in latex(at) and r"\hat m &= \frac{m}{1 - \beta_1^{\,t+1}}" in latex(at)
    assert r"\beta_1 &= 0.9,\; \beta_2 = 0.999,\; \epsilon = 1 \times 10^{-8}" in latex(at)  # core's constants
    # linear → 0 over T = 1 epoch × 235 steps, η = 0.003 (the defaults)
    assert r"\eta_t &= \eta\,\Big(1 - \frac{t}{T}\Big),\; t = 0, \dots, T - 1 \\ \eta &= 0.003,\; T = 235" in (
        latex(at))
    assert "**Each step: Adam**" in texts(at.markdown)
    at.segmented_control(key="train_opt").set_value("momentum").run()
    assert r"v &\leftarrow \mu\, v + g" in latex(at) and r"\mu &= 0.9,\; v = 0" in latex(at)
    assert r"\theta &\leftarrow \theta - \eta_t\, v" in latex(at)
    assert adam not in latex(at)
    at.segmented_control(key="train_schedule").set_value("constant").run()
    assert r"\eta_t = \eta = 0.003" in latex(at) and r"\frac{t}{T}" not in latex(at)
    at.segmented_control(key="train_opt").set_value("gd").run()
    assert "$$\n" + r"\theta \leftarrow \theta - \eta_t\, g" + "\n$$" in [el.value for el in at.latex]  # the plain step
    assert r"g = \nabla_\theta \mathcal{L}(\theta), \qquad \eta_t = \eta = 0.003" in latex(at)
    assert r"\frac{1}{N}\sum_{i=1}^{N} \mathcal{L}_{\mathrm{CE}}(x_i, y_i)" in latex(at)
    assert "over all N = 60\u202f000 training images (one step an epoch)" in texts(at.markdown)
    at.select_slider(key="train_wd").set_value(0.01).run()
    at.segmented_control(key="train_opt").set_value("adam").run()
    assert "reaches Adam through g, not AdamW's decoupled decay" in texts(at.markdown)


def captions(at: AppTest) -> str:
    return texts(at.caption)


def test_the_test_curve_caption_is_the_trainers_schedule(at: AppTest) -> None:
    at.button(key="train_preset_0").click().run()  # full-batch gradient descent
    at.slider(key="train_epochs").set_value(2).run()
    at.button(key="train_start").click().run()
    wait_until_done(at)
    (gd,) = runs(at)
    assert gd.snapshot.eval_step.tolist() == [1, 2]  # one step an epoch, evaluated after each: twice in two epochs
    assert ("Dashed: the first 2\u202f000 test images, after every step, which is once an epoch: each step uses "
            "every training image.") in captions(at)
    assert "(not smoothed)" in captions(at)
    assert "five times" not in captions(at)
    at.button(key="train_reset").click().run()
    at.segmented_control(key="train_opt").set_value("sgd").run()
    at.select_slider(key="train_batch").set_value(1024).run()
    at.slider(key="train_epochs").set_value(3).run()
    at.button(key="train_start").click().run()
    wait_until_done(at)
    (sgd,) = runs(at)
    per_epoch = np.bincount([(k - 1) // 59 for k in sgd.snapshot.eval_step], minlength=3)
    assert sorted(set(per_epoch)) == [5, 6]  # 59 steps an epoch, every 11 steps: 5, 5, 6 times
    assert "Dashed: the first 2\u202f000 test images, every 11 steps (5 or 6 times an epoch)." in captions(at)
    assert "smoothed over about 5 steps" in captions(at)


def start_a_long_run_and_pause(at: AppTest) -> session.Run:
    """Start a 30-epoch run at batch 16 (far from done) and pause it; the run, once its thread has paused."""
    at.slider(key="train_epochs").set_value(30).run()
    at.select_slider(key="train_batch").set_value(16).run()
    at.button(key="train_start").click().run()
    (run,) = runs(at)
    at.button(key="train_pause").click().run()
    assert run.run.wait(PATIENCE)
    return run


def test_a_paused_run_is_handed_over_as_paused(at: AppTest) -> None:
    run = start_a_long_run_and_pause(at)
    at.button(key="train_step").click().run()
    assert run.run.wait(PATIENCE)
    s = run.run.snapshot()
    epoch, into = divmod(s.step, 3750)  # B = 16: 3 750 steps an epoch
    where = f"the end of epoch {epoch} of 30" if not into else f"in epoch {epoch + 1} of 30"
    about = f"{run.name} — paused after step {s.step} of 112500 ({where})"
    assert about == f"{run.name} — {model_status(s)}"
    assert f"**{about}.** The *Classify an upload* page uses this θ" in texts(at.markdown)
    assert at.session_state["trained_model_about"] == about
    np.testing.assert_array_equal(at.session_state["trained_model"].W, s.W)
    saved = at.get("download_button")[0]
    assert saved.proto.help == about


def test_a_diverged_run_is_handed_over_rolled_back(at: AppTest) -> None:
    at.button(key="train_preset_3").click().run()  # SGD, η = 100: diverges at step 2, θ back to θ₀
    at.button(key="train_start").click().run()
    wait_until_done(at)
    assert "Lower the learning rate: it is 100 now, try 1." in texts(at.error)
    assert "trained_model" not in at.session_state and not at.get("download_button")  # θ₀ is not a trained model
    at.select_slider(key="train_lr").set_value(10.0).run()  # diverges at step 3: θ after step 1
    at.button(key="train_start").click().run()
    wait_until_done(at)
    run = runs(at)[-1]
    about = f"{run.name} — rolled back after divergence: θ after step 1 of 235 (in epoch 1 of 1), the last before "
    assert at.session_state["trained_model_about"].startswith(about)
    assert about in texts(at.markdown) and "Training diverged at step 3" in texts(at.error)
    np.testing.assert_array_equal(at.session_state["trained_model"].W, run.snapshot.W)
    assert at.get("download_button")[0].proto.help.startswith(about)


def test_a_run_trains_and_offers_its_results(at: AppTest) -> None:
    at.button(key="train_start").click().run()
    wait_until_done(at)
    (line,) = status_lines(at)
    assert "finished: epoch 1/1" in line and "test accuracy" in line
    accuracy = float(line.rsplit("test accuracy ", 1)[1].rstrip("%")) / 100
    assert accuracy > 0.75 and line.endswith(f"test accuracy {fmt(100 * runs(at)[0].snapshot.epoch_test_accuracy[-1])}%")
    figs = figures(at)
    assert {"train_curves", "train_templates", "train_cm"} <= figs.keys()
    # The confusion matrix counts all 10 000 test images, and its diagonal is the accuracy shown — up to the
    # display's rounding (5e-5) and one image whose near-tie the trainer's and the model's float32 BLAS products
    # may break differently (1e-4).
    counts = plotly_array(figs["train_cm"]["data"][0]["text"]).reshape(10, 10)
    assert counts.sum() == 10_000
    assert np.trace(counts) / 10_000 == pytest.approx(accuracy, abs=1.5e-4)
    # The default cell is Shirt → T-shirt/top; its caption states that cell's count.
    assert f"**{counts[6, 0]}** Shirt images misclassified as **T-shirt/top**" in texts(at.markdown)
    at.selectbox(key="train_true").set_value("Sneaker").run()
    at.selectbox(key="train_pred").set_value("Sandal").run()
    assert f"**{counts[7, 5]}** Sneaker images misclassified as **Sandal**" in texts(at.markdown)
    # The finished model is downloadable as a plain .npz and handed to the classify page, saying what it is.
    model = at.session_state["trained_model"]
    saved = at.get("download_button")[0]
    assert saved.proto.label == "Download this model (.npz)"
    assert isinstance(model, SoftmaxRegression)
    (run,) = runs(at)
    about = f"{run.name} — finished: 1 epoch, 235 steps"
    assert run.name == "#1 adam · cross-entropy · η=0.003, B=256"
    assert at.session_state["trained_model_about"] == about == saved.proto.help
    assert f"**{about}.**" in texts(at.markdown)
    assert ("Solid: the loss 𝓛 and accuracy on each step's training batch, before its update, smoothed over about "
            "23 steps (exponential moving average). Dashed: the first 2\u202f000 test images, every 47 steps (5 times "
            "an epoch).") in texts(at.caption)
    assert run.snapshot.eval_step.tolist() == [47, 94, 141, 188, 235]


def test_pause_step_resume_and_reset(at: AppTest) -> None:
    run = start_a_long_run_and_pause(at)
    paused = run.run.snapshot().step
    at.button(key="train_step").click().run()
    assert run.run.wait(PATIENCE)
    assert run.run.snapshot().step == paused + 1
    assert "paused" in status_lines(at)[0]
    at.button(key="train_resume").click().run()
    assert run.run.state == "running"
    at.button(key="train_reset").click().run()
    assert runs(at) == [] and run.run.state == "stopped"
    assert "No run yet" in texts(at.info)


def test_squared_error_and_cross_entropy_start_from_the_same_weights(at: AppTest) -> None:
    at.button(key="train_preset_2").click().run()  # squared error vs CE, confidently wrong start
    assert at.toggle(key="train_compare").value and at.select_slider(key="train_init").value == 0.3
    at.button(key="train_start").click().run()
    ce, mse = runs(at)
    assert (ce.run.config.loss, mse.run.config.loss) == ("ce", "mse")
    wait_until_done(at)
    first = [SoftmaxRegression.initial(r.snapshot.mean, r.snapshot.std, seed=0, scale=0.3) for r in (ce, mse)]
    np.testing.assert_array_equal(first[0].W, first[1].W)
    # The lecture's point, measured: from a confidently wrong start MSE learns slower than cross-entropy.
    assert ce.snapshot.eval_accuracy[0] > mse.snapshot.eval_accuracy[0]
    assert len(figures(at)["train_curves"]["data"]) == 2 * 2 * 2  # 2 runs × (loss, accuracy) × (train, test)
    assert "**Squared error vs cross-entropy** train side by side" in texts(at.markdown)
    assert [r.name for r in (ce, mse)] == ["#1 sgd · cross-entropy · η=0.1, B=256", "#2 sgd · squared error · η=0.1, B=256"]
    # The newest run is handed over, named, so the classify page says which of the two it got.
    assert at.session_state["trained_model_about"] == f"{mse.name} — finished: all 3 epochs, 705 steps"


def test_divergence_is_explained(at: AppTest) -> None:
    at.button(key="train_preset_3").click().run()
    at.button(key="train_start").click().run()
    wait_until_done(at)
    message = texts(at.error)
    assert "diverged" in message and "Lower the learning rate: it is 100 now, try 1" in message
    curves = figures(at)["train_curves"]["data"]
    assert all(v is not None and np.isfinite(v) for trace in curves for v in trace["y"])


def test_malformed_url_values_fall_back_to_defaults(fashion_dir: Path) -> None:
    at = open_page(PAGE, {"train_lr": "NaN", "train_opt": "<script>", "train_epochs": "-3", "train_seed": "x"})
    assert at.select_slider(key="train_lr").value == 0.003
    assert at.segmented_control(key="train_opt").value == "adam"
    assert at.slider(key="train_epochs").value == 5


def test_a_missing_dataset_says_how_to_get_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASHION_MNIST_DIR", str(tmp_path))
    st.cache_resource.clear()
    try:
        at = open_page(PAGE)
        assert at.title[0].value == "Live training" and "no closed-form solution" in texts(at.markdown)
        assert "Training needs Fashion-MNIST" in texts(at.error)
        assert "FASHION_MNIST_DIR" in texts(at.markdown) and "dataset-fashion-mnist" in texts(at.markdown)
        assert at.button(key="train_download").label.startswith("Download Fashion-MNIST")
    finally:
        st.cache_resource.clear()


def test_lecture_mode(at: AppTest) -> None:
    at.sidebar.toggle(key="lecture").set_value(True).run()
    assert not at.exception
    assert any(e.label == "Notes" for e in at.expander)


def test_every_run_keeps_its_own_number_and_colour(at: AppTest) -> None:
    """Runs are numbered by the session's count, not by the list the oldest fall out of after six."""
    at.button(key="train_preset_3").click().run()  # diverges at its second step: quick runs
    for _ in range(8):
        at.button(key="train_start").click().run()
        wait_until_done(at)
    shown = runs(at)
    assert [r.name.split(" ", 1)[0] for r in shown] == ["#3", "#4", "#5", "#6", "#7", "#8"]
    assert len({r.colour for r in shown}) == session.MAX_RUNS  # six runs, six colours
    assert status_lines(at)[0].startswith(f"**{shown[-1].name}** — diverged")
    at.button(key="train_reset").click().run()
    at.button(key="train_start").click().run()
    wait_until_done(at)
    assert [r.name.split(" ", 1)[0] for r in runs(at)] == ["#1"]


def test_a_run_waits_in_line_for_a_training_slot(at: AppTest) -> None:
    slots = session.slots()
    others = [f"another session's run {k}" for k in range(slots.capacity)]
    try:
        for ticket in others:  # every slot of the server is taken
            assert slots.acquire(ticket, lambda: False)
        at.toggle(key="train_compare").set_value(True).run()
        at.button(key="train_start").click().run()
        ce, mse = runs(at)
        deadline = time.monotonic() + PATIENCE
        while (ce.run.snapshot().queue_position, mse.run.snapshot().queue_position) != (0, 1):
            assert time.monotonic() < deadline, "the runs never joined the queue"
            time.sleep(0.05)
        at.run()
        k = slots.capacity
        assert (f"Waiting for a training slot: yours is next (this server trains {k} at full speed at once)."
                in texts(at.info))
        assert "Waiting for a training slot: 1 run ahead of yours" in texts(at.info)
        assert all("waiting for a training slot: epoch 0/1, step 0/235" in line for line in status_lines(at))
        assert (f"This server, all sessions: {k} of {k} training slots in use (runs at full speed), 2 waiting for "
                "one; 0 runs at the watchable pace (no slot needed).") in captions(at)
        slots.release(others[0])  # one slot free: the two train one after the other
        wait_until_done(at)
        assert [r.snapshot.state for r in (ce, mse)] == ["finished", "finished"]
        assert f"{k - 1} of {k} training slots in use (runs at full speed); 0 runs" in captions(at)
    finally:
        for ticket in others:
            slots.release(ticket)


def test_the_queue_message_counts_the_runs_ahead() -> None:
    assert session.queue_message(3, 4) == (
        "Waiting for a training slot: 3 runs ahead of yours (this server trains 4 at full speed at once).")
    assert "1 run ahead of yours" in session.queue_message(1, 8)


def test_the_page_counts_the_servers_paced_runs(fashion_dir: Path) -> None:
    at = open_page(PAGE, {"train_epochs": "30"})  # full speed off: the watchable pace, minutes for 30 epochs
    try:
        at.button(key="train_start").click().run()
        assert "training slots in use (runs at full speed); 1 run at the watchable pace (no slot needed)." in (
            captions(at))
        at.button(key="train_reset").click().run()
        assert "; 0 runs at the watchable pace" in captions(at)
    finally:
        stop_all(r.run for r in runs(at))
