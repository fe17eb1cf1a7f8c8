"""The command line: train f(x, θ) = softmax(Wx + b) on Fashion-MNIST and save θ.

    python -m core.training --epochs N --lr LR --batch-size B --seed S --out model.npz

prints one line per epoch and the final test accuracy, and saves the model as a plain .npz
(`core.model.SoftmaxRegression.save`). The training itself is `core.trainer`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from core.optimizers import OPTIMIZERS
from core.trainer import LOSSES, SCHEDULES, Snapshot, Trainer, TrainingConfig, TrainingData


def _progress_bar(done: int, total: int, width: int = 20) -> str:
    filled = round(width * done / total)
    return "[" + "#" * filled + "." * (width - filled) + "]"


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: train on Fashion-MNIST, print one line per epoch and the final test accuracy, save."""
    defaults = TrainingConfig()
    parser = argparse.ArgumentParser(
        prog="python -m core.training",
        description="Train f(x, θ) = softmax(Wx + b) on Fashion-MNIST and save θ as .npz.",
    )
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--lr", type=float, default=defaults.learning_rate, help="learning rate η")
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size, help="ignored by gd (full batch)")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default=defaults.optimizer)
    parser.add_argument("--loss", choices=LOSSES, default=defaults.loss)
    parser.add_argument("--weight-decay", type=float, default=defaults.weight_decay, help="L2 penalty λ")
    parser.add_argument("--schedule", choices=SCHEDULES, default=defaults.schedule, help="learning-rate schedule")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--limit", type=int, default=None, help="train on the first LIMIT training images only")
    parser.add_argument("--out", default="model.npz", help="where to save the model (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        config = TrainingConfig(
            optimizer=args.optimizer, loss=args.loss, learning_rate=args.lr, batch_size=args.batch_size,
            epochs=args.epochs, weight_decay=args.weight_decay, seed=args.seed, schedule=args.schedule,
        )
        data = TrainingData.load(limit=args.limit)
    except ValueError as exc:
        parser.exit(2, f"error: {exc}\n")

    def report(s: Snapshot) -> None:
        print(
            f"{_progress_bar(s.epoch, config.epochs)} epoch {s.epoch}/{config.epochs}  "
            f"train loss {s.epoch_train_loss[-1]:.4f} acc {s.epoch_train_accuracy[-1]:.4f}  "
            f"test loss {s.epoch_test_loss[-1]:.4f} acc {s.epoch_test_accuracy[-1]:.4f}  "
            f"({s.elapsed:.1f} s)",
            flush=True,
        )

    print(f"training: {config.optimizer}, loss {config.loss}, η = {config.learning_rate:g} ({config.schedule}), "
          f"batch {config.batch_size}, λ = {config.weight_decay:g}, seed {config.seed}, "
          f"{len(data.y_train)} training images", flush=True)
    trainer = Trainer(data, config)
    result = trainer.run(on_epoch=report)
    if result.state == "diverged":
        print(result.message, file=sys.stderr)
        return 1
    print(f"final test accuracy: {result.epoch_test_accuracy[-1]:.4f}")
    result.model().save(args.out)
    print(f"saved the model to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
