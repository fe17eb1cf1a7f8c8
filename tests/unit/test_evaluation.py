"""Confusion matrix and its cells' images, against direct counting."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.evaluation import cell_examples, confusion_matrix, worst_confusions

labels = st.lists(st.integers(0, 9), min_size=1, max_size=200)


@given(labels, st.randoms(use_true_random=False))
def test_confusion_matrix_counts_every_pair(y_true: list[int], rnd) -> None:
    y_pred = [rnd.randrange(10) for _ in y_true]
    c = confusion_matrix(y_true, y_pred)
    expected = np.zeros((10, 10), dtype=np.int64)
    for t, p in zip(y_true, y_pred, strict=True):
        expected[t, p] += 1
    np.testing.assert_array_equal(c, expected)
    assert c.sum() == len(y_true)
    np.testing.assert_array_equal(c.sum(axis=1), np.bincount(y_true, minlength=10))


def test_confusion_matrix_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="one length"):
        confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError, match="0..9"):
        confusion_matrix([0, 10], [0, 1])


def test_cell_examples_are_the_cell_most_confident_first() -> None:
    y = np.array([6, 6, 6, 0, 6])
    f = np.array(
        [
            [0.6, 0, 0, 0, 0, 0, 0.4, 0, 0, 0],  # Shirt taken for T-shirt, 0.6
            [0.9, 0, 0, 0, 0, 0, 0.1, 0, 0, 0],  # Shirt taken for T-shirt, 0.9
            [0.1, 0, 0, 0, 0, 0, 0.9, 0, 0, 0],  # Shirt, right
            [0.8, 0, 0, 0, 0, 0, 0.2, 0, 0, 0],  # T-shirt, right
            [0.7, 0, 0, 0, 0, 0, 0.3, 0, 0, 0],  # Shirt taken for T-shirt, 0.7
        ]
    )
    np.testing.assert_array_equal(cell_examples(y, f, 6, 0), [1, 4, 0])
    np.testing.assert_array_equal(cell_examples(y, f, 6, 0, limit=2), [1, 4])
    np.testing.assert_array_equal(cell_examples(y, f, 6, 6), [2])
    assert cell_examples(y, f, 1, 1).size == 0


def test_worst_confusions_skip_the_diagonal() -> None:
    c = np.diag([100] * 10)
    c[6, 0], c[2, 4], c[4, 6] = 30, 50, 5
    assert worst_confusions(c, k=5) == [(2, 4, 50), (6, 0, 30), (4, 6, 5)]
