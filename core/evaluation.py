"""How a classifier f does on labelled images: the confusion matrix and the images behind each of its cells."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, n_classes: int = 10) -> NDArray[np.int64]:
    """C[i, j] = number of images of true class i predicted as class j (rows sum to the class counts)."""
    t = np.asarray(y_true, dtype=np.intp)
    p = np.asarray(y_pred, dtype=np.intp)
    if t.shape != p.shape or t.ndim != 1:
        raise ValueError(f"y_true and y_pred must be 1-D and of one length, got {t.shape} and {p.shape}")
    if t.size and (min(t.min(), p.min()) < 0 or max(t.max(), p.max()) >= n_classes):
        raise ValueError(f"class indices must lie in 0..{n_classes - 1}")
    return np.bincount(t * n_classes + p, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def cell_examples(
    y_true: ArrayLike, proba: ArrayLike, true_class: int, predicted_class: int, limit: int = 24
) -> NDArray[np.intp]:
    """Indices of the images of class `true_class` that f assigns to `predicted_class` (argmax of `proba`),
    most confident first: the contents of one confusion-matrix cell."""
    t = np.asarray(y_true)
    f = np.asarray(proba)
    in_cell = np.flatnonzero((t == true_class) & (np.argmax(f, axis=1) == predicted_class))
    order = np.argsort(-f[in_cell, predicted_class], kind="stable")
    return in_cell[order[:limit]]


def worst_confusions(matrix: ArrayLike, k: int = 5) -> list[tuple[int, int, int]]:
    """The k largest off-diagonal cells as (true class, predicted class, count), largest first."""
    c = np.array(matrix, dtype=np.int64)
    np.fill_diagonal(c, -1)
    flat = np.argsort(-c, axis=None, kind="stable")[:k]
    return [(int(i), int(j), int(c[i, j])) for i, j in zip(*np.unravel_index(flat, c.shape), strict=True) if c[i, j] > 0]
