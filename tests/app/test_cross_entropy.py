"""AppTest: the KL vs squared error → cross-entropy page — inputs, presets, the stepper, curves, bad input, lecture mode.

Every lecture number and every corrected statement is pinned to what the page renders: the squared error is a
sum (0.32) whose mean is 0.16, the classes are Shirt and Bag, the image index is i and the class index k, the
double sum over all images, f = 0 gives +∞ with the right signs, and a soft y never sits beside a one-hot formula.
"""

from __future__ import annotations

import math
import re

import pytest
from streamlit.testing.v1 import AppTest

from core.losses import EXAMPLE_CLASSES
from tests.app.primer_app import figures, latex, open_page, texts

PAGE = "cross_entropy"
LECTURE = {"lecture": "true"}
STEPS = 8
DOUBLE_SUM = (
    r"\theta^* = \arg\min_\theta \Big[ -\sum_{i=1}^{N} \sum_{y_i \in Y} P(y_i \mid x_i) "
    r"\log f_{y_i}(x_i, \theta) \Big]"
)
ONE_HOT_SUM = r"\theta^* = \arg\min_\theta \; -\sum_{i=1}^{N} \log f_{y_i}(x_i, \theta)"
SPLIT = r"&= \sum_{k=1}^{n} y_k \log y_k \;-\; \sum_{k=1}^{n} y_k \log f_k \\ "


def marks(at: AppTest, key: str) -> dict[str, tuple[float, float]]:
    """The marked points (your f) of a curves chart: name → (x, y)."""
    return {t["name"]: (t["x"][0], t["y"][0]) for t in figures(at)[key]["data"] if t["mode"] == "markers"}


def lines(at: AppTest, key: str) -> dict[str, list[float]]:
    """The curves of a curves chart: legend name → y values."""
    return {t["name"]: t["y"] for t in figures(at)[key]["data"] if t["mode"] == "lines"}


def shown(at: AppTest) -> dict[str, str]:
    """The KL and entropy values the page writes: KL(y‖f), KL(f‖y), H(y, f), H(y) as LaTeX numbers."""
    text = latex(at)
    kl_y_f, kl_f_y = r"\\mathrm\{KL\}\(y \\,\\\|\\, f\)", r"\\mathrm\{KL\}\(f \\,\\\|\\, y\)"
    kl = re.search(kl_y_f + r" = (\S+) \\;(?:\\neq|=)\\; " + kl_f_y + r" = (\S+)", text)
    h = re.search(r":\\quad (\S+) = (\S+) \+ (\S+)", text)
    assert kl and h, text
    assert h.group(3) == kl.group(1)  # H(y, f) = H(y) + KL(y‖f) uses the same KL
    return {"KL(y‖f)": kl.group(1), "KL(f‖y)": kl.group(2), "H(y,f)": h.group(1), "H(y)": h.group(2)}


def steps(at: AppTest) -> list[str]:
    """The text of every derivation step shown, in order (markdown "**Step k.** …")."""
    return [m.value for m in at.markdown if m.value.startswith("**Step ")]


def step_latex(at: AppTest) -> str:
    """The LaTeX of the derivation: everything after the KL/entropy block and before the curves' formulas."""
    text = latex(at)
    start = text.index(r"\mathrm{KL}(y \,\|\, f) &=")
    end = text.index(r"\mathcal{L}_{\mathrm{CE}} &= -\log f_{\text{true}} \quad")
    return text[start:end]


def squared_error_lines(at: AppTest) -> str:
    """The squared-error block (the first LaTeX element)."""
    return at.latex[0].value


@pytest.fixture()
def at() -> AppTest:
    return open_page(PAGE)


@pytest.fixture()
def lecture() -> AppTest:
    return open_page(PAGE, LECTURE)


# --- the lecture's example: Shirt vs Bag, squared error 0.32 (a sum; its mean is 0.16) ---------------------------


