"""AppTest: the sample-spaces page — experiments, events, real images, the simulation, lecture mode, bad URLs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core import probability as prob
from tests.app.primer_app import figures, latex, metrics, open_page, texts
from ui import data as ui_data

PAGE = "sample_spaces"


def test_default_is_one_coin_flip_with_event_heads() -> None:
    at = open_page(PAGE)
    assert at.title[0].value == "Sample spaces & events"
    assert r"S = \{\text{heads}, \text{tails}\}" in latex(at)
    assert "|S| = 2" in latex(at)
    assert metrics(at)["P(A)"] == "0.5"
    figs = figures(at)
    assert figs["ss_bars"]["data"][0]["y"] == [0.5, 0.5]
    observed = figs["ss_bars"]["data"][1]["y"]
    assert math.isclose(sum(observed), 1.0)
    freq = float(metrics(at)["Frequency #A / N"])
    assert freq == pytest.approx(observed[0], abs=1e-4)
    assert metrics(at)["Frequency #A / N"] == prob.fmt(observed[0])
    lln = figs["ss_lln"]["data"]
    running = next(t for t in lln if t.get("name") == "running frequency")
    assert running["x"][-1] == 10_000
    assert running["y"][-1] == pytest.approx(freq, abs=1e-4)
    exact = next(t for t in lln if t.get("name", "").startswith("exact P(A)"))
    assert exact["y"] == [0.5, 0.5]
    assert figs["ss_lln"]["layout"]["xaxis"]["type"] == "log"


def test_coin_writes_the_lecture_s_one_half() -> None:
    at = open_page(PAGE)
    assert at.multiselect(key="ss_event_coin").value == ["heads"]
    text = latex(at)
    assert r"A = \{\text{heads}\} \subseteq S" in text
    assert r"&= P(\text{heads}) \\ &= \tfrac{1}{2} \\ &= 0.5" in text
    assert r"P(A) = 1 - P(\bar A) = 1 - 0.5 = 0.5" in text
    assert "**The lecture's values:** P(heads) = ½, P(tails) = ½." in texts(at.info)
    assert "Filled in" not in texts(at.info)


def test_weather_default_is_the_lecture_s_event_rain_cloud_wind() -> None:
    at = open_page(PAGE)
    at.segmented_control(key="ss_exp").set_value("weather").run()
    assert at.multiselect(key="ss_event_weather").value == ["rain", "cloud", "wind"]
    text = latex(at)
    assert r"\text{rain}, \text{sun}, \text{wind}, \text{cloud}" in text
    assert r"A = \{\text{rain}, \text{cloud}, \text{wind}\} \subseteq S" in text
    assert r"P(\text{rain}) + P(\text{cloud}) + P(\text{wind})" in text
    assert r"&= 0.05 + 0.4 + 0.15 \\ &= 0.6" in text
    assert r"\bar A = S \setminus A = \{\text{sun}\}" in text and "1 - 0.4 = 0.6" in text
    assert metrics(at)["P(A)"] == "0.6"
    note = texts(at.info)
    assert "**The lecture's values:** P(rain) = 0.05, P(sun) = 0.4." in note
    assert "**Filled in by the app** so that Σ P(ω) = 1: P(wind) = 0.15, P(cloud) = 0.4." in note
    assert "P(cloud) takes the value the lecture gives P(Cloud)" in note


def test_weather_event_probability_is_the_sum_of_its_outcomes() -> None:
    at = open_page(PAGE)
    at.segmented_control(key="ss_exp").set_value("weather").run()
    at.multiselect(key="ss_event_weather").set_value(["sun", "cloud"]).run()
    assert metrics(at)["P(A)"] == "0.8"
    assert "P(\\text{sun}) + P(\\text{cloud})" in latex(at) and "0.4 + 0.4" in latex(at)
    at.multiselect(key="ss_event_weather").set_value(["rain", "sun"]).run()
    assert metrics(at)["P(A)"] == "0.45"
    at.multiselect(key="ss_event_weather").set_value([]).run()
    assert metrics(at)["P(A)"] == "0"
    assert r"P(\varnothing) = 0" in latex(at)
    assert metrics(at)["Trials in A (of 10,000)"] == "0"
    at.multiselect(key="ss_event_weather").set_value(["rain", "sun", "wind", "cloud"]).run()
    assert metrics(at)["P(A)"] == "1"
    assert r"\bar A = S \setminus A = \varnothing" in latex(at)
    assert not at.exception


def test_event_presets_lecture_certain_and_empty() -> None:
    at = open_page(PAGE, {"ss_exp": "Walk outside"})
    labels = [b.label for b in at.button if b.key.startswith("ss_event_weather_preset")]
    assert labels == ["The lecture's A = {rain, cloud, wind}", "A = S (certain)", "A = ∅ (empty)"]
    at.button(key="ss_event_weather_preset_1").click().run()
    assert metrics(at)["P(A)"] == "1"
    at.button(key="ss_event_weather_preset_2").click().run()
    assert metrics(at)["P(A)"] == "0"
    at.button(key="ss_event_weather_preset_0").click().run()
    assert at.multiselect(key="ss_event_weather").value == ["rain", "cloud", "wind"]
    assert metrics(at)["P(A)"] == "0.6"


def test_closet_shows_one_real_image_per_class_and_both_closets() -> None:
    at = open_page(PAGE)
    at.segmented_control(key="ss_exp").set_value("closet").run()
    (gallery,) = at.get("image")
    captions = [img.caption for img in gallery.proto.imgs]
    assert captions[6] == "Shirt · 0.1" and captions[8] == "Bag · 0.05"
    assert captions[3] == "Dress · 0 · never occurs"
    assert [c.split(" · ")[0] for c in captions] == list(prob.LECTURE_CLOSET.outcomes)
    assert "Dress is in S but never occurs: P(Dress) = 0." in texts(at.caption)
    assert at.multiselect(key="ss_event_closet").value == ["Sneaker"]  # the lecture's event
    assert metrics(at)["P(A)"] == "0.15"
    assert r"A = \{\text{Sneaker}\} \subseteq S" in latex(at) and "1 - 0.85 = 0.15" in latex(at)
    at.multiselect(key="ss_event_closet").set_value(["Shirt", "Bag"]).run()
    assert metrics(at)["P(A)"] == "0.15"
    at.multiselect(key="ss_event_closet").set_value(list(prob.FOOTWEAR)).run()
    assert metrics(at)["P(A)"] == "0.3"  # footwear: 0.05 + 0.15 + 0.1
    at.radio(key="ss_closet").set_value("uniform").run()
    (gallery,) = at.get("image")
    assert {img.caption.split(" · ")[1] for img in gallery.proto.imgs} == {"0.1"}
    assert "never occurs" not in texts(at.caption) + texts(at.info)
    assert "Not the lecture's numbers" in texts(at.info)
    assert metrics(at)["P(A)"] == "0.3"
    bars = figures(at)["ss_bars"]["data"]
    assert bars[0]["y"] == [0.1] * 10
    assert not at.exception


def test_lecture_closet_keeps_the_lecture_s_numbers_and_says_which_are_filled_in() -> None:
    at = open_page(PAGE, {"ss_exp": "Grab clothing from the closet"})
    note = texts(at.info)
    assert "**The lecture's values:** P(Dress) = 0 (never occurs), P(Shirt) = 0.1, P(Bag) = 0.05." in note
    assert ("**Filled in by the app** so that Σ P(ω) = 1: P(T-shirt/top) = 0.2, P(Trouser) = 0.15, "
            "P(Pullover) = 0.1, P(Coat) = 0.1, P(Sandal) = 0.05, P(Sneaker) = 0.15, P(Ankle boot) = 0.1.") in note
    bars = figures(at)["ss_bars"]["data"]
    assert bars[0]["y"][3] == 0 and bars[1]["y"][3] == 0  # Dress: P = 0 and never drawn in 10 000 trials
    at.multiselect(key="ss_event_closet").set_value(["Dress"]).run()
    assert metrics(at)["P(A)"] == "0"
    assert metrics(at)["Trials in A (of 10,000)"] == "0"


@pytest.mark.parametrize("exp", ["Flip a coin", "Walk outside", "Grab clothing from the closet"])
def test_values_note_is_visible_in_lecture_mode(exp: str) -> None:
    at = open_page(PAGE, {"ss_exp": exp, "lecture": "true"})
    assert "The lecture's values:" in texts(at.info)
    for expander in at.expander:
        assert "The lecture's values:" not in texts(expander.info)


def test_closet_without_the_dataset_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("FASHION_MNIST_DIR", str(tmp_path))
    ui_data._load.clear()
    try:
        at = open_page(PAGE, {"ss_exp": "Grab clothing from the closet"})
        assert not at.get("image")
        assert "needs Fashion-MNIST" in texts(at.error)
        note = texts(at.markdown)
        assert "FASHION_MNIST_DIR" in note and "apt-get install dataset-fashion-mnist" in note
        assert metrics(at)["P(A)"] == "0.15"
        assert len(figures(at)) == 2
    finally:
        ui_data._load.clear()


def test_simulation_size_seed_and_new_run() -> None:
    at = open_page(PAGE)
    at.select_slider(key="ss_n").set_value(100_000).run()
    trials = metrics(at)["Trials in A (of 100,000)"]
    freq = float(metrics(at)["Frequency #A / N"])
    assert abs(freq - 0.5) < 5 * math.sqrt(0.25 / 100_000)
    at.number_input(key="ss_seed").set_value(42).run()
    assert metrics(at)["Trials in A (of 100,000)"] != trials
    at.button(key="ss_rerun").click().run()
    assert at.number_input(key="ss_seed").value == 43
    at.select_slider(key="ss_n").set_value(10).run()
    running = next(t for t in figures(at)["ss_lln"]["data"] if t.get("name") == "running frequency")
    assert running["x"] == list(range(1, 11))
    outcomes = prob.sample(prob.COIN.probabilities, 10, 43)[:, 0]
    np.testing.assert_allclose(running["y"], np.cumsum(outcomes == 0) / np.arange(1, 11))
    assert not at.exception


def test_lecture_mode_folds_the_prose() -> None:
    at = open_page(PAGE)
    at.sidebar.toggle(key="lecture").set_value(True).run()
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert "Where these probabilities come from" in labels and "Why it settles" in labels
    assert metrics(at)["P(A)"] == "0.5"


def test_url_reproduces_the_view() -> None:
    at = open_page(PAGE, {"ss_exp": "Walk outside", "ss_event_weather": ["rain"], "ss_n": "100", "ss_seed": "3"})
    assert at.segmented_control(key="ss_exp").value == "weather"
    assert metrics(at)["P(A)"] == "0.05"
    assert "Trials in A (of 100)" in metrics(at)


def test_malformed_url_falls_back_to_defaults() -> None:
    at = open_page(PAGE, {"ss_exp": "garbage", "ss_n": "%00", "ss_seed": "-5", "ss_event_coin": "snow",
                          "lecture": "maybe"})  # fmt: skip
    assert not at.exception
    assert at.segmented_control(key="ss_exp").value == "coin"
    assert "Trials in A (of 10,000)" in metrics(at)
    assert at.number_input(key="ss_seed").value == 0
