"""AppTest: the probability-rules page — axioms with Normalise, union, product, random variables, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core import probability as prob
from tests.app.primer_app import figures, latex, metrics, open_page, texts

PAGE = "probability_rules"


def tab(name: str, **query: str) -> object:
    return open_page(PAGE, {"rules_tab": name, **query})


def mosaic_areas(fig: dict) -> list[float]:
    """Areas of the mosaic's rectangles (width × height), sorted."""
    return sorted(t["width"][0] * t["y"][0] for t in fig["data"])


# ---- axioms ---------------------------------------------------------------------------------------------


def test_default_closet_satisfies_both_axioms() -> None:
    at = open_page(PAGE)
    assert at.title[0].value == "Probability rules"
    assert at.segmented_control(key="rules_exp").value == "closet"
    values = [at.number_input(key=f"rules_p_closet_{i}").value for i in range(10)]
    assert values == list(prob.LECTURE_CLOSET.p)
    assert r"&= 1\quad\checkmark" in latex(at)
    assert "Both axioms hold" in texts(at.success)
    assert not at.error


def test_axioms_tab_says_which_values_are_the_lecture_s() -> None:
    at = open_page(PAGE)
    assert at.number_input(key="rules_p_closet_3").label == "P(Dress)"
    assert at.number_input(key="rules_p_closet_3").value == 0
    note = texts(at.info)
    assert "**The lecture's values:** P(Dress) = 0 (never occurs), P(Shirt) = 0.1, P(Bag) = 0.05." in note
    assert "**Filled in by the app** so that Σ P(ω) = 1: P(T-shirt/top) = 0.2" in note
    assert r"&= 0.2 + 0.15 + 0.1 + 0 + 0.1 \\ &\quad + 0.05 + 0.1 + 0.15 + 0.05 + 0.1 \\ &= 1\quad\checkmark" in latex(at)
    at.segmented_control(key="rules_exp").set_value("weather").run()
    assert [at.number_input(key=f"rules_p_weather_{i}").value for i in range(4)] == [0.05, 0.4, 0.15, 0.4]
    note = texts(at.info)
    assert "**The lecture's values:** P(rain) = 0.05, P(sun) = 0.4." in note
    assert "**Filled in by the app** so that Σ P(ω) = 1: P(wind) = 0.15, P(cloud) = 0.4." in note
    at.segmented_control(key="rules_exp").set_value("coin").run()
    assert "**The lecture's values:** P(heads) = ½, P(tails) = ½." in texts(at.info)
    assert at.button(key="rules_dist_preset_0").label == "Lecture's + filled-in values"


def test_sum_above_one_is_flagged_and_normalise_fixes_it() -> None:
    at = open_page(PAGE)
    at.number_input(key="rules_p_closet_0").set_value(0.3).run()
    assert "The probabilities sum to 1.1, not 1" in texts(at.error)
    assert r"\text{✗}" in latex(at)
    at.button(key="rules_normalise").click().run()
    values = np.array([at.number_input(key=f"rules_p_closet_{i}").value for i in range(10)])
    expected = np.array((0.3,) + prob.LECTURE_CLOSET.p[1:]) / 1.1
    np.testing.assert_allclose(values, expected)
    assert not at.error
    assert "Both axioms hold" in texts(at.success)


def test_value_above_one_names_the_outcome() -> None:
    at = open_page(PAGE)
    at.segmented_control(key="rules_exp").set_value("weather").run()
    at.number_input(key="rules_p_weather_1").set_value(1.5).run()
    errors = texts(at.error)
    assert "P(sun) = 1.5 is above 1" in errors and "sum to 2.1, not 1" in errors
    at.button(key="rules_normalise").click().run()
    assert at.number_input(key="rules_p_weather_1").value == pytest.approx(1.5 / 2.1)
    assert not at.error


def test_negative_value_cannot_be_normalised() -> None:
    at = open_page(PAGE)
    at.segmented_control(key="rules_exp").set_value("coin").run()
    at.number_input(key="rules_p_coin_0").set_value(-0.2).run()
    assert "P(heads) = -0.2 is negative" in texts(at.error)
    assert not [b for b in at.button if b.key == "rules_normalise"]
    assert "Normalise is not possible here" in texts(at.caption)
    assert not at.exception


