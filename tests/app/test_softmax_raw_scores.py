"""AppTest: the top of the softmax page — a real test image's raw scores z = Wx + b from the default model,
why they are no probabilities, and f = softmax(z) as the lecture's vector [P(Ankle boot | x), P(Bag | x), …].

The model computes in float32, so its numbers are compared with float32 tolerances (rtol 1e-5), never tighter;
numbers written with 4 significant digits are compared at the rounding of 4 digits.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.data import CLASS_NAMES
from core.model import SoftmaxRegression
from core.softmax import softmax
from tests.app.primer_app import figures, latex, open_page, texts
from ui import data as ui_data
from ui import model as ui_model

PAGE = "softmax"
ORDER = ["Ankle boot", "Bag", "Shirt", "Dress", "Trouser", "T-shirt/top", "Sneaker", "Pullover", "Sandal", "Coat"]
LABEL_OF = [CLASS_NAMES.index(name) for name in ORDER]
RTOL32 = 1e-5  # float32: about 7 significant digits; sums of products lose a little more
RTOL4 = 5e-4  # a number written with 4 significant digits
NUMBER = r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?"


@pytest.fixture()
def at(test_set) -> AppTest:
    return open_page(PAGE)


def model() -> SoftmaxRegression:
    """The default model the page used (shared by the process once the page has run)."""
    m, _ = ui_model.default_model()
    assert m is not None
    return m


def wx_plus_b(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(z = W x + b by hand, in float64 from the float32 θ and x; the float32 error scale |W||x| + |b|), page order."""
    m = model()
    x = m.preprocess(image).astype(np.float64)
    W, b = m.W.astype(np.float64), m.b.astype(np.float64)
    z = W @ x + b
    scale = np.abs(W) @ np.abs(x) + np.abs(b)
    return z[LABEL_OF], scale[LABEL_OF]


def assert_float32_close(shown: np.ndarray, z: np.ndarray, scale: np.ndarray, rtol: float = RTOL32) -> None:
    """shown ≈ z relative to z, or to the size of the terms summed into z where z cancels towards 0."""
    np.testing.assert_array_less(np.abs(shown - z), rtol * np.maximum(np.abs(z), 1e-2 * scale) + 1e-30)


def raw_table(at: AppTest):
    return next(t.value for t in at.table if "zₖ = (Wx + b)ₖ" in t.value.columns)


