"""AppTest: the live training page — controls in the URL, start/pause/step/reset, MSE vs CE from one θ₀,
divergence explained, the confusion matrix and its cells, saving the model, and a missing dataset."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.model import SoftmaxRegression
from core.training import stop_all
from tests.app.primer_app import figures, open_page, texts
from ui import training as session

PAGE = "training"
PATIENCE = 120.0  # seconds a bounded wait may take on a loaded machine; never a pass/fail criterion


def runs(at: AppTest) -> list[session.Run]:
    return at.session_state[session.RUNS_KEY] if session.RUNS_KEY in at.session_state else []


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
    assert at.slider(key="train_epochs").value == 1  # from the URL
    assert "no closed-form solution" in texts(at.markdown)
    assert "No run yet" in texts(at.info)


def test_a_run_trains_and_offers_its_results(at: AppTest) -> None:
    at.button(key="train_start").click().run()
    wait_until_done(at)
    (line,) = status_lines(at)
    assert "finished: epoch 1/1" in line and "test accuracy" in line
    accuracy = float(line.rsplit("test accuracy ", 1)[1].rstrip("%")) / 100
    assert accuracy > 0.75
    figs = figures(at)
    assert {"train_curves", "train_templates", "train_cm"} <= figs.keys()
    # The confusion matrix counts all 10 000 test images, and its diagonal is the accuracy shown.
    counts = plotly_array(figs["train_cm"]["data"][0]["text"]).reshape(10, 10)
    assert counts.sum() == 10_000
    assert np.trace(counts) / 10_000 == pytest.approx(accuracy, abs=5e-5)
    # The default cell is Shirt → T-shirt/top; its caption states that cell's count.
    assert f"**{counts[6, 0]}** Shirt images misclassified as **T-shirt/top**" in texts(at.markdown)
    at.selectbox(key="train_true").set_value("Sneaker").run()
    at.selectbox(key="train_pred").set_value("Sandal").run()
    assert f"**{counts[7, 5]}** Sneaker images misclassified as **Sandal**" in texts(at.markdown)
    # The finished model is downloadable as a plain .npz and handed to the classify page.
    model = at.session_state["trained_model"]
    saved = at.get("download_button")[0]
    assert saved.proto.label == "Download this model (.npz)"
    assert isinstance(model, SoftmaxRegression)


def test_pause_step_resume_and_reset(at: AppTest) -> None:
    at.slider(key="train_epochs").set_value(30).run()
    at.select_slider(key="train_batch").set_value(16).run()
    at.button(key="train_start").click().run()
    (run,) = runs(at)
    at.button(key="train_pause").click().run()
    assert run.run.wait(PATIENCE)
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


def test_mse_and_cross_entropy_start_from_the_same_weights(at: AppTest) -> None:
    at.button(key="train_preset_2").click().run()  # MSE vs CE, confidently wrong start
    assert at.toggle(key="train_compare").value and at.select_slider(key="train_init").value == 0.3
    at.slider(key="train_epochs").set_value(1).run()
    at.button(key="train_start").click().run()
    ce, mse = runs(at)
    assert (ce.run.config.loss, mse.run.config.loss) == ("ce", "mse")
    wait_until_done(at)
    first = [SoftmaxRegression.initial(r.snapshot.mean, r.snapshot.std, seed=0, scale=0.3) for r in (ce, mse)]
    np.testing.assert_array_equal(first[0].W, first[1].W)
    # The lecture's point, measured: from a confidently wrong start MSE learns slower than cross-entropy.
    assert ce.snapshot.eval_accuracy[0] > mse.snapshot.eval_accuracy[0]
    assert len(figures(at)["train_curves"]["data"]) == 2 * 2 * 2  # 2 runs × (loss, accuracy) × (train, test)
    assert "MSE vs cross-entropy" in texts(at.markdown)


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
        message = texts(at.error)
        assert "FASHION_MNIST_DIR" in message and "dataset-fashion-mnist" in message
        assert at.button(key="train_download").label.startswith("Download Fashion-MNIST")
    finally:
        st.cache_resource.clear()


def test_lecture_mode(at: AppTest) -> None:
    at.sidebar.toggle(key="lecture").set_value(True).run()
    assert not at.exception
    assert any(e.label == "Notes" for e in at.expander)
