"""core.losses: the lecture's numbers, KL ≥ 0, CE = H + KL, gradients against finite differences, the true class."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core.data import CLASS_NAMES
from core.losses import (
    EXAMPLE_CLASSES,
    check_distribution,
    cross_entropy,
    cross_entropy_from_logits,
    cross_entropy_grad_logits,
    curves_vs_p_true,
    entropy,
    example_classes,
    kl_divergence,
    kl_split,
    mean_squared_error,
    mse,
    mse_from_logits,
    mse_grad_logits,
    spread_prediction,
    true_class,
)
from core.softmax import softmax


@st.composite
def distribution_pairs(draw: st.DrawFn, min_p: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Two probability vectors over the same n classes (entries may be 0 unless min_p > 0)."""
    n = draw(st.integers(1, 10))
    weights = arrays(np.float64, n, elements=st.floats(min_p, 1.0))
    p, q = draw(weights), draw(weights)
    assume(p.sum() > 1e-3 and q.sum() > 1e-3)
    return p / p.sum(), q / q.sum()


# --- the lecture's own numbers ---------------------------------------------------------------


def test_lecture_mse_is_0_32() -> None:
    f, y = [0.6, 0.4], [1.0, 0.0]
    assert mse(y, f) == pytest.approx((0.6 - 1) ** 2 + (0.4 - 0) ** 2)
    assert mse(y, f) == pytest.approx(0.32, abs=1e-15)


def test_squared_error_is_a_sum_and_its_mean_is_0_16() -> None:
    f, y = [0.6, 0.4], [1.0, 0.0]
    assert mse(y, f) == pytest.approx(0.32, abs=1e-15)  # the name says mean; the contract is the sum
    assert mean_squared_error(y, f) == pytest.approx(0.16, abs=1e-15)
    assert mean_squared_error(y, f) == pytest.approx(mse(y, f) / 2)
    assert "SUM" in mse.__doc__ and "not a mean" in mse.__doc__


@given(distribution_pairs())
def test_mean_squared_error_is_the_sum_over_n(pq: tuple[np.ndarray, np.ndarray]) -> None:
    p, q = pq
    assert mean_squared_error(p, q) == pytest.approx(mse(p, q) / p.size, rel=1e-12, abs=1e-15)


def test_lecture_cross_entropy_is_minus_log_0_6() -> None:
    f, y = [0.6, 0.4], [1.0, 0.0]
    assert cross_entropy(y, f) == pytest.approx(-math.log(0.6), rel=1e-15)
    assert kl_divergence(y, f) == pytest.approx(-math.log(0.6), rel=1e-15)  # H(y) = 0 for one-hot y
    assert entropy(y) == 0.0 and not math.copysign(1.0, entropy(y)) < 0  # +0, never −0


def test_kl_is_asymmetric() -> None:
    p, q = [0.9, 0.1], [0.5, 0.5]
    assert kl_divergence(p, q) == pytest.approx(0.9 * math.log(0.9 / 0.5) + 0.1 * math.log(0.1 / 0.5))
    assert kl_divergence(q, p) == pytest.approx(0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1))
    assert kl_divergence(p, q) != pytest.approx(kl_divergence(q, p))
    assert kl_divergence([0.6, 0.4], [1.0, 0.0]) == math.inf  # Q = 0 where P > 0


def test_kl_split_into_its_two_sums() -> None:
    sum_y_log_y, sum_y_log_f = kl_split([1.0, 0.0], [0.6, 0.4])
    assert sum_y_log_y == 0.0 and math.copysign(1.0, sum_y_log_y) == 1.0  # +0: prints as 0
    assert sum_y_log_f == pytest.approx(math.log(0.6), rel=1e-15)
    assert sum_y_log_y - sum_y_log_f == pytest.approx(kl_divergence([1.0, 0.0], [0.6, 0.4]))


def test_kl_split_with_a_zero_prediction_for_the_true_class() -> None:
    """f_true = 0: log 0 = −∞, so Σ y log f = −∞ and KL = 0 − (−∞) = +∞ (not 0 − ∞)."""
    sum_y_log_y, sum_y_log_f = kl_split([1.0, 0.0], [0.0, 1.0])
    assert sum_y_log_y == 0.0 and sum_y_log_f == -math.inf
    assert sum_y_log_y - sum_y_log_f == math.inf == kl_divergence([1.0, 0.0], [0.0, 1.0])
    assert cross_entropy([1.0, 0.0], [0.0, 1.0]) == math.inf
    assert kl_split([0.9, 0.1], [1.0, 0.0])[1] == -math.inf
    assert kl_split([1.0, 0.0], [1.0, 0.0]) == (0.0, 0.0)  # 0 · log 0 = 0 for y_k = 0, f_k = 0


