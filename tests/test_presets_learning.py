"""Learning is tested, not assumed: real TensorFlow training, small budgets, fixed seeds.

Budgets were measured on 2 CPU cores: quadratic passes for seeds 0-3 at 8,000 iterations and
for seed 1 already at 4,000 (6,000 used here, a margin on both sides); heights at 2,000.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ks_2samp

from tsgan.api import PriceGAN


def x_coverage(x: np.ndarray, bins: int = 20, min_count: int = 5) -> float:
    """Share of equal-width bins of [-0.5, 0.5] holding at least ``min_count`` points."""
    counts, _ = np.histogram(x, bins=bins, range=(-0.5, 0.5))
    return float(np.mean(counts >= min_count))


def test_quadratic_learns_the_parabola() -> None:
    gan = PriceGAN("quadratic", iterations=6_000, snapshot_every=2_000, seed=1).fit()
    points = gan.sample(1_000, seed=0).to_numpy()
    x, y = points[:, 0], points[:, 1]
    assert np.mean(np.abs(y - x**2)) < 0.03
    assert x_coverage(x) >= 0.8
    # every 2,000 iterations: a snapshot and D's accuracy on real and generated points
    assert gan.snapshots["steps"].tolist() == [0, 2_000, 4_000, 6_000]
    assert gan.snapshots["acc_real"].shape == (4,)


def test_heights_learns_the_normal() -> None:
    gan = PriceGAN("heights", iterations=2_000, snapshot_every=0, seed=1).fit()
    heights = gan.sample(2_000, seed=0)["height"].to_numpy()
    assert abs(heights.mean() - 69.0) < 1.0
    assert abs(heights.std() - 3.0) < 1.0


def intraday_shape(days: np.ndarray) -> np.ndarray:
    """Median over days of each hour's price minus its day's median: the daily profile."""
    return np.median(days - np.median(days, axis=1, keepdims=True), axis=0)


@pytest.mark.slow
def test_smard_learns_price_days() -> None:
    """Generated days against held-out real weeks (never seen in training).

    * the distribution of daily mean prices overlaps the real one: KS distance < 0.15
      (an untrained generator scores ≈ 0.9);
    * the hour-of-day profile has the real shape (night low, morning and evening peaks, solar
      dip): correlation of the median intraday profiles > 0.9.
    """
    gan = PriceGAN("smard", iterations=10_000, snapshot_every=0, seed=0).fit()
    test = gan.test_data.to_numpy()
    generated = gan.sample(2 * len(test), seed=0).to_numpy()
    assert np.isfinite(generated).all()
    ks = ks_2samp(generated.mean(axis=1), test.mean(axis=1)).statistic
    assert ks < 0.15, ks
    corr = np.corrcoef(intraday_shape(generated), intraday_shape(test))[0, 1]
    assert corr > 0.9, corr
