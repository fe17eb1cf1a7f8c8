"""The model f(x, θ) the classify page uses: one from the training page, a default one, or an uploaded .npz.

The default model is trained once with `TrainingConfig()`'s settings (a few seconds) and kept for the process
(`st.cache_resource`) and on disk (`default_model_path()`), so the next start loads it instead. A file there
that does not load is replaced by a freshly trained one. Uploaded model files are read by
`SoftmaxRegression.load`, which never unpickles anything; nothing uploaded is written to disk.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import streamlit as st

from core.data import cache_dir
from core.model import ModelFileError, SoftmaxRegression
from core.numbers import fmt
from core.trainer import Snapshot, Trainer, TrainingConfig, TrainingData
from ui import layout
from ui.data import dataset, get_data_panel
from ui.training import LOSS_NAMES, training_data

TRAINED_KEY = "trained_model"  # where the training page leaves the model of its newest run that is not training
TRAINED_ABOUT_KEY = "trained_model_about"  # … and what that model is (finished, paused at step k, rolled back …)
CHOICE_KEY = "cls_model"
UPLOADED_KEY = "cls_uploaded_model"
SOURCES = {"trained": "From Live training", "default": "Default model", "upload": "Uploaded .npz"}
MAX_MODEL_MB = 1  # a model file is about 32 KB


def _default_about() -> str:
    """What the default model is: `TrainingConfig()` trained to the end."""
    c = TrainingConfig()
    return (f"{c.optimizer}, {LOSS_NAMES[c.loss]}, η = {fmt(c.learning_rate)} ({c.schedule} schedule), "
            f"B = {c.batch_size}, θ₀ from seed {c.seed}, finished: all {c.epochs} epochs")


DEFAULT_ABOUT = _default_about()


def default_model_path() -> Path:
    """Where the default model is kept between runs: next to the dataset's cache folder."""
    return cache_dir().parent / "default_model.npz"


def saved_model(path: Path) -> SoftmaxRegression | None:
    """The model saved at ``path``, or None if there is none or it does not load."""
    try:
        return SoftmaxRegression.load(path)
    except (OSError, ModelFileError):
        return None


def save_atomically(model: SoftmaxRegression, path: Path) -> bool:
    """Write the model to a temporary file beside ``path``, then rename it; False if the folder is not writable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                model.save(out)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
    except OSError:
        return False
    return True


def load_or_train(
    path: Path, data: Callable[[], TrainingData | None], on_epoch: Callable[[Snapshot], None] | None = None
) -> SoftmaxRegression | None:
    """The model saved at ``path`` if it loads; else one trained with `TrainingConfig()` on ``data()`` and saved
    there. None if there is neither a saved model nor data."""
    model = saved_model(path)
    if model is not None:
        return model
    training = data()
    if training is None:
        return None
    model = Trainer(training, TrainingConfig()).run(on_epoch=on_epoch).model()
    save_atomically(model, path)
    return model


@dataclass
class _Shared:
    """The process-wide default model, built by the first session that needs it (the others wait)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    model: SoftmaxRegression | None = None


@st.cache_resource
def _shared() -> _Shared:
    return _Shared()


