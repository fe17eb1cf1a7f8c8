"""core.imaging: time from a 24-megapixel JPEG upload to a prediction, and the accuracy cost of the pipeline.

1. Speed. A 6000 × 4000 JPEG of about 7 MB (a test image photographed as a shop would, with sensor noise)
   goes through `to_fashion_mnist` and `predict_proba`. Floors measured in the same run: Pillow decoding
   that JPEG at 1/8 scale (the least any decoder must do: entropy-decode every byte), Pillow decoding it in
   full (what a naive pipeline pays before any work), and the same path for the 28×28 test image as PNG.
2. Accuracy. Test images rendered as shop photos (`core.imaging.render_shop_photo`) and brought back by the
   pipeline, against the raw test images, with a model trained by `core.trainer`'s defaults.

Usage: python bench/bench_imaging.py [--n 10000] [--repeats 15]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.data import load_fashion_mnist
from core.imaging import shop_photo_accuracy, to_fashion_mnist
from core.trainer import Trainer, TrainingConfig, TrainingData

SIZE = (6000, 4000)


def big_jpeg(image: np.ndarray) -> bytes:
    """``image`` as a dark item 3000 px tall, off-centre on off-white 6000 × 4000, noise σ 8, quality 90."""
    item = Image.fromarray(image).resize((3000, 3000), Image.Resampling.BICUBIC)
    photo = Image.new("RGB", SIZE, (238, 236, 230))
    photo.paste((40, 45, 70), (1800, 600, 4800, 3600), mask=item)
    noise = Image.effect_noise(SIZE, 8).convert("RGB")
    photo = ImageChops.add(photo, noise, scale=1.0, offset=-128)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=90)
    return out.getvalue()


def png(image: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image).save(out, "PNG")
    return out.getvalue()


def median_ms(works: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median milliseconds of each work, the works timed in turn within every round so load hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(repeats):
        for name, work in works.items():
            started = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - started)
    return {name: 1e3 * statistics.median(values) for name, values in times.items()}


def decode(data: bytes, scale: int) -> None:
    """Pillow's decode of the JPEG, at 1/``scale`` of its size (DCT scaling, as `Image.draft` asks for)."""
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (image.width // scale, image.height // scale))
        image.load()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="test images for the accuracy figure")
    parser.add_argument("--repeats", type=int, default=15, help="timed runs per figure (median)")
    args = parser.parse_args()

    train_images, train_labels = load_fashion_mnist("train")
    test_images, test_labels = load_fashion_mnist("test")
    config = TrainingConfig()
    started = time.perf_counter()
    data = TrainingData.from_images(train_images, train_labels, test_images, test_labels)
    snapshot = Trainer(data, config).run()
    model = snapshot.model()
    print(f"model: {config.optimizer}, {config.loss}, η={config.learning_rate:g}, batch {config.batch_size}, "
          f"{config.epochs} epochs on {len(train_labels)} training images ({time.perf_counter() - started:.1f} s), "
          f"test accuracy {snapshot.epoch_test_accuracy[-1]:.2%}")

    jpeg = big_jpeg(test_images[0])
    small = png(test_images[0])
    predicted = model.predict_proba(to_fashion_mnist(jpeg).image).argmax()
    print(f"\n24-megapixel JPEG: {SIZE[0]} × {SIZE[1]}, {len(jpeg) / 2**20:.1f} MB; predicted class {predicted}, "
          f"true {test_labels[0]}")
    pipeline = "upload → 28×28 → predict_proba"
    ms = median_ms({
        pipeline: lambda: model.predict_proba(to_fashion_mnist(jpeg).image),
        "Pillow decode of the JPEG at 1/8 scale": lambda: decode(jpeg, 8),
        "Pillow decode of the JPEG in full": lambda: decode(jpeg, 1),
        "the same path for the 28×28 PNG": lambda: model.predict_proba(to_fashion_mnist(small).image),
    }, args.repeats)
    print(f"  {pipeline}: {ms[pipeline]:.1f} ms  (median of {args.repeats})")
    for name, value in ms.items():
        if name != pipeline:
            print(f"  floor: {name:40s} {value:8.1f} ms  → pipeline ÷ floor = {ms[pipeline] / value:.3g}")

    n = min(args.n, len(test_labels))
    started = time.perf_counter()
    raw, shop = shop_photo_accuracy(model, test_images[:n], test_labels[:n], seed=0)
    seconds = time.perf_counter() - started
    print(f"\nshop photos (dark on off-white, 10–20× larger, off-centre, JPEG 75–90, half tinted), "
          f"first {n} test images, seed 0:")
    print(f"  raw 28×28 accuracy {raw:.2%}, through the pipeline {shop:.2%}: {100 * (shop - raw):+.2f} points "
          f"({1e3 * seconds / n:.1f} ms per photo to render and preprocess)")


if __name__ == "__main__":
    main()
