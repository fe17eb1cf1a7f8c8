"""Speed and memory of the softmax-regression trainer (core.trainer), as figures against same-run floors.

- Seconds per epoch (60 000 images, batch 256, float32, Adam + cross-entropy) against the bare GEMM time of
  that epoch: the two matrix products per batch, X_b @ Wᵀ and Gᵀ @ X_b, on the same batches, measured
  interleaved with the training epochs in this run. With the BLAS at its default thread count and, when
  threadpoolctl is installed, at 1 thread.
- Time to 0.84 test accuracy and the best test accuracy of the CLI defaults, and the same for PyTorch (CPU,
  linear layer + cross-entropy, same optimizer and batch size) and scikit-learn's LogisticRegression when
  they are installed.
- Peak memory (RSS) of this process with the dataset loaded and two runs training at once, next to the
  dataset's own size.

Usage: FASHION_MNIST_DIR=... python bench/bench_training.py [--repeats R] [--epochs E] [--threads T] [--no-sklearn]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.model import N_PIXELS
from core.trainer import Trainer, TrainingConfig, TrainingData, epoch_batches
from core.training_run import TrainingRun

TARGET = 0.84
MB = 1 << 20
BlasLimit = Callable[[], AbstractContextManager[object]]


def _status_kib(field: str) -> int:
    """A VmRSS/VmHWM figure of this process from /proc (kB), or 0 where there is no /proc."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _blas_limit(threads: int) -> BlasLimit | None:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return lambda: threadpool_limits(limits=threads, user_api="blas")


def describe_machine() -> None:
    print(f"numpy {np.__version__}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    env = {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS", "OMP_", "MKL_"))}
    print(f"BLAS environment: {env or 'none set'}")
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        print("threadpoolctl: not installed")
        return
    for pool in threadpool_info():
        print(f"threadpoolctl: {pool.get('internal_api')} {pool.get('version')} {pool.get('architecture')}, "
              f"{pool.get('num_threads')} threads ({pool.get('threading_layer')})")


def memory(data: TrainingData, rss_before_kib: int) -> None:
    """Peak RSS while CE and MSE train side by side from the same θ₀ (two TrainingRuns at once)."""
    runs = [TrainingRun(data, TrainingConfig(loss=loss, epochs=2)) for loss in ("ce", "mse")]
    started = time.perf_counter()
    for run in runs:
        run.start()
    for run in runs:
        run.wait()
    wall = time.perf_counter() - started
    shots = [run.snapshot() for run in runs]
    images = (len(data.y_train) + len(data.y_test)) * N_PIXELS
    features = data.X_train.nbytes + data.X_test.nbytes
    print("\n## Memory: the dataset loaded, two runs (CE and MSE, 2 epochs each) training at once")
    print(f"  dataset: {images / MB:.1f} MiB as uint8 images; {features / MB:.1f} MiB as the shared float32 "
          f"features x̃ = [x, 1] (train {data.X_train.shape}, test {data.X_test.shape})")
    print(f"  RSS: {rss_before_kib / 1024:.1f} MiB before loading; now {_status_kib('VmRSS') / 1024:.1f} MiB; "
          f"peak {_status_kib('VmHWM') / 1024:.1f} MiB "
          f"= {(_status_kib('VmHWM') - rss_before_kib) * 1024 / features:.2f}× the features above the start")
    print(f"  two runs at once: {wall:.2f} s wall for 2×2 epochs; "
          + "; ".join(f"{s.config.loss}: {s.state}, test acc {s.epoch_test_accuracy[-1]:.4f}" for s in shots))
    for run in runs:
        run.stop()


def _gemm_epoch(data: TrainingData, plan: list[tuple[int, int]], W: np.ndarray) -> float:
    """Seconds for the bare products X_b @ Wᵀ and Gᵀ @ X_b over one epoch's batches (wrapped one pre-gathered)."""
    X = data.X_train[:, :N_PIXELS]
    n = len(X)
    batches = [X[s:s + m] if s + m <= n else np.take(X, np.arange(s, s + m), axis=0, mode="wrap") for s, m in plan]
    Z = np.empty((max(m for _, m in plan), W.shape[0]), dtype=np.float32)
    G = np.full_like(Z, 1e-3)
    gW = np.empty_like(W)
    started = time.perf_counter()
    for Xb in batches:
        np.matmul(Xb, W.T, out=Z[:len(Xb)])
        np.matmul(G[:len(Xb)].T, Xb, out=gW)
    return time.perf_counter() - started


