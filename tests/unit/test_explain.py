"""core.explain: z = Wx + b split into per-pixel contributions W_k ⊙ x, the gap z_k − z_j, "unlike the dataset"."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from core.explain import LOW_CONFIDENCE, Explanation, explain, unlike_dataset
from core.imaging import render_shop_photo, to_fashion_mnist
from core.model import SoftmaxRegression
from core.numbers import fmt

MEAN, STD = 0.2860405970, 0.3530242445


def dyadic(rng: np.random.Generator, shape: tuple[int, ...], scale: int, limit: int) -> np.ndarray:
    """Multiples of 1/scale in [−limit, limit]: every sum and product of these is exact in float64."""
    return rng.integers(-limit * scale, limit * scale + 1, shape) / scale


@pytest.fixture
def exact() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    return dyadic(rng, (10, 784), 8, 2), dyadic(rng, (10,), 2, 3), dyadic(rng, (784,), 4, 3)


def test_gap_identity_holds_exactly(exact) -> None:
    W, b, x = exact
    e = Explanation.build(W, b, x)
    for k in range(10):
        assert e.z[k] == sum(W[k, i] * x[i] for i in range(784)) + b[k]  # a plain loop, exact here
        for j in range(10):
            gap = e.gap(k, j)
            assert gap.pixels == ((W[k] - W[j]) * x).sum()
            assert gap.bias == b[k] - b[j]
            assert gap.total == gap.z_k - gap.z_j == e.z[k] - e.z[j]


def test_contribution_maps_sum_to_the_logits(exact) -> None:
    W, b, x = exact
    e = Explanation.build(W, b, x)
    for k in range(10):
        assert e.contribution(k).shape == (28, 28)
        np.testing.assert_array_equal(e.contribution(k), (W[k] * x).reshape(28, 28))
        np.testing.assert_array_equal(e.template(k), W[k].reshape(28, 28))
        assert e.contribution(k).sum() + b[k] == e.z[k]


finite = st.floats(-4, 4, allow_nan=False, width=64)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (10, 784), elements=finite), arrays(np.float64, (10,), elements=finite),
       arrays(np.float64, (784,), elements=finite), st.integers(0, 9), st.integers(0, 9))  # fmt: skip
def test_gap_identity_for_any_parameters(W, b, x, k, j) -> None:
    e = Explanation.build(W, b, x)
    gap = e.gap(k, j)
    scale = float(np.abs(W * x).sum() + np.abs(b).sum()) + 1.0
    exact_z = [math.fsum(W[c] * x) + b[c] for c in range(10)]  # independent: correctly rounded sums
    np.testing.assert_allclose(e.z, exact_z, rtol=0, atol=1e-12 * scale)
    assert gap.total == pytest.approx(e.z[k] - e.z[j], rel=0, abs=1e-12 * scale)
    np.testing.assert_array_equal(gap.difference, -e.gap(j, k).difference)
    assert gap.bias == -e.gap(j, k).bias
    if k == j:
        assert gap.total == 0 and not gap.difference.any()


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (10,), elements=st.floats(-30, 30)), st.floats(0.05, 10))
def test_f_is_the_softmax_of_z_over_t(b, temperature) -> None:
    e = Explanation.build(np.zeros((10, 784)), b, np.zeros(784))
    f = e.f(temperature)
    expected = np.exp((b - b.max()) / temperature)
    np.testing.assert_allclose(f, expected / expected.sum(), rtol=1e-12)
    assert math.isclose(f.sum(), 1.0)
    assert f[e.predicted] == f.max()  # the largest logit has the largest probability (ties aside)


def test_predicted_and_runner_up() -> None:
    b = np.array([0.5, 3.0, -1.0, 2.5, 0.0, -2.0, 2.9, 1.0, 0.2, -0.5])
    e = Explanation.build(np.zeros((10, 784)), b, np.zeros(784))
    assert e.predicted == 1
    assert e.runner_up() == 6  # the second-largest logit
    assert e.runner_up(6) == 1 and e.runner_up(3) == 1


def test_explain_matches_the_model() -> None:
    rng = np.random.default_rng(5)
    model = SoftmaxRegression(rng.normal(0, 0.05, (10, 784)), rng.normal(0, 0.5, 10), MEAN, STD)
    image = rng.integers(0, 256, (28, 28), dtype=np.uint8)
    e = explain(model, image)
    x = (image.reshape(784) / 255.0 - MEAN) / STD
    np.testing.assert_allclose(e.x, x, rtol=1e-5, atol=1e-5)
    # float64 sums against the model's float32 BLAS product: equal to float32 accuracy (eps ≈ 1.2e-7 × 784 terms).
    np.testing.assert_allclose(e.z, model.logits(image), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(e.f(), model.predict_proba(image), rtol=1e-4, atol=1e-6)
    # Elementwise products, no sum: float64 of the float32 inputs against their float32 product, one rounding.
    np.testing.assert_allclose(e.contributions.reshape(10, 28, 28), model.contributions(image), rtol=1e-6, atol=1e-7)
    assert e.predicted == model.predict(image)


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="W \\(10, 784\\)"):
        Explanation.build(np.zeros((10, 783)), np.zeros(10), np.zeros(784))
    with pytest.raises(ValueError, match="single"):
        explain(SoftmaxRegression.initial(MEAN, STD), np.zeros((2, 28, 28), np.uint8))


def png(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, "PNG")
    return out.getvalue()


CONFIDENT = np.r_[0.9, np.full(9, 0.1 / 9)]


def test_unlike_dataset_flags_low_confidence() -> None:
    assert unlike_dataset(CONFIDENT) == []
    unsure = np.r_[LOW_CONFIDENCE - 0.01, 0.3, 1 - LOW_CONFIDENCE - 0.29, np.zeros(7)]
    assert unlike_dataset(unsure) == ["the model is unsure: its top probability is only 0.49 (below 0.5)"]  # fmt


def test_a_shop_photo_of_a_dataset_image_looks_like_the_dataset() -> None:
    item = np.zeros((28, 28), np.uint8)
    item[4:24, 8:20] = 200
    photo = to_fashion_mnist(render_shop_photo(item, np.random.default_rng(0)))
    assert unlike_dataset(CONFIDENT, photo) == []


EDGES = "the object reaches all four edges of the picture, with no plain background around it"


def test_an_object_reaching_every_edge_is_flagged() -> None:
    yy, xx = np.mgrid[-100:100, -100:100]
    diamond = np.where(np.abs(xx) + np.abs(yy) <= 100, 40, 240).astype(np.uint8)  # touches each edge's middle
    assert unlike_dataset(CONFIDENT, to_fashion_mnist(png(diamond))) == [EDGES]


def test_a_picture_that_is_mostly_object_is_flagged() -> None:
    close_up = np.full((200, 200), 240, np.uint8)
    close_up[4:-4, 4:-4] = 40  # a dark item filling the frame but for a thin light margin …
    close_up[:, 98:102] = close_up[98:102, :] = 40  # … that it crosses on every side
    prepared = to_fashion_mnist(png(close_up))
    lit = 1 - (4 * 200 * 4 - 4 * 4 * 4 - 4 * 4 * 4) / 200**2  # all but the margin, less the crossings
    mostly = f"{fmt(100 * lit, 2)}% of the picture differs from its background: it is mostly object"
    assert mostly.startswith("92% ")
    assert unlike_dataset(CONFIDENT, prepared) == [EDGES, mostly]


def test_a_28_pixel_item_touching_its_edges_is_not_flagged() -> None:
    item = np.zeros((28, 28), np.uint8)
    item[:, 2:26] = 180  # like a Pullover: the dataset's own thumbnails reach the edges
    item[0, 2:26] = item[27, 2:26] = 60
    prepared = to_fashion_mnist(png(item))
    assert prepared.box[1] == 0 and prepared.box[3] == 28
    assert unlike_dataset(CONFIDENT, prepared) == []
