"""AppTest: the KL vs MSE → cross-entropy page — inputs, presets, the stepper, curves, bad input, lecture mode."""

from __future__ import annotations

import math
import re

import pytest
from streamlit.testing.v1 import AppTest

from core.data import CLASS_NAMES
from tests.app.primer_app import figures, latex, open_page, texts

PAGE = "cross_entropy"


def marks(at: AppTest, key: str) -> dict[str, tuple[float, float]]:
    """The marked points (your f) of a curves chart: name → (x, y)."""
    return {t["name"]: (t["x"][0], t["y"][0]) for t in figures(at)[key]["data"] if t["mode"] == "markers"}


def shown(at: AppTest) -> dict[str, str]:
    """The KL and entropy values the page writes: KL(y‖f), KL(f‖y), H(y, f), H(y) as LaTeX numbers."""
    text = latex(at)
    kl_y_f, kl_f_y = r"\\mathrm\{KL\}\(y \\,\\\|\\, f\)", r"\\mathrm\{KL\}\(f \\,\\\|\\, y\)"
    kl = re.search(kl_y_f + r" = (\S+) \\;(?:\\neq|=)\\; " + kl_f_y + r" = (\S+)", text)
    h = re.search(r":\\quad (\S+) = (\S+) \+ (\S+)", text)
    assert kl and h, text
    assert h.group(3) == kl.group(1)  # H(y, f) = H(y) + KL(y‖f) uses the same KL
    return {"KL(y‖f)": kl.group(1), "KL(f‖y)": kl.group(2), "H(y,f)": h.group(1), "H(y)": h.group(2)}


@pytest.fixture()
def at() -> AppTest:
    return open_page(PAGE)


def test_lecture_numbers_by_default(at: AppTest) -> None:
    assert r"= (0.6 - 1)^2 + (0.4 - 0)^2 = 0.32" in latex(at)
    assert "does not work very well" in texts(at.markdown)
    m = shown(at)
    assert m["KL(y‖f)"] == f"{-math.log(0.6):.4g}" == "0.5108"
    assert m["KL(f‖y)"] == r"\infty"  # f puts 0.4 on a class where y has 0
    assert m["H(y)"] == "0" and m["H(y,f)"] == "0.5108"
    assert r"\;\neq\;" in latex(at)


def test_stepper_next_back_show_all(at: AppTest) -> None:
    step1 = r"1 \cdot \log \frac{1}{0.6} + 0 \cdot \log \frac{0}{0.4} = 0.5108"
    assert step1 in latex(at) and r"\log 1 - \log 0.6" not in latex(at)
    at.button(key="ce_step_next").click().run()
    assert at.slider(key="ce_step").value == 2
    assert r"1 \cdot (\log 1 - \log 0.6)" in latex(at)
    at.button(key="ce_step_next").click().run()
    assert r"= 0 - (-0.5108) = 0.5108" in latex(at)
    at.button(key="ce_step_back").click().run()
    assert at.slider(key="ce_step").value == 2
    assert "= 0 - (-0.5108)" not in latex(at)
    at.button(key="ce_step_all").click().run()
    assert at.slider(key="ce_step").value == 7
    assert at.button(key="ce_step_next").disabled and at.button(key="ce_step_all").disabled
    text = latex(at)
    assert r"-\log f_{\text{true}} \\ &= -\log 0.6 = 0.5108" in text
    assert r"\sum_i y_i \log y_i = 0 \quad" in text
    assert r"\sum_{n=1}^{N} -\log f_{y_n}(x_n, \theta)" in text
    at.slider(key="ce_step").set_value(4).run()
    assert r"\sum_{n=1}^{N}" not in latex(at)