def test_lecture_numbers_by_default(at: AppTest) -> None:
    se = squared_error_lines(at)
    assert r"\mathcal{L}_{\mathrm{SE}}(f, y) &= \sum_{k=1}^{n} (f_k - y_k)^2" in se
    assert r"&= (0.6 - 1)^2 + (0.4 - 0)^2 = 0.32" in se
    assert r"\mathrm{MSE} = \tfrac{1}{n} \mathcal{L}_{\mathrm{SE}} &= \tfrac{0.32}{2} = 0.16" in se
    prose = texts(at.markdown)
    assert "The squared error 𝓛_SE = 0.32 is a **sum** over the n = 2 classes." in prose
    assert "the *mean squared error* (MSE), is 0.32 / 2 = 0.16." in prose
    assert "> *“In practice this does not work very well.”*" in prose
    m = shown(at)
    assert m["KL(y‖f)"] == f"{-math.log(0.6):.4g}" == "0.5108"
    assert m["KL(f‖y)"] == r"\infty"  # f puts 0.4 on a class where y has 0
    assert m["H(y)"] == "0" and m["H(y,f)"] == "0.5108"
    assert r"\;\neq\;" in latex(at)
    assert "KL(f ‖ y) = ∞ because f puts probability on a class where y has none" in prose
    assert "KL(y ‖ f) = ∞" not in prose


def test_classes_are_shirt_and_bag(at: AppTest) -> None:
    bars = figures(at)["ce_bars"]["data"]
    assert bars[0]["y"] == ["Shirt", "Bag"] and bars[1]["y"] == ["Shirt", "Bag"]
    assert list(bars[0]["x"]) == [1.0, 0.0] and list(bars[1]["x"]) == [0.6, 0.4]
    row_names = [m.value for m in at.markdown if m.value in EXAMPLE_CLASSES]
    assert row_names == ["Shirt", "Bag"]
    assert "T-shirt/top" not in texts(at.markdown) and "Trouser" not in texts(at.markdown)


@pytest.mark.parametrize(
    ("n", "added"),
    [(3, "T-shirt/top"), (4, "Pullover"), (5, "Coat"), (10, "Ankle boot")],
)
def test_more_classes_join_after_shirt_and_bag(at: AppTest, n: int, added: str) -> None:
    at.slider(key="ce_n").set_value(n).run()
    assert not at.exception and not at.error  # new classes start at 0: y and f still sum to 1
    labels = figures(at)["ce_bars"]["data"][0]["y"]
    assert labels[:2] == ["Shirt", "Bag"] and labels[-1] == added and len(labels) == n
    assert labels == list(EXAMPLE_CLASSES[:n])


def test_squared_error_is_never_called_mean(at: AppTest) -> None:
    headings = [h.value for h in at.subheader]
    assert "A first try: squared error" in headings
    assert "Why not squared error? Its gradient vanishes when the model is confidently wrong" in headings
    assert not any("MSE" in h or "mean squared" in h.lower() for h in headings)
    assert "squared error" in at.title[0].value and "MSE" not in at.title[0].value
    for key in ("ce_loss_curves", "ce_grad_curves"):
        assert set(lines(at, key)) == {"cross-entropy", "squared error"}
        assert set(marks(at, key)) == {"your f: CE", "your f: SE"}
    text = latex(at)
    assert r"\mathcal{L}_{\mathrm{SE}} &= \sum_{k=1}^{n} (f_k - y_k)^2" in text
    assert r"\frac{\partial \mathcal{L}_{\mathrm{SE}}}{\partial z} &= J^\top 2(f - y)" in text
    assert r"\mathcal{L}_{\mathrm{MSE}}" not in text
    assert text.count(r"\mathrm{MSE}") == 1  # only as the mean, 𝓛_SE / n
    prose = texts(at.markdown)
    assert "squared-error gradient carries a factor f_true and **vanishes** when the model is confidently wrong" in (
        prose
    )
    assert "MSE gradient" not in prose and "MSE markers" not in prose


# --- the derivation: all steps in normal mode, one at a time in lecture mode -------------------------------------


