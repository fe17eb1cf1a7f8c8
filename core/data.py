"""Fashion-MNIST: the ten class names, and the four official IDX files — found, verified, downloaded.

Lookup order for the files:

1. the folder named by the environment variable ``FASHION_MNIST_DIR`` (when it is set, it must hold them);
2. the user cache folder, ``$XDG_CACHE_HOME/classification-explorer/fashion-mnist`` (``~/.cache/…`` by default);
3. ``/usr/share/datasets/fashion-mnist/``, where Debian's package ``dataset-fashion-mnist`` puts them;
4. otherwise the official files are downloaded into the cache folder.

Every read verifies each file by the SHA-256 of its *decompressed* payload (Debian rewrites the gzip
headers, so the ``.gz`` bytes may differ while the data is identical). Nothing is memoised here: each call
resolves and checks the files again, so a changed ``FASHION_MNIST_DIR`` or a damaged file is never masked.
The app caches the arrays once per process.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import tempfile
import urllib.request
import zlib
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import numpy as np

CLASS_NAMES: tuple[str, ...] = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)

Split = Literal["train", "test"]

FILES: MappingProxyType[str, tuple[str, str]] = MappingProxyType({
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
})

# SHA-256 of each file's decompressed payload, from the official release.
SHA256: MappingProxyType[str, str] = MappingProxyType({
    "train-images-idx3-ubyte.gz": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte.gz": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte.gz": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte.gz": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
})

# Size of each official .gz file: the total for a download's progress bar.
GZ_BYTES: MappingProxyType[str, int] = MappingProxyType({
    "train-images-idx3-ubyte.gz": 26_421_880,
    "train-labels-idx1-ubyte.gz": 29_515,
    "t10k-images-idx3-ubyte.gz": 4_422_102,
    "t10k-labels-idx1-ubyte.gz": 5_148,
})

# Where the official release is served, tried in order.
MIRRORS: tuple[str, ...] = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
)

SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")

IMAGE_SHAPE = (28, 28)
_IDX_UBYTE = 0x08
_CHUNK = 1 << 16


class DatasetError(ValueError):
    """The Fashion-MNIST files are missing, damaged or cannot be fetched; the message says what to do."""


def cache_dir() -> Path:
    """The user cache folder for the files: ``$XDG_CACHE_HOME`` (if absolute) or ``~/.cache``, then our name."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "classification-explorer" / "fashion-mnist"


def how_to_get() -> str:
    """The instructions shown when the dataset is missing."""
    names = ", ".join(SHA256)
    return (
        "Fashion-MNIST was not found. Get it in one of these ways:\n"
        f"  - set FASHION_MNIST_DIR to a folder holding the four official files ({names});\n"
        f"  - on Debian or Ubuntu: sudo apt-get install dataset-fashion-mnist (installs them in {SYSTEM_DIR});\n"
        f"  - download them (needs internet) into {cache_dir()}: "
        'python -c "from core.data import download; download()".'
    )


def _repair_advice(path: Path) -> str:
    return (
        f"Replace {path.name} with the official file: delete it and download again "
        f'(python -c "from core.data import download; download()"), point FASHION_MNIST_DIR at a folder '
        "with the official files, or sudo apt-get install dataset-fashion-mnist."
    )