def test_editing_f_updates_every_number(at: AppTest) -> None:
    at.number_input(key="ce_f1").set_value(0.9).run()
    at.number_input(key="ce_f2").set_value(0.1).run()
    assert not at.exception and not at.error
    assert r"(0.9 - 1)^2 + (0.1 - 0)^2 = 0.02" in latex(at)
    assert shown(at)["KL(y‖f)"] == f"{-math.log(0.9):.4g}"
    grad = marks(at, "ce_grad_curves")
    assert grad["your f: CE"] == pytest.approx((0.9, 0.9 - 1))
    assert grad["your f: MSE"] == pytest.approx((0.9, -4 * 0.9 * 0.1**2))  # −4p(1−p)² for two classes
    bars = figures(at)["ce_bars"]["data"]
    assert list(bars[1]["x"]) == [0.9, 0.1] and list(bars[0]["x"]) == [1.0, 0.0]


def test_soft_target_kl_asymmetry(at: AppTest) -> None:
    at.number_input(key="ce_y1").set_value(0.9).run()
    at.number_input(key="ce_y2").set_value(0.1).run()
    at.number_input(key="ce_f1").set_value(0.5).run()
    at.number_input(key="ce_f2").set_value(0.5).run()
    m = shown(at)
    kl_pq = 0.9 * math.log(0.9 / 0.5) + 0.1 * math.log(0.1 / 0.5)
    kl_qp = 0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1)
    assert m["KL(y‖f)"] == f"{kl_pq:.4g}" and m["KL(f‖y)"] == f"{kl_qp:.4g}"
    assert r"\;\neq\;" in latex(at)
    h = -(0.9 * math.log(0.9) + 0.1 * math.log(0.1))
    assert m["H(y)"] == f"{h:.4g}"
    assert m["H(y,f)"] == f"{h + kl_pq:.4g}"
    at.button(key="ce_step_all").click().run()
    assert rf"&= -(0.9 \cdot \log 0.5 + 0.1 \cdot \log 0.5) = {math.log(2):.4g}" in latex(at)
    assert r"= -\log f_{\text{true}} \\" not in latex(at)  # no true class for a soft label
    assert not [t for t in figures(at)["ce_grad_curves"]["data"] if t["mode"] == "markers"]  # no true class
    assert "not one-hot" in texts(at.caption)


def test_every_preset(at: AppTest) -> None:
    expected_ce = [-math.log(0.6), -math.log(0.01), -math.log(0.95), None, -math.log(0.45)]
    for i, ce in enumerate(expected_ce):
        at.button(key=f"ce_preset_{i}").click().run()
        assert not at.exception and not at.error
        if ce is not None:
            assert shown(at)["H(y,f)"] == f"{ce:.4g}"
    assert at.slider(key="ce_n").value == 10
    shirt = CLASS_NAMES.index("Shirt")
    assert at.number_input(key=f"ce_y{shirt + 1}").value == 1.0
    at.button(key="ce_step_all").click().run()
    assert r"&= -\log 0.45 = 0.7985" in latex(at)
    assert r"\underbrace{0 + \dots + 0}_{\text{9 more}}" in latex(at)


def test_confidently_wrong_gradients(at: AppTest) -> None:
    at.button(key="ce_preset_1").click().run()
    grad = marks(at, "ce_grad_curves")
    assert grad["your f: CE"][1] == pytest.approx(-0.99)
    assert grad["your f: MSE"][1] == pytest.approx(-4 * 0.01 * 0.99**2)  # almost 0: learning stalls
    curves = {t["name"]: t["y"] for t in figures(at)["ce_grad_curves"]["data"] if t["mode"] == "lines"}
    ce_curve = next(v for k, v in curves.items() if k.startswith("cross-entropy"))
    mse_curve = next(v for k, v in curves.items() if k.startswith("MSE"))
    assert ce_curve[0] == pytest.approx(0.001 - 1) and abs(mse_curve[0]) < 0.004


def test_number_of_classes(at: AppTest) -> None:
    at.slider(key="ce_n").set_value(4).run()
    assert not at.exception and not at.error  # new classes start at 0: y and f still sum to 1
    assert [k.key for k in at.number_input] == [f"ce_{v}{i}" for i in range(1, 5) for v in "yf"]
    assert figures(at)["ce_bars"]["data"][0]["y"] == list(CLASS_NAMES[:4])
    assert "the other 3 classes share" in texts(at.markdown)


