"""Fashion-MNIST for the app: read once per process and shared read-only by every session."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import data
from ui import layout


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


def get_data_panel(key: str, what: str) -> None:
    """The one "get Fashion-MNIST" panel of every page that needs the data: why it is missing, the offline ways
    to provide it, and a one-click download with a progress bar. `what` says what the page needs it for."""
    _, message = dataset("train")
    if not message:
        _, message = dataset("test")
    layout.error(f"{what} needs Fashion-MNIST, which is not available here.")
    with st.container(border=True):
        st.markdown(
            "**Get Fashion-MNIST** (the four official files, 30 MB), one of three ways:\n"
            "1. Point the environment variable `FASHION_MNIST_DIR` at a folder that holds them, then restart.\n"
            "2. Offline on Debian: `apt-get install dataset-fashion-mnist`.\n"
            f"3. Download them here into `{data.cache_dir()}`:"
        )
        if st.button("Download Fashion-MNIST (30 MB)", key=f"{key}_download", type="primary"):
            bar = st.progress(0.0, text="Downloading Fashion-MNIST …")
            try:
                data.download(data.cache_dir(),
                              progress=lambda done, total: bar.progress(done / total, text=f"{done >> 20} MB"))
            except data.DatasetError as exc:
                layout.error(f"The download failed: {exc}")
            else:
                st.rerun()
        with st.expander("Details"):
            st.text(message)