def _training_epoch(trainer: Trainer) -> tuple[float, float]:
    """(seconds for one epoch of trainer.step() including its evaluations, estimate without them)."""
    plain = []
    total = 0.0
    epoch = trainer.epoch
    while trainer.epoch == epoch:
        started = time.perf_counter()
        trainer.step()
        seconds = time.perf_counter() - started
        total += seconds
        if trainer.steps % trainer.eval_every and trainer.epoch == epoch:
            plain.append(seconds)
    return total, statistics.fmean(plain) * trainer.steps_per_epoch


def epoch_speed(data: TrainingData, repeats: int, label: str, limit: BlasLimit) -> None:
    """Training epochs interleaved with bare-GEMM epochs over the very same batches; ratios per pair."""
    config = TrainingConfig(epochs=repeats + 1)
    trainer = Trainer(data, config)
    plans = np.random.default_rng([config.seed, 1])  # the trainer's batch stream: the same plans, in order
    W = np.ascontiguousarray(trainer.model().W)
    gemm, full, steps_only = [], [], []
    with limit():
        epoch_batches(len(data.y_train), config.batch_size, plans)
        _training_epoch(trainer)  # warm-up
        for _ in range(repeats):
            gemm.append(_gemm_epoch(data, epoch_batches(len(data.y_train), config.batch_size, plans), W))
            total, estimate = _training_epoch(trainer)
            full.append(total)
            steps_only.append(estimate)

    def ratios(times: list[float]) -> str:
        r = sorted(t / g for t, g in zip(times, gemm, strict=True))
        return f"{statistics.median(r):.2f}× GEMM (range {r[0]:.2f}–{r[-1]:.2f})"

    print(f"\n## Epoch speed, {label}: 60 000 images, batch 256, float32, Adam + CE, {repeats} interleaved pairs")
    print(f"  bare GEMM (X_b @ Wᵀ and Gᵀ @ X_b, same batches): median {statistics.median(gemm):.4f} s, "
          f"min {min(gemm):.4f} s")
    print(f"  training epoch incl. evaluations ({trainer.eval_every}-step subset evals + full test at the end): "
          f"median {statistics.median(full):.4f} s; per pair {ratios(full)}")
    print(f"  training steps only (evaluation steps left out): median {statistics.median(steps_only):.4f} s; "
          f"per pair {ratios(steps_only)}")
    print(f"  load average now {os.getloadavg()[0]:.2f}")


def _first_reaching(accuracies: Sequence[float], seconds: Sequence[float]) -> str:
    for accuracy, t in zip(accuracies, seconds):
        if accuracy >= TARGET:
            return f"{t:.2f} s"
    return f"not reached in {len(accuracies)} epochs"


def ours(data: TrainingData, config: TrainingConfig) -> None:
    result = Trainer(data, config).run()
    best = float(result.epoch_test_accuracy.max())
    print(f"\n## core.trainer, CLI defaults ({config.optimizer}, η {config.learning_rate:g} {config.schedule}, "
          f"batch {config.batch_size}, {config.epochs} epochs), test accuracy at epoch ends")
    print(f"  time to {TARGET} test accuracy: {_first_reaching(result.epoch_test_accuracy, result.epoch_seconds)}"
          f" (training time, evaluations included); best test accuracy {best:.4f} "
          f"(epoch {int(result.epoch_test_accuracy.argmax()) + 1}); {result.elapsed / config.epochs:.3f} s per epoch")