def test_presets_counts_then_normalise_give_the_lecture_values() -> None:
    at = open_page(PAGE)
    at.segmented_control(key="rules_exp").set_value("weather").run()
    at.button(key="rules_dist_preset_2").click().run()  # counts from 100 trials
    assert [at.number_input(key=f"rules_p_weather_{i}").value for i in range(4)] == [5, 40, 15, 40]
    assert "sum to 100, not 1" in texts(at.error)
    at.button(key="rules_normalise").click().run()
    assert [at.number_input(key=f"rules_p_weather_{i}").value for i in range(4)] == list(prob.WEATHER.p)
    at.button(key="rules_dist_preset_1").click().run()  # uniform
    assert [at.number_input(key=f"rules_p_weather_{i}").value for i in range(4)] == [0.25] * 4
    assert not at.error
    at.button(key="rules_dist_preset_0").click().run()  # the lecture's values
    assert [at.number_input(key=f"rules_p_weather_{i}").value for i in range(4)] == list(prob.WEATHER.p)


# ---- union ----------------------------------------------------------------------------------------------


def test_sum_rule_is_stated_as_if_and_only_if_p_of_the_intersection_is_zero() -> None:
    at = tab("Union")
    text = latex(at)
    assert (r"\begin{aligned} &P(A \cup B) = P(A) + P(B) \\ &\text{if and only if } P(A \cap B) = 0 "
            r"\\ &(\text{e.g. when } A \cap B = \varnothing) \end{aligned}") in text
    assert "In general, for any two events:" in texts(at.markdown)
    assert "only if A" not in text and r"\text{only if }" not in text
    assert r"P(A \cup B) = P(A) + P(B) - P(A \cap B)" in text


def test_union_of_disjoint_closet_events_adds() -> None:
    at = tab("Union")
    text = latex(at)
    assert r"A = \{\text{Shirt}\}, \quad B = \{\text{Bag}\}" in text.split("\n")
    assert r"A \cap B = \varnothing" in text.split("\n")
    assert r"P(A \cap B) &= 0 \\ P(A \cup B) &= P(A) + P(B) \\ &= 0.1 + 0.05 = 0.15\quad\checkmark" in text
    assert "A and B share no outcome (A ∩ B = ∅), so P(A ∩ B) = 0" in texts(at.caption)
    assert mosaic_areas(figures(at)["rules_union_closet"]) == pytest.approx(sorted([0.0, 0.1, 0.05, 0.85]))
    assert "P(Dress) = 0 (never occurs)" in texts(at.info)


@pytest.mark.parametrize("how", ["preset", "controls"])
def test_events_that_share_only_dress_still_add(how: str) -> None:
    at = tab("Union")
    if how == "preset":
        at.button(key="rules_union_preset_1").click().run()
    else:
        at.multiselect(key="rules_a").set_value(["Shirt", "Dress"]).run()
        at.multiselect(key="rules_b").set_value(["Dress", "Bag"]).run()
    text = latex(at)
    assert r"A \cap B = \{\text{Dress}\}" in text
    assert r"&= 0.1 + 0.05 = 0.15\quad\checkmark" in text and r"\text{✗}" not in text.split("Rain")[0]
    caption = texts(at.caption)
    assert ("A and B overlap in Dress, but P(Dress) = 0: it never occurs, so P(A ∩ B) = 0 and the simple sum still "
            "holds. The rule needs P(A ∩ B) = 0, not A ∩ B = ∅.") in caption
    assert "counted twice" not in caption


def test_union_of_overlapping_closet_events_counts_the_overlap_twice() -> None:
    at = tab("Union")
    at.button(key="rules_union_preset_2").click().run()
    assert at.multiselect(key="rules_a").value == ["T-shirt/top", "Shirt"]
    text = latex(at)
    assert r"P(A) + P(B) &= 0.4\quad\text{✗}" in text and r"P(A \cup B) &= 0.3" in text
    assert r"&= 0.3 + 0.1 - 0.1 \end{aligned}" in text
    assert "share Shirt: its probability 0.1 is counted twice" in texts(at.caption)
    at.button(key="rules_union_preset_0").click().run()
    assert r"&= 0.1 + 0.05 = 0.15\quad\checkmark" in latex(at)