def test_normal_mode_shows_all_steps(at: AppTest) -> None:
    assert f"All {STEPS} steps. Lecture mode reveals them one at a time." in texts(at.caption)
    assert not [s for s in at.slider if s.key == "ce_step"]
    assert not [b for b in at.button if b.key in ("ce_step_next", "ce_step_back", "ce_step_all")]
    assert [s.split(".", 1)[0] for s in steps(at)] == [f"**Step {k}" for k in range(1, STEPS + 1)]
    text = step_latex(at)
    assert r"&= 1 \cdot \log \frac{1}{0.6} + 0 \cdot \log \frac{0}{0.4} = 0.5108" in text
    assert r"&= 1 \cdot (\log 1 - \log 0.6) + 0" in text
    assert SPLIT + r"&= 0 - (-0.5108) = 0.5108" in text
    assert r"\sum_{k=1}^{n} y_k \log y_k = 0 \quad" in text
    assert (
        r"\mathcal{L}(\theta) &= -\sum_{k=1}^{n} y_k \log f_k(x, \theta) = -\log f_{\text{true}}(x, \theta) \\ "
        r"&= -\log 0.6 = 0.5108"
    ) in text
    assert (
        r"\theta^* = \arg\min_\theta \; -\sum_{k=1}^{n} y_k \log f_k(x, \theta) "
        r"= \arg\min_\theta \; -\log f_{\text{true}}(x, \theta)"
    ) in text
    assert DOUBLE_SUM in text and ONE_HOT_SUM in text
    assert text.index(DOUBLE_SUM) < text.index(ONE_HOT_SUM)  # the double sum first, then its one-hot form
    s = steps(at)
    assert "so it adds $0.5108$ to the sum." in s[6]
    assert (
        r"This image is one-hot on Shirt: its term is $-\log f_{\text{true}}(x, \theta) = -\log 0.6 = 0.5108$."
        in (s[7])
    )
    assert "y is one-hot on Shirt, so only that term survives" in s[4]


def test_one_letter_for_one_thing(at: AppTest) -> None:
    """Classes are k = 1…n, images i = 1…N; no n as an image index, no i as a class index."""
    text = latex(at)
    assert r"\sum_{n=1}" not in text and "x_n" not in text and "y_n" not in text
    assert not re.search(r"\\sum_i\b", text) and "y_i \\log" not in text and "f_i" not in text
    assert text.count(r"\sum_{i=1}^{N}") == 2  # the double sum and its one-hot form, over the images
    assert r"\sum_{k=1}^{n} y_k" in text


def test_the_lectures_notation_note_is_answered_at_step_1(at: AppTest) -> None:
    first = steps(at)[0]
    assert r"$y_k = P(k \mid x)$ and $f_k(x, \theta)$ are the probabilities of class k" in first
    assert r"f is indexed by class, the fix the lecture's own note “should be $f(y_i \mid x, \theta)$” asks for" in (
        first
    )
    assert sum("should be" in s for s in steps(at)) == 1  # said once, where the derivation first uses it


def test_lecture_stepper_next_back_show_all(lecture: AppTest) -> None:
    at = lecture
    assert "All 8 steps" not in texts(at.caption)
    assert len(steps(at)) == 1
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
    assert at.slider(key="ce_step").value == STEPS and len(steps(at)) == STEPS
    assert at.button(key="ce_step_next").disabled and at.button(key="ce_step_all").disabled
    text = latex(at)
    assert r"-\log f_{\text{true}}(x, \theta) \\ &= -\log 0.6 = 0.5108" in text
    assert r"\sum_{k=1}^{n} y_k \log y_k = 0 \quad" in text
    assert DOUBLE_SUM in text and ONE_HOT_SUM in text
    at.slider(key="ce_step").set_value(7).run()
    assert DOUBLE_SUM in latex(at) and ONE_HOT_SUM not in latex(at)
    at.slider(key="ce_step").set_value(4).run()
    assert r"\sum_{i=1}^{N}" not in latex(at)


# --- f = 0 and y = 0: log 0 = −∞, the loss is +∞, with the right signs --------------------------------------------