def read_idx(path: str | os.PathLike[str], sha256: str) -> np.ndarray:
    """Read one gzipped IDX file of unsigned bytes into a read-only uint8 array of the shape it declares.

    The decompressed payload must have the given SHA-256; any damage raises `DatasetError` naming the file.
    """
    path = Path(path)
    try:
        payload = gzip.decompress(path.read_bytes())
    except FileNotFoundError:
        raise DatasetError(f"{path} is missing. {_repair_advice(path)}") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise DatasetError(f"{path} is not a complete gzip file ({exc}). {_repair_advice(path)}") from None
    if len(payload) < 4 or payload[:2] != b"\0\0" or payload[2] != _IDX_UBYTE or not 1 <= payload[3] <= 3:
        raise DatasetError(
            f"{path} is not an IDX file of unsigned bytes (magic {payload[:4].hex() or 'missing'}, expected "
            f"00000801, 00000802 or 00000803). {_repair_advice(path)}"
        )
    ndim = payload[3]
    header = 4 + 4 * ndim
    if len(payload) < header:
        raise DatasetError(f"{path} is truncated inside its IDX header. {_repair_advice(path)}")
    shape = tuple(int.from_bytes(payload[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape, dtype=np.int64))
    if len(payload) != expected:
        raise DatasetError(
            f"{path} holds {len(payload)} bytes but its IDX header (shape {shape}) declares {expected}: "
            f"the file is truncated or padded. {_repair_advice(path)}"
        )
    digest = hashlib.sha256(payload).hexdigest()
    if digest != sha256:
        raise DatasetError(
            f"{path} is not the official file: the SHA-256 of its content is {digest}, expected {sha256}. "
            f"{_repair_advice(path)}"
        )
    return np.frombuffer(payload, dtype=np.uint8, offset=header).reshape(shape)


def _has_all_files(directory: Path) -> bool:
    return all((directory / name).is_file() for name in SHA256)


def locate() -> Path | None:
    """The first folder in the lookup order that holds all four files, or None (nothing is verified here).

    Raises `DatasetError` when ``FASHION_MNIST_DIR`` is set to a folder that lacks any of them, rather than
    silently using another copy.
    """
    env = os.environ.get("FASHION_MNIST_DIR")
    if env:
        directory = Path(env).expanduser()
        if not _has_all_files(directory):
            missing = [name for name in SHA256 if not (directory / name).is_file()]
            raise DatasetError(
                f"FASHION_MNIST_DIR is set to {directory}, but it lacks {', '.join(missing)}. "
                "Put the four official files there, or unset FASHION_MNIST_DIR to use the other locations.\n"
                + how_to_get()
            )
        return directory
    for directory in (cache_dir(), SYSTEM_DIR):
        if _has_all_files(directory):
            return directory
    return None


def _fetch(url: str, target: Path, on_bytes: Callable[[int], None], timeout: float) -> None:
    with urllib.request.urlopen(url, timeout=timeout) as response, open(target, "wb") as out:
        while chunk := response.read(_CHUNK):
            out.write(chunk)
            on_bytes(len(chunk))


def download(
    dest: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    timeout: float = 30.0,
) -> Path:
    """Download the four official files into ``dest`` (default: `cache_dir()`) and return that folder.

    Files already there and intact are kept. Each download goes to a temporary name in ``dest``, is verified,
    and only then renamed, so an interrupted or corrupted download never leaves a usable-looking file.
    ``progress(done_bytes, total_bytes)`` is called as data arrives. Raises `DatasetError` if no mirror works.
    """
    dest = Path(dest) if dest is not None else cache_dir()
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatasetError(f"cannot create {dest} for the download ({exc}).\n{how_to_get()}") from None
    total = sum(GZ_BYTES.values())
    done = 0

    def report(size: int) -> None:
        nonlocal done
        done += size
        if progress is not None:
            progress(min(done, total), total)

    for name, sha256 in SHA256.items():
        final = dest / name
        if final.is_file():
            try:
                read_idx(final, sha256)
                report(GZ_BYTES[name])
                continue
            except DatasetError:
                pass
        start = done
        failures = []
        for mirror in MIRRORS:
            fd, tmp_name = tempfile.mkstemp(dir=dest, prefix=f".{name}.", suffix=".part")
            os.close(fd)
            tmp = Path(tmp_name)
            try:
                _fetch(mirror + name, tmp, report, timeout)
                read_idx(tmp, sha256)
                os.replace(tmp, final)
                break
            except (OSError, http.client.HTTPException, ValueError) as exc:
                failures.append(f"{mirror + name}: {exc}")
                done = start
            finally:
                tmp.unlink(missing_ok=True)
        else:
            raise DatasetError(
                f"could not download {name}:\n  " + "\n  ".join(failures) + "\n" + how_to_get()
            )
    return dest


def load_fashion_mnist(
    split: Split,
    *,
    allow_download: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``"train"`` (60 000) or ``"test"`` (10 000) split: images uint8 (n, 28, 28), labels uint8 (n,).

    The arrays are read-only. The files are located (see the module docstring), verified by SHA-256 on
    every call, and downloaded with ``progress`` only when they are found nowhere and ``allow_download``.
    Raises `DatasetError` with instructions when the data is missing or damaged.
    """
    if split not in FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    directory = locate()
    if directory is None:
        if not allow_download:
            raise DatasetError(how_to_get())
        directory = download(progress=progress)
    images_name, labels_name = FILES[split]
    images = read_idx(directory / images_name, SHA256[images_name])
    labels = read_idx(directory / labels_name, SHA256[labels_name])
    return images, labels