def default_model() -> tuple[SoftmaxRegression | None, str]:
    """The default model, loaded from disk or trained now with a progress bar; or (None, how to get the data).

    The sessions of a process wait on a thread lock; processes sharing the cache folder (deploy/serve.sh starts
    several) on an flock of a lock file beside the model, so the first trains it and the others load its file.
    """
    shared = _shared()
    if shared.model is not None:
        return shared.model, ""
    if not shared.lock.acquire(blocking=False):
        with st.spinner("Another session is training the default model; it takes a few seconds …"):
            shared.lock.acquire()
    message = ""
    lock_fd = -1
    try:
        if shared.model is None:
            path = default_model_path()
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                lock_fd = os.open(path.with_name(f"{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:
                pass  # an unwritable cache folder: train here without saving, as load_or_train does
            if lock_fd >= 0:
                try:
                    fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    with st.spinner("Another process is training the default model; it takes a few seconds …"):
                        fcntl.flock(lock_fd, fcntl.LOCK_EX)
            bar = st.empty()

            def data() -> TrainingData | None:
                nonlocal message
                training, message = training_data()
                if training is not None:
                    bar.progress(0.0, text="Training the default model (first use only): epoch 1 …")
                return training

            def progress(s: Snapshot) -> None:
                bar.progress(s.epoch / s.config.epochs, text=f"Training the default model: epoch {s.epoch} of "
                             f"{s.config.epochs}, test accuracy {fmt(100 * s.epoch_test_accuracy[-1], 3)}%")

            shared.model = load_or_train(path, data, progress)
            bar.empty()
    finally:
        if lock_fd >= 0:
            os.close(lock_fd)  # releases the flock
        shared.lock.release()
    return shared.model, message


def hand_over(model: SoftmaxRegression, about: str) -> None:
    """Leave ``model`` for the classify page, with ``about`` saying what it is (`core.training.model_status`)."""
    st.session_state[TRAINED_KEY] = model
    st.session_state[TRAINED_ABOUT_KEY] = about


def trained() -> tuple[SoftmaxRegression | None, str]:
    """The model the training page left in this session and what it is; (None, "") if there is none."""
    model = st.session_state.get(TRAINED_KEY)
    if model is None:
        return None, ""
    return model, st.session_state.get(TRAINED_ABOUT_KEY) or "a model from the Live training page in this session"


def fingerprint(model: SoftmaxRegression) -> str:
    """A short digest of θ and the preprocessing statistics: equal for equal models."""
    digest = hashlib.blake2b(digest_size=12)
    for part in (model.W, model.b, np.float64(model.mean), np.float64(model.std)):
        digest.update(np.ascontiguousarray(part).tobytes())
    return digest.hexdigest()


@st.cache_data(max_entries=16, show_spinner=False)
def _predict_test(key: str, _model: SoftmaxRegression, _images: np.ndarray) -> np.ndarray:
    return _model.predict(_images).astype(np.uint8)


def test_predictions(model: SoftmaxRegression) -> np.ndarray | None:
    """The model's predicted class for each of the 10 000 test images (cached per model); None without data."""
    test, _ = dataset("test")
    return None if test is None else _predict_test(fingerprint(model), model, test[0])


def test_accuracy(model: SoftmaxRegression) -> float | None:
    """The fraction of the test images the model classifies correctly; None without data."""
    predicted = test_predictions(model)
    return None if predicted is None else float(np.mean(predicted == dataset("test")[0][1]))


def _forget_removed_model() -> None:
    """Callback of the model uploader: when its file is removed, so is the model read from it."""
    if st.session_state.get("cls_model_file") is None:
        st.session_state.pop(UPLOADED_KEY, None)


def _uploaded() -> SoftmaxRegression | None:
    """The model file uploader: the uploaded model, or None with a message.

    The model is kept in the session, so it survives switching to another model and back (which empties the
    uploader); removing the file forgets it.
    """
    file = st.file_uploader(
        f"Model file (.npz from the Live training page's download, up to {MAX_MODEL_MB} MB)", type=["npz"],
        key="cls_model_file", max_upload_size=MAX_MODEL_MB, on_change=_forget_removed_model,
    )  # fmt: skip
    if file is not None:
        try:
            st.session_state[UPLOADED_KEY] = SoftmaxRegression.load(file.getvalue())
        except ModelFileError as exc:
            st.session_state.pop(UPLOADED_KEY, None)
            layout.error(f"This model file was refused: {exc}. Upload a file saved by the Live training page; "
                         "the default model is used meanwhile.")  # fmt: skip
            return None
    model = st.session_state.get(UPLOADED_KEY)
    if model is None:
        st.info("No model file uploaded yet: the default model is used meanwhile.", icon="ℹ️")
    return model


def choose() -> SoftmaxRegression | None:
    """The model radio (bound to the URL) and the model it selects; None, with a message, when there is none.

    A model newly handed over by the Live training page is selected automatically, and a caption says what it is
    (finished, paused at step k, rolled back after divergence); without one the choice is between the default
    model and an uploaded file.
    """
    handed, about = trained()
    options = (["trained"] if handed is not None else []) + ["default", "upload"]
    if handed is not None and st.session_state.get("cls_seen_trained") != (seen := fingerprint(handed)):
        st.session_state["cls_seen_trained"] = seen
        st.session_state[CHOICE_KEY] = "trained"
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    with left:
        choice = st.radio("Model f(x, θ)", options, format_func=SOURCES.get, key=CHOICE_KEY, horizontal=True,
                          bind="query-params",
                          help="From Live training: the θ of the newest run on the Live training page in this "
                          "session that is not training — finished, paused, or rolled back after a divergence. "
                          "Default: trained automatically with the training page's default settings (Adam, "
                          "cross-entropy, 5 epochs). Uploaded: a .npz downloaded from the training page.")  # fmt: skip
        model = handed if choice == "trained" else _uploaded() if choice == "upload" else None
    if choice == "trained":
        left.caption(f"From Live training: {about}.")
    elif model is None and choice != "upload":
        left.caption(f"Default model: {DEFAULT_ABOUT}.")
    if model is None:
        model, _ = default_model()
        if model is None:
            get_data_panel("cls", "Training the default model to classify with")
            return None
    accuracy = test_accuracy(model)
    right.metric("Test accuracy", "—" if accuracy is None else f"{fmt(100 * accuracy)}%",
                 help="The fraction of the 10 000 Fashion-MNIST test images this model classifies correctly.")  # fmt: skip
    return model