def test_zero_probability_for_the_true_class() -> None:
    at = open_page(PAGE, {"ce_f1": "0", "ce_f2": "1"})
    assert not at.exception and not at.error
    m = shown(at)
    assert m["H(y,f)"] == r"\infty" and m["KL(y‖f)"] == r"\infty" and m["H(y)"] == "0"
    assert r"\infty = 0 + \infty" in latex(at)
    text = step_latex(at)
    assert r"&= 1 \cdot \log \frac{1}{0} + 0 \cdot \log \frac{0}{1} = \infty" in text
    assert r"&= 1 \cdot (\log 1 - \log 0) + 0" in text
    assert SPLIT + r"&= 0 - (-\infty) = \infty" in text
    assert r"- (\infty)" not in latex(at) and r"0 - \infty" not in latex(at)
    assert r"&= -\log 0 = \infty" in text
    s = steps(at)
    assert (
        r"$\log 0 = -\infty$, so $\sum_k y_k \log f_k = -\infty$ and $\mathrm{KL} = 0 - (-\infty) = +\infty$." in s[2]
    )
    assert r"$-\log 0 = +\infty$: the loss is infinite." in s[4]
    assert r"adds $\infty$ to the sum: one such image makes the whole sum $+\infty$." in s[6]
    assert r"$-\log f_{\text{true}}(x, \theta) = -\log 0 = \infty$" in s[7]
    prose = texts(at.markdown)
    assert "KL(y ‖ f) = ∞ because f gives probability 0 to a class that y gives probability" in prose
    assert "KL(f ‖ y) = ∞ because f puts probability on a class where y has none" in prose
    assert "not the softmax of any finite logits" in texts(at.caption)
    assert not [t for t in figures(at)["ce_grad_curves"]["data"] if t["mode"] == "markers"]


def test_zero_probability_at_the_split_step_in_lecture_mode() -> None:
    at = open_page(PAGE, {**LECTURE, "ce_f1": "0", "ce_f2": "1", "ce_step": "3"})
    assert at.slider(key="ce_step").value == 3
    assert r"&= 0 - (-\infty) = \infty" in latex(at)
    assert r"$\mathrm{KL} = 0 - (-\infty) = +\infty$" in steps(at)[-1]


def test_a_certain_right_prediction_has_zero_loss(at: AppTest) -> None:
    at.slider(key="ce_n").set_value(3).run()
    at.number_input(key="ce_f1").set_value(1.0).run()
    at.number_input(key="ce_f2").set_value(0.0).run()
    assert not at.error
    text = step_latex(at)
    assert r"&= 1 \cdot \log \frac{1}{1} + 0 \cdot \log \frac{0}{0} + 0 \cdot \log \frac{0}{0} = 0" in text
    assert r"&= 1 \cdot (\log 1 - \log 1) + 0 + 0" in text  # no 0 · (log 0 − log 0)
    assert SPLIT + "&= 0 - 0 = 0" in text
    assert r"&= -\log 1 = 0" in text
    assert "also for $q = 0$" in steps(at)[0]
    assert "loss is infinite" not in texts(at.markdown) and r"\log 0 = -\infty" not in texts(at.markdown)
    assert shown(at)["KL(y‖f)"] == "0"


def test_soft_y_with_a_zero_prediction(at: AppTest) -> None:
    for key, value in (("ce_y1", 0.9), ("ce_y2", 0.1), ("ce_f1", 1.0), ("ce_f2", 0.0)):
        at.number_input(key=key).set_value(value).run()
    assert not at.error
    h = -(0.9 * math.log(0.9) + 0.1 * math.log(0.1))
    m = shown(at)
    assert m["KL(y‖f)"] == r"\infty" and m["H(y,f)"] == r"\infty" and m["H(y)"] == f"{h:.4g}"
    assert m["KL(f‖y)"] == f"{math.log(1 / 0.9):.4g}"
    text = step_latex(at)
    assert r"&= 0.9 \cdot (\log 0.9 - \log 1) + 0.1 \cdot (\log 0.1 - \log 0)" in text
    assert SPLIT + rf"&= {-h:.4g} - (-\infty) = \infty" in text
    assert r"&= -(0.9 \cdot \log 1 + 0.1 \cdot \log 0) = \infty" in text
    assert rf"$\mathrm{{KL}} = {-h:.4g} - (-\infty) = +\infty$." in steps(at)[2]


# --- soft y: every formula matches the y entered ---------------------------------------------------------------------


