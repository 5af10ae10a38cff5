"""Which view of the days still tells generated days from real ones (diagnostics).

The discriminative score of ``tsgan evaluate`` trains a classifier on raw, sorted and
differenced hours together. This script scores the run's ``gan`` samples (generated exactly
as ``tsgan evaluate`` does: as many as held-out days, under their conditions, seed 0) and,
for scale, resampled training days against the held-out days once per *view*: each view
alone. A view that scores far above the resampled row is where the generator is still wrong.

    .venv/bin/python scripts/classifier_views.py --run runs/quickstart
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np


def _diff(v: np.ndarray, n: int = 1) -> np.ndarray:
    return np.diff(v, n=n, axis=1)


def _centred(v: np.ndarray) -> np.ndarray:
    return v - v.mean(axis=1, keepdims=True)


#: name → (what the classifier sees, features of rows; None = tsgan evaluate's own)
VIEWS: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray] | None]] = {
    "all (as evaluate)": ("raw + sorted + hour-to-hour differences", None),
    "raw": ("the 24 prices", lambda v: v),
    "sorted": ("the day's price-duration curve", lambda v: np.sort(v, axis=1)),
    "differences": ("the 23 hour-to-hour moves", _diff),
    "second differences": ("the 22 changes of the moves (curvature)", lambda v: _diff(v, 2)),
    "roughness": ("sum of |moves| and of |curvature|",
                  lambda v: np.c_[np.abs(_diff(v)).sum(1), np.abs(_diff(v, 2)).sum(1)]),
    "profile": ("prices minus the day's mean", _centred),
    "mean, std": ("the day's level and spread", lambda v: np.c_[v.mean(1), v.std(1)]),
    "min, max, mean": ("the day's extremes and level",
                       lambda v: np.c_[v.min(1), v.max(1), v.mean(1)]),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, required=True, help="a smard run directory")
    parser.add_argument("--seed", type=int, default=0, help="sampling and metric seed")
    args = parser.parse_args(argv)

    from tsgan.api import load
    from tsgan.evaluate.metrics import discriminative_score
    from tsgan.evaluate.tables import sample_like_test

    model = load(args.run)
    train = model.train_data.to_numpy(np.float64)
    test = model.test_data.to_numpy(np.float64)
    synthetic = sample_like_test(model, len(test), seed=args.seed)
    pick = np.random.default_rng(args.seed).choice(len(train), len(test), replace=False)
    resampled = train[pick]
    print(f"run {args.run}: {len(test)} held-out days; discriminative score per view "
          f"(0 = indistinguishable, 0.5 = separable)\n")
    print("| view | what the classifier sees | gan | resampled training days |")
    print("|---|---|---|---|")
    for name, (what, view) in VIEWS.items():
        gan = discriminative_score(synthetic, test, seed=args.seed, features=view)
        base = discriminative_score(resampled, test, seed=args.seed, features=view)
        print(f"| {name} | {what} | {gan:.3f} | {base:.3f} |", flush=True)
    print("\nMedian |move| (EUR/MWh) from each hour to the next, held-out vs generated days:\n")
    real_moves = np.median(np.abs(np.diff(test, axis=1)), axis=0)
    gan_moves = np.median(np.abs(np.diff(synthetic, axis=1)), axis=0)
    print("| move | " + " | ".join(f"{h}→{h + 1}" for h in range(len(real_moves))) + " |")
    print("|---|" + "---|" * len(real_moves))
    print("| held-out | " + " | ".join(f"{v:.1f}" for v in real_moves) + " |")
    print("| gan | " + " | ".join(f"{v:.1f}" for v in gan_moves) + " |")
    return 0


if __name__ == "__main__":
    from tsgan.errors import run_script

    sys.exit(run_script(main, Path(__file__).name))
