"""core.model: f(x, θ) = softmax(Wx + b) with its own preprocessing, input checks, and safe .npz files."""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from core.model import ModelFileError, SoftmaxRegression

MEAN, STD = 0.2860405970, 0.3530242445


@pytest.fixture
def model() -> SoftmaxRegression:
    rng = np.random.default_rng(3)
    return SoftmaxRegression(rng.normal(0, 0.05, (10, 784)), rng.normal(0, 0.5, 10), MEAN, STD)


@pytest.fixture
def images() -> np.ndarray:
    return np.random.default_rng(4).integers(0, 256, (5, 28, 28), dtype=np.uint8)


def npz_bytes(**arrays: object) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def valid_arrays(model: SoftmaxRegression) -> dict[str, object]:
    return {"W": model.W, "b": model.b, "mean": np.float64(model.mean), "std": np.float64(model.std)}


def test_initial_is_reproducible_by_seed() -> None:
    a, b = SoftmaxRegression.initial(MEAN, STD, seed=7), SoftmaxRegression.initial(MEAN, STD, seed=7)
    c = SoftmaxRegression.initial(MEAN, STD, seed=8)
    np.testing.assert_array_equal(a.W, b.W)
    assert not np.array_equal(a.W, c.W)
    assert a.W.shape == (10, 784) and a.W.dtype == np.float32
    np.testing.assert_array_equal(a.b, np.zeros(10))


def test_preprocess_standardises_and_flattens(model: SoftmaxRegression, images: np.ndarray) -> None:
    x = model.preprocess(images)
    expected = (images.reshape(5, 784) / 255.0 - MEAN) / STD
    assert x.shape == (5, 784) and x.dtype == np.float32
    np.testing.assert_allclose(x, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(model.preprocess(images[0]), x[0])


def test_predict_proba_is_softmax_of_wx_plus_b(model: SoftmaxRegression, images: np.ndarray) -> None:
    x = (images.reshape(5, 784) / 255.0 - MEAN) / STD
    z = x @ model.W.T.astype(np.float64) + model.b
    expected = np.exp(z - z.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    p = model.predict_proba(images)
    assert p.shape == (5, 10)
    np.testing.assert_allclose(p, expected, rtol=1e-4, atol=1e-6)
    # float32 tolerances: eps ≈ 1.2e-7 times the length of the sum. A 10-term sum of probabilities: 1e-5.
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
    top2 = np.sort(z, axis=1)[:, -2:]
    assert np.all(top2[:, 1] - top2[:, 0] > 1e-3)  # no near-tie that float32 rounding could flip
    np.testing.assert_array_equal(model.predict(images), np.argmax(z, axis=1))
    single = model.predict_proba(images[2])
    assert single.shape == (10,)
    # One image (a matrix-vector product) and a batch (a matrix-matrix product) take different BLAS kernels,
    # which sum the 784 products in different orders: equal only to float32 accuracy, never bit for bit
    # (OpenBLAS's SkylakeX kernel differs by 1.1e-6 relative). rtol 1e-5 is about 100 float32 ulps
    # (eps ≈ 1.2e-7), room for the rounding of a 784-term sum, and far below any real error (≫ 1e-3).
    np.testing.assert_allclose(single, p[2], rtol=1e-5, atol=1e-7)
    assert model.predict(images[2]) == np.argmax(z[2])


def test_contributions_add_up_to_the_logits(model: SoftmaxRegression, images: np.ndarray) -> None:
    parts = model.contributions(images[1])
    assert parts.shape == (10, 28, 28)
    np.testing.assert_allclose(parts.sum(axis=(1, 2)) + model.b, model.logits(images[1]), rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="single"):
        model.contributions(images)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.zeros((2, 28, 28), dtype=np.float64), r"integer pixel values 0\.\.255 \(dtype uint8\), got dtype float64"),
        (np.zeros((2, 28, 28), dtype=bool), "dtype bool"),
        (np.full((1, 28, 28), 300, dtype=np.int16), r"must lie in 0\.\.255, got 300\.\.300"),
        (np.full((1, 28, 28), -1), r"must lie in 0\.\.255"),
        (np.zeros((2, 784), dtype=np.uint8), r"shape \(n, 28, 28\) or \(28, 28\), got \(2, 784\)"),
        (np.zeros((1, 1, 28, 28), dtype=np.uint8), r"got \(1, 1, 28, 28\)"),
        (np.zeros((28, 27), dtype=np.uint8), r"got \(28, 27\)"),
        (np.array(["a"] * 784).reshape(28, 28), "got dtype <U1"),
    ],
)
def test_bad_images_are_rejected_up_front(model: SoftmaxRegression, bad: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        model.predict_proba(bad)


def test_integer_lists_and_empty_batches_are_accepted(model: SoftmaxRegression) -> None:
    assert model.predict_proba([[0] * 28] * 28).shape == (10,)
    assert model.predict_proba(np.zeros((0, 28, 28), dtype=np.uint8)).shape == (0, 10)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"W": np.zeros((10, 783))}, r"W must have shape \(10, 784\)"),
        ({"W": np.zeros((10, 784), dtype=np.int64)}, "W must be a floating-point array"),
        ({"b": np.full(10, np.nan)}, "b contains NaN"),
        ({"std": 0.0}, "std must be positive"),
        ({"mean": np.inf}, "mean contains NaN or infinity"),
    ],
)
def test_bad_parameters_are_rejected(kwargs: dict[str, object], message: str) -> None:
    arguments = {"W": np.zeros((10, 784)), "b": np.zeros(10), "mean": MEAN, "std": STD} | kwargs
    with pytest.raises(ValueError, match=message):
        SoftmaxRegression(**arguments)