def pytorch(data: TrainingData, config: TrainingConfig, threads: int | None) -> None:
    epochs, lr = config.epochs, config.learning_rate
    print(f"\n## PyTorch CPU, same config (nn.Linear(784, 10), cross-entropy, Adam η {lr:g} {config.schedule}, "
          f"batch {config.batch_size}, reshuffled each epoch), {epochs} epochs")
    try:
        import torch
    except ImportError:
        print("  not installed")
        return
    torch.manual_seed(0)
    if threads is not None:
        torch.set_num_threads(threads)
    X = torch.from_numpy(np.ascontiguousarray(data.X_train[:, :N_PIXELS]))
    y = torch.from_numpy(data.y_train.astype(np.int64))
    X_test = torch.from_numpy(np.ascontiguousarray(data.X_test[:, :N_PIXELS]))
    y_test = torch.from_numpy(data.y_test.astype(np.int64))
    model = torch.nn.Linear(N_PIXELS, 10)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    total = epochs * -(-len(y) // config.batch_size)
    accuracies, seconds, spent, step = [], [], 0.0, 0
    for _ in range(epochs):
        started = time.perf_counter()
        for idx in torch.randperm(len(y)).split(config.batch_size):
            if config.schedule == "linear":
                optimizer.param_groups[0]["lr"] = lr * (1 - step / total)
            step += 1
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(X[idx]), y[idx]).backward()
            optimizer.step()
        spent += time.perf_counter() - started
        with torch.no_grad():
            accuracies.append(float((model(X_test).argmax(1) == y_test).float().mean()))
        seconds.append(spent)
    print(f"  torch {torch.__version__}, {torch.get_num_threads()} threads: {spent / epochs:.3f} s per epoch; "
          f"time to {TARGET}: {_first_reaching(accuracies, seconds)} (evaluations excluded); "
          f"best test accuracy {max(accuracies):.4f} (epoch {accuracies.index(max(accuracies)) + 1})")


def sklearn(data: TrainingData) -> None:
    print("\n## scikit-learn LogisticRegression (lbfgs, multinomial, C=1, max_iter=100) on the same features")
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        print("  not installed")
        return
    import sklearn as sk

    model = LogisticRegression(max_iter=100)
    started = time.perf_counter()
    with warnings.catch_warnings(record=True):
        model.fit(data.X_train[:, :N_PIXELS], data.y_train)
    spent = time.perf_counter() - started
    accuracy = float(np.mean(model.predict(data.X_test[:, :N_PIXELS]) == data.y_test))
    iterations = int(model.n_iter_[0])
    converged = "converged" if iterations < model.max_iter else "not converged"
    print(f"  scikit-learn {sk.__version__}: fit {spent:.1f} s ({iterations} iterations, {converged}), "
          f"test accuracy {accuracy:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9, help="timed epoch pairs per setting")
    parser.add_argument("--epochs", type=int, default=TrainingConfig().epochs, help="for the accuracy comparison")
    parser.add_argument("--no-sklearn", action="store_true", help="skip LogisticRegression (tens of seconds)")
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS and torch threads for the memory and accuracy sections (default: as configured)")
    args = parser.parse_args()
    limit = nullcontext if args.threads is None else _blas_limit(args.threads)
    if limit is None:
        parser.error("--threads needs threadpoolctl")
    describe_machine()
    print(f"Memory and accuracy sections run with {args.threads or 'the default number of'} BLAS/torch threads")
    rss_before = _status_kib("VmRSS")
    started = time.perf_counter()
    data = TrainingData.load()
    print(f"TrainingData.load(): {time.perf_counter() - started:.2f} s (read, verify, standardise)")
    with limit():
        memory(data, rss_before)
    epoch_speed(data, args.repeats, "BLAS default threads", nullcontext)
    single = _blas_limit(1)
    if single is None:
        print("\n## Epoch speed, BLAS 1 thread: threadpoolctl not installed")
    else:
        epoch_speed(data, args.repeats, "BLAS limited to 1 thread (threadpoolctl)", single)
    config = TrainingConfig(epochs=args.epochs)
    with limit():
        ours(data, config)
        pytorch(data, config, args.threads)
        if not args.no_sklearn:
            sklearn(data)

if __name__ == "__main__":
    main()