def test_soft_y_preset_shows_only_general_formulas(at: AppTest) -> None:
    at.button(key="ce_preset_3").click().run()
    assert not at.exception and not at.error
    m = shown(at)
    kl_pq = 0.9 * math.log(0.9 / 0.5) + 0.1 * math.log(0.1 / 0.5)
    kl_qp = 0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1)
    h = -(0.9 * math.log(0.9) + 0.1 * math.log(0.1))
    assert m["KL(y‖f)"] == f"{kl_pq:.4g}" and m["KL(f‖y)"] == f"{kl_qp:.4g}"
    assert m["H(y)"] == f"{h:.4g}" and m["H(y,f)"] == f"{h + kl_pq:.4g}" == f"{math.log(2):.4g}"
    assert r"\;\neq\;" in latex(at)
    text = step_latex(at)
    assert r"f_{\text{true}}" not in text  # no one-hot formula beside a soft y
    assert (
        r"\mathcal{L}(\theta) &= -\sum_{k=1}^{n} y_k \log f_k(x, \theta) \\ "
        rf"&= -(0.9 \cdot \log 0.5 + 0.1 \cdot \log 0.5) = {math.log(2):.4g}"
    ) in text
    assert r"\theta^* = \arg\min_\theta \; -\sum_{k=1}^{n} y_k \log f_k(x, \theta)" in text
    assert SPLIT + rf"&= {-h:.4g} - ({-math.log(2):.4g}) = {kl_pq:.4g}" in text
    assert rf"\sum_{{k=1}}^{{n}} y_k \log y_k = {-h:.4g} \quad" in text
    s = steps(at)
    assert "This y is not one-hot, so every class with y_k > 0 contributes." in s[4]
    assert "For this image the inner sum is its cross-entropy, so it adds $0.6931$ to the sum." in s[6]
    assert "This image's y is not one-hot, so this form does not apply to it" in s[7]
    assert "its term stays the inner sum of step 7, $0.6931$." in s[7]
    assert "only that term survives" not in texts(at.markdown)
    # the curves are drawn for a one-hot y, and say so; the soft y gets no marker but its own two losses
    assert r"\mathcal{L}_{\mathrm{CE}} &= -\log f_{\text{true}} \quad (y \text{ one-hot})" in latex(at)
    assert texts(at.markdown).count("For a one-hot y") == 2
    assert not [t for t in figures(at)["ce_grad_curves"]["data"] if t["mode"] == "markers"]
    caption = texts(at.caption)
    assert "Your y is not one-hot, so it has no single true class and no point on these one-hot curves." in caption
    assert f"𝓛_CE = H(y, f) = {math.log(2):.4g}, 𝓛_SE = 0.32." in caption  # (0.5−0.9)² + (0.5−0.1)²


def test_soft_y_typed_in(at: AppTest) -> None:
    at.number_input(key="ce_y1").set_value(0.9).run()
    at.number_input(key="ce_y2").set_value(0.1).run()
    at.number_input(key="ce_f1").set_value(0.5).run()
    at.number_input(key="ce_f2").set_value(0.5).run()
    assert rf"&= -(0.9 \cdot \log 0.5 + 0.1 \cdot \log 0.5) = {math.log(2):.4g}" in latex(at)
    assert r"f_{\text{true}}" not in step_latex(at)
    assert r"&= (0.5 - 0.9)^2 + (0.5 - 0.1)^2 = 0.32" in squared_error_lines(at)
    assert r"\tfrac{0.32}{2} = 0.16" in squared_error_lines(at)


# --- presets, inputs, curves ----------------------------------------------------------------------------------


def test_every_preset(at: AppTest) -> None:
    expected = [  # (CE, SE)
        (-math.log(0.6), 0.32),
        (-math.log(0.01), 0.99**2 + 0.99**2),
        (-math.log(0.95), 0.05**2 + 0.05**2),
        (math.log(2), 0.32),
        (-math.log(0.45), 0.55**2 + 0.02**2 + 0.48**2 + 3 * 0.01**2 + 0.02**2),
    ]
    for i, (ce, se) in enumerate(expected):
        at.button(key=f"ce_preset_{i}").click().run()
        assert not at.exception and not at.error
        assert shown(at)["H(y,f)"] == f"{ce:.4g}"
        n = at.slider(key="ce_n").value
        assert rf"= {se:.4g} \\ \mathrm{{MSE}}" in squared_error_lines(at)
        assert rf"\tfrac{{{se:.4g}}}{{{n}}} = {se / n:.4g}" in squared_error_lines(at)