@given(distribution_pairs())
def test_kl_split_matches_entropy_and_cross_entropy(pq: tuple[np.ndarray, np.ndarray]) -> None:
    p, q = pq
    sum_p_log_p, sum_p_log_q = kl_split(p, q)
    assert sum_p_log_p == pytest.approx(-entropy(p)) and sum_p_log_p <= 0.0
    assert sum_p_log_q == pytest.approx(-cross_entropy(p, q))
    if math.isfinite(sum_p_log_q):
        assert sum_p_log_p - sum_p_log_q == pytest.approx(kl_divergence(p, q), rel=1e-9, abs=1e-12)
    else:
        assert kl_divergence(p, q) == math.inf


def test_entropy_of_uniform_is_log_n() -> None:
    for n in (2, 3, 10):
        assert entropy(np.full(n, 1 / n)) == pytest.approx(math.log(n))


# --- invariants -------------------------------------------------------------------------------


@given(distribution_pairs())
def test_kl_is_non_negative(pq: tuple[np.ndarray, np.ndarray]) -> None:
    p, q = pq
    assert kl_divergence(p, q) >= 0.0


@given(distribution_pairs())
def test_kl_is_zero_for_equal_distributions(pq: tuple[np.ndarray, np.ndarray]) -> None:
    p, _ = pq
    assert kl_divergence(p, p) == 0.0


@given(distribution_pairs(min_p=0.01))
def test_kl_is_zero_only_if_equal(pq: tuple[np.ndarray, np.ndarray]) -> None:
    p, q = pq
    assume(np.max(np.abs(p - q)) > 1e-3)
    assert kl_divergence(p, q) > 0.0


@given(distribution_pairs(min_p=1e-6))
def test_cross_entropy_is_entropy_plus_kl(pq: tuple[np.ndarray, np.ndarray]) -> None:
    p, q = pq
    assert cross_entropy(p, q) == pytest.approx(entropy(p) + kl_divergence(p, q), rel=1e-9, abs=1e-12)


@given(distribution_pairs())
def test_kl_matches_the_definition_term_by_term(pq: tuple[np.ndarray, np.ndarray]) -> None:
    p, q = pq
    assume(np.all(q[p > 0] > 0))
    by_hand = sum(pi * (math.log(pi) - math.log(qi)) for pi, qi in zip(p, q, strict=True) if pi > 0)
    assert kl_divergence(p, q) == pytest.approx(max(by_hand, 0.0), rel=1e-9, abs=1e-12)


def test_batches_over_the_last_axis() -> None:
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    f = np.array([[0.6, 0.4], [0.6, 0.4]])
    np.testing.assert_allclose(cross_entropy(y, f), [-math.log(0.6), -math.log(0.4)])
    np.testing.assert_allclose(mse(y, f), [0.32, 0.72])


# --- the true class of a one-hot y, and the classes of the lecture's example ------------------------------------


@pytest.mark.parametrize(
    ("y", "k"),
    [
        ([1.0, 0.0], 0),
        ([0.0, 1.0], 1),
        ([0.0, 0.0, 1.0, 0.0], 2),
        (np.eye(10)[6], 6),
        ([1.0 - 1e-9, 0.0], 0),  # within the probability check's tolerance
        ([0.9, 0.1], None),  # soft: no single true class
        ([0.5, 0.5], None),
        ([0.0, 0.0], None),
        ([0.8, 0.0], None),  # one non-zero entry, but not a label
        ([[1.0, 0.0]], None),  # a batch is not one label
    ],
)
def test_true_class(y: list[float], k: int | None) -> None:
    assert true_class(y) == k


