"""AppTest: the softmax page — every control, the numbers it shows, presets, lecture mode, bad URLs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.data import CLASS_NAMES
from core.softmax import softmax
from tests.app.primer_app import figures, open_page, texts

PAGE = "softmax"


def bars(at: AppTest) -> list[float]:
    return figures(at)["softmax_bars"]["data"][0]["x"]


def markdown(at: AppTest) -> str:
    return texts(at.markdown)


@pytest.fixture()
def at() -> AppTest:
    return open_page(PAGE)


def test_defaults_show_softmax_of_the_default_logits(at: AppTest) -> None:
    expected = softmax([2.0, 1.0, 0.1])
    np.testing.assert_allclose(bars(at), expected)
    assert figures(at)["softmax_bars"]["data"][0]["y"] == list(CLASS_NAMES[:3])
    assert "= 0.659 + 0.242 + 0.099 = **1.000000**" in markdown(at)
    assert [s.key for s in at.slider] == ["softmax_n", "softmax_T", "softmax_z1", "softmax_z2", "softmax_z3"]


def test_logit_and_temperature_sliders_drive_f(at: AppTest) -> None:
    at.slider(key="softmax_z2").set_value(3.0).run()
    at.slider(key="softmax_T").set_value(2.5).run()
    assert not at.exception
    np.testing.assert_allclose(bars(at), softmax(np.array([2.0, 3.0, 0.1]) / 2.5))
    top = "runner-up **T-shirt/top"
    assert "f says **Trouser" in markdown(at) and top in markdown(at)


def test_number_of_classes_and_labels(at: AppTest) -> None:
    at.slider(key="softmax_n").set_value(10).run()
    assert not at.exception
    assert len([s for s in at.slider if s.key.startswith("softmax_z")]) == 10
    assert figures(at)["softmax_bars"]["data"][0]["y"] == list(CLASS_NAMES)
    assert math.isclose(sum(bars(at)), 1.0)
    assert "softmax_simplex" not in figures(at)  # the triangle only for n = 3
    assert "does not fit on a page" in texts(at.info)
    at.slider(key="softmax_n").set_value(2).run()
    assert "the sigmoid of $z_1 - z_2$" in texts(at.info)
    assert bars(at)[0] == pytest.approx(1 / (1 + math.exp(-(2.0 - 1.0))))  # f_1 = σ(z_1 − z_2)
    at.button(key="softmax_to3").click().run()
    assert at.slider(key="softmax_n").value == 3
    figures(at)["softmax_simplex"]


def test_every_logit_slider_of_ten_classes(at: AppTest) -> None:
    at.slider(key="softmax_n").set_value(10).run()
    z = np.linspace(-4.0, 5.0, 10).round(1)
    for i, v in enumerate(z):
        at.slider(key=f"softmax_z{i + 1}").set_value(float(v)).run()
    assert not at.exception
    np.testing.assert_allclose(bars(at), softmax(z))
    assert "f says **Ankle boot" in markdown(at)


def test_simplex_point_and_paths(at: AppTest) -> None:
    fig = figures(at)["softmax_simplex"]
    current = next(t for t in fig["data"] if t.get("name") == "current f")
    f = softmax([2.0, 1.0, 0.1])
    assert current["x"][0] == pytest.approx(f[1] + 0.5 * f[2])  # barycentric: corners (0,0), (1,0), (½, √3/2)
    assert current["y"][0] == pytest.approx(f[2] * math.sqrt(3) / 2)
    path = next(t for t in fig["data"] if t.get("name", "").startswith("T: 0.05 → 100"))
    assert path["x"][0] == pytest.approx(0.0, abs=1e-6)  # T → 0: the argmax corner (T-shirt/top)
    assert path["x"][-1] == pytest.approx(0.5, abs=0.01)  # T → ∞: the centre
    at.segmented_control(key="softmax_path").set_value("z2").run()
    fig = figures(at)["softmax_simplex"]
    path = next(t for t in fig["data"] if t.get("name", "").startswith("z2: -10 → 10"))
    assert path["x"][-1] == pytest.approx(1.0, abs=1e-3)  # z2 = 10 pulls f to Trouser's corner (1, 0)
    swept = [v[0] for v in path["customdata"]]
    assert swept[0] == -10 and swept[-1] == 10
    corners = {"z1": (0.0, 0.0), "z3": (0.5, math.sqrt(3) / 2)}  # z_i = +10 pulls f to class i's corner
    for option, (x, y) in corners.items():
        at.segmented_control(key="softmax_path").set_value(option).run()
        path = next(t for t in figures(at)["softmax_simplex"]["data"] if t.get("name", "").startswith(option))
        assert (path["x"][-1], path["y"][-1]) == pytest.approx((x, y), abs=1e-3)


def test_shift_invariance_table(at: AppTest) -> None:
    at.number_input(key="softmax_c").set_value(-37.0).run()
    shift_table = at.table[0].value
    z = np.array([2.0, 1.0, 0.1])
    f, f_shifted = softmax(z), softmax(z - 37.0)
    assert list(shift_table.loc["T-shirt/top"]) == ["2.0", "-35.0", repr(float(f[0])), repr(float(f_shifted[0]))]
    biggest = np.max(np.abs(f_shifted - f))
    assert biggest < 1e-15  # equal up to float64 rounding
    assert f"$\\max_i |f_i(z + c) - f_i(z)|$ = **{biggest:.3g}**" in markdown(at)


def test_huge_logits_preset_naive_overflows_stable_is_right(at: AppTest) -> None:
    at.button(key="softmax_preset_2").click().run()
    assert not at.exception
    assert at.number_input(key="softmax_c").value == 1000.0
    stability = at.table[1].value
    expected = softmax([0.0, -1.0, -2.0])
    assert list(stability.loc["T-shirt/top"]) == ["1000.0", "inf", "nan", "0.0", "1.0", repr(float(expected[0]))]
    assert list(stability.loc["Trouser"])[3:] == ["-1.0", repr(math.exp(-1.0)), repr(float(expected[1]))]
    assert stability.loc["Σ", "naive e^(zᵢ/T)"] == "inf"
    assert stability.loc["Σ", "stable e^((zᵢ − m)/T)"] == repr(1 + math.exp(-1.0) + math.exp(-2.0))
    assert "overflowed to inf" in texts(at.error)
    np.testing.assert_allclose(bars(at), expected)  # the chart draws the stable f, never NaN


def test_very_negative_logits_underflow_message(at: AppTest) -> None:
    at.number_input(key="softmax_c").set_value(-2000.0).run()
    assert "underflowed to 0" in texts(at.error)


def test_every_preset(at: AppTest) -> None:
    expectations = {
        0: softmax([2.0, 1.0, 0.1]),
        3: softmax(np.array([2.0, 1.0, 0.1]) / 0.05),
        4: softmax(np.array([2.0, 1.0, 0.1]) / 10.0),
    }
    for i, f in expectations.items():
        at.button(key=f"softmax_preset_{i}").click().run()
        assert not at.exception
        np.testing.assert_allclose(bars(at), f)
    at.button(key="softmax_preset_1").click().run()
    f = bars(at)
    assert len(f) == 10
    shirt = CLASS_NAMES.index("Shirt")
    assert f[0] == pytest.approx(0.48, abs=0.01) and f[shirt] == pytest.approx(0.45, abs=0.01)
    assert "f says **T-shirt/top 0.49**, runner-up **Shirt 0.44**" in markdown(at)


def test_equal_logits_give_uniform_at_any_temperature(at: AppTest) -> None:
    for key in ("softmax_z1", "softmax_z2", "softmax_z3"):
        at.slider(key=key).set_value(-4.0).run()
    at.slider(key="softmax_T").set_value(0.05).run()
    np.testing.assert_allclose(bars(at), np.full(3, 1 / 3))


def test_lecture_mode(at: AppTest) -> None:
    at.sidebar.toggle(key="lecture").set_value(True).run()
    assert not at.exception
    assert figures(at)["softmax_bars"]["layout"]["font"]["size"] == 20
    assert at.expander  # prose folded into expanders


def test_query_params_open_the_same_view() -> None:
    at = open_page(PAGE, {"softmax_n": "4", "softmax_z4": "5", "softmax_T": "0.5"})
    np.testing.assert_allclose(bars(at), softmax(np.array([2.0, 1.0, 0.1, 5.0]) / 0.5))


def test_malformed_query_params_are_dropped() -> None:
    at = open_page(PAGE, {"softmax_n": "garbage", "softmax_T": "-3", "softmax_c": "nan?", "softmax_path": "zz"})
    assert not at.exception
    assert at.slider(key="softmax_n").value == 3
    np.testing.assert_allclose(bars(at), softmax([2.0, 1.0, 0.1]))