def test_ten_classes_preset_is_a_shirt_that_looks_like_a_t_shirt(at: AppTest) -> None:
    at.button(key="ce_preset_4").click().run()
    assert at.slider(key="ce_n").value == 10
    bars = figures(at)["ce_bars"]["data"]
    assert bars[0]["y"] == list(EXAMPLE_CLASSES)
    y, f = dict(zip(bars[0]["y"], bars[0]["x"], strict=True)), dict(zip(bars[1]["y"], bars[1]["x"], strict=True))
    assert y["Shirt"] == 1.0 and sum(y.values()) == 1.0
    assert max(f, key=f.get) == "T-shirt/top" and f["T-shirt/top"] == 0.48 and f["Shirt"] == 0.45
    assert sum(f.values()) == pytest.approx(1.0)
    text = step_latex(at)
    assert r"&= -\log 0.45 = 0.7985" in text
    assert r"\underbrace{0 + \dots + 0}_{\text{9 more}}" in text
    assert "y is one-hot on Shirt" in steps(at)[4]
    assert "At your f ($f_{\\text{true}}$ = 0.45, the prediction for Shirt)" in texts(at.markdown)
    se = 0.55**2 + 0.02**2 + 0.48**2 + 3 * 0.01**2 + 0.02**2
    assert rf"&= (0.45 - 1)^2 + (0.02 - 0)^2 + (0.48 - 0)^2 + \underbrace{{\cdots}}_{{\text{{7 more}}}} = {se:.4g}" in (
        squared_error_lines(at)
    )


def test_editing_f_updates_every_number(at: AppTest) -> None:
    at.number_input(key="ce_f1").set_value(0.9).run()
    at.number_input(key="ce_f2").set_value(0.1).run()
    assert not at.exception and not at.error
    assert r"(0.9 - 1)^2 + (0.1 - 0)^2 = 0.02" in latex(at)
    assert r"\tfrac{0.02}{2} = 0.01" in latex(at)
    assert shown(at)["KL(y‖f)"] == f"{-math.log(0.9):.4g}"
    grad = marks(at, "ce_grad_curves")
    assert grad["your f: CE"] == pytest.approx((0.9, 0.9 - 1))
    assert grad["your f: SE"] == pytest.approx((0.9, -4 * 0.9 * 0.1**2))  # −4p(1−p)² for two classes
    loss = marks(at, "ce_loss_curves")
    assert loss["your f: SE"] == pytest.approx((0.9, 0.02)) and loss["your f: CE"] == pytest.approx((0.9, 0.1054), 1e-3)
    bars = figures(at)["ce_bars"]["data"]
    assert list(bars[1]["x"]) == [0.9, 0.1] and list(bars[0]["x"]) == [1.0, 0.0]


def test_confidently_wrong_gradients(at: AppTest) -> None:
    at.button(key="ce_preset_1").click().run()
    grad = marks(at, "ce_grad_curves")
    assert grad["your f: CE"][1] == pytest.approx(-0.99)
    assert grad["your f: SE"][1] == pytest.approx(-4 * 0.01 * 0.99**2)  # almost 0: learning stalls
    curves = lines(at, "ce_grad_curves")
    assert curves["cross-entropy"][0] == pytest.approx(0.001 - 1) and abs(curves["squared error"][0]) < 0.004
    assert r"\partial\mathcal{L}_{\mathrm{CE}}/\partial z_{\text{true}}$ = **-0.99**" in texts(at.markdown)


def test_number_of_classes(at: AppTest) -> None:
    at.slider(key="ce_n").set_value(4).run()
    assert not at.exception and not at.error  # new classes start at 0: y and f still sum to 1
    assert [k.key for k in at.number_input] == [f"ce_{v}{i}" for i in range(1, 5) for v in "yf"]
    assert figures(at)["ce_bars"]["data"][0]["y"] == ["Shirt", "Bag", "T-shirt/top", "Pullover"]
    assert "the other 3 classes share" in texts(at.markdown)
    assert r"\tfrac{0.32}{4} = 0.08" in squared_error_lines(at)  # the mean divides by n = 4


