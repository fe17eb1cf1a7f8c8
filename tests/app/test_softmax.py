"""AppTest: the softmax page — every control, the numbers it shows, presets, lecture mode, bad URLs.

The real image's z = Wx + b at the top of the page is tested in test_softmax_raw_scores.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.data import CLASS_NAMES
from core.numbers import fmt
from core.softmax import sigmoid, softmax
from tests.app.primer_app import figures, latex, open_page, texts

PAGE = "softmax"
# The page's class order: the lecture's [P(Ankle boot | x), P(Bag | x), …], then one of each kind, then look-alikes.
ORDER = ["Ankle boot", "Bag", "Shirt", "Dress", "Trouser", "T-shirt/top", "Sneaker", "Pullover", "Sandal", "Coat"]
PRESET = {"[2, 1, 0.1]": 0, "Shirt or T-shirt?": 1, "[1000, 999, 998]": 2, "T → 0": 3, "T → ∞": 4, "float64 edge": 5}


def bars(at: AppTest) -> list[float]:
    return figures(at)["softmax_bars"]["data"][0]["x"]


def markdown(at: AppTest) -> str:
    return texts(at.markdown)


def preset(at: AppTest, name: str) -> None:
    at.button(key=f"softmax_preset_{PRESET[name]}").click().run()
    assert not at.exception


def shift_table(at: AppTest):
    return next(t.value for t in at.table if "zᵢ + c" in t.value.columns)


def stability_table(at: AppTest):
    return next(t.value for t in at.table if "naive fᵢ" in t.value.columns)


@pytest.fixture()
def at() -> AppTest:
    return open_page(PAGE)


def test_defaults_show_softmax_of_the_default_logits(at: AppTest) -> None:
    expected = softmax([2.0, 1.0, 0.1])
    np.testing.assert_allclose(bars(at), expected)
    assert figures(at)["softmax_bars"]["data"][0]["y"] == ORDER[:3]
    assert "$f \\approx (0.659, 0.2424, 0.09857)$, and $\\sum_{i=1}^{3} f_i$ = **1**" in markdown(at)
    assert [s.key for s in at.slider] == ["softmax_n", "softmax_T", "softmax_z1", "softmax_z2", "softmax_z3"]
    assert [s.label for s in at.slider[2:]] == ["$z_{1}$ · Ankle boot", "$z_{2}$ · Bag", "$z_{3}$ · Shirt"]


def test_logit_and_temperature_sliders_drive_f(at: AppTest) -> None:
    at.slider(key="softmax_z2").set_value(3.0).run()
    at.slider(key="softmax_T").set_value(2.5).run()
    assert not at.exception
    f = softmax(np.array([2.0, 3.0, 0.1]) / 2.5)
    np.testing.assert_allclose(bars(at), f)
    assert f"f says **Bag {fmt(f[1])}**, runner-up **Ankle boot {fmt(f[0])}**" in markdown(at)


def test_sum_line_says_when_float64_rounding_misses_1(at: AppTest) -> None:
    z = [0.3, -0.7, 1.9]
    for i, v in enumerate(z):
        at.slider(key=f"softmax_z{i + 1}").set_value(v).run()
    total = float(np.sum(softmax(z)))
    rounding = "" if total == 1.0 else " (1 up to float64 rounding)"
    assert f"$\\sum_{{i=1}}^{{3}} f_i$ = **{fmt(total, None)}**{rounding}" in markdown(at)


def test_number_of_classes_picks_classes_in_the_page_order(at: AppTest) -> None:
    at.slider(key="softmax_n").set_value(10).run()
    assert not at.exception
    assert len([s for s in at.slider if s.key.startswith("softmax_z")]) == 10
    assert figures(at)["softmax_bars"]["data"][0]["y"] == ORDER
    assert sorted(ORDER) == sorted(CLASS_NAMES)  # every class once
    assert math.isclose(sum(bars(at)), 1.0)
    assert "softmax_simplex" not in figures(at)  # the triangle only for n = 3
    assert "$\\Delta^{9}$, which does not fit on a page" in texts(at.info)
    for n in (2, 4, 5, 6):
        at.slider(key="softmax_n").set_value(n).run()
        assert figures(at)["softmax_bars"]["data"][0]["y"] == ORDER[:n]
    at.button(key="softmax_to3").click().run()
    assert at.slider(key="softmax_n").value == 3
    assert figures(at)["softmax_simplex"]["layout"]["annotations"][0]["text"].startswith("<b>Ankle boot</b>")


def test_two_classes_sigmoid_sentence_has_the_temperature(at: AppTest) -> None:
    at.slider(key="softmax_n").set_value(2).run()
    at.slider(key="softmax_T").set_value(2.5).run()
    at.slider(key="softmax_z2").set_value(-1.5).run()
    assert not at.exception
    info = texts(at.info)
    assert "$f_1 = \\sigma\\big((z_1 - z_2)/T\\big)$" in info
    assert "$f_2 = 1 - f_1 = \\sigma\\big((z_2 - z_1)/T\\big)$" in info
    assert "$\\sigma(t) = 1/(1 + e^{-t})$ is the sigmoid" in info
    s1, s2 = float(sigmoid((2.0 + 1.5) / 2.5)), float(sigmoid((-1.5 - 2.0) / 2.5))
    assert f"$f_1$ (Ankle boot) = σ((2 − (-1.5)) / 2.5) = **{fmt(s1)}**" in info
    assert f"$f_2$ (Bag) = σ((-1.5 − 2) / 2.5) = **{fmt(s2)}**" in info
    np.testing.assert_allclose(bars(at), [s1, s2], rtol=1e-12)  # the bars are softmax: the same numbers
    assert s1 != pytest.approx(float(sigmoid(2.0 + 1.5)), rel=1e-3)  # σ(z₁ − z₂) without T would be wrong


def test_every_logit_slider_of_ten_classes(at: AppTest) -> None:
    at.slider(key="softmax_n").set_value(10).run()
    z = np.linspace(-4.0, 5.0, 10).round(1)
    for i, v in enumerate(z):
        at.slider(key=f"softmax_z{i + 1}").set_value(float(v)).run()
    assert not at.exception
    np.testing.assert_allclose(bars(at), softmax(z))
    assert "f says **Coat" in markdown(at)  # z₁₀ = 5 is the largest: the tenth class of the page's order


def test_simplex_point_and_paths(at: AppTest) -> None:
    fig = figures(at)["softmax_simplex"]
    current = next(t for t in fig["data"] if t.get("name") == "current f")
    f = softmax([2.0, 1.0, 0.1])
    assert current["x"][0] == pytest.approx(f[1] + 0.5 * f[2])  # barycentric: corners (0,0), (1,0), (½, √3/2)
    assert current["y"][0] == pytest.approx(f[2] * math.sqrt(3) / 2)
    path = next(t for t in fig["data"] if t.get("name", "").startswith("T: 0.05 → 100"))
    assert path["x"][0] == pytest.approx(0.0, abs=1e-6)  # T → 0: the argmax corner (Ankle boot)
    assert path["x"][-1] == pytest.approx(0.5, abs=0.01)  # T → ∞: the centre
    at.segmented_control(key="softmax_path").set_value("z2").run()
    fig = figures(at)["softmax_simplex"]
    path = next(t for t in fig["data"] if t.get("name", "").startswith("z2: -10 → 10"))
    assert path["x"][-1] == pytest.approx(1.0, abs=1e-3)  # z2 = 10 pulls f to Bag's corner (1, 0)
    swept = [v[0] for v in path["customdata"]]
    assert swept[0] == -10 and swept[-1] == 10
    corners = {"z1": (0.0, 0.0), "z3": (0.5, math.sqrt(3) / 2)}  # z_i = +10 pulls f to class i's corner
    for option, (x, y) in corners.items():
        at.segmented_control(key="softmax_path").set_value(option).run()
        path = next(t for t in figures(at)["softmax_simplex"]["data"] if t.get("name", "").startswith(option))
        assert (path["x"][-1], path["y"][-1]) == pytest.approx((x, y), abs=1e-3)


def test_simplex_definitions_lectures_and_full(at: AppTest) -> None:
    tex = latex(at)
    assert r"\Delta^{n-1} = \Big\{\, p \in \mathbb{R}^n : \sum_{i=1}^{n} p_i = 1 \Big\}" in tex  # the lecture's
    full = (
        r"\Delta^{n-1} = \Big\{\, p \in \mathbb{R}^n : p_i \ge 0 \text{ for every } i,\ \sum_{i=1}^{n} p_i = 1 \Big\}"
    )
    assert full in tex
    assert r"\operatorname{softmax}: \mathbb{R}^n \to \Delta^{n-1}" in tex
    text = markdown(at)
    assert "The lecture defines the simplex as" in text
    assert "The lecture's version omits $p_i \\ge 0$, and it is needed" in text
    assert "$p = (2, -1)$, which sums to 1 but is no probability vector" in text
    assert "With $p_i \\ge 0$ and $\\sum_i p_i = 1$, $p_i \\le 1$ follows." in text


def test_exact_zero_or_one_true_in_reals_false_in_float64(at: AppTest) -> None:
    edge, under = softmax([10.0, -10.0, -10.0], 0.05), softmax([10.0, -10.0, -10.0], 0.01)
    assert edge[0] == 1.0 and np.all(under == [1.0, 0.0, 0.0])
    text = markdown(at)
    assert "In the real numbers, never: every $e^{z_i/T} > 0$, so $0 < f_i < 1$" in text
    assert ("In float64 it happens at small T: for z = (10, -10, -10) and T = 0.05 (preset *float64 edge*) the "
            "stable form gives f = [1, 1.9151695967140057e-174, 1.9151695967140057e-174]: $f_1$ is exactly 1 "
            "because 1 + 2 · 1.915e-174 rounds to 1.") in text  # fmt: skip
    assert "At T = 0.01 the same z gives $e^{-2000}$, which underflows to 0: f = [1, 0, 0] exactly." in text
    assert "The current f, in float64: every $f_i$ lies strictly between 0 and 1." in text
    assert "In the real numbers every softmax output lies strictly **inside** the triangle" in text
    preset(at, "float64 edge")
    np.testing.assert_array_equal(bars(at), edge)
    assert "The current f, in float64: $f_i$ is exactly 1 for Ankle boot." in markdown(at)
    stable = stability_table(at)["stable fᵢ"]
    assert list(stable[:3]) == ["1", "1.9151695967140057e-174", "1.9151695967140057e-174"]  # the table shows it
    at.slider(key="softmax_z2").set_value(9.0).run()  # gap 1 at T = 0.05: e^{−20} ≈ 2e-9 is no rounding error
    f = bars(at)
    assert 0 < f[0] < 1
    assert "The current f, in float64: every $f_i$ lies strictly between 0 and 1." in markdown(at)


def test_shift_invariance_table(at: AppTest) -> None:
    at.number_input(key="softmax_c").set_value(-37.0).run()
    table = shift_table(at)
    z = np.array([2.0, 1.0, 0.1])
    f, f_shifted = softmax(z), softmax(z - 37.0)
    assert list(table.loc["Ankle boot"]) == ["2", "-35", repr(float(f[0])), repr(float(f_shifted[0]))]
    biggest = np.max(np.abs(f_shifted - f))
    assert biggest < 1e-15  # equal up to float64 rounding
    rounding = " (float64 rounding of z + c, not a real difference)" if biggest > 0 else ""
    assert f"$\\max_i |f_i(z + c) - f_i(z)|$ = **{fmt(biggest)}**{rounding}" in markdown(at)


def test_huge_logits_preset_naive_overflows_stable_is_right(at: AppTest) -> None:
    preset(at, "[1000, 999, 998]")
    assert at.number_input(key="softmax_c").value == 1000.0
    stability = stability_table(at)
    expected = softmax([0.0, -1.0, -2.0])
    assert list(stability.loc["Ankle boot"]) == ["1000", "∞", "nan", "0", "1", repr(float(expected[0]))]
    assert list(stability.loc["Bag"])[3:] == ["-1", repr(math.exp(-1.0)), repr(float(expected[1]))]
    assert stability.loc["Σ", "naive e^(zᵢ/T)"] == "∞"
    assert stability.loc["Σ", "stable e^((zᵢ − m)/T)"] == repr(1 + math.exp(-1.0) + math.exp(-2.0))
    assert "overflowed to inf" in texts(at.error)
    np.testing.assert_allclose(bars(at), expected)  # the chart draws the stable f, never NaN
    text = markdown(at)
    assert "(c = 1000, set above; the preset *[1000, 999, 998]* sets it)" in text
    assert "overflows to inf for $x > \\ln(\\text{largest float64}) \\approx 709.8$" in text
    assert "underflows to 0 for $x < -1075 \\ln 2 \\approx -745.1$" in text
    assert math.log(np.finfo(np.float64).max) == pytest.approx(709.8, abs=0.05)
    assert -1075 * math.log(2) == pytest.approx(-745.1, abs=0.05)


def test_very_negative_logits_underflow_message(at: AppTest) -> None:
    at.number_input(key="softmax_c").set_value(-2000.0).run()
    assert "underflowed to 0" in texts(at.error)


def test_every_preset(at: AppTest) -> None:
    expectations = {
        "[2, 1, 0.1]": softmax([2.0, 1.0, 0.1]),
        "T → 0": softmax(np.array([2.0, 1.0, 0.1]) / 0.05),
        "T → ∞": softmax(np.array([2.0, 1.0, 0.1]) / 10.0),
        "float64 edge": softmax(np.array([10.0, -10.0, -10.0]) / 0.05),
    }
    for name, f in expectations.items():
        preset(at, name)
        np.testing.assert_allclose(bars(at), f)
    assert [b.label for b in at.button if b.key.startswith("softmax_preset_")] == list(PRESET)


def test_shirt_or_t_shirt_preset(at: AppTest) -> None:
    preset(at, "Shirt or T-shirt?")
    f = bars(at)
    assert len(f) == 10 and figures(at)["softmax_bars"]["data"][0]["y"] == ORDER
    tee, shirt = f[ORDER.index("T-shirt/top")], f[ORDER.index("Shirt")]
    assert tee == pytest.approx(0.49, abs=0.01) and shirt == pytest.approx(0.44, abs=0.01)
    assert tee + shirt > 0.9  # most of the probability on the two look-alikes
    assert sorted(f)[-2:] == [shirt, tee]
    assert f"f says **T-shirt/top {fmt(tee)}**, runner-up **Shirt {fmt(shirt)}**" in markdown(at)
    assert f"gives f(T-shirt/top) = {fmt(tee)} and f(Shirt) = {fmt(shirt)}" in markdown(at)


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
    tex = latex(at)  # the definitions stay on screen
    assert r"p_i \ge 0 \text{ for every } i" in tex and r"\sum_{i=1}^{n} p_i = 1 \Big\}" in tex


def test_query_params_open_the_same_view() -> None:
    at = open_page(PAGE, {"softmax_n": "4", "softmax_z4": "5", "softmax_T": "0.5"})
    np.testing.assert_allclose(bars(at), softmax(np.array([2.0, 1.0, 0.1, 5.0]) / 0.5))
    assert figures(at)["softmax_bars"]["data"][0]["y"] == ORDER[:4]


def test_malformed_query_params_are_dropped() -> None:
    at = open_page(PAGE, {"softmax_n": "garbage", "softmax_T": "-3", "softmax_c": "nan?", "softmax_path": "zz",
                          "softmax_image": "-7"})  # fmt: skip
    assert not at.exception
    assert at.slider(key="softmax_n").value == 3
    assert at.number_input(key="softmax_image").value == 0
    np.testing.assert_allclose(bars(at), softmax([2.0, 1.0, 0.1]))