def test_rain_or_sun_general_rule_and_impossible_inputs() -> None:
    at = tab("Union")
    assert "0.05 + 0.4 - 0.02 = 0.43" in latex(at)
    assert (r"P(\text{Rain}) + P(\text{Sun}) &= 0.45 \\ &\ne 0.43 = P(\text{Rain} \cup \text{Sun})"
            r"\quad\text{✗}") in latex(at)
    assert "The plain sum 0.45 counts the sun-showers twice" in texts(at.caption)
    assert "P(Rain) = 0.05 and P(Sun) = 0.4 are the lecture's" in texts(at.caption)
    areas = mosaic_areas(figures(at)["rules_union_weather"])
    assert areas == pytest.approx(sorted(prob.joint_from_marginals(0.05, 0.4, 0.02).ravel()))
    at.number_input(key="rules_both").set_value(0.0).run()
    assert "0.05 + 0.4 - 0 = 0.45" in latex(at)
    assert r"P(\text{Rain}) + P(\text{Sun}) &= 0.45 \\ &= P(\text{Rain} \cup \text{Sun})\quad\checkmark" in latex(at)
    assert "the simple sum is right" in texts(at.caption)
    at.number_input(key="rules_both").set_value(0.1).run()
    assert "P(Rain ∩ Sun) = 0.1 is larger than P(Rain) = 0.05" in texts(at.error)
    at.number_input(key="rules_rain").set_value(0.9).run()
    at.number_input(key="rules_sun").set_value(0.8).run()
    at.number_input(key="rules_both").set_value(0.05).run()
    assert "is above 1" in texts(at.error)
    assert not at.exception


# ---- product --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", [0.5, 0.3])
def test_product_rule_one_flip_fails_two_flips_hold(q: float) -> None:
    at = tab("Product")
    at.slider(key="rules_heads").set_value(q).run()
    text = latex(at)
    product = prob.fmt(q * (1 - q))
    one_flip = rf"P(A \cap B) &= 0 \\ P(A)\,P(B) &= {prob.fmt(q)} \cdot {prob.fmt(1 - q)} = {product}\quad\text{{✗}}"
    assert one_flip in text
    assert rf"P(A \cap B) &= P(\text{{HT}}) = {product}" in text
    assert rf"= {product}\quad\checkmark" in text
    assert r"A = \{\text{HH}, \text{HT}\}" in text and r"B = \{\text{HT}, \text{TT}\}" in text
    assert r"S^2 = \{\text{HH}, \text{HT}, \text{TH}, \text{TT}\}, \quad |S^2| = 4" in text
    assert r"A \cap B = \{\text{HT}\}" in text
    assert (r"\begin{aligned} &P(A \cap B) = P(A)\,P(B) \\ &\text{if and only if } A \text{ and } B "
            r"\text{ are independent} \end{aligned}") in text
    figs = figures(at)
    assert mosaic_areas(figs["rules_one_flip"]) == pytest.approx(sorted([0, 0, q, 1 - q]))
    two = sorted([q * (1 - q), q * q, (1 - q) * (1 - q), (1 - q) * q])
    assert mosaic_areas(figs["rules_two_flips"]) == pytest.approx(two)


# ---- random variables -----------------------------------------------------------------------------------