def test_every_input_of_four_classes(at: AppTest) -> None:
    at.slider(key="ce_n").set_value(4).run()
    y, f = [0.0, 0.0, 1.0, 0.0], [0.1, 0.2, 0.3, 0.4]
    for k in range(4):
        at.number_input(key=f"ce_y{k + 1}").set_value(y[k]).run()
        at.number_input(key=f"ce_f{k + 1}").set_value(f[k]).run()
    assert not at.exception and not at.error
    assert shown(at)["H(y,f)"] == f"{-math.log(0.3):.4g}"
    se = sum((fk - yk) ** 2 for yk, fk in zip(y, f, strict=True))
    terms = r"(0.2 - 0)^2 + (0.3 - 1)^2 + (0.4 - 0)^2 + \underbrace{\cdots}_{\text{1 more}}"
    assert f"{terms} = {se:.4g}" in latex(at)
    assert rf"\tfrac{{{se:.4g}}}{{4}} = {se / 4:.4g}" in latex(at)
    assert marks(at, "ce_loss_curves")["your f: CE"] == pytest.approx((0.3, -math.log(0.3)))
    assert "y is one-hot on T-shirt/top" in steps(at)[4]


# --- bad input ----------------------------------------------------------------------------------------------------


def test_impossible_f_is_flagged_and_normalise_fixes_it(at: AppTest) -> None:
    at.number_input(key="ce_f2").set_value(0.2).run()
    assert not at.exception
    assert "f sums to 0.8, not 1" in texts(at.error)
    assert "Edit the f column so every entry is in [0, 1] and they add up to 1." in texts(at.error)
    assert at.number_input(key="ce_f2").value == 0.2  # nothing the user typed is lost
    assert "KL(y" not in latex(at)  # no numbers from an impossible f
    assert "appear once y and f are both probability vectors" in texts(at.info)
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


def test_negative_probability_is_flagged(at: AppTest) -> None:
    at.number_input(key="ce_y2").set_value(-0.5).run()
    assert not at.exception
    assert "y has a negative entry (-0.5)" in texts(at.error)
    assert not [b for b in at.button if b.key == "ce_norm_y"]  # dividing by the sum would not help


def test_entry_above_one_is_flagged(at: AppTest) -> None:
    at.number_input(key="ce_f1").set_value(1.5).run()
    assert not at.exception
    assert "f sums to 1.9, not 1" in texts(at.error)
    assert [b for b in at.button if b.key == "ce_norm_f"]


# --- lecture mode and the URL ------------------------------------------------------------------------------------


def test_lecture_mode_toggle(at: AppTest) -> None:
    at.sidebar.toggle(key="lecture").set_value(True).run()
    assert not at.exception
    assert figures(at)["ce_loss_curves"]["layout"]["font"]["size"] == 20
    assert len(steps(at)) == 1
    at.button(key="ce_step_next").click().run()
    assert at.slider(key="ce_step").value == 2 and len(steps(at)) == 2


def test_query_params_open_the_same_view() -> None:
    at = open_page(PAGE, {**LECTURE, "ce_f1": "0.3", "ce_f2": "0.7", "ce_step": "5"})
    assert at.slider(key="ce_step").value == 5
    assert r"&= -\log 0.3 = 1.204" in latex(at)


def test_query_params_in_normal_mode_show_every_step() -> None:
    at = open_page(PAGE, {"ce_f1": "0.3", "ce_f2": "0.7", "ce_step": "2"})
    assert len(steps(at)) == STEPS and ONE_HOT_SUM in latex(at)


def test_malformed_query_params_are_dropped() -> None:
    at = open_page(PAGE, {**LECTURE, "ce_n": "lots", "ce_f1": "abc", "ce_step": "99"})
    assert not at.exception
    assert at.slider(key="ce_n").value == 2 and at.number_input(key="ce_f1").value == 0.6
    assert at.slider(key="ce_step").value == 1