def test_impossible_f_is_flagged_and_normalise_fixes_it(at: AppTest) -> None:
    at.number_input(key="ce_f2").set_value(0.2).run()
    assert not at.exception
    assert "f sums to 0.8, not 1" in texts(at.error)
    assert at.number_input(key="ce_f2").value == 0.2  # nothing the user typed is lost
    assert "KL(y" not in latex(at)  # no numbers from an impossible f
    figures(at)["ce_grad_curves"]  # the curves (which depend only on n) still show
    at.button(key="ce_norm_f").click().run()
    assert not at.error
    assert at.number_input(key="ce_f1").value == pytest.approx(0.75)
    assert at.number_input(key="ce_f2").value == pytest.approx(0.25)
    assert shown(at)["H(y,f)"] == f"{-math.log(0.75):.4g}"


def test_impossible_y_normalised(at: AppTest) -> None:
    at.number_input(key="ce_y2").set_value(1.0).run()
    assert "y sums to 2, not 1" in texts(at.error)
    at.button(key="ce_norm_y").click().run()
    assert not at.error
    assert shown(at)["KL(y‖f)"] == f"{0.5 * math.log(0.5 / 0.6) + 0.5 * math.log(0.5 / 0.4):.4g}"


def test_every_input_of_four_classes(at: AppTest) -> None:
    at.slider(key="ce_n").set_value(4).run()
    y, f = [0.0, 0.0, 1.0, 0.0], [0.1, 0.2, 0.3, 0.4]
    for i in range(4):
        at.number_input(key=f"ce_y{i + 1}").set_value(y[i]).run()
        at.number_input(key=f"ce_f{i + 1}").set_value(f[i]).run()
    assert not at.exception and not at.error
    assert shown(at)["H(y,f)"] == f"{-math.log(0.3):.4g}"
    mse = sum((fi - yi) ** 2 for yi, fi in zip(y, f, strict=True))
    terms = r"(0.2 - 0)^2 + (0.3 - 1)^2 + (0.4 - 0)^2 + \underbrace{\cdots}_{\text{1 more}}"
    assert f"{terms} = {mse:.4g}" in latex(at)
    assert marks(at, "ce_loss_curves")["your f: CE"] == pytest.approx((0.3, -math.log(0.3)))


def test_negative_probability_is_flagged(at: AppTest) -> None:
    at.number_input(key="ce_y2").set_value(-0.5).run()
    assert not at.exception
    assert "y has a negative entry (-0.5)" in texts(at.error)
    assert not [b for b in at.button if b.key == "ce_norm_y"]  # dividing by the sum would not help


def test_zero_probability_for_the_true_class(at: AppTest) -> None:
    at.number_input(key="ce_f1").set_value(0.0).run()
    at.number_input(key="ce_f2").set_value(1.0).run()
    assert not at.exception
    assert shown(at)["H(y,f)"] == r"\infty"
    assert "edge of (0, 1)" in texts(at.caption)


def test_lecture_mode(at: AppTest) -> None:
    at.sidebar.toggle(key="lecture").set_value(True).run()
    assert not at.exception
    assert figures(at)["ce_loss_curves"]["layout"]["font"]["size"] == 20
    at.button(key="ce_step_next").click().run()
    assert at.slider(key="ce_step").value == 2


def test_query_params_open_the_same_view() -> None:
    at = open_page(PAGE, {"ce_f1": "0.3", "ce_f2": "0.7", "ce_step": "5"})
    assert at.slider(key="ce_step").value == 5
    assert r"&= -\log 0.3 = 1.204" in latex(at)


def test_malformed_query_params_are_dropped() -> None:
    at = open_page(PAGE, {"ce_n": "lots", "ce_f1": "abc", "ce_step": "99"})
    assert not at.exception
    assert at.slider(key="ce_n").value == 2 and at.number_input(key="ce_f1").value == 0.6
    assert at.slider(key="ce_step").value == 1
