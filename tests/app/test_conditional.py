"""AppTest: the conditional-probability page — inputs both ways, presets, the picture, Monte Carlo, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core import probability as prob
from tests.app.primer_app import figures, latex, metrics, open_page, texts

PAGE = "conditional"


def areas(fig: dict) -> dict[str, float]:
    """Area (width × height) of each named rectangle of a mosaic."""
    return {t["name"]: t["width"][0] * t["y"][0] for t in fig["data"]}


def test_lecture_default_rain_given_cloud() -> None:
    at = open_page(PAGE)
    assert at.title[0].value == "Conditional probability"
    assert metrics(at)["P(Rain | Cloud)"] == "0.5"
    text = latex(at)
    assert r"\text{Rain} & 0.2 & 0.05 & 0.25" in text
    assert r"& 0.4 & 0.6 & 1" in text
    assert not at.error
    figs = figures(at)
    whole = areas(figs["cond_mosaic"])
    assert whole == pytest.approx({"Rain ∩ Cloud": 0.2, "not Rain ∩ Cloud": 0.2, "Rain ∩ not Cloud": 0.05,
                                   "not Rain ∩ not Cloud": 0.55})  # fmt: skip
    assert areas(figs["cond_zoom"]) == pytest.approx({"Rain | Cloud": 0.5, "not Rain | Cloud": 0.5})


def test_lecture_note_says_which_values_are_the_lecture_s() -> None:
    at = open_page(PAGE)
    note = texts(at.caption)
    assert ("Rain | Cloud: P(Cloud) = 0.4 and P(Rain ∩ Cloud) = 0.2 are the lecture's; P(Rain) = 0.25 is the app's "
            "(the lecture's P(Rain) = 0.05 cannot hold together with P(Rain ∩ Cloud) = 0.2, see below).") in note
    assert "P(Heads) = P(Tails) = ½" in note
    why = texts(at.markdown)
    assert "Both cannot hold at once, because P(Rain ∩ Cloud) ≤ P(Rain)" in why
    assert "takes P(Rain) = 0.25, the app's choice, which leaves P(Rain ∩ not Cloud) = 0.05" in why


def test_derivation_shows_every_step_in_normal_mode() -> None:
    at = open_page(PAGE)
    assert "All 4 steps. Lecture mode reveals them one at a time." in texts(at.caption)
    assert not [b for b in at.button if b.key.startswith("cond_step_")]
    assert not [s for s in at.slider if s.key == "cond_step"]
    text = latex(at)
    assert r"P(\text{Rain} \mid \text{Cloud}) = \frac{P(\text{Rain} \cap \text{Cloud})}{P(\text{Cloud})}" in text
    assert r"P(\text{Rain} \mid \text{Cloud}) = \frac{0.2}{0.4}" in text
    assert r"P(\text{Rain} \mid \text{Cloud}) = 0.5" in text
    assert r"P(\text{Rain} \mid \text{Cloud}) = 0.5 \ne P(\text{Rain}) = 0.25: \text{knowing } \text{Cloud} " \
           r"\text{ raises it}" in text
    assert [m.value for m in at.markdown if m.value.startswith("**Step")] == [
        "**Step 1.** Only the trials where **Cloud** happened count; of those, the share where **Rain** happened too.",
        "**Step 2.** Put in the numbers from the joint table.",
        "**Step 3.** Divide.",
        "**Step 4.** Compare with P(Rain) before knowing anything.",
    ]


def test_derivation_step_by_step_in_lecture_mode() -> None:
    at = open_page(PAGE, {"lecture": "true"})
    assert r"\frac{P(\text{Rain} \cap \text{Cloud})}{P(\text{Cloud})}" in latex(at)
    assert r"\frac{0.2}{0.4}" not in latex(at)
    at.button(key="cond_step_next").click().run()
    assert r"P(\text{Rain} \mid \text{Cloud}) = \frac{0.2}{0.4}" in latex(at)
    at.button(key="cond_step_all").click().run()
    text = latex(at)
    assert r"P(\text{Rain} \mid \text{Cloud}) = 0.5" in text
    assert r"\ne P(\text{Rain}) = 0.25" in text and "raises" in text
    at.button(key="cond_step_back").click().run()
    assert at.slider(key="cond_step").value == 3


def test_heads_given_tails_preset_is_zero() -> None:
    at = open_page(PAGE, {"lecture": "true"})
    at.button(key="cond_preset_1").click().run()
    assert at.text_input(key="cond_a").value == "Heads"
    assert metrics(at)["P(Heads | Tails)"] == "0"
    at.slider(key="cond_step").set_value(3).run()
    assert r"P(\text{Heads} \mid \text{Tails}) = \frac{0}{0.5}" in latex(at)
    assert r"P(\text{Heads} \mid \text{Tails}) = 0" in latex(at)
    counts = metrics(at)
    assert counts["#(Heads ∩ Tails)"] == "0"
    assert counts["#(Heads ∩ Tails) / #Tails"] == "0"


def test_heads_given_tails_in_normal_mode() -> None:
    at = open_page(PAGE)
    at.button(key="cond_preset_1").click().run()
    text = latex(at)
    assert r"P(\text{Heads} \mid \text{Tails}) = \frac{0}{0.5}" in text
    assert r"P(\text{Heads} \mid \text{Tails}) = 0 \ne P(\text{Heads}) = 0.5: \text{knowing } \text{Tails} " \
           r"\text{ lowers it}" in text
    assert r"\text{Heads} & 0 & 0.5 & 0.5" in text


def test_independent_preset_changes_nothing() -> None:
    at = open_page(PAGE, {"lecture": "true"})
    at.slider(key="cond_step").set_value(4).run()
    assert "changes nothing" not in latex(at)
    at.button(key="cond_preset_2").click().run()
    assert metrics(at)["P(H 1st | H 2nd)"] == "0.5"
    assert r"P(\text{H 1st} \mid \text{H 2nd}) = P(\text{H 1st}) = 0.5" in latex(at)
    assert "changes nothing" in latex(at)
    at.button(key="cond_preset_0").click().run()
    assert metrics(at)["P(Rain | Cloud)"] == "0.5"


def test_four_cells_mode_and_cells_not_summing_to_one() -> None:
    at = open_page(PAGE)
    at.segmented_control(key="cond_mode").set_value("cells").run()
    keys = (("cond_ab", "cond_anb"), ("cond_nab", "cond_nanb"))
    cells = [[at.number_input(key=k).value for k in row] for row in keys]
    np.testing.assert_allclose(cells, [[0.2, 0.05], [0.2, 0.55]])
    assert metrics(at)["P(Rain | Cloud)"] == "0.5"
    at.number_input(key="cond_nanb").set_value(0.45).run()
    assert "The probabilities sum to 0.9, not 1" in texts(at.error)
    assert "need a possible joint table" in texts(at.info)
    assert not at.get("plotly_chart")
    assert "P(Rain | Cloud)" not in metrics(at)  # no conditional probability of an impossible table
    at.number_input(key="cond_ab").set_value(0.3).run()
    assert not at.error
    assert metrics(at)["P(Rain | Cloud)"] == "0.6"  # 0.3 / (0.3 + 0.2)
    assert not at.exception


@pytest.mark.parametrize(
    ("p_a", "p_b", "p_ab", "message"),
    [
        (0.25, 0.4, 0.5, "P(Rain ∩ Cloud) = 0.5 is larger than P(Cloud) = 0.4"),
        (0.1, 0.4, 0.2, "P(Rain ∩ Cloud) = 0.2 is larger than P(Rain) = 0.1"),
        (0.9, 0.8, 0.5, "is above 1"),
        (1.5, 0.4, 0.2, "P(Rain) = 1.5 is above 1"),
        (0.25, 0.0, 0.0, "P(A|B) is undefined: P(B) = 0"),
    ],
)
def test_impossible_inputs_are_flagged_in_words(p_a: float, p_b: float, p_ab: float, message: str) -> None:
    at = open_page(PAGE)
    for key, value in zip(("cond_pa", "cond_pb", "cond_pab"), (p_a, p_b, p_ab), strict=True):
        at.number_input(key=key).set_value(value).run()
    assert message in texts(at.error)
    assert not at.exception
    assert [at.number_input(key=k).value for k in ("cond_pa", "cond_pb", "cond_pab")] == [p_a, p_b, p_ab]


def test_event_names_are_sanitised() -> None:
    at = open_page(PAGE)
    at.text_input(key="cond_a").set_value(r"Snow $\frac{1}{0}$_x").run()
    at.text_input(key="cond_b").set_value("").run()
    assert not at.exception
    assert "P(Snow frac10x | B)" in metrics(at)


def test_monte_carlo_settles_on_the_formula() -> None:
    at = open_page(PAGE)
    at.select_slider(key="cond_n").set_value(100_000).run()
    counts = metrics(at)
    n_b = int(counts["#Cloud (of 100,000)"].replace(",", ""))
    n_ab = int(counts["#(Rain ∩ Cloud)"].replace(",", ""))
    assert abs(n_b / 100_000 - 0.4) < 5 * math.sqrt(0.24 / 100_000)
    assert abs(n_ab / n_b - 0.5) < 5 * math.sqrt(0.25 / n_b)
    trace = next(t for t in figures(at)["cond_mc"]["data"] if t.get("name") == "#(A∩B) / #B")
    assert trace["y"][-1] == pytest.approx(n_ab / n_b)
    a, b = prob.sample_joint(prob.joint_from_marginals(0.25, 0.4, 0.2), 100_000, 0)
    assert (n_b, n_ab) == (int(b.sum()), int((a & b).sum()))
    at.button(key="cond_rerun").click().run()
    assert at.number_input(key="cond_seed").value == 1
    assert metrics(at)["#(Rain ∩ Cloud)"] != counts["#(Rain ∩ Cloud)"]


def test_lecture_mode_and_url() -> None:
    at = open_page(PAGE, {"lecture": "true", "cond_pab": "0.1", "cond_mode": "P(A), P(B), P(A∩B)"})
    assert not at.exception
    assert metrics(at)["P(Rain | Cloud)"] == "0.25"
    assert "Why P(Rain) = 0.25 here" in [e.label for e in at.expander]


def test_malformed_url_falls_back_to_defaults() -> None:
    at = open_page(PAGE, {"cond_pa": "x", "cond_pb": "%ff", "cond_mode": "nope", "cond_step": "9", "cond_n": "7",
                          "cond_seed": "-1"})  # fmt: skip
    assert not at.exception
    assert metrics(at)["P(Rain | Cloud)"] == "0.5"
    assert at.segmented_control(key="cond_mode").value == "marginals"