def test_parameters_are_read_only_copies(model: SoftmaxRegression) -> None:
    W = np.zeros((10, 784))
    m = SoftmaxRegression(W, np.zeros(10), MEAN, STD)
    W[0, 0] = 1.0
    assert m.W[0, 0] == 0.0
    with pytest.raises(ValueError):
        model.W[0, 0] = 1.0


def assert_same(a: SoftmaxRegression, b: SoftmaxRegression) -> None:
    np.testing.assert_array_equal(a.W, b.W)
    np.testing.assert_array_equal(a.b, b.b)
    assert (a.mean, a.std) == (b.mean, b.std)


def test_save_load_round_trip(model: SoftmaxRegression, images: np.ndarray, tmp_path: Path) -> None:
    path = tmp_path / "model"  # no .npz suffix: saved exactly where asked
    model.save(path)
    assert path.is_file()
    assert_same(SoftmaxRegression.load(path), model)
    assert_same(SoftmaxRegression.load(str(path)), model)
    buffer = io.BytesIO()
    model.save(buffer)
    assert_same(SoftmaxRegression.load(io.BytesIO(buffer.getvalue())), model)
    loaded = SoftmaxRegression.load(buffer.getvalue())
    assert_same(loaded, model)
    np.testing.assert_array_equal(loaded.predict_proba(images), model.predict_proba(images))  # same θ, same path


class _Trap:
    """Unpickling this would run code; a safe loader never gets that far."""

    triggered = False

    def __reduce__(self):
        return (_Trap._trigger, ())

    @staticmethod
    def _trigger() -> None:
        _Trap.triggered = True


def _npz_with_member(name: str, payload: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, payload)
    return buffer.getvalue()


def hostile_files(model: SoftmaxRegression) -> dict[str, tuple[bytes, str]]:
    good = valid_arrays(model)
    npy = io.BytesIO()
    np.save(npy, model.W)
    huge = io.BytesIO()
    np.savez_compressed(huge, **(good | {"W": np.zeros((1000, 1000))}))
    return {
        "garbage": (b"\x00garbage bytes, not an archive", "is not a model saved by SoftmaxRegression.save"),
        "empty": (b"", "is not a model saved"),
        "pickle": (pickle.dumps(good), "is not a model saved"),
        "pickled-object-array": (npz_bytes(**(good | {"W": np.array([_Trap()] * 2, dtype=object)})), "W"),
        "single-npy": (npy.getvalue(), "single .npy array"),
        "missing-key": (npz_bytes(**{k: v for k, v in good.items() if k != "std"}), "expected exactly"),
        "extra-key": (npz_bytes(**(good | {"extra": np.zeros(1)})), "expected exactly"),
        "wrong-shape": (npz_bytes(**(good | {"W": np.zeros((784, 10))})), r"W must have shape \(10, 784\)"),
        "wrong-dtype": (npz_bytes(**(good | {"b": np.zeros(10, dtype=np.int32)})), "b must be a floating-point"),
        "complex": (npz_bytes(**(good | {"b": np.zeros(10, dtype=complex)})), "b must be a floating-point"),
        "nan": (npz_bytes(**(good | {"W": np.full((10, 784), np.nan)})), "W contains NaN"),
        "zero-std": (npz_bytes(**(good | {"std": np.float64(0)})), "std must be positive"),
        "huge-member": (huge.getvalue(), "far larger"),
        "bad-member": (_npz_with_member("W.npy", b"\x93NUMPY broken"), "not a model saved|expected exactly"),
    }


@pytest.mark.parametrize(
    "case",
    ["garbage", "empty", "pickle", "pickled-object-array", "single-npy", "missing-key", "extra-key", "wrong-shape",
     "wrong-dtype", "complex", "nan", "zero-std", "huge-member", "bad-member"],
)
def test_hostile_or_malformed_files_raise_model_file_error(
    model: SoftmaxRegression, tmp_path: Path, case: str
) -> None:
    content, message = hostile_files(model)[case]
    with pytest.raises(ModelFileError, match=message):
        SoftmaxRegression.load(content)
    path = tmp_path / "upload.npz"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=str(path)):
        SoftmaxRegression.load(path)
    assert not _Trap.triggered
    assert issubclass(ModelFileError, ValueError)


def test_missing_path_is_a_file_not_found_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        SoftmaxRegression.load(tmp_path / "absent.npz")
