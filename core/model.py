"""The lecture's linear classifier f(x, θ) = softmax(Wx + b), with θ = (W, b), W (10, 784), b (10,).

The model owns its preprocessing: a 28×28 uint8 image becomes x = (image/255 − mean)/std, flattened to
784 numbers, with the pixel statistics (mean, std) of the training set stored beside W and b.
"""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from typing import BinaryIO

import numpy as np

from core.data import CLASS_NAMES, IMAGE_SHAPE
from core.softmax import softmax

N_CLASSES = len(CLASS_NAMES)
N_PIXELS = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]
_KEYS = ("W", "b", "mean", "std")
_MAX_MEMBER_BYTES = 1 << 20


class ModelFileError(ValueError):
    """A model file that is not a valid `SoftmaxRegression.save` archive."""


def as_images(images: object) -> np.ndarray:
    """Check that ``images`` are pixel values 0..255 of shape (n, 28, 28) or (28, 28); return them as an array.

    Raises ValueError saying what was expected.
    """
    array = np.asarray(images)
    if array.shape[-2:] != IMAGE_SHAPE or array.ndim not in (2, 3):
        raise ValueError(f"images must have shape (n, 28, 28) or (28, 28), got {array.shape}")
    if array.dtype == np.uint8:
        return array
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(
            f"images must hold integer pixel values 0..255 (dtype uint8), got dtype {array.dtype}; "
            "for floats in [0, 1] use (x * 255).round().astype(np.uint8)"
        )
    if array.size and (array.min() < 0 or array.max() > 255):
        raise ValueError(f"pixel values must lie in 0..255, got {array.min()}..{array.max()}")
    return array


def standardize(images: np.ndarray, mean: float, std: float, out: np.ndarray | None = None) -> np.ndarray:
    """x = (image/255 − mean)/std for checked images (n, 28, 28), flattened to float32 (n, 784).

    Writes into ``out`` when given, so a caller can fill a preallocated matrix without temporaries.
    """
    flat = images.reshape(len(images), N_PIXELS)
    if out is None:
        out = np.empty(flat.shape, dtype=np.float32)
    np.multiply(flat, np.float32(1.0 / (255.0 * std)), out=out, dtype=np.float32)
    out -= np.float32(mean / std)
    return out


def _parameter(name: str, value: object, shape: tuple[int, ...]) -> np.ndarray:
    """``value`` as a finite floating-point array of the given shape (a Python number counts as float)."""
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    array = np.asarray(value, dtype=np.float64) if is_number else np.asarray(value)
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"{name} must be a floating-point array, got dtype {array.dtype}")
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinity")
    return array


class SoftmaxRegression:
    """f(x, θ) = softmax(Wx + b) on standardised pixels x = (image/255 − mean)/std.

    Parameters are copied to float32 and made read-only, so one model can be shared safely.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, mean: float, std: float) -> None:
        W = _parameter("W", W, (N_CLASSES, N_PIXELS))
        b = _parameter("b", b, (N_CLASSES,))
        mean = float(_parameter("mean", mean, ()))
        std = float(_parameter("std", std, ()))
        if std <= 0:
            raise ValueError(f"std must be positive, got {std}")
        self.W = np.array(W, dtype=np.float32)
        self.b = np.array(b, dtype=np.float32)
        self.W.flags.writeable = False
        self.b.flags.writeable = False
        self.mean = mean
        self.std = std

    @classmethod
    def initial(cls, mean: float, std: float, seed: int = 0, scale: float = 0.01) -> SoftmaxRegression:
        """θ₀: W with entries drawn from N(0, scale²) by ``seed``, b = 0. Same seed → same θ₀."""
        W = np.random.default_rng(seed).standard_normal((N_CLASSES, N_PIXELS), dtype=np.float32) * scale
        return cls(W, np.zeros(N_CLASSES, np.float32), mean, std)

    def __repr__(self) -> str:
        return f"SoftmaxRegression(W: {self.W.shape}, b: {self.b.shape}, mean={self.mean:.6g}, std={self.std:.6g})"

    def preprocess(self, images: object) -> np.ndarray:
        """x for each image: float32 (n, 784), or (784,) for a single (28, 28) image."""
        array = as_images(images)
        x = standardize(array.reshape(-1, *IMAGE_SHAPE), self.mean, self.std)
        return x[0] if array.ndim == 2 else x

    def logits(self, images: object) -> np.ndarray:
        """z = Wx + b: (n, 10), or (10,) for a single image."""
        return self.preprocess(images) @ self.W.T + self.b

    def predict_proba(self, images: object) -> np.ndarray:
        """f(x, θ) = softmax(z): (n, 10) class probabilities in `core.data.CLASS_NAMES` order, or (10,)."""
        return softmax(self.logits(images))

    def predict(self, images: object) -> np.ndarray:
        """The most probable class index per image: (n,) ints, or one integer for a single image."""
        return np.argmax(self.logits(images), axis=-1)

    def contributions(self, image: object) -> np.ndarray:
        """W_k ⊙ x for one (28, 28) image, as (10, 28, 28): how each pixel pushes each logit z_k (plus b_k)."""
        x = self.preprocess(image)
        if x.ndim != 1:
            raise ValueError("contributions() takes a single (28, 28) image")
        return (self.W * x).reshape(N_CLASSES, *IMAGE_SHAPE)

    def save(self, file: str | os.PathLike[str] | BinaryIO) -> None:
        """Write θ and the preprocessing statistics as a plain .npz archive (to a path or a binary file)."""
        arrays = {"W": self.W, "b": self.b, "mean": np.float64(self.mean), "std": np.float64(self.std)}
        if hasattr(file, "write"):
            np.savez(file, **arrays)
        else:
            with open(file, "wb") as out:
                np.savez(out, **arrays)

    @classmethod
    def load(cls, file: str | os.PathLike[str] | BinaryIO | bytes) -> SoftmaxRegression:
        """Read a model written by `save` from a path, a binary file-like (e.g. an upload) or bytes.

        Never unpickles anything. Raises `ModelFileError` for anything but a well-formed model file.
        """
        if isinstance(file, (bytes, bytearray, memoryview)):
            return cls._load_from(io.BytesIO(file), "the uploaded file")
        if hasattr(file, "read"):
            return cls._load_from(file, getattr(file, "name", "the uploaded file"))
        with open(file, "rb") as handle:
            return cls._load_from(handle, os.fspath(file))

    @classmethod
    def _load_from(cls, handle: BinaryIO, name: str) -> SoftmaxRegression:
        expected = "a model saved by SoftmaxRegression.save (.npz with W, b, mean, std)"
        try:
            archive = np.load(handle, allow_pickle=False)
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
            raise ModelFileError(f"{name} is not {expected}: {exc}") from None
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ModelFileError(f"{name} is a single .npy array, not {expected}")
        with archive:
            keys = set(archive.files)
            if keys != set(_KEYS):
                raise ModelFileError(
                    f"{name} has arrays {sorted(keys)}, expected exactly {list(_KEYS)} ({expected})"
                )
            too_big = [k for k in _KEYS if archive.zip.getinfo(f"{k}.npy").file_size > _MAX_MEMBER_BYTES]
            if too_big:
                raise ModelFileError(f"{name}: arrays {too_big} are far larger than a model's, refusing to read")
            arrays = {}
            for key in _KEYS:
                try:
                    arrays[key] = archive[key]
                except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
                    raise ModelFileError(f"{name}: array {key!r} cannot be read ({exc})") from None
        try:
            return cls(**arrays)
        except ValueError as exc:
            raise ModelFileError(f"{name}: {exc}") from None
