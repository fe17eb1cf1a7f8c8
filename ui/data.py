"""Fashion-MNIST for the app: read once per process and shared read-only by every session."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import data


@st.cache_resource(show_spinner="Reading Fashion-MNIST …")
def _load(split: data.Split) -> tuple[np.ndarray, np.ndarray]:
    return data.load_fashion_mnist(split, allow_download=False)


def dataset(split: data.Split) -> tuple[tuple[np.ndarray, np.ndarray] | None, str]:
    """((images, labels), "") for the split, or (None, how to get the data). Failures are not cached."""
    try:
        return _load(split), ""
    except data.DatasetError as exc:
        return None, str(exc)


def first_image_per_class(split: data.Split = "train") -> np.ndarray | None:
    """One real image per class, (10, 28, 28) in label order: the first of each class in the split."""
    loaded, _ = dataset(split)
    if loaded is None:
        return None
    images, labels = loaded
    return images[[int(np.argmax(labels == k)) for k in range(len(data.CLASS_NAMES))]]