def test_example_classes_follow_the_lecture() -> None:
    assert example_classes(2) == ["Shirt", "Bag"]  # f = [P(Shirt | x), P(Bag | x)] = [0.6, 0.4]
    assert example_classes(3) == ["Shirt", "Bag", "T-shirt/top"]
    assert example_classes(5)[2:] == ["T-shirt/top", "Pullover", "Coat"]
    assert sorted(EXAMPLE_CLASSES) == sorted(CLASS_NAMES) and len(set(EXAMPLE_CLASSES)) == 10
    assert example_classes(10) == list(EXAMPLE_CLASSES)
    for n in (0, 11):
        with pytest.raises(ValueError, match="between 1 and 10"):
            example_classes(n)


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "q", "message"),
    [
        ([1.2, -0.2], [0.5, 0.5], "negative"),
        ([1.0, 0.0], [0.5, 0.5, 0.0], "differ in length"),
        ([0.6, 0.3], [0.5, 0.5], "sums to 0.9"),
        ([math.nan, 1.0], [0.5, 0.5], "not a finite number"),
        ([], [], "vector of probabilities"),
    ],
)
def test_bad_distributions_raise_value_error(p: list[float], q: list[float], message: str) -> None:
    for fn in (cross_entropy, kl_divergence, mse, mean_squared_error, kl_split):
        with pytest.raises(ValueError, match=message):
            fn(p, q)


def test_check_distribution_names_the_vector() -> None:
    with pytest.raises(ValueError, match=r"^f sums to 1\.1"):
        check_distribution([0.7, 0.4], "f")
    with pytest.raises(ValueError, match="y has 2 classes but z has 3 logits"):
        cross_entropy_grad_logits([1.0, 0.0], [0.0, 1.0, 2.0])


# --- gradients w.r.t. the logits ----------------------------------------------------------------


def central_difference(loss, y: np.ndarray, z: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """∂𝓛/∂z_i ≈ (𝓛(z + h e_i) − 𝓛(z − h e_i)) / 2h, one logit at a time."""
    eye = np.eye(z.size)
    return np.array([(loss(y, z + h * e) - loss(y, z - h * e)) / (2 * h) for e in eye])


@pytest.mark.parametrize("n", [2, 3, 5, 10])
@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(
    ("loss", "grad"),
    [(cross_entropy_from_logits, cross_entropy_grad_logits), (mse_from_logits, mse_grad_logits)],
    ids=["cross_entropy", "mse"],
)
def test_gradients_match_finite_differences(loss, grad, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, 2.0, n)
    y = np.eye(n)[rng.integers(n)] if seed % 2 else rng.dirichlet(np.ones(n))  # one-hot and soft targets
    np.testing.assert_allclose(grad(y, z), central_difference(loss, y, z), atol=1e-8)


def test_losses_from_logits_match_the_probability_forms() -> None:
    z, y = np.array([0.3, -1.2, 2.0]), np.array([0.2, 0.0, 0.8])
    assert cross_entropy_from_logits(y, z) == pytest.approx(cross_entropy(y, softmax(z)))
    assert mse_from_logits(y, z) == pytest.approx(mse(y, softmax(z)))
    assert cross_entropy_from_logits([0.0, 1.0], [0.0, 1000.0]) == 0.0  # f_true rounds to 1: exact 0 loss
    assert cross_entropy_from_logits([1.0, 0.0], [0.0, -np.inf]) == 0.0  # 0 · log 0 = 0


# --- curves against p_true -------------------------------------------------------------------------


def test_spread_prediction() -> None:
    np.testing.assert_allclose(spread_prediction(0.6, 2), [0.6, 0.4])
    f = spread_prediction(np.array([0.1, 0.7]), 4)
    np.testing.assert_allclose(f, [[0.1, 0.3, 0.3, 0.3], [0.7, 0.1, 0.1, 0.1]])


@pytest.mark.parametrize("n", [2, 3, 10])
def test_curves_against_p_true(n: int) -> None:
    p = np.array([1e-6, 0.01, 0.6, 0.999])
    c = curves_vs_p_true(p, n)
    np.testing.assert_allclose(c["ce"], -np.log(p))
    np.testing.assert_allclose(c["ce_grad"], p - 1)  # f_true − y_true
    f = spread_prediction(p, n)
    np.testing.assert_allclose(c["mse"], mse(np.eye(n)[0], f))
    # Confidently wrong (p_true → 0): the CE gradient stays near −1, the MSE gradient vanishes.
    assert c["ce_grad"][0] == pytest.approx(-1.0, abs=1e-5)
    assert abs(c["mse_grad"][0]) < 1e-5
    assert abs(c["mse_grad"][2]) > 0.1


def test_two_class_mse_gradient_closed_form() -> None:
    p = np.linspace(0.01, 0.99, 99)
    # f = [p, 1 − p], y = [1, 0]: ∂𝓛/∂z_1 = −4p(1 − p)², smallest at p = 1/3.
    np.testing.assert_allclose(curves_vs_p_true(p, 2)["mse_grad"], -4 * p * (1 - p) ** 2)