def test_heads_in_k_flips() -> None:
    at = tab("Random variables")
    text = latex(at)
    lines = text.split("\n")
    assert r"X : S^{3} \to \mathbb{R}" in lines
    assert r"P(X = x) = \sum_{\omega \in S^{3} \,:\, X(\omega) = x} P(\omega)" in lines
    assert r"S = \{\text{heads}, \text{tails}\}" in lines
    assert (r"S^{3} = \left\{\begin{array}{l}\text{HHH}, \text{HHT}, \text{HTH}, \text{HTT},\\ "
            r"\text{THH}, \text{THT}, \text{TTH}, \text{TTT}\end{array}\right\}") in lines
    assert r"|S^{3}| = |S|^{3} = 2^{3} = 8" in lines
    assert r"X(\omega_1,\dots,\omega_{3}) = \#\{i : \omega_i = \text{heads}\}" in text
    assert metrics(at)["E[X] (exact)"] == "1.5"
    assert r"E[X] &= 0 \cdot 0.125 + 1 \cdot 0.375 \\ &\quad + 2 \cdot 0.375 + 3 \cdot 0.125 \\ &= 1.5" in text
    at.slider(key="rules_k").set_value(10).run()
    assert metrics(at)["E[X] (exact)"] == "5"
    assert r"X : S^{10} \to \mathbb{R}" in latex(at) and r"|S^{10}| = |S|^{10} = 2^{10} = 1{,}024" in latex(at)
    assert r"\dots, \text{TTTTTTTTTT}\}" in latex(at)
    bars = figures(at)["rules_rv_chart"]["data"]
    assert bars[0]["x"] == list(range(11))
    np.testing.assert_allclose(bars[0]["y"], [math.comb(10, x) / 1024 for x in range(11)])
    assert sum(bars[1]["y"]) == pytest.approx(1.0)
    at.slider(key="rules_k").set_value(1).run()
    assert r"X : S \to \mathbb{R}" in latex(at) and r"X(\omega_1) = " in latex(at)
    assert r"S = \{\text{heads}, \text{tails}\}, \quad |S| = 2" in latex(at)
    assert metrics(at)["E[X] (exact)"] == "0.5"


def test_dice_and_footwear_and_sampling_controls() -> None:
    at = tab("Random variables")
    at.segmented_control(key="rules_rv").set_value("dice").run()
    assert metrics(at)["E[X] (exact)"] == "7"
    assert r"X : S^{2} \to \mathbb{R}" in latex(at) and r"|S^{2}| = |S|^{2} = 6^{2} = 36" in latex(at)
    assert r"S^{2} = \{\text{(1,1)}, \text{(1,2)}, \text{(1,3)}, \text{(1,4)}, \dots, \text{(6,6)}\}" in latex(at)
    mean = metrics(at)["Mean of 1,000 samples"]
    at.select_slider(key="rules_rv_n").set_value(100_000).run()
    assert abs(float(metrics(at)["Mean of 100,000 samples"]) - 7) < 5 * math.sqrt(35 / 6 / 100_000)
    at.select_slider(key="rules_rv_n").set_value(1_000).run()
    at.button(key="rules_rv_rerun").click().run()
    assert at.number_input(key="rules_rv_seed").value == 1
    assert metrics(at)["Mean of 1,000 samples"] != mean
    at.segmented_control(key="rules_rv").set_value("footwear").run()
    assert metrics(at)["E[X] (exact)"] == "0.3"
    assert r"E[X] &= 0 \cdot 0.7 + 1 \cdot 0.3 \\ &= 0.3" in latex(at)
    assert r"X : S \to \mathbb{R}" in latex(at).split("\n") and r"S^{" not in latex(at)
    assert "P(Dress) = 0 (never occurs)" in texts(at.info)
    legend = [t.get("name") for t in figures(at)["rules_rv_chart"]["data"]]
    assert "E[X] = 0.3" in legend
    assert not at.exception


@pytest.mark.parametrize("name", ["Axioms", "Union", "Product", "Random variables"])
def test_every_tab_in_lecture_mode(name: str) -> None:
    at = open_page(PAGE, {"rules_tab": name, "lecture": "true"})
    assert not at.exception
    assert at.sidebar.toggle(key="lecture").value is True
    assert at.get("plotly_chart") or name == "Axioms"


def test_malformed_url_falls_back_to_defaults() -> None:
    at = open_page(PAGE, {"rules_tab": "garbage", "rules_exp": "zzz", "rules_p_closet_0": "abc", "rules_k": "99",
                          "rules_rv": "nope", "rules_a": "Sock", "rules_both": "NaN?"})  # fmt: skip
    assert not at.exception
    assert at.segmented_control(key="rules_exp").value == "closet"
    assert at.number_input(key="rules_p_closet_0").value == 0.2
    at = tab("Random variables", rules_k="99", rules_rv="nope")
    assert at.slider(key="rules_k").value == 3
    assert at.segmented_control(key="rules_rv").value == "heads"