def sentence(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**z = Wx + b is not a probability vector:**"))


def check_image(at: AppTest, test_set, index: int) -> None:
    """Everything the top of the page shows for test image #index, against W x + b computed here."""
    image, label = test_set[0][index], int(test_set[1][index])
    z, scale = wx_plus_b(image)
    assert list(at.get("image")[0].captions) == [f"x: test image #{index}, true class y = {CLASS_NAMES[label]}"]

    table = raw_table(at)
    assert list(table.index) == ORDER + ["Σ"]
    shown = np.array([float(v) for v in table["zₖ = (Wx + b)ₖ"][:10]])
    assert_float32_close(shown, z, scale)  # 7 significant digits of the float32 z
    assert list(table["zₖ < 0"][:10]) == ["yes" if v < 0 else "" for v in z]
    assert float(table.loc["Σ", "zₖ = (Wx + b)ₖ"]) == pytest.approx(z.sum(), rel=RTOL32, abs=RTOL32 * scale.sum())
    f = softmax(z)
    np.testing.assert_allclose([float(v) for v in table["fₖ = softmax(z)ₖ"][:10]], f, rtol=RTOL32)
    assert float(table.loc["Σ", "fₖ = softmax(z)ₖ"]) == pytest.approx(1.0, rel=RTOL32)

    chart = figures(at)["softmax_scores"]["data"]
    assert chart[0]["y"][ORDER.index(CLASS_NAMES[label])] == f"<b>{CLASS_NAMES[label]} ✓</b>"  # the true class
    assert_float32_close(np.array(chart[1]["x"]), z, scale)
    np.testing.assert_allclose(chart[0]["x"], f, rtol=RTOL32, atol=1e-12)

    words = sentence(at)
    negative = [k for k in range(10) if z[k] < 0]
    if negative:
        assert f"**{len(negative)} of its 10 entries are negative**" in words
        listed = re.findall(rf"([A-Za-z/ -]+?) \(({NUMBER})\)", words.split("negative**: ")[1].split(". ")[0])
        assert [name.strip(", ") for name, _ in listed] == [ORDER[k] for k in negative]
        np.testing.assert_allclose([float(v) for _, v in listed], z[negative], rtol=RTOL4)
    else:
        assert "None of its entries is negative for this image" in words
    total = float(re.search(rf"\$\\sum_k z_k\$ = ({NUMBER})", words).group(1))
    assert total == pytest.approx(z.sum(), rel=RTOL4, abs=RTOL32 * scale.sum())
    assert words.endswith("≠ 1**.") == (abs(z.sum() - 1) > 1e-3)

    tex = latex(at)
    assert (r"f(x, \theta) &= \operatorname{softmax}(Wx + b) \\ &= \big[P(\text{Ankle boot} \mid x),\ "
            r"P(\text{Bag} \mid x),\ \ldots\big]") in tex  # fmt: skip  # the lecture's vector
    values = re.search(r"&= \\big\[([^\]]*),\\ \\ldots\\big\] \\end\{aligned\}", tex).group(1).split(r",\ ")
    as_float = [float(re.sub(r" \\times 10\^\{(-?\d+)\}", r"e\1", v)) for v in values]
    np.testing.assert_allclose(as_float, f[:2], rtol=RTOL4)  # f(Ankle boot), f(Bag)
    assert "$\\sum_k f_k$ = **1**" in texts(at.markdown)


def test_the_lectures_quote_opens_the_page(at: AppTest) -> None:
    first = [m.value for m in at.markdown][1]  # after the page's intro
    assert first == ("> *We will again start with a linear model $f(x, \\theta) = Wx + b$. However, the "
                     "probabilities must sum to one, which is nonlinear.* — the lecture")  # fmt: skip
    assert at.number_input(key="softmax_image").value == 0


def test_default_image_is_an_ankle_boot_whose_z_fails_as_probabilities(at: AppTest, test_set) -> None:
    assert CLASS_NAMES[test_set[1][0]] == "Ankle boot"
    check_image(at, test_set, 0)
    z, _ = wx_plus_b(test_set[0][0])
    assert np.any(z < 0) and abs(z.sum() - 1) > 0.01  # what the lecture says: negative entries, Σ ≠ 1
    assert "A probability is never negative." in sentence(at)
    assert "≠ 1**." in sentence(at)
    top = ORDER[int(np.argmax(z))]
    assert f"The order is kept: the largest $z_k$ ({top}," in texts(at.markdown)


@pytest.mark.parametrize("index", [4, 23, 9999])
def test_any_test_image_through_the_number_input(at: AppTest, test_set, index: int) -> None:
    at.number_input(key="softmax_image").set_value(index).run()
    assert not at.exception
    check_image(at, test_set, index)


def test_image_number_in_the_url(test_set) -> None:
    at = open_page(PAGE, {"softmax_image": "23"})
    assert at.number_input(key="softmax_image").value == 23
    check_image(at, test_set, 23)


def test_the_raw_scores_are_the_models_logits_in_page_order(at: AppTest, test_set) -> None:
    z = model().logits(test_set[0][0])  # the model's own float32 z, in label order
    table = raw_table(at)
    for k, name in enumerate(CLASS_NAMES):
        assert float(table.loc[name, "zₖ = (Wx + b)ₖ"]) == pytest.approx(float(z[k]), rel=RTOL32)


def test_without_the_data_the_panel_shows_and_the_rest_of_the_page_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FASHION_MNIST_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    ui_model._shared.clear()
    ui_data._load.clear()
    try:
        at = open_page(PAGE)
        assert "Computing z = Wx + b of a real image needs Fashion-MNIST" in texts(at.error)
        assert at.button(key="softmax_download")
        assert not any("zₖ = (Wx + b)ₖ" in t.value.columns for t in at.table)
        np.testing.assert_allclose(figures(at)["softmax_bars"]["data"][0]["x"], softmax([2.0, 1.0, 0.1]))
        at.slider(key="softmax_n").set_value(2).run()
        assert not at.exception and "sigmoid" in texts(at.info)
    finally:
        ui_model._shared.clear()  # the next page run builds the default model again, with the data
        ui_data._load.clear()
