"""core.softmax: sums to 1, shift invariance, temperature limits, the stable form vs the naive one."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core.probability import SUM_TOL
from core.softmax import (
    SIMPLEX_CORNERS,
    log_softmax,
    logit_path,
    logits_of,
    naive_softmax,
    probability_check,
    saturated,
    sigmoid,
    simplex_xy,
    softmax,
    temperature_path,
)

logit_vectors = arrays(
    np.float64, st.integers(1, 12), elements=st.floats(-500, 500, allow_nan=False, allow_infinity=False)
)
temperatures = st.floats(0.05, 50.0)


def by_definition(z: list[float]) -> list[float]:
    """e^{z_i} / Σ_j e^{z_j} with the standard library (fine for small logits)."""
    e = [math.exp(v) for v in z]
    return [v / sum(e) for v in e]


def test_lecture_style_example_matches_the_definition() -> None:
    z = [2.0, 1.0, 0.1]
    np.testing.assert_allclose(softmax(z), by_definition(z), rtol=1e-15)
    np.testing.assert_allclose(softmax(z), [0.6590011388859679, 0.2424329707047139, 0.09856589040931818])


@given(logit_vectors, temperatures)
def test_outputs_are_probabilities_that_sum_to_one(z: np.ndarray, t: float) -> None:
    f = softmax(z, t)
    assert np.all(f >= 0) and np.all(f <= 1)
    assert math.isclose(f.sum(), 1.0, abs_tol=1e-12)


@given(logit_vectors, st.floats(-1e4, 1e4), temperatures)
def test_shift_invariance(z: np.ndarray, c: float, t: float) -> None:
    np.testing.assert_allclose(softmax(z + c, t), softmax(z, t), atol=1e-9)


@given(arrays(np.float64, (4, 5), elements=st.floats(-50, 50)))
def test_axis_argument_normalises_along_that_axis(z: np.ndarray) -> None:
    np.testing.assert_allclose(softmax(z, axis=0).sum(axis=0), np.ones(5))
    np.testing.assert_allclose(softmax(z, axis=0), softmax(z.T).T)


def test_temperature_divides_the_logits() -> None:
    z = np.array([3.0, -1.0, 0.5])
    np.testing.assert_allclose(softmax(z, temperature=2.5), by_definition(list(z / 2.5)), rtol=1e-14)


@given(arrays(np.float64, st.integers(2, 10), elements=st.floats(-10, 10), unique=True))
def test_small_temperature_gives_the_one_hot_argmax(z: np.ndarray) -> None:
    gap = np.diff(np.sort(z))[-1]  # distance between the largest logit and the runner-up
    assume(gap > 1e-6)
    f = softmax(z, temperature=gap / 50)  # e^{-50} ≈ 2e-22: below float64 rounding of 1
    np.testing.assert_allclose(f, np.eye(z.size)[np.argmax(z)], atol=1e-20)


@given(arrays(np.float64, st.integers(2, 10), elements=st.floats(-10, 10)))
def test_large_temperature_gives_uniform(z: np.ndarray) -> None:
    np.testing.assert_allclose(softmax(z, temperature=1e9), np.full(z.size, 1 / z.size), rtol=1e-7)


def test_tiny_temperature_with_huge_logits_does_not_overflow() -> None:
    np.testing.assert_array_equal(softmax([1000.0, 999.0, 998.0], temperature=1e-300), [1.0, 0.0, 0.0])


def test_naive_form_overflows_where_the_stable_form_is_right() -> None:
    z = [1000.0, 999.0, 998.0]
    naive = naive_softmax(z)
    assert np.all(np.isnan(naive))  # e^1000 = inf, inf / inf = nan
    expected = by_definition([0.0, -1.0, -2.0])  # shift invariance: subtract 1000 by hand
    np.testing.assert_allclose(softmax(z), expected, rtol=1e-15)
    np.testing.assert_allclose(naive_softmax([0.0, -1.0, -2.0]), expected, rtol=1e-15)


def test_naive_form_underflows_for_very_negative_logits() -> None:
    assert np.all(np.isnan(naive_softmax([-1000.0, -1001.0])))  # 0 / 0
    np.testing.assert_allclose(softmax([-1000.0, -1001.0]), by_definition([0.0, -1.0]))


@given(arrays(np.float64, st.integers(1, 12), elements=st.floats(-300, 300)), temperatures)
def test_log_softmax_is_log_of_softmax_where_finite(z: np.ndarray, t: float) -> None:
    f = softmax(z, t)
    finite = f > 1e-300
    np.testing.assert_allclose(log_softmax(z, t)[finite], np.log(f[finite]), rtol=1e-9, atol=1e-12)


def test_log_softmax_stays_finite_where_softmax_underflows() -> None:
    ls = log_softmax([0.0, -1000.0])
    assert softmax([0.0, -1000.0])[1] == 0.0
    np.testing.assert_allclose(ls, [-math.log1p(math.exp(-1000.0)), -1000.0])


def test_minus_infinity_rules_a_class_out_and_nan_propagates() -> None:
    np.testing.assert_array_equal(softmax([0.0, -np.inf, 0.0]), [0.5, 0.0, 0.5])
    assert np.all(np.isnan(softmax([np.nan, 1.0])))


def test_integer_logits_and_float32_dtype() -> None:
    assert softmax([1, 2, 3]).dtype == np.float64
    assert softmax(np.array([1, 2, 3], dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize("t", [0.0, -1.0, np.inf, np.nan])
def test_bad_temperature_raises(t: float) -> None:
    for fn in (softmax, log_softmax, naive_softmax):
        with pytest.raises(ValueError, match="temperature"):
            fn([1.0, 2.0], temperature=t)
    with pytest.raises(ValueError, match="temperature"):
        temperature_path([1.0, 2.0], [1.0, t])


def test_temperature_path_runs_from_the_argmax_corner_to_the_centre() -> None:
    z = [2.0, 1.0, 0.1]
    path = temperature_path(z, [0.01, 1.0, 1e6])
    np.testing.assert_allclose(path[0], [1, 0, 0], atol=1e-40)
    np.testing.assert_allclose(path[1], softmax(z))
    np.testing.assert_allclose(path[2], [1 / 3] * 3, rtol=1e-5)


def test_logit_path_replaces_one_logit() -> None:
    z = [2.0, 1.0, 0.1]
    path = logit_path(z, 1, [-5.0, 1.0, 7.0], temperature=2.0)
    for row, v in zip(path, [-5.0, 1.0, 7.0], strict=True):
        np.testing.assert_allclose(row, softmax([2.0, v, 0.1], 2.0))
    assert path[0, 1] < path[1, 1] < path[2, 1]


@given(arrays(np.float64, st.integers(2, 10), elements=st.floats(0.01, 1.0)))
def test_logits_of_f_give_back_f(w: np.ndarray) -> None:
    f = w / w.sum()
    np.testing.assert_allclose(softmax(logits_of(f)), f, rtol=1e-12)


def test_simplex_coordinates() -> None:
    np.testing.assert_allclose(simplex_xy(np.eye(3)), SIMPLEX_CORNERS)
    np.testing.assert_allclose(simplex_xy([1 / 3, 1 / 3, 1 / 3]), [0.5, math.sqrt(3) / 6])
    side = np.linalg.norm(SIMPLEX_CORNERS - np.roll(SIMPLEX_CORNERS, 1, axis=0), axis=1)
    np.testing.assert_allclose(side, [1.0, 1.0, 1.0])  # equilateral: no class drawn closer than another
    with pytest.raises(ValueError, match="3 probabilities"):
        simplex_xy([0.5, 0.5])


# ---- n = 2: the sigmoid, with T --------------------------------------------------------------------------


@given(st.floats(-50, 50), st.floats(-50, 50), temperatures)
def test_two_classes_f1_is_the_sigmoid_of_the_gap_over_t(z1: float, z2: float, t: float) -> None:
    f = softmax([z1, z2], t)
    np.testing.assert_allclose(f[0], sigmoid((z1 - z2) / t), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(f[1], sigmoid((z2 - z1) / t), rtol=1e-12, atol=1e-300)  # f₂ = σ((z₂ − z₁)/T)
    np.testing.assert_allclose(f[1], 1 - sigmoid((z1 - z2) / t), atol=1e-15)  # = 1 − f₁


def test_temperature_matters_for_the_two_class_sigmoid() -> None:
    f = softmax([2.0, 1.0], temperature=2.5)
    assert f[0] == pytest.approx(1 / (1 + math.exp(-0.4)), rel=1e-15)  # σ((2 − 1)/2.5), not σ(2 − 1)
    assert f[0] != pytest.approx(1 / (1 + math.exp(-1.0)), rel=1e-3)


def test_sigmoid_is_stable_and_symmetric() -> None:
    np.testing.assert_array_equal(sigmoid([-1000.0, 0.0, 1000.0]), [0.0, 0.5, 1.0])
    t = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(sigmoid(-t), 1 - sigmoid(t), atol=1e-16)
    np.testing.assert_allclose(sigmoid(t), [1 / (1 + math.exp(-v)) for v in t], rtol=1e-15)


# ---- Why z = Wx + b is not a probability vector, and softmax(z) is ----------------------------------------


def test_probability_check_of_raw_scores() -> None:
    z = np.array([8.14, -7.9, 0.5, -1.66, 1.0], dtype=np.float32)
    check = probability_check(z)
    assert check.negative == (1, 3) and check.above_one == (0,)
    assert check.total == pytest.approx(float(np.sum(z.astype(np.float64))))
    assert not check.sums_to_one and not check.is_probability_vector


def test_the_lectures_simplex_without_non_negativity_contains_non_probabilities() -> None:
    check = probability_check([2.0, -1.0])  # in {p : Σ p_i = 1}, the lecture's Δ¹, but not a probability vector
    assert check.sums_to_one and check.negative == (1,) and check.above_one == (0,)
    assert not check.is_probability_vector


@given(arrays(np.float32, st.integers(2, 10), elements=st.floats(-20, 20, width=32)))
def test_softmax_of_float32_scores_passes_the_check(z: np.ndarray) -> None:
    f = softmax(z)
    assert f.dtype == np.float32
    assert probability_check(f).is_probability_vector  # Σ f = 1 within float32 rounding


def test_probability_check_uses_the_one_sum_tolerance() -> None:
    assert probability_check(np.array([0.5, 0.5 + 1e-7], dtype=np.float32)).sums_to_one  # float32 rounding
    assert probability_check(np.array([0.5, 0.5 + 0.9 * SUM_TOL])).sums_to_one
    assert not probability_check(np.array([0.5, 0.5 + 2 * SUM_TOL])).sums_to_one
    f = softmax(np.linspace(-5, 5, 1000, dtype=np.float32))  # float32 softmax over many classes still sums to 1
    assert probability_check(f).sums_to_one


# ---- No f_i is 0 or 1 in the real numbers; in float64 at small T, some are --------------------------------


@given(arrays(np.float64, st.integers(2, 10), elements=st.floats(-10, 10)), st.floats(1.0, 50.0))
def test_moderate_logits_stay_strictly_inside_the_simplex(z: np.ndarray, t: float) -> None:
    f = softmax(z, t)
    assert np.all(f > 0) and np.all(f < 1)
    assert saturated(f) == ((), ())


def test_float64_rounds_f_to_exactly_one_and_zero_at_small_temperature() -> None:
    f = softmax([10.0, -10.0, -10.0], temperature=0.05)  # exponents 0, −400, −400
    assert f[0] == 1.0  # 1 / (1 + 2 e^{−400}): the denominator rounds to 1
    np.testing.assert_allclose(f[1:], math.exp(-400.0), rtol=1e-12)
    assert repr(float(f[1])) == "1.9151695967140057e-174"
    assert saturated(f) == ((), (0,))
    f = softmax([10.0, -10.0, -10.0], temperature=0.01)  # e^{−2000} underflows to 0
    np.testing.assert_array_equal(f, [1.0, 0.0, 0.0])
    assert saturated(f) == ((1, 2), (0,))


def test_float64_exponent_limits() -> None:
    big = math.log(np.finfo(np.float64).max)
    with np.errstate(over="ignore"):
        assert np.isfinite(np.exp(big)) and np.isinf(np.exp(big + 1e-9))
    small = -1075 * math.log(2.0)
    assert np.exp(small + 0.01) > 0 and np.exp(small - 0.01) == 0
