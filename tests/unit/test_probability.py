"""core.probability: the lecture's numbers exactly, independent recomputation, and property tests."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core import probability as prob

OFFICIAL_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]  # fmt: skip

unit = st.floats(0, 1, allow_nan=False)
weights = arrays(np.float64, st.integers(1, 8), elements=st.floats(0, 10, allow_nan=False)).filter(
    lambda w: w.sum() > 1e-6
)


@st.composite
def distribution_and_two_events(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p = prob.normalise(draw(weights))
    mask = arrays(np.bool_, len(p))
    return p, draw(mask), draw(mask)


@st.composite
def possible_pair(draw: st.DrawFn) -> tuple[float, float, float]:
    """P(A), P(B), P(A∩B) of two real events: from a random 2×2 joint table."""
    cells = prob.normalise(draw(arrays(np.float64, 4, elements=st.floats(0, 1))).clip(0) + 1e-9).reshape(2, 2)
    return prob.marginals(cells)


# ---- the lecture's experiments --------------------------------------------------------------------------


def test_sample_spaces_are_the_lecture_s() -> None:
    assert prob.COIN.outcomes == ("heads", "tails")
    assert prob.WEATHER.outcomes == ("rain", "sun", "wind", "cloud")
    assert list(prob.LECTURE_CLOSET.outcomes) == OFFICIAL_CLASSES
    assert list(prob.UNIFORM_CLOSET.outcomes) == OFFICIAL_CLASSES


def test_lecture_numbers() -> None:
    weather = dict(zip(prob.WEATHER.outcomes, prob.WEATHER.p, strict=True))
    closet = dict(zip(prob.LECTURE_CLOSET.outcomes, prob.LECTURE_CLOSET.p, strict=True))
    assert prob.COIN.p == (0.5, 0.5)
    assert (weather["rain"], weather["sun"], weather["cloud"]) == (0.05, 0.4, 0.4)
    assert (closet["Shirt"], closet["Bag"], closet["Dress"]) == (0.1, 0.05, 0.0)
    assert prob.UNIFORM_CLOSET.p == (0.1,) * 10


def test_which_values_are_the_lecture_s_and_which_the_app_filled_in() -> None:
    assert prob.COIN.from_lecture == ("heads", "tails") and prob.COIN.filled_in == ()
    assert prob.COIN.written("heads") == "½" and prob.COIN.written("tails", tex=True) == r"\tfrac{1}{2}"
    assert set(prob.WEATHER.from_lecture) == {"rain", "sun"}
    assert prob.WEATHER.filled_in == ("wind", "cloud")
    assert prob.WEATHER.written("rain") == "0.05" and prob.WEATHER.written("cloud") == "0.4"
    assert set(prob.LECTURE_CLOSET.from_lecture) == {"Shirt", "Bag", "Dress"}
    assert len(prob.LECTURE_CLOSET.filled_in) == 7
    assert prob.LECTURE_CLOSET.never == ("Dress",)
    filled = [p for w, p in zip(prob.LECTURE_CLOSET.outcomes, prob.LECTURE_CLOSET.p, strict=True)
              if w in prob.LECTURE_CLOSET.filled_in]  # fmt: skip
    assert math.isclose(sum(filled), 0.85)
    assert prob.UNIFORM_CLOSET.from_lecture == () and prob.UNIFORM_CLOSET.never == ()
    assert prob.DIE.written("3") == "1/6"


def test_weather_matches_the_conditional_example_s_p_cloud() -> None:
    weather = dict(zip(prob.WEATHER.outcomes, prob.WEATHER.p, strict=True))
    assert weather["cloud"] == 0.4
    assert prob.conditional(0.2, weather["cloud"]) == 0.5  # P(Rain | Cloud) = 0.2 / 0.4


def test_experiment_rejects_bad_provenance() -> None:
    with pytest.raises(ValueError, match="snow is not an outcome"):
        prob.Experiment("bad", ("a", "b"), (0.5, 0.5), from_lecture=("snow",))
    with pytest.raises(ValueError, match="1/3 is not 0.5"):
        prob.Experiment("bad", ("a", "b"), (0.5, 0.5), fractions=((1, 3), None))
    with pytest.raises(ValueError, match="2 outcomes but 1 fractions"):
        prob.Experiment("bad", ("a", "b"), (0.5, 0.5), fractions=((1, 2),))


@pytest.mark.parametrize("experiment", [prob.COIN, prob.WEATHER, prob.LECTURE_CLOSET, prob.UNIFORM_CLOSET, prob.DIE])
def test_experiments_satisfy_the_axioms(experiment: prob.Experiment) -> None:
    assert prob.distribution_problems(experiment.p, experiment.outcomes) == []
    assert math.isclose(sum(experiment.p), 1.0)
    assert all(0 <= p <= 1 for p in experiment.p)


def test_experiment_rejects_an_impossible_distribution() -> None:
    with pytest.raises(ValueError, match="sum to 1.2"):
        prob.Experiment("bad", ("a", "b"), (0.6, 0.6))
    with pytest.raises(ValueError, match="2 outcomes but 1 probabilities"):
        prob.Experiment("bad", ("a", "b"), (1.0,))


def test_fmt_writes_probabilities_as_the_lecture() -> None:
    assert prob.fmt(0.1 + 0.05) == "0.15"
    assert prob.fmt(0.05 + 0.4) == "0.45"
    assert prob.fmt(-0.0) == "0"
    assert prob.fmt(1 / 3) == "0.3333"
    assert prob.fmt(float("nan")) == "nan"


# ---- axioms ---------------------------------------------------------------------------------------------


def test_distribution_problems_name_what_breaks() -> None:
    names = ("rain", "sun", "wind", "cloud")
    assert prob.distribution_problems([0.05, 0.4, 0.15, 0.4], names) == []
    (negative, total) = prob.distribution_problems([-0.1, 0.4, 0.15, 0.4], names)
    assert "P(rain) = -0.1 is negative" in negative
    assert "sum to 0.85, not 1" in total
    (above,) = prob.distribution_problems([1.2, 0, 0, -0.2], names)[:1]
    assert "P(rain) = 1.2 is above 1" in above
    problems = prob.distribution_problems([float("nan"), 0.4, 0.15, 0.4], names)
    assert problems == ["P(rain) is not a number: enter a value between 0 and 1."]
    assert prob.distribution_problems([0.1] * 10, [str(i) for i in range(10)]) == []  # 0.1·10 ≠ 1.0 in floats


@given(weights)
def test_normalise_sums_to_one_and_keeps_ratios(w: np.ndarray) -> None:
    p = prob.normalise(w)
    assert math.isclose(p.sum(), 1.0, rel_tol=1e-12)
    np.testing.assert_allclose(p * w.sum(), w, rtol=1e-12, atol=1e-300)
    assert prob.distribution_problems(p, [str(i) for i in range(len(p))]) == []


def test_normalise_counts_gives_the_lecture_values() -> None:
    np.testing.assert_allclose(prob.normalise([5, 40, 15, 40]), prob.WEATHER.p)


@pytest.mark.parametrize(
    ("values", "message"),
    [([0.5, -0.1], "negative"), ([0.0, 0.0], "all values are 0"), ([0.5, float("nan")], "not a number")],
)
def test_normalise_refuses_what_division_cannot_fix(values: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        prob.normalise(values)


# ---- events ---------------------------------------------------------------------------------------------


def test_event_probability_sums_its_outcomes() -> None:
    closet = prob.LECTURE_CLOSET
    mask = prob.event_mask(closet.outcomes, ["Shirt", "Bag"])
    assert mask.tolist() == [w in ("Shirt", "Bag") for w in OFFICIAL_CLASSES]
    assert prob.event_probability(closet.probabilities, mask) == pytest.approx(0.15, abs=1e-15)
    footwear = prob.event_mask(closet.outcomes, prob.FOOTWEAR)
    assert prob.event_probability(closet.probabilities, footwear) == pytest.approx(0.05 + 0.15 + 0.1)
    assert prob.event_probability(closet.probabilities, prob.event_mask(closet.outcomes, [])) == 0.0


def test_event_mask_rejects_an_unknown_outcome() -> None:
    with pytest.raises(ValueError, match="snow is not an outcome"):
        prob.event_mask(prob.WEATHER.outcomes, ["snow"])


@given(distribution_and_two_events())
def test_union_rule_holds_for_any_two_events(case: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    p, a, b = case
    p_a, p_b = prob.event_probability(p, a), prob.event_probability(p, b)
    p_ab, p_union = prob.event_probability(p, a & b), prob.event_probability(p, a | b)
    assert p_union == pytest.approx(p_a + p_b - p_ab, abs=1e-12)
    assert prob.event_probability(p, a) + prob.event_probability(p, ~a) == pytest.approx(1.0)
    if not np.any(a & b):
        assert p_union == pytest.approx(p_a + p_b, abs=1e-12)


# ---- union and conditional ------------------------------------------------------------------------------


def test_union_lecture_examples() -> None:
    assert prob.union(0.1, 0.05, 0.0) == pytest.approx(0.15)  # Shirt ∪ Bag: disjoint
    assert prob.union(0.05, 0.4, 0.0) == pytest.approx(0.45)
    assert prob.union(0.05, 0.4, 0.02) == pytest.approx(0.43)  # sun-showers counted once
    with pytest.raises(ValueError, match="larger than P"):
        prob.union(0.05, 0.4, 0.1)


def test_a_probability_of_one_up_to_rounding_is_a_probability() -> None:
    assert prob.pair_problems(1.0 + 2**-52, 0.5, 0.5) == []
    assert prob.sum_rule_holds(1.0 + 2**-52, 0.0, 0.0)
    (msg,) = prob.pair_problems(1.001, 0.5, 0.5)
    assert "P(A) = 1.001 is above 1" in msg


def test_sum_rule_holds_iff_p_of_the_intersection_is_zero_lecture_examples() -> None:
    closet = prob.LECTURE_CLOSET

    def holds(a: list[str], b: list[str]) -> bool:
        cells = prob.joint_of_events(closet.probabilities, prob.event_mask(closet.outcomes, a),
                                     prob.event_mask(closet.outcomes, b))  # fmt: skip
        return prob.sum_rule_holds(*prob.marginals(cells))

    assert holds(["Shirt"], ["Bag"])  # 0.1 + 0.05 = 0.15, disjoint
    assert holds(["Shirt", "Dress"], ["Dress", "Bag"])  # they overlap in Dress, but P(Dress) = 0
    assert not holds(["T-shirt/top", "Shirt"], ["Shirt"])
    assert not prob.sum_rule_holds(0.05, 0.4, 0.02)  # rain and sun on one walk
    assert prob.sum_rule_holds(0.05, 0.4, 0.0)
    with pytest.raises(ValueError, match="larger than P"):
        prob.sum_rule_holds(0.05, 0.4, 0.1)


@given(distribution_and_two_events())
def test_sum_rule_holds_exactly_when_the_simple_sum_is_right(case: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    p, a, b = case
    p_a, p_b, p_ab = prob.marginals(prob.joint_of_events(p, a, b))
    p_union = prob.event_probability(p, a | b)
    assert prob.sum_rule_holds(p_a, p_b, p_ab) == (p_ab == 0)
    if prob.sum_rule_holds(p_a, p_b, p_ab):
        assert p_union == pytest.approx(p_a + p_b, abs=1e-12)
    else:
        assert p_a + p_b - p_union == pytest.approx(p_ab, abs=1e-12) and p_ab > 0
    if not np.any(a & b):
        assert prob.sum_rule_holds(p_a, p_b, p_ab)  # A ∩ B = ∅ is one way to get P(A ∩ B) = 0


def test_pair_problems_say_what_is_impossible_with_names() -> None:
    assert prob.pair_problems(0.25, 0.4, 0.2, "Rain", "Cloud") == []
    (msg,) = prob.pair_problems(0.1, 0.4, 0.2, "Rain", "Cloud")
    assert "P(Rain ∩ Cloud) = 0.2 is larger than P(Rain) = 0.1" in msg
    assert "Lower P(Rain ∩ Cloud) to at most 0.1 or raise P(Rain)." in msg
    (msg,) = prob.pair_problems(0.9, 0.8, 0.5, "A", "B")
    assert "P(A ∪ B) = P(A) + P(B) − P(A ∩ B) = 1.2 is above 1" in msg
    assert "at least 0.7" in msg
    (msg,) = prob.pair_problems(1.5, 0.4, 0.2)
    assert "P(A) = 1.5 is above 1" in msg
    assert len(prob.pair_problems(float("nan"), -1, 0.2)) == 2


def test_conditional_lecture_examples() -> None:
    assert prob.conditional(0.2, 0.4) == pytest.approx(0.5)  # P(Rain | Cloud)
    assert prob.conditional(0.0, 0.5) == 0.0  # P(Heads | Tails)
    assert prob.conditional(0.15, 0.3) == pytest.approx(0.5)  # P(Sneaker | Footwear)


@pytest.mark.parametrize(
    ("p_ab", "p_b", "message"),
    [
        (0.0, 0.0, "undefined: P\\(B\\) = 0"),
        (0.3, 0.2, "P\\(A ∩ B\\) = 0.3 is larger than P\\(B\\) = 0.2"),
        (-0.1, 0.5, "P\\(A ∩ B\\) = -0.1 is negative"),
        (0.2, 1.5, "P\\(B\\) = 1.5 is above 1"),
        (float("nan"), 0.5, "P\\(A ∩ B\\) is not a number"),
        (0.1, float("inf"), "P\\(B\\) is not a number"),
    ],
)
def test_conditional_refuses_impossible_input_in_words(p_ab: float, p_b: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        prob.conditional(p_ab, p_b)


@given(possible_pair())
def test_conditional_is_a_probability_and_inverts_the_product(pair: tuple[float, float, float]) -> None:
    _, p_b, p_ab = pair
    if p_b == 0:
        return
    p = prob.conditional(p_ab, p_b)
    assert 0 <= p <= 1
    assert p * p_b == pytest.approx(p_ab, abs=1e-12)


# ---- joint tables ---------------------------------------------------------------------------------------


def test_joint_from_marginals_lecture() -> None:
    cells = prob.joint_from_marginals(0.25, 0.4, 0.2)
    np.testing.assert_allclose(cells, [[0.2, 0.05], [0.2, 0.55]])
    assert prob.joint_problems(cells, "Rain", "Cloud") == []
    assert prob.marginals(cells) == pytest.approx((0.25, 0.4, 0.2))


@given(possible_pair())
def test_joint_and_marginals_round_trip(pair: tuple[float, float, float]) -> None:
    cells = prob.joint_from_marginals(*pair)
    assert cells.sum() == pytest.approx(1.0)
    assert prob.marginals(cells) == pytest.approx(pair, abs=1e-12)
    assert prob.pair_problems(*pair) == []


def test_joint_from_marginals_and_from_cells_lecture() -> None:
    joint = prob.Joint.from_marginals("Rain", "Cloud", 0.25, 0.4, 0.2)
    assert (joint.a, joint.b, joint.problems) == ("Rain", "Cloud", ())
    np.testing.assert_allclose(joint.cells, [[0.2, 0.05], [0.2, 0.55]])
    assert (joint.p_a, joint.p_b, joint.p_ab) == pytest.approx((0.25, 0.4, 0.2))
    assert prob.conditional(joint.p_ab, joint.p_b) == pytest.approx(0.5)  # P(Rain | Cloud) = 0.2 / 0.4
    coin = prob.Joint.from_marginals("Heads", "Tails", 0.5, 0.5, 0.0)
    assert prob.conditional(coin.p_ab, coin.p_b) == 0.0  # P(Heads | Tails) = 0 / 0.5
    same = prob.Joint.from_cells("Rain", "Cloud", [0.2, 0.05, 0.2, 0.55])
    np.testing.assert_allclose(same.cells, joint.cells)
    assert same.problems == ()


def test_joint_reports_impossible_input_in_words() -> None:
    (msg,) = prob.Joint.from_marginals("Rain", "Cloud", 0.05, 0.4, 0.2).problems
    assert "P(Rain ∩ Cloud) = 0.2 is larger than P(Rain) = 0.05" in msg
    (msg,) = prob.Joint.from_cells("Rain", "Cloud", [[0.2, 0.05], [0.2, 0.45]]).problems
    assert "sum to 0.9, not 1" in msg
    joint = prob.Joint.from_cells("A", "B", [[0.3, -0.1], [0.4, 0.4]])
    assert joint.problems == ("P(A ∩ not B) = -0.1 is negative: a probability is at least 0.",)
    assert joint.p_a == pytest.approx(0.2)


@given(possible_pair())
def test_joint_round_trips_its_marginals(pair: tuple[float, float, float]) -> None:
    joint = prob.Joint.from_marginals("A", "B", *pair)
    assert (joint.p_a, joint.p_b, joint.p_ab) == pytest.approx(pair, abs=1e-12)
    again = prob.Joint.from_cells("A", "B", joint.cells)
    assert again.problems == () and again.cells.sum() == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Rain", "Rain"), ("  Ankle boot ", "Ankle boot"), ("T-shirt/top", "T-shirt/top"), ("it's 3.5", "it's 3.5"),
     (r"Snow $\frac{1}{0}$_x", "Snow frac10x"), ("<b>x</b>", "bx/b"), ("", "A"), ("$$", "A"),
     ("a" * 30, "a" * 20), ("Régen", "Régen")],
)  # fmt: skip
def test_event_name_keeps_letters_and_drops_latex_and_html(text: str, expected: str) -> None:
    assert prob.event_name(text, "A") == expected


@given(st.text(max_size=60))
def test_event_name_is_always_safe_and_short(text: str) -> None:
    name = prob.event_name(text, "B")
    assert 1 <= len(name) <= 20
    assert not set(name) & set("\\$_{}^<>&%#~")


def test_joint_problems_flag_cells() -> None:
    (msg,) = prob.joint_problems([[0.2, 0.05], [0.2, 0.45]], "Rain", "Cloud")
    assert "sum to 0.9, not 1" in msg
    problems = prob.joint_problems(prob.joint_from_marginals(0.1, 0.4, 0.2), "Rain", "Cloud")
    assert problems == ["P(Rain ∩ not Cloud) = -0.1 is negative: a probability is at least 0."]


def test_two_flips_sample_space_and_independence() -> None:
    flips = prob.two_flips()
    assert flips.outcomes == ("HH", "HT", "TH", "TT")
    np.testing.assert_allclose(flips.p, [0.25] * 4)
    assert flips.members(flips.mask_a) == ["HH", "HT"]  # heads on the 1st
    assert flips.members(flips.mask_b) == ["HT", "TT"]  # tails on the 2nd
    assert flips.members(flips.mask_a & flips.mask_b) == ["HT"]
    np.testing.assert_allclose(flips.cells, [[0.25, 0.25], [0.25, 0.25]])
    assert flips.independent
    with pytest.raises(ValueError, match="P\\(heads\\) = 1.5 is above 1"):
        prob.two_flips(1.5)


@given(st.floats(0, 1))
def test_two_flips_are_independent_for_any_coin(q: float) -> None:
    flips = prob.two_flips(q)
    assert flips.independent
    p_a, p_b, p_ab = prob.marginals(flips.cells)
    assert (p_a, p_b, p_ab) == pytest.approx((q, 1 - q, q * (1 - q)), abs=1e-12)
    assert flips.p.sum() == pytest.approx(1.0)


def test_one_flip_heads_and_tails_are_not_independent() -> None:
    cells = prob.joint_of_events(prob.COIN.probabilities, [True, False], [False, True])
    p_a, p_b, p_ab = prob.marginals(cells)
    assert (p_ab, p_a * p_b) == (0.0, 0.25)  # P(Heads ∩ Tails) = 0 ≠ 0.25 = P(Heads) P(Tails)
    assert not prob.independent(p_a, p_b, p_ab)


def test_sequence_names_follow_enumerate_product() -> None:
    assert prob.sequence_names("HT", 2) == ["HH", "HT", "TH", "TT"]
    assert prob.sequence_names("123456", 2, sep=",", paren=True)[:2] == ["(1,1)", "(1,2)"]
    idx, _ = prob.enumerate_product([0.5, 0.5], 3)
    assert prob.sequence_names("HT", 3) == ["".join("HT"[i] for i in row) for row in idx]
    with pytest.raises(ValueError, match="at least 1"):
        prob.sequence_names("HT", 0)


def test_random_variable_domains_are_s_to_the_k() -> None:
    heads = prob.heads_in_flips(3)
    assert heads.domain_tex == "S^{3}" and heads.domain_size == 8
    assert heads.domain_names() == ["HHH", "HHT", "HTH", "HTT", "THH", "THT", "TTH", "TTT"]
    assert prob.heads_in_flips(1).domain_tex == "S" and prob.heads_in_flips(1).domain_names() == ["heads", "tails"]
    assert prob.heads_in_flips(1).definition.startswith(r"X(\omega_1) =")
    dice = prob.sum_of_two_dice()
    assert dice.domain_tex == "S^{2}" and dice.domain_size == 36 and dice.domain_names()[-1] == "(6,6)"
    footwear = prob.is_footwear()
    assert footwear.domain_tex == "S" and footwear.domain_names() == list(prob.LECTURE_CLOSET.outcomes)
    assert prob.heads_in_flips(10).domain_size == 1024


def test_joint_of_events_one_flip_and_two_flips() -> None:
    one = prob.joint_of_events(prob.COIN.probabilities, [True, False], [False, True])
    np.testing.assert_allclose(one, [[0.0, 0.5], [0.5, 0.0]])
    assert not prob.independent(*prob.marginals(one))
    idx, p = prob.enumerate_product(prob.COIN.probabilities, 2)
    two = prob.joint_of_events(p, idx[:, 0] == 0, idx[:, 1] == 1)
    np.testing.assert_allclose(two, [[0.25, 0.25], [0.25, 0.25]])
    assert prob.independent(*prob.marginals(two))


@given(distribution_and_two_events())
def test_joint_of_events_is_a_distribution(case: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    p, a, b = case
    cells = prob.joint_of_events(p, a, b)
    assert cells.sum() == pytest.approx(1.0)
    p_a, p_b, p_ab = prob.marginals(cells)
    assert (p_a, p_b, p_ab) == pytest.approx(
        (p[a].sum(), p[b].sum(), p[a & b].sum()), abs=1e-12
    )


# ---- products and random variables ----------------------------------------------------------------------


def test_enumerate_product_lists_every_outcome_in_order() -> None:
    idx, p = prob.enumerate_product([0.3, 0.7], 3)
    assert idx.tolist() == [list(t) for t in itertools.product(range(2), repeat=3)]
    np.testing.assert_allclose(p, [math.prod([0.3, 0.7][i] for i in t) for t in itertools.product(range(2), repeat=3)])
    with pytest.raises(ValueError):
        prob.enumerate_product([0.5, 0.5], 0)


@pytest.mark.parametrize("k", range(1, 11))
@pytest.mark.parametrize("q", [0.5, 0.3])
def test_heads_in_flips_is_binomial(k: int, q: float) -> None:
    values, pmf = prob.heads_in_flips(k, q).distribution()
    assert values.tolist() == list(range(k + 1))
    np.testing.assert_allclose(pmf, [math.comb(k, x) * q**x * (1 - q) ** (k - x) for x in range(k + 1)])
    assert prob.expectation(values, pmf) == pytest.approx(k * q)


def test_sum_of_two_dice() -> None:
    values, pmf = prob.sum_of_two_dice().distribution()
    assert values.tolist() == list(range(2, 13))
    np.testing.assert_allclose(pmf * 36, [6 - abs(s - 7) for s in range(2, 13)])
    assert prob.expectation(values, pmf) == pytest.approx(7.0)


def test_is_footwear_indicator() -> None:
    values, pmf = prob.is_footwear().distribution()
    closet = dict(zip(prob.LECTURE_CLOSET.outcomes, prob.LECTURE_CLOSET.p, strict=True))
    p_footwear = closet["Sandal"] + closet["Sneaker"] + closet["Ankle boot"]
    assert values.tolist() == [0.0, 1.0]
    np.testing.assert_allclose(pmf, [1 - p_footwear, p_footwear])
    assert prob.expectation(values, pmf) == pytest.approx(0.3)
    values, pmf = prob.is_footwear(prob.UNIFORM_CLOSET).distribution()
    np.testing.assert_allclose(pmf, [0.7, 0.3])


@pytest.mark.parametrize("rv", [prob.heads_in_flips(4), prob.sum_of_two_dice(), prob.is_footwear()])
def test_sampled_random_variable_matches_its_distribution(rv: prob.RandomVariable) -> None:
    values, pmf = rv.distribution()
    observed, mean = rv.observed(200_000, seed=3)
    assert observed.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(observed, pmf, atol=5 * np.sqrt(0.25 / 200_000))
    sd = np.sqrt(np.dot(pmf, (values - prob.expectation(values, pmf)) ** 2))
    assert abs(mean - prob.expectation(values, pmf)) < 5 * sd / np.sqrt(200_000)


# ---- simulation -----------------------------------------------------------------------------------------


def test_sample_is_seeded_and_shaped() -> None:
    a = prob.sample(prob.WEATHER.probabilities, 1000, seed=7, k=2)
    assert a.shape == (1000, 2)
    assert a.min() >= 0 and a.max() <= 3
    np.testing.assert_array_equal(a, prob.sample(prob.WEATHER.probabilities, 1000, seed=7, k=2))
    assert not np.array_equal(a, prob.sample(prob.WEATHER.probabilities, 1000, seed=8, k=2))


def test_frequencies_converge_to_probabilities() -> None:
    n = 400_000
    freq = prob.frequencies(prob.sample(prob.WEATHER.probabilities, n, seed=0), 4)
    assert freq.sum() == pytest.approx(1.0)
    sigma = np.sqrt(prob.WEATHER.probabilities * (1 - prob.WEATHER.probabilities) / n)
    assert np.all(np.abs(freq - prob.WEATHER.probabilities) < 5 * sigma)


@settings(max_examples=50)
@given(arrays(np.float64, st.integers(2, 6), elements=st.sampled_from([0.0, 0.5, 1.0, 2.0])).filter(
    lambda w: w.sum() > 0), st.integers(0, 2**31 - 1))  # fmt: skip
def test_sample_never_draws_an_impossible_outcome(w: np.ndarray, seed: int) -> None:
    draws = prob.sample(prob.normalise(w), 2000, seed)
    assert np.all(w[draws] > 0)


def test_running_frequency_matches_a_direct_count() -> None:
    rng = np.random.default_rng(1)
    hits, given_ = rng.random(5000) < 0.3, rng.random(5000) < 0.4
    ns, freq = prob.running_frequency(hits)
    assert ns[0] == 1 and ns[-1] == 5000 and np.all(np.diff(ns) > 0)
    np.testing.assert_allclose(freq, [hits[:n].mean() for n in ns])
    ns, cond = prob.running_frequency(hits, given=given_)
    expected = [(hits[:n] & given_[:n]).sum() / given_[:n].sum() if given_[:n].any() else np.nan for n in ns]
    np.testing.assert_allclose(cond, expected)


def test_running_frequency_is_nan_before_the_first_given_trial() -> None:
    ns, freq = prob.running_frequency([True, True, False, True], given=[False, False, True, True], points=4)
    assert ns.tolist() == [1, 2, 3, 4]
    assert np.isnan(freq[:2]).all()
    assert freq[2:].tolist() == [0.0, 0.5]


def test_binomial_band() -> None:
    low, high = prob.binomial_band(0.5, [1, 100, 10_000])
    np.testing.assert_allclose(high - 0.5, [0.5, 1.96 * 0.05, 1.96 * 0.005])
    np.testing.assert_allclose(low, [0.0, 0.5 - 0.098, 0.5 - 0.0098])


def test_sample_joint_counts_settle_on_the_conditional() -> None:
    cells = prob.joint_from_marginals(0.25, 0.4, 0.2)
    a, b = prob.sample_joint(cells, 400_000, seed=0)
    observed = [[(a & b).mean(), (a & ~b).mean()], [(~a & b).mean(), (~a & ~b).mean()]]
    np.testing.assert_allclose(observed, cells, atol=5 * np.sqrt(0.25 / 400_000))
    assert (a & b).sum() / b.sum() == pytest.approx(prob.conditional(0.2, 0.4), abs=0.005)
    never_both_a, never_both_b = prob.sample_joint([[0, 0.5], [0.5, 0]], 10_000, seed=0)
    assert not np.any(never_both_a & never_both_b)


@given(unit, st.floats(1e-6, 1))
def test_independent_means_conditioning_changes_nothing(p_a: float, p_b: float) -> None:
    assert prob.independent(p_a, p_b, p_a * p_b)
    cells = prob.joint_from_marginals(p_a, p_b, p_a * p_b)
    assert prob.conditional(cells[0, 0], p_b) == pytest.approx(p_a, abs=1e-9)
