"""core.data: IDX reading and verification, the lookup order, downloading, and the real Fashion-MNIST."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest

from core import data
from core.data import CLASS_NAMES, SHA256, DatasetError, load_fashion_mnist, read_idx

TEST_LABELS = "t10k-labels-idx1-ubyte.gz"


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX payload of unsigned bytes: magic 0x0000 08 ndim, big-endian dimensions, then the data."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_gz(path: Path, payload: bytes) -> str:
    """Write payload gzipped to path; return the payload's SHA-256."""
    path.write_bytes(gzip.compress(payload))
    return hashlib.sha256(payload).hexdigest()


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No FASHION_MNIST_DIR, an empty cache and system folder under tmp_path, and no reachable mirror."""
    monkeypatch.delenv("FASHION_MNIST_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(data, "SYSTEM_DIR", tmp_path / "system")
    monkeypatch.setattr(data, "MIRRORS", ("http://127.0.0.1:9/",))
    return tmp_path


def fake_dataset(folder: Path) -> Path:
    """Four placeholder files (enough for the lookup, which verifies nothing)."""
    folder.mkdir(parents=True)
    for name in SHA256:
        (folder / name).write_bytes(b"placeholder")
    return folder


def test_class_names_in_official_label_order() -> None:
    assert CLASS_NAMES == (
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"
    )


def test_read_idx_images_and_labels(tmp_path: Path) -> None:
    images = np.random.default_rng(0).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    labels = np.array([9, 0, 3], dtype=np.uint8)
    images_sha = write_gz(tmp_path / "images.gz", idx_bytes(images))
    labels_sha = write_gz(tmp_path / "labels.gz", idx_bytes(labels))
    read_images = read_idx(tmp_path / "images.gz", images_sha)
    read_labels = read_idx(tmp_path / "labels.gz", labels_sha)
    assert read_images.dtype == np.uint8 and read_images.shape == (3, 28, 28)
    np.testing.assert_array_equal(read_images, images)
    np.testing.assert_array_equal(read_labels, labels)
    assert not read_images.flags.writeable


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda gz, payload: gz[: len(gz) // 2], "not a complete gzip file"),
        (lambda gz, payload: payload, "not a complete gzip file"),
        (lambda gz, payload: gzip.compress(payload[:-5]), "truncated"),
        (lambda gz, payload: gzip.compress(payload + b"\0"), "padded"),
        (lambda gz, payload: gzip.compress(b"\0\0\x0d\x01" + payload[4:]), "not an IDX file"),
        (lambda gz, payload: gzip.compress(b"PK\3\4" + payload[4:]), "not an IDX file"),
        (lambda gz, payload: gzip.compress(b""), "not an IDX file"),
        (lambda gz, payload: gzip.compress(payload[:-1] + b"\1"), "SHA-256"),
    ],
    ids=["truncated-gzip", "not-gzip", "truncated-payload", "padded", "wrong-type", "wrong-magic", "empty", "checksum"],
)
def test_damaged_file_raises_clear_error(tmp_path: Path, damage, expected: str) -> None:
    payload = idx_bytes(np.arange(100, dtype=np.uint8))
    sha = hashlib.sha256(payload).hexdigest()
    path = tmp_path / "labels-idx1-ubyte.gz"
    path.write_bytes(damage(gzip.compress(payload), payload))
    with pytest.raises(DatasetError, match=expected) as info:
        read_idx(path, sha)
    message = str(info.value)
    assert str(path) in message
    assert "FASHION_MNIST_DIR" in message and "apt-get install dataset-fashion-mnist" in message


def test_missing_file_raises_dataset_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="missing"):
        read_idx(tmp_path / "nothing.gz", "0" * 64)


def test_dataset_error_is_a_value_error() -> None:
    assert issubclass(DatasetError, ValueError)


def test_cache_dir_honours_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data.cache_dir() == tmp_path / "classification-explorer" / "fashion-mnist"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data.cache_dir() == tmp_path / "home" / ".cache" / "classification-explorer" / "fashion-mnist"


def test_lookup_order(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert data.locate() is None
    system = fake_dataset(isolated / "system")
    assert data.locate() == system
    cache = fake_dataset(data.cache_dir())
    assert data.locate() == cache
    env = fake_dataset(isolated / "env")
    monkeypatch.setenv("FASHION_MNIST_DIR", str(env))
    assert data.locate() == env


def test_incomplete_fashion_mnist_dir_is_not_silently_skipped(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dataset(data.cache_dir())
    partial = fake_dataset(isolated / "env")
    (partial / TEST_LABELS).unlink()
    monkeypatch.setenv("FASHION_MNIST_DIR", str(partial))
    with pytest.raises(DatasetError, match=f"FASHION_MNIST_DIR.*lacks {TEST_LABELS}"):
        data.locate()


def test_missing_dataset_without_network_says_how_to_get_it(isolated: Path) -> None:
    assert data.locate() is None
    for split in ("train", "test"):
        with pytest.raises(DatasetError) as info:
            load_fashion_mnist(split)
        message = str(info.value)
        assert "could not download" in message
        assert "FASHION_MNIST_DIR" in message
        assert "apt-get install dataset-fashion-mnist" in message
        assert 'python -c "from core.data import download; download()"' in message
    assert list(data.cache_dir().iterdir()) == [], "a failed download must leave nothing behind"
    with pytest.raises(DatasetError, match="was not found"):
        load_fashion_mnist("test", allow_download=False)


def test_unknown_split() -> None:
    with pytest.raises(ValueError, match="'train' or 'test'"):
        load_fashion_mnist("validation")  # type: ignore[arg-type]


def test_real_dataset(fashion_dir: Path) -> None:
    train_images, train_labels = load_fashion_mnist("train")
    test_images, test_labels = load_fashion_mnist("test")
    assert train_images.shape == (60000, 28, 28) and train_labels.shape == (60000,)
    assert test_images.shape == (10000, 28, 28) and test_labels.shape == (10000,)
    assert {a.dtype for a in (train_images, train_labels, test_images, test_labels)} == {np.dtype(np.uint8)}
    np.testing.assert_array_equal(np.bincount(train_labels), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(test_labels), [1000] * 10)
    assert train_images.mean(dtype=np.float64) / 255 == pytest.approx(0.2860405970, abs=1e-10)
    assert train_labels[0] == CLASS_NAMES.index("Ankle boot")


def test_real_files_rezipped_with_other_gzip_headers_still_verify(fashion_dir: Path, tmp_path: Path) -> None:
    """Debian rewrites the gzip headers; the check is on the decompressed payload, so that copy passes."""
    payload = gzip.decompress((fashion_dir / TEST_LABELS).read_bytes())
    (tmp_path / TEST_LABELS).write_bytes(gzip.compress(payload, compresslevel=1, mtime=0))
    labels = read_idx(tmp_path / TEST_LABELS, SHA256[TEST_LABELS])
    assert labels.shape == (10000,)


def corrupted_copy(fashion_dir: Path, folder: Path) -> Path:
    """The real files with one label of the test set changed (a valid IDX file, the wrong content)."""
    folder.mkdir()
    for name in SHA256:
        (folder / name).symlink_to(fashion_dir / name)
    payload = bytearray(gzip.decompress((fashion_dir / TEST_LABELS).read_bytes()))
    payload[-1] = (payload[-1] + 1) % 10
    (folder / TEST_LABELS).unlink()
    (folder / TEST_LABELS).write_bytes(gzip.compress(bytes(payload)))
    return folder


def test_corrupted_real_file_and_changed_env_are_never_masked(
    fashion_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(load_fashion_mnist("test")[1]) == 10000
    monkeypatch.setenv("FASHION_MNIST_DIR", str(corrupted_copy(fashion_dir, tmp_path / "corrupt")))
    with pytest.raises(DatasetError, match=f"{TEST_LABELS} is not the official file") as info:
        load_fashion_mnist("test")
    assert "SHA-256" in str(info.value)


def test_download_from_mirrors_verifies_and_renames(fashion_dir: Path, isolated: Path, monkeypatch) -> None:
    monkeypatch.setattr(data, "MIRRORS", ((isolated / "nowhere").as_uri() + "/", fashion_dir.as_uri() + "/"))
    calls: list[tuple[int, int]] = []
    dest = data.download(isolated / "downloaded", progress=lambda done, total: calls.append((done, total)))
    assert sorted(p.name for p in dest.iterdir()) == sorted(SHA256), "only the four verified files, no temporaries"
    for name, sha in SHA256.items():
        read_idx(dest / name, sha)
    total = sum(data.GZ_BYTES.values())
    assert calls[-1] == (total, total) and all(t == total for _, t in calls)
    monkeypatch.setattr(data, "MIRRORS", ("http://127.0.0.1:9/",))
    assert data.download(dest) == dest, "intact files already there are kept without a download"


def test_download_rejects_a_corrupt_mirror(fashion_dir: Path, isolated: Path, monkeypatch) -> None:
    mirror = corrupted_copy(fashion_dir, isolated / "mirror")
    monkeypatch.setattr(data, "MIRRORS", (mirror.as_uri() + "/",))
    dest = isolated / "downloaded"
    with pytest.raises(DatasetError, match=f"could not download {TEST_LABELS}"):
        data.download(dest)
    assert TEST_LABELS not in {p.name for p in dest.iterdir()}
    assert not [p for p in dest.iterdir() if p.name.startswith(".")], "no temporary file is left behind"
